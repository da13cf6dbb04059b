import { tokenize } from '../loaders/csv/tokenizer.js';
import { decodeBytes, type Encoding } from '../loaders/csv/encoding.js';
import { RowProcessor, type RowsResult } from '../validation/rows.js';
import { problem } from '../validation/problem.js';
import type { FilePlan } from '../validation/plan.js';

/**
 * One chunk of CSV records: decode → tokenize → validate/normalise. Runs on a worker
 * thread for large files and inline for small ones; both give the same result.
 */
export interface ChunkTask {
  plan: FilePlan;
  bytes: Uint8Array;
  /** The file's line number of the chunk's first line (the reader counts line feeds). */
  firstRow: number;
  encoding: Encoding;
  delimiter: string;
}

export interface ChunkResult extends Omit<RowsResult, 'out' | 'outLines' | 'outKey' | 'rejects' | 'rejectLines'> {
  /** Normalised CSV lines of the valid rows, '\n'-terminated UTF-8 (null unless the plan emits). */
  out: Uint8Array | null;
  outKey: Int32Array;
  /** Rejected rows, NDJSON (null unless the plan emits). */
  rejects: Uint8Array | null;
  rejectLines: number;
  /** CSV chunks: what the tokenizer read, for the line accounting (csv-accounting.ts). */
  accounting?: ChunkAccounting;
}

export interface ChunkAccounting {
  /** Lines read as records (TokenizeResult.lines): all of the chunk's lines unless reading stopped. */
  lines: number;
  /** Records found: passed on as rows (or blank/footer rows), or broken and reported. */
  records: number;
  /** The file's line where a quoted field that is never closed starts; 0 when none. */
  unclosedQuoteAt: number;
}

const REPLACEMENT = '\uFFFD';
const NUL = '\u0000';

export function processChunk(task: ChunkTask): ChunkResult {
  const { plan, bytes, encoding, delimiter, firstRow } = task;
  const proc = new RowProcessor(plan);
  let text: string;
  let undecodable = false;
  try {
    text = decodeBytes(bytes, encoding, true);
  } catch {
    // Some bytes are not valid in the file's encoding: read the rest, reject the rows that hold them.
    undecodable = true;
    text = decodeBytes(bytes, encoding, false);
  }
  // NUL bytes past the head the binary sniff reads (csv-file.ts) decode fine but are not text:
  // PostgreSQL's and Redshift's COPY refuse them, so a row holding one would fail the whole
  // batch's load later. One indexOf per chunk; rows are only searched when the chunk has one.
  const hasNul = text.indexOf(NUL) >= 0;
  const { errors, lines, recordCount } = tokenize(text, delimiter, (cells, line) => {
    if (undecodable) {
      const bad = cells.findIndex((c) => c.includes(REPLACEMENT));
      if (bad >= 0) {
        const fi = plan.fieldIndex.indexOf(bad);
        proc.addProblem(problem('encoding-error', 'error', firstRow + line, plan.columns[bad] || null, fi >= 0 ? plan.schema.fields[fi].name : null,
          `bytes that are not valid ${encoding} (set the merchant profile's encoding if the file is in another one)`));
        proc.countBrokenRow(firstRow + line, cells);
        return;
      }
    }
    if (hasNul) {
      const bad = cells.findIndex((c) => c.includes(NUL));
      if (bad >= 0) {
        const fi = plan.fieldIndex.indexOf(bad);
        proc.addProblem(problem('encoding-error', 'error', firstRow + line, plan.columns[bad] || null, fi >= 0 ? plan.schema.fields[fi].name : null,
          'a NUL byte (binary data, not text) in this row'));
        proc.countBrokenRow(firstRow + line, cells);
        return;
      }
    }
    proc.process(cells, firstRow + line);
  });
  let unclosedQuoteAt = 0;
  let broken = 0;
  for (const e of errors) {
    // A quoted field never closed swallows every line after it: no row-level error for that,
    // the file is refused (csv-accounting.ts).
    if (e.kind === 'unterminated-quote') { unclosedQuoteAt = firstRow + e.line; continue; }
    proc.addProblem(problem('parse-error', 'error', firstRow + e.line, null, null, 'text follows a closing quote (e.g. "abc"def); the record cannot be read'));
    proc.countBrokenRow(firstRow + e.line, null);
    broken++;
  }
  const r = proc.result();
  return {
    accounting: { lines, records: recordCount + broken, unclosedQuoteAt },
    rows: r.rows, validRows: r.validRows, skipped: r.skipped, errors: r.errors, warnings: r.warnings, problems: r.problems,
    keys: r.keys,
    out: plan.emit ? r.out : null,
    rejects: plan.emit ? r.rejects : null, rejectLines: r.rejectLines,
    outKey: r.outKey,
  };
}
