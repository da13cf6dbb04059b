import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { ProblemSink, problem, type Problem } from '../validation/problem.js';
import type { KeyIndex } from '../validation/keys.js';
import type { FilePlan } from '../validation/plan.js';
import type { ChunkResult } from './csv-chunk.js';
import type { Sightings } from './file-job.js';
import { tokenize } from '../loaders/csv/tokenizer.js';
import { MASK } from '../validation/rows.js';

const gzipAsync = promisify(gzip);

/** Where normalised rows go: gzip members in file order (the batch part writer, a benchmark file). */
export interface RowSink {
  write(gzipMember: Uint8Array, rows: number, rawBytes: number): Promise<void>;
  /** Rejected rows (NDJSON, personal fields masked), when the sink keeps them. */
  writeRejects?(gzipMember: Uint8Array, rows: number): Promise<void>;
  /** Line items of claim PDFs (claim_line), when the sink keeps them. */
  writeLines?(gzipMember: Uint8Array, rows: number, rawBytes: number): Promise<void>;
  /**
   * The sink's own shape of normalised lines (same lines, other columns), applied before
   * compression and after duplicates were taken out: a batch's parts hold no personal field
   * (batch/part-shape.ts). Absent: lines are written as normalised.
   */
  shape?(lines: Uint8Array): Uint8Array;
}

/**
 * Folds a file's chunk results, in file order, into one outcome: finds duplicate keys
 * across chunks, drops duplicates from the output, and compresses
 * output on libuv's thread pool (so the main thread stays free to feed the workers).
 */
export class FileAccumulator {
  rows = 0;
  validRows = 0;
  readonly problems: ProblemSink;
  private writes: Promise<void> = Promise.resolve();
  private pendingWrites = 0;
  private writeError: unknown = null;
  private readonly keyColumn: string | null;
  private readonly keyField: string | null;

  constructor(
    private readonly plan: FilePlan,
    maxErrors: number,
    private readonly keys: KeyIndex | null,
    private readonly out: RowSink | null,
    private readonly gzipLevel = 6,
    /** Run-scoped keys: where each was first seen (then messages name the file). */
    private readonly sightings: { ids: Sightings; file: string; format: string | null } | null = null,
  ) {
    this.problems = new ProblemSink(maxErrors);
    // The duplicate is reported on the last key column the file has (the SKU, the claim id).
    let col: string | null = null, field: string | null = null;
    for (const name of plan.schema.key) {
      const fi = plan.schema.fields.findIndex((f) => f.name === name);
      if (plan.fieldIndex[fi] >= 0) { col = plan.columns[plan.fieldIndex[fi]]; field = name; }
    }
    this.keyColumn = col;
    this.keyField = field ?? plan.schema.key[plan.schema.key.length - 1];
  }

  addProblem(p: Problem): void {
    if (this.plan.sheet && p.sheet === undefined) p.sheet = this.plan.sheet;
    this.problems.add(p);
  }

  /** Adds one chunk's result; chunks must come in file order. */
  async add(r: ChunkResult): Promise<void> {
    this.rows += r.rows;
    this.validRows += r.validRows;
    // Errors and warnings beyond those kept still count.
    this.problems.errors += r.errors - r.problems.filter((p) => p.severity === 'error').length;
    this.problems.warnings += r.warnings - r.problems.filter((p) => p.severity === 'warning').length;
    for (const p of r.problems) this.problems.add(p);
    let dropped: Set<number> | null = null;
    if (this.keys) {
      const k = r.keys;
      for (let i = 0; i < k.length; i++) {
        const row = k.rows[i];
        const s = this.sightings;
        const first = this.keys.addHash(k.h1[i], k.h2[i], s ? s.ids.add(s.file, row) : row);
        if (first < 0) continue;
        this.addProblem(problem('duplicate-key', 'error', row, this.keyColumn, this.keyField,
          s ? `${this.plan.schema.key.join(' + ')} was already seen in this run (${s.ids.describe(first, s.format)})`
            : `${this.plan.schema.key.join(' + ')} repeats the key of row ${first}`));
        if (k.valid[i]) {
          this.validRows--;
          (dropped ??= new Set()).add(i);
        }
      }
    }
    if (this.out && (r.out || r.rejects)) await this.write(r, dropped);
  }

  private async write(r: ChunkResult, dropped: Set<number> | null): Promise<void> {
    let bytes = r.out ?? new Uint8Array(0);
    let rows = r.out ? r.outKey.length : 0;
    let rejects = r.rejects && r.rejectLines > 0 ? r.rejects : null;
    let rejectRows = r.rejectLines;
    if (dropped) {
      const lines = new TextDecoder().decode(bytes).split('\n');
      lines.pop();
      const kept: string[] = [];
      const extra: string[] = [];
      lines.forEach((line, i) => { if (dropped.has(r.outKey[i])) extra.push(this.duplicateReject(line)); else kept.push(line); });
      rows = kept.length;
      bytes = new TextEncoder().encode(kept.length ? kept.join('\n') + '\n' : '');
      if (this.out!.writeRejects && extra.length) {
        const joined = new TextEncoder().encode(extra.join(''));
        rejects = rejects ? Buffer.concat([rejects, joined]) : joined;
        rejectRows += extra.length;
      }
    }
    if (rows > 0) {
      if (this.out!.shape) bytes = this.out!.shape(bytes);
      const raw = bytes.length;
      this.queue(gzipAsync(bytes, { level: this.gzipLevel }), (out, gz) => out.write(gz, rows, raw));
    }
    if (rejects && this.out!.writeRejects) {
      const n = rejectRows;
      this.queue(gzipAsync(rejects, { level: this.gzipLevel }), (out, gz) => out.writeRejects!(gz, n));
    }
    // Bound the compressed chunks waiting in memory.
    if (this.pendingWrites > 3) await this.writes;
  }

  /** Writes run in order; compression of later chunks overlaps them. */
  private queue(compressed: Promise<Uint8Array>, write: (out: RowSink, gz: Uint8Array) => Promise<void>): void {
    const out = this.out!;
    this.pendingWrites++;
    this.writes = this.writes.then(async () => {
      if (this.writeError === null) await write(out, await compressed);
      this.pendingWrites--;
    }).catch((e) => { this.writeError ??= e; });
  }

  /** The reject record of a duplicate, from its normalised line (personal fields masked). */
  private duplicateReject(line: string): string {
    const fields = this.plan.schema.fields;
    let cells: string[] = [];
    tokenize(line, ',', (c) => { cells = c; });
    const values: Record<string, string> = {};
    fields.forEach((f, i) => { if (cells[i] !== undefined && cells[i] !== '') values[f.name] = f.personal ? MASK : cells[i]; });
    const row = Number(cells[fields.length + 1]);
    return JSON.stringify({ file: this.plan.sourceFile, ...(this.plan.sheet ? { sheet: this.plan.sheet } : {}), row, codes: ['duplicate-key'], values }) + '\n';
  }

  async finish(): Promise<void> {
    await this.writes;
    if (this.writeError !== null) throw this.writeError;
  }
}
