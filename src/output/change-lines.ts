/**
 * How `halo-data changes` prints a change: one JSON object per line (NDJSON) or one RFC 4180
 * CSV row under a header. Prices are written as the warehouse holds them (decimal text, so
 * 12500.00 stays exact): a JSON number written from that text, never through a float.
 */
import { csvLine } from '../batch/csv-out.js';
import { CHANGE_COLUMNS, type Change } from '../warehouse/changes.js';

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A decimal's text as a JSON number; anything else (never expected) as a JSON string rather than broken JSON. */
function jsonDecimal(v: string | null): string {
  if (v === null) return 'null';
  return DECIMAL.test(v) ? v : JSON.stringify(v);
}

export function ndjsonChange(c: Change): string {
  return `{"kind":${JSON.stringify(c.kind)},"merchant_id":${JSON.stringify(c.merchant_id)},"merchant_sku":${JSON.stringify(c.merchant_sku)},`
    + `"barcode":${JSON.stringify(c.barcode)},"old_price":${jsonDecimal(c.old_price)},"old_stock":${JSON.stringify(c.old_stock)},`
    + `"new_price":${jsonDecimal(c.new_price)},"new_stock":${JSON.stringify(c.new_stock)},"is_listed":${c.is_listed},`
    + `"observed_at":${JSON.stringify(c.observed_at)},"batch":${JSON.stringify(c.batch)}}\n`;
}

/** The NDJSON feed's last line: where the next call continues (`--since <next.since>`), and how many changes this one printed. */
export function ndjsonResume(nextSince: string, changes: number): string {
  return JSON.stringify({ next: { since: nextSince }, changes }) + '\n';
}

export const CSV_CHANGES_HEADER = CHANGE_COLUMNS.join(',') + '\n';

/** A CSV row: an absent value (no barcode, no previous version) is an empty field. */
export function csvChange(c: Change): string {
  const cell = (v: string | number | boolean | null) => (v === null ? null : String(v));
  return csvLine(CHANGE_COLUMNS.map((k) => cell(c[k]))) + '\n';
}
