import type { SchemaSpec, Profile } from '../../schemas/types.js';
import { aliasIndex, headerScore, HEADER_MIN_SCORE, HEADER_SEARCH_ROWS } from '../../schemas/headers.js';
import { tokenize, type TokenizeError } from './tokenizer.js';
import { lastRecordEnd } from './boundaries.js';
import { decodeBytes, type Encoding } from './encoding.js';

export const DELIMITERS = [',', ';', '\t', '|'] as const;

export interface CsvLayout {
  schema: SchemaSpec;
  delimiter: string;
  /** 1-based line of the header record. */
  headerLine: number;
  headerCells: string[];
  /** Byte offset, from the start of the sampled bytes, of the first record after the header. */
  dataStart: number;
  /** 1-based line where that record starts. */
  dataStartLine: number;
  score: number;
  /** Records of the sample after the header (for settling locale 'auto'). */
  sampleRows: string[][];
}

export interface SniffInput {
  /** Text bytes after any BOM (UTF-16 already transcoded to UTF-8). */
  sample: Uint8Array;
  atEof: boolean;
  encoding: Encoding;
  schemas: SchemaSpec[];
  profile: Profile;
}

export type SniffResult =
  | { ok: true; layout: CsvLayout }
  | { ok: false; reason: 'no-line-break' | 'no-header' }
  /**
   * No header row before a quoted field that is never closed (atEof: the sample is the whole
   * file) or not closed within the sample: `line` (1-based) is where its record starts.
   */
  | { ok: false; reason: 'unclosed-quote'; line: number; atEof: boolean };

interface Rec { cells: string[]; line: number }

/**
 * Finds delimiter and header together: for each candidate delimiter (and schema, when it
 * is to be guessed) the first row among the first 50 that names at least two fields is the
 * header; the candidate naming the most fields wins, ties going to the wider header.
 */
export function sniffLayout(input: SniffInput): SniffResult {
  const { sample, atEof, encoding, profile } = input;
  const candidates = profile.delimiter ? [profile.delimiter] : DELIMITERS;
  let best: CsvLayout | null = null;
  let anyRecord = false;
  // The first line (0-based) of a quoted field left open, for any candidate delimiter.
  let unclosed = Infinity;
  for (const delimiter of candidates) {
    const end = atEof ? sample.length : lastRecordEnd(sample, delimiter.charCodeAt(0));
    // A line feed after the last record end is inside a quoted field still open at the sample's end.
    if (!atEof && sample.indexOf(10, Math.max(0, end)) >= 0) unclosed = Math.min(unclosed, lineOfOffset(sample, Math.max(0, end)));
    if (end <= 0) continue;
    anyRecord = true;
    const text = decodeBytes(sample.subarray(0, end), encoding, false);
    const records: Rec[] = [];
    let lines = 0;
    let errors: TokenizeError[] = [];
    try {
      ({ lines, errors } = tokenize(text, delimiter, (cells, line) => { records.push({ cells, line }); }));
    } catch { continue; }
    for (const e of errors) if (e.kind === 'unterminated-quote') unclosed = Math.min(unclosed, e.line);
    for (const schema of input.schemas) {
      const index = aliasIndex(schema, profile);
      for (let i = 0; i < records.length; i++) {
        const rec = records[i];
        if (rec.line >= HEADER_SEARCH_ROWS) break;
        if (profile.headerRow !== undefined && rec.line + 1 !== profile.headerRow) continue;
        const score = headerScore(rec.cells, index);
        if (score < HEADER_MIN_SCORE && profile.headerRow === undefined) continue;
        // The data starts where the header record ends: at the next record, broken or not (a
        // broken one is reported by the chunk that reads it), or where reading stopped.
        let nextLine = i + 1 < records.length ? records[i + 1].line : lines;
        for (const e of errors) if (e.line > rec.line && e.line < nextLine) { nextLine = e.line; break; }
        const layout: CsvLayout = {
          schema, delimiter, headerLine: rec.line + 1, headerCells: rec.cells,
          dataStart: byteOffsetOfLine(sample, nextLine), dataStartLine: nextLine + 1, score,
          sampleRows: records.slice(i + 1).map((r) => r.cells),
        };
        if (!best || score > best.score || (score === best.score && rec.cells.length > best.headerCells.length)) best = layout;
        break;
      }
    }
  }
  if (best) return { ok: true, layout: best };
  if (unclosed < HEADER_SEARCH_ROWS) return { ok: false, reason: 'unclosed-quote', line: unclosed + 1, atEof };
  return { ok: false, reason: anyRecord ? 'no-header' : 'no-line-break' };
}

/** Offset just past the `line`-th line feed (line 0 starts at offset 0). */
function byteOffsetOfLine(bytes: Uint8Array, line: number): number {
  let off = 0;
  for (let k = 0; k < line; k++) {
    const nl = bytes.indexOf(10, off);
    if (nl < 0) return bytes.length;
    off = nl + 1;
  }
  return off;
}

/** The 0-based line on which byte `offset` lies. */
function lineOfOffset(bytes: Uint8Array, offset: number): number {
  let line = 0;
  for (let i = bytes.indexOf(10); i >= 0 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
  return line;
}
