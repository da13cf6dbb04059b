import * as fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as XLSX from 'xlsx';
import yauzl from 'yauzl';
import type { Cell } from '../schemas/fields/fail.js';

XLSX.set_fs(fs);

/**
 * XLS (BIFF8) and XLSX through SheetJS, behind this one file. SheetJS reads whole
 * workbooks into memory, so hostile files are stopped before it sees them: the file size,
 * and for XLSX the bytes its ZIP entries really inflate to (counted while inflating; the
 * sizes a ZIP declares are not trusted).
 */
export interface Sheet {
  name: string;
  /** Dense rows: index r is the row Excel shows as r + 1 (undefined for an empty row). */
  rows: Array<Cell[] | undefined>;
}

export interface Workbook {
  sheets: Sheet[];
  /** Dates count from 1904 (old Mac Excel): serials are 1462 days smaller. */
  date1904: boolean;
}

export class WorkbookProblem extends Error {
  constructor(readonly code: 'file-too-large' | 'parse-error' | 'encrypted-file', message: string) {
    super(message);
  }
}

export interface WorkbookLimits {
  fileBytes: number;
  inflatedBytes: number;
  rows: number;
}

export async function readWorkbook(path: string, limits: WorkbookLimits): Promise<Workbook> {
  const size = (await fs.promises.stat(path)).size;
  if (size > limits.fileBytes) throw new WorkbookProblem('file-too-large', `the file is ${size} bytes; the limit is ${limits.fileBytes}`);
  const data = await readFile(path);
  if (isZip(data)) await checkInflatedSize(data, limits.inflatedBytes);
  else if (!isCfb(data) && !isMarkup(data) && !isBiffStream(data)) {
    // SheetJS reads any other bytes as a text sheet (an executable became a one-column sheet
    // of garbage and a missing-header); say what it is instead.
    throw new WorkbookProblem('parse-error', 'the file is not a spreadsheet: its bytes are not XLSX (ZIP), XLS (OLE2), HTML or XML');
  }
  let wb: XLSX.WorkBook;
  try {
    // cellText: false — no formatted text per cell: formatting every number was a third of the read time.
    wb = XLSX.read(data, { type: 'buffer', dense: true, cellDates: false, cellNF: false, cellText: false, cellHTML: false, cellStyles: false, WTF: false });
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    if (/password|encrypt/i.test(msg)) throw new WorkbookProblem('encrypted-file', 'the workbook is password-protected (encrypted); ask the sender for an unprotected copy');
    throw new WorkbookProblem('parse-error', `the workbook cannot be read (${msg.slice(0, 120)}); it may be damaged or not a spreadsheet`);
  }
  const sheets: Sheet[] = [];
  for (const name of wb.SheetNames) {
    const ws = wb.Sheets[name] as XLSX.WorkSheet & { '!data'?: XLSX.CellObject[][] };
    const dense = ws['!data'] ?? [];
    if (dense.length > limits.rows) throw new WorkbookProblem('file-too-large', `sheet '${name}' has ${dense.length} rows; the limit is ${limits.rows}`);
    const rows: Array<Cell[] | undefined> = new Array(dense.length);
    for (let r = 0; r < dense.length; r++) {
      const row = dense[r];
      if (!row) continue;
      const cells: Cell[] = new Array(row.length);
      for (let c = 0; c < row.length; c++) cells[c] = cellValue(row[c]);
      rows[r] = cells;
    }
    sheets.push({ name, rows });
  }
  const date1904 = Boolean((wb.Workbook as { WBProps?: { date1904?: boolean } } | undefined)?.WBProps?.date1904);
  return { sheets, date1904 };
}

function cellValue(cell: XLSX.CellObject | undefined): Cell {
  if (!cell) return null;
  switch (cell.t) {
    case 'n': return cell.v as number;
    case 's': return cell.v as string;
    case 'b': return cell.v as boolean;
    case 'd': return (cell.v as Date).toISOString();
    case 'e': return cell.w ?? '#ERROR';
    default: return null;
  }
}

function isZip(data: Uint8Array): boolean {
  return data[0] === 0x50 && data[1] === 0x4b && data[2] === 0x03 && data[3] === 0x04;
}

function isCfb(data: Uint8Array): boolean {
  return data[0] === 0xd0 && data[1] === 0xcf && data[2] === 0x11 && data[3] === 0xe0;
}

/** HTML tables and SpreadsheetML 2003 some systems save as .xls (after a BOM or blanks). */
function isMarkup(data: Uint8Array): boolean {
  let i = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0;
  if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) return true; // UTF-16 markup
  while (i < data.length && i < 1024 && (data[i] === 0x20 || data[i] === 0x09 || data[i] === 0x0a || data[i] === 0x0d)) i++;
  return data[i] === 0x3c;
}

/** BIFF2-5 workbooks written as a bare stream: a BOF record (09 00, 09 02, 09 04 or 09 08). */
function isBiffStream(data: Uint8Array): boolean {
  return data[0] === 0x09 && (data[1] === 0x00 || data[1] === 0x02 || data[1] === 0x04 || data[1] === 0x08);
}

/**
 * Cells (and shared strings) a workbook may hold. SheetJS keeps every cell as an object:
 * ~130 bytes of memory each, whatever its size in the XML. A 1 MB XLSX of 10 M cells
 * (150 MB inflated, well under the inflate limit) took 1.35 GB to read; at the 512 MB limit
 * it would be ~4.6 GB, or the process dies of an out-of-memory error. 8 M is ~1.1 GB, and
 * still 800,000 rows of 10 columns.
 */
export const MAX_CELLS = 8_000_000;

/** Start tags of cells and shared strings, with or without a namespace prefix. */
const CELL_TAGS = ['<c ', '<c>', ':c ', ':c>', '<si>', '<si ', ':si>', ':si '].map((t) => Buffer.from(t, 'latin1'));
const CARRY = 3;

/** Counts CELL_TAGS in streamed bytes with native indexOf; a tag cut between chunks is counted once. */
class CellCounter {
  count = 0;
  private carry: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): void {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const old = this.carry.length;
    for (const tag of CELL_TAGS) {
      for (let i = buf.indexOf(tag); i >= 0; i = buf.indexOf(tag, i + 1)) {
        // A match wholly inside the carried bytes was counted with the previous chunk.
        if (i + tag.length > old) this.count++;
      }
    }
    this.carry = Buffer.from(buf.subarray(Math.max(0, buf.length - CARRY)));
  }
}

/** Inflates every entry once, counting bytes, and stops at the limit: a zip bomb costs nothing. */
function checkInflatedSize(data: Buffer, limit: number): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(new WorkbookProblem('parse-error', `the XLSX is not a valid ZIP archive (${err?.message ?? 'unreadable'})`));
      let total = 0;
      const cells = new CellCounter();
      let done = false;
      const stop = (e: WorkbookProblem | null) => {
        if (done) return;
        done = true;
        zip.close();
        if (e) reject(e); else resolve();
      };
      zip.on('error', (e: Error) => stop(new WorkbookProblem('parse-error', `the XLSX archive is damaged (${e.message})`)));
      zip.on('end', () => stop(null));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (/\/$/.test(entry.fileName)) { zip.readEntry(); return; }
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return stop(new WorkbookProblem('parse-error', `the XLSX archive is damaged (${e?.message ?? 'entry unreadable'})`));
          stream.on('data', (chunk: Buffer) => {
            total += chunk.length;
            if (total > limit) {
              stream.destroy();
              stop(new WorkbookProblem('file-too-large', `the workbook inflates to more than ${limit} bytes (a ZIP bomb, or too large to read)`));
              return;
            }
            cells.push(chunk);
            if (cells.count > MAX_CELLS) {
              stream.destroy();
              stop(new WorkbookProblem('file-too-large', `the workbook holds more than ${MAX_CELLS} cells (too many to read in memory); split it, or send it as CSV`));
            }
          });
          stream.on('error', (se: Error) => stop(new WorkbookProblem('parse-error', `the XLSX archive is damaged (${se.message})`)));
          stream.on('end', () => { if (!done) zip.readEntry(); });
        });
      });
      zip.readEntry();
    });
  });
}
