import { basename } from 'node:path';
import type { HaloConfig } from '../config/types.js';
import { getSchema } from '../schemas/registry.js';
import { openLake } from '../lake/open.js';
import { BatchBuilder, DEFAULT_PART_BYTES } from '../batch/builder.js';
import type { Manifest } from '../batch/manifest.js';
import { validate } from './validate.js';
import type { ValidateReport } from './file-outcome.js';
import { DataError, UsageError } from '../errors.js';

export interface StageOptions {
  inputs: string[];
  schema: string;
  source?: string;
  merchant?: string;
  config: HaloConfig;
  maxRejectRate: number;
  threads?: number;
  cwd?: string;
  partBytes?: number;
  /** A fixed batch id and time (see BatchBuilder); default a new ULID, now. */
  id?: { batchId: string; createdAt: Date };
  /**
   * Leave files that cannot be read out of the batch (reported in `skipped`) instead of
   * refusing it: run stages what it can and says which files it could not.
   */
  skipUnreadable?: boolean;
  onFileDone?: Parameters<typeof validate>[0]['onFileDone'];
  /** Bytes per CSV chunk (tests: small, so a file's rows are written in many pieces). */
  csvChunkBytes?: number;
}

export interface StageResult {
  batchId: string;
  lake: string;
  prefix: string;
  manifest: Manifest;
  report: ValidateReport;
  /** Files left out as unreadable (with skipUnreadable), with the first problem's code. */
  skipped: Array<{ path: string; code: string; where: string }>;
}

const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Validates and normalises files (the validate pipeline, emitting), then writes them as one
 * batch to the lake: raw files, normalised parts, rejects, COPY manifest, manifest last.
 * Nothing is published when the files cannot be read or too many rows are rejected.
 */
export async function stage(opts: StageOptions): Promise<StageResult> {
  const schema = getSchema(opts.schema);
  const source = opts.source ?? 'manual';
  if (!SOURCE_NAME.test(source)) throw new UsageError('bad-option', `--source '${source}' is not a valid source name (letters, digits, . _ -)`);
  const lake = await openLake(opts.config);
  const builder = new BatchBuilder(lake, source, schema, opts.partBytes ?? opts.config.lake.partBytes ?? DEFAULT_PART_BYTES, opts.id);
  await builder.open();
  try {
    const report = await validate({
      inputs: opts.inputs, schema: opts.schema, merchant: opts.merchant, config: opts.config, maxErrors: 1000,
      threads: opts.threads, cwd: opts.cwd, sinkFor: (_path, i) => builder.sink(i), onFileDone: opts.onFileDone,
      csvChunkBytes: opts.csvChunkBytes,
    });
    const unreadable = report.files.filter((f) => f.rows === 0 && f.errorCount > 0);
    if (unreadable.length > 0 && (!opts.skipUnreadable || unreadable.length === report.files.length)) {
      throw new DataError('unreadable-file', `${unreadable.length} file(s) could not be read, so no batch was written: ${unreadable.map((f) => `${basename(f.path)} (${f.problems[0]?.code}${where(f)})`).join(', ')}`,
        { hint: 'run halo-data validate on them for the details' });
    }
    // A file refused after some of its rows were written (a CSV broken near its end) leaves none.
    await builder.withdraw(report.files.flatMap((f, i) => (unreadable.includes(f) ? [i] : [])));
    const kept = report.files.filter((f) => !unreadable.includes(f));
    const rows = kept.reduce((n, f) => n + f.rows, 0);
    const rejected = rows - kept.reduce((n, f) => n + f.validRows, 0);
    const rate = rows === 0 ? 0 : rejected / rows;
    if (rate > opts.maxRejectRate) {
      throw new DataError('reject-rate', `${rejected} of ${rows} rows were rejected (${(rate * 100).toFixed(2)}%), more than --max-reject-rate ${opts.maxRejectRate}: no batch was written`,
        { hint: 'halo-data validate <files> shows the rejected rows and why' });
    }
    const names = rawNames(kept.map((f) => f.path));
    const manifest = await builder.publish(kept, names);
    const skipped = unreadable.map((f) => ({ path: f.path, code: f.problems[0]?.code ?? 'unreadable-file', where: where(f) }));
    return { batchId: builder.batchId, lake: lake.url, prefix: builder.prefix, manifest, report, skipped };
  } finally {
    await builder.close();
  }
}

/** Where the problem that refused a file is: ", line N" in a CSV (its row is the line a record starts on). */
function where(f: ValidateReport['files'][number]): string {
  const row = f.problems[0]?.row;
  return row ? `, ${f.format === 'csv' ? 'line' : 'row'} ${row}` : '';
}

/** File names under raw/: the original names, numbered when two files share one. */
function rawNames(paths: string[]): string[] {
  const seen = new Map<string, number>();
  return paths.map((p) => {
    const name = basename(p).replace(/[^A-Za-z0-9._-]/g, '_');
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    return n === 0 ? name : `${n}-${name}`;
  });
}
