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
/**
 * A row's confidence as its loaded, unchecked groups' words (table.ts, itemConf, says why:
 * the description, and a quantity or a price printed without the other; the amount and a
 * quantity with its price are checked by arithmetic).
 */
function groupsConf(line: Line, m: RegExpExecArray): number {
  const spans: Array<{ from: number; to: number; conf: number }> = [];
  let at = 0;
  for (const cell of line.cells) for (const w of cell.words) { spans.push({ from: at, to: at + w.text.length, conf: w.conf }); at += w.text.length + 1; }
  const g = m.indices?.groups ?? {};
  const conf = (name: string) => {
    const r = g[name];
    if (!r) return 1;
    return Math.min(1, ...spans.filter((s) => s.from < r[1] && s.to > r[0]).map((s) => s.conf));
  };
  const q = g.quantity !== undefined, p = g.unit_price !== undefined;
  return Math.min(conf('description'), q && !p ? conf('quantity') : 1, p && !q ? conf('unit_price') : 1);
}

export function legacyRows(pages: Line[][], hint: TableHint): TableResult {
  const header = (hint.header ?? []).join(' ').toLowerCase().replace(/\s+/g, ' ').trim();
  const ends = (hint.end ?? []).map((e) => e.toLowerCase());
  const row = new RegExp(hint.row!, 'du');
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
      result.items.push({ page: line.page, values, from: [at], conf: groupsConf(line, m) });
      result.lines.add(`${line.page}:${line.no}`);
    }
  }
  const style = decideStyle(result.items.map((i) => i.values.amount ?? '').filter(Boolean));
  result.style = style;
  return result;
}
