import type { Line } from '../layout/line.js';
import type { ItemReading, ItemColumn } from '../reading.js';
import type { TableHint } from '../templates/hints.js';
import type { TableResult } from './table.js';
import { decideStyle } from './numbers.js';

/**
 * A template's `lines.row`: a regular expression over each line's text between the header
 * line and the end marker (the way templates read tables before the page model). Kept so
 * that templates written that way go on working; the generic table reader needs none.
 */
export function legacyRows(pages: Line[][], hint: TableHint): TableResult {
  const header = (hint.header ?? []).join(' ').toLowerCase().replace(/\s+/g, ' ').trim();
  const ends = (hint.end ?? []).map((e) => e.toLowerCase());
  const row = new RegExp(hint.row!, 'u');
  const result: TableResult = { items: [], table: { headers: [], columns: [], skipped: [], end: null }, style: null, lines: new Set(), total: null };
  let inside = false;
  for (const page of pages) {
    for (const line of page) {
      const l = line.text.toLowerCase().replace(/\s+/g, ' ').trim();
      const at = { page: line.page, line: line.no, x: Math.round(line.x0), y: Math.round(line.y0) };
      if (header && l === header) { inside = true; result.table.headers.push(at); result.lines.add(`${line.page}:${line.no}`); continue; }
      if (!inside) continue;
      if (ends.some((e) => l.startsWith(e))) { result.table.end = at; inside = false; continue; }
      const m = row.exec(line.text);
      if (!m?.groups) { result.table.skipped.push({ at, kind: 'other', text: line.text.length > 40 ? undefined : line.text }); continue; }
      const values: ItemReading['values'] = {};
      for (const [k, v] of Object.entries(m.groups)) if (v !== undefined) values[k as ItemColumn] = v;
      result.items.push({ page: line.page, values, from: [at], conf: line.conf });
      result.lines.add(`${line.page}:${line.no}`);
    }
  }
  const style = decideStyle(result.items.map((i) => i.values.amount ?? '').filter(Boolean));
  result.style = style;
  return result;
}
