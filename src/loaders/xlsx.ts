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

/** Inflates every entry once, counting bytes, and stops at the limit: a zip bomb costs nothing. */
function checkInflatedSize(data: Buffer, limit: number): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(new WorkbookProblem('parse-error', `the XLSX is not a valid ZIP archive (${err?.message ?? 'unreadable'})`));
      let total = 0;
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
