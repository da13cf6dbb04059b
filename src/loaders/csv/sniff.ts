import type { SchemaSpec, Profile } from '../../schemas/types.js';
import { aliasIndex, headerScore, HEADER_MIN_SCORE, HEADER_SEARCH_ROWS } from '../../schemas/headers.js';
import { tokenize } from './tokenizer.js';
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
  | { ok: false; reason: 'no-line-break' | 'no-header' };

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
  for (const delimiter of candidates) {
    const end = atEof ? sample.length : lastRecordEnd(sample, delimiter.charCodeAt(0));
    if (end <= 0) continue;
    anyRecord = true;
    const text = decodeBytes(sample.subarray(0, end), encoding, false);
    const records: Rec[] = [];
    let lines = 0;
    try {
      lines = tokenize(text, delimiter, (cells, line) => { records.push({ cells, line }); }).lines;
    } catch { continue; }
    for (const schema of input.schemas) {
      const index = aliasIndex(schema, profile);
      for (let i = 0; i < records.length; i++) {
        const rec = records[i];
        if (rec.line >= HEADER_SEARCH_ROWS) break;
        if (profile.headerRow !== undefined && rec.line + 1 !== profile.headerRow) continue;
        const score = headerScore(rec.cells, index);
        if (score < HEADER_MIN_SCORE && profile.headerRow === undefined) continue;
        const nextLine = i + 1 < records.length ? records[i + 1].line : lines;
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
