/**
 * Writes the benchmark merchant-inventory CSV: semicolon-delimited, UTF-8, LF, Indonesian
 * headers and number format. One million rows come to roughly 86 MB.
 *
 * Rows are formatted into ~1 MB string chunks and written with backpressure, so memory stays
 * bounded whatever the row count (one write per row would be far slower; one string for the
 * whole file would not fit at 10x scale).
 */
import * as fs from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { cachedPath, ensureCached, type GeneratedFile } from './cache.js';
import { inventoryRows, type InventoryRow } from './inventory-model.js';

export const CSV_HEADER =
  'kode_apotek;kode_barang;nama_barang;barcode;harga_jual;stok;satuan;tgl_kadaluarsa;tgl_update';

const CHUNK_CHARS = 1 << 20;

/** 12500 -> "12.500" (Indonesian thousands separator). */
export function groupThousands(value: number): string {
  const digits = String(value);
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += '.';
    out += digits[i];
  }
  return out;
}

function formatPrice(row: InventoryRow): string {
  const grouped = groupThousands(row.price);
  switch (row.priceStyle) {
    case 0: return grouped;
    case 1: return grouped + ',00';
    case 2: return 'Rp ' + grouped;
    case 3: return 'Rp' + grouped + ',00';
  }
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** Only a few thousand distinct days occur: format each once. */
const dayCache = new Map<number, string>();

/** Days since 1970-01-01 -> "dd/mm/yyyy". */
export function formatDay(day: number): string {
  let text = dayCache.get(day);
  if (text === undefined) {
    const d = new Date(day * 86_400_000);
    text = `${pad2(d.getUTCDate())}/${pad2(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
    dayCache.set(day, text);
  }
  return text;
}

/** Quote a field only when it needs it (RFC 4180 style, `"` doubled). */
function csvField(value: string): string {
  return /[;"\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function formatCsvLine(row: InventoryRow): string {
  const minute = row.updatedMinute;
  const day = Math.floor(minute / 1440);
  const minuteOfDay = minute - day * 1440;
  const updated = `${formatDay(day)} ${pad2(Math.floor(minuteOfDay / 60))}:${pad2(minuteOfDay % 60)}`;
  return `${row.merchantId};${row.sku};${csvField(row.name)};${row.barcode};${formatPrice(row)};` +
    `${row.stock};${row.unit};${formatDay(row.expiryDay)};${updated}\n`;
}

export function writeInventoryCsv(file: string, rows: number, seed: number, rowsPerMerchant?: number): Promise<void> {
  return writeRowsCsv(file, inventoryRows(rows, seed, rowsPerMerchant));
}

/** Writes any stream of logical rows as the benchmark CSV (header first). */
export async function writeRowsCsv(file: string, rows: Iterable<InventoryRow>): Promise<void> {
  const out = fs.createWriteStream(file, { highWaterMark: CHUNK_CHARS });
  try {
    let chunk = CSV_HEADER + '\n';
    for (const row of rows) {
      chunk += formatCsvLine(row);
      if (chunk.length >= CHUNK_CHARS) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    out.end(chunk);
    await finished(out);
  } catch (err) {
    out.destroy();
    throw err;
  }
}

/** The cached CSV for rows+seed, generating it first if needed (in bench/.data/, or in `dir`). */
export function ensureInventoryCsv(rows: number, seed: number, rowsPerMerchant?: number, dir?: string): Promise<GeneratedFile> {
  const target = cachedPath(rowsPerMerchant ? `inventory-m${rowsPerMerchant}` : 'inventory', rows, seed, 'csv', dir);
  return ensureCached(target, rows, seed, (tmp) => writeInventoryCsv(tmp, rows, seed, rowsPerMerchant));
}
