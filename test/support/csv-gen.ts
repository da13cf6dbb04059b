/** Generator of well-formed random CSV texts for the tokenizer and boundary property tests. Not a test file. */
import { type Rng, int, pick } from './prng.js';

export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** Pieces a partner cell is made of: separators, quotes, both newline kinds, spaces, unicode. */
const PIECES = [
  'a', 'b', 'Z', '0', '7', '12.500', '12,500.00', 'Rp', ' ', '  ', ',', ';', '\t', '|', '"', '""', '\n', '\r\n', '\r',
  'é', 'ñ', 'Parasétamol', '日本', '😀', '\u00a0', '–', "'", 'x y', '=SUM(A1)',
];

export function randomCell(rng: Rng): string {
  if (rng() < 0.15) return '';
  let s = '';
  const n = int(rng, 1, 5);
  for (let i = 0; i < n; i++) s += pick(rng, PIECES);
  return s;
}

export function needsQuotes(cell: string, delimiter: string): boolean {
  return cell.includes(delimiter) || cell.includes('"') || cell.includes('\n') || cell.includes('\r');
}

export function quote(cell: string): string {
  return '"' + cell.replace(/"/g, '""') + '"';
}

export interface GeneratedCsv {
  text: string;
  records: string[][];
  /** 0-based line on which each record starts (line feeds before it). */
  startLines: number[];
  /** Offset (in UTF-16 code units of `text`) just past the line feed that ends each record; -1 for the last record when no newline follows. */
  ends: number[];
}

/** A small well-formed CSV: one line ending per text, cells quoted when they need it (and sometimes when they don't). */
export function randomCsv(rng: Rng, delimiter: string, maxRecords = 6, maxCells = 5): GeneratedCsv {
  const eol = rng() < 0.5 ? '\n' : '\r\n';
  const nRecords = int(rng, 1, maxRecords);
  const trailingNewline = rng() < 0.7;
  const records: string[][] = [];
  const startLines: number[] = [];
  const ends: number[] = [];
  let text = '';
  let line = 0;
  for (let r = 0; r < nRecords; r++) {
    const nCells = int(rng, 1, maxCells);
    const cells: string[] = [];
    for (let c = 0; c < nCells; c++) cells.push(randomCell(rng));
    const last = r === nRecords - 1;
    const rendered = cells.map((cell) => {
      const mustQuote = needsQuotes(cell, delimiter)
        // A lone empty cell at the very end with no newline after it would be no record at all.
        || (last && !trailingNewline && nCells === 1 && cell === '');
      return mustQuote || rng() < 0.1 ? quote(cell) : cell;
    });
    records.push(cells);
    startLines.push(line);
    const body = rendered.join(delimiter);
    text += body;
    for (const ch of body) if (ch === '\n') line++;
    if (!last || trailingNewline) {
      text += eol;
      line++;
      ends.push(text.length);
    } else {
      ends.push(-1);
    }
  }
  return { text, records, startLines, ends };
}
