/**
 * Writes the benchmark merchant-inventory workbook (.xlsx, SheetJS): the same logical rows as
 * the CSV, laid out the way merchants' exports often are — a title on row 1, a blank row 2,
 * the header on row 3 and data from row 4 — with prices and stock as real Excel numbers and
 * dates as real Excel dates (serial numbers with a date format).
 *
 * Cells are built directly rather than through aoa_to_sheet, so dates become serials without
 * any local-time-zone conversion (SheetJS converts JS Dates using the machine's zone).
 */
import * as fs from 'node:fs';
import * as XLSX from 'xlsx';
import { cachedPath, ensureCached, type GeneratedFile } from './cache.js';
import { CSV_HEADER } from './inventory-csv.js';
import { inventoryRows } from './inventory-model.js';

XLSX.set_fs(fs);

/** Excel's day 0 (1899-12-30, accounting for the 1900 leap-year bug) in days since 1970. */
const EXCEL_EPOCH_DAY = -25_569;
export const XLSX_TITLE = 'Laporan Stok Apotek per 20/11/2025';
/** 0-based index of the header row (row 3 as a person counts). */
export const XLSX_HEADER_ROW = 2;

type Cell = XLSX.CellObject;

function text(value: string): Cell {
  return { t: 's', v: value };
}

function num(value: number, format?: string): Cell {
  return format ? { t: 'n', v: value, z: format } : { t: 'n', v: value };
}

export async function writeInventoryXlsx(file: string, rows: number, seed: number): Promise<void> {
  const sheet: XLSX.WorkSheet = {};
  const put = (r: number, c: number, cell: Cell): void => {
    sheet[XLSX.utils.encode_cell({ r, c })] = cell;
  };

  put(0, 0, text(XLSX_TITLE));
  CSV_HEADER.split(';').forEach((name, c) => put(XLSX_HEADER_ROW, c, text(name)));

  let r = XLSX_HEADER_ROW + 1;
  for (const row of inventoryRows(rows, seed)) {
    put(r, 0, text(row.merchantId));
    put(r, 1, text(row.sku));
    put(r, 2, text(row.name));
    // Barcodes stay text: as numbers Excel would drop leading zeros and show 8.99E+12.
    if (row.barcode) put(r, 3, text(row.barcode));
    put(r, 4, num(row.price, '#,##0'));
    put(r, 5, num(row.stock));
    put(r, 6, text(row.unit));
    put(r, 7, num(row.expiryDay - EXCEL_EPOCH_DAY, 'dd/mm/yyyy'));
    put(r, 8, num(row.updatedMinute / 1440 - EXCEL_EPOCH_DAY, 'dd/mm/yyyy hh:mm'));
    r++;
  }
  sheet['!ref'] = XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: r - 1, c: 8 } });
  sheet['!cols'] = [10, 9, 28, 15, 12, 7, 8, 12, 17].map((wch) => ({ wch }));

  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, sheet, 'Stok');
  XLSX.writeFile(book, file, { bookType: 'xlsx', compression: true });
}

/** The cached workbook for rows+seed, generating it first if needed. */
export function ensureInventoryXlsx(rows: number, seed: number): Promise<GeneratedFile> {
  const target = cachedPath('inventory', rows, seed, 'xlsx');
  return ensureCached(target, rows, seed, (tmp) => writeInventoryXlsx(tmp, rows, seed));
}
