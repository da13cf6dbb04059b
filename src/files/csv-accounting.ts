import { problem, type Problem } from '../validation/problem.js';
import type { ChunkResult } from './csv-chunk.js';
import { formatBytes } from '../output/size.js';

/**
 * Every line of a CSV file is accounted for, or the file is refused (issue 14): lines before
 * the data are the title and header (sniff.ts), and each chunk's lines, counted by the reader
 * from its bytes, must all be lines of records the tokenizer read; each record must be a data
 * row (valid, rejected or broken-and-reported) or a blank or footer row. A quoted field that is
 * never closed, a record past the size limit, or any line not accounted for refuses the file
 * with a parse-error naming the line where it starts: a silent loss of rows with exit 0 is
 * not possible, whatever a future change to the tokenizer or the row processor does.
 *
 * Costs nothing per row: the reader already counts each chunk's line feeds, the tokenizer and
 * the row processor already count records and rows.
 */

/** Lines in a chunk of whole records: its line feeds, plus a last line without one. */
export function chunkLines(bytes: Uint8Array): number {
  // Buffer's indexOf is memchr; a plain Uint8Array's is a slow element loop.
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) n++;
  return buf.length > 0 && buf[buf.length - 1] !== 10 ? n + 1 : n;
}

/** The refusal of a file whose quoted field starting on `line` is never closed. */
export function unclosedQuote(line: number, before?: string): Problem {
  return problem('parse-error', 'error', line, null, null,
    `a quoted field starts on this line and is never closed${before ?? ''}: the rest of the file would be one cell, so the file is refused (close the quote, or remove it)`);
}

/** The refusal of a file holding a record with no end within `maxRecord` bytes. */
export function recordTooLong(line: number, maxRecord: number): Problem {
  return problem('parse-error', 'error', line, null, null,
    `no end of record within ${formatBytes(maxRecord)} from this line (an unterminated quote, or not a CSV; limits.csvRecordBytes): the file is refused`);
}

/**
 * Checks one chunk's result against the lines the reader counted in it; returns the refusal
 * when a line is not accounted for. `firstRow` is the chunk's first line in the file.
 */
export function checkChunk(r: ChunkResult, firstRow: number, lines: number): Problem | null {
  const a = r.accounting;
  if (!a) return problem('parse-error', 'error', firstRow, null, null, 'internal: a CSV chunk came back without its line accounting; the file is refused');
  if (a.unclosedQuoteAt > 0) return unclosedQuote(a.unclosedQuoteAt);
  if (a.lines !== lines) {
    return problem('parse-error', 'error', firstRow + Math.min(a.lines, lines), null, null,
      `the lines from this one on could not be read as records (${lines - a.lines} of ${lines} lines of this part of the file): the file is refused`);
  }
  if (a.records !== r.rows + r.skipped) {
    return problem('parse-error', 'error', firstRow, null, null,
      `${a.records} records were read from line ${firstRow} on but ${r.rows + r.skipped} counted: the file is refused`);
  }
  return null;
}

