import type { Line, Cell } from '../layout/line.js';
import type { ItemColumn, ItemReading, SkippedKind, TableReading, Where } from '../reading.js';
import type { TableHint } from '../templates/hints.js';
import type { Dictionary } from './dictionary.js';
import { LabelIndex, labelDef, tokensOf, normWord } from './labels.js';
import { amountText, cents, decideStyle, quantityText, type NumberStyle } from './numbers.js';

/**
 * The line-item table, read by position: its header line is found by its column words
 * (Uraian, Qty, Tarif, Jumlah, …), each column's span comes from where its header word is,
 * and every later line is placed under those columns. Followed across pages (a repeated
 * header resumes it); footers, category rows, subtotals and carried-over totals are
 * recognised and are not items; a description wrapped onto more lines is joined to its row.
 */
export interface TableResult {
  items: ItemReading[];
  table: TableReading;
  style: NumberStyle | null | 'mixed';
  /** Lines that belong to the table (not searched for fields): key `page:no`. */
  lines: Set<string>;
  /** The amount on the table's total line, as printed, with where. */
  total: { text: string; at: Where; label: string } | null;
}

const key = (l: Line) => `${l.page}:${l.no}`;
const where = (l: Line, x = l.x0): Where => ({ page: l.page, line: l.no, x: Math.round(x), y: Math.round(l.y0) });
const FOOTER = /^(?:halaman|hal\.?|page)\s*\d+\s*(?:dari|of|\/)\s*\d+$|^-+\s*\d+\s*(?:of|dari)\s*\d+\s*-+$|^\d+\s*\/\s*\d+$/iu;
const NUMERIC: ItemColumn[] = ['quantity', 'unit_price', 'amount'];

interface Column { column: ItemColumn; header: string; x0: number; x1: number }

/** Which columns a header text can be: "Jumlah" is an amount or (beside a Subtotal) a quantity. */
function headerIndex(dict: Dictionary, hint: TableHint | undefined): { index: LabelIndex; columnsOf: Map<string, ItemColumn[]> } {
  const columnsOf = new Map<string, ItemColumn[]>();
  const defs = [];
  const source = { ...dict.columns, ...(hint?.columns ?? {}) } as Record<ItemColumn, string[]>;
  for (const [col, texts] of Object.entries(source) as Array<[ItemColumn, string[]]>) {
    for (const t of texts) {
      const d = labelDef(t, col);
      const k = d.words.join(' ');
      columnsOf.set(k, [...(columnsOf.get(k) ?? []), col]);
      defs.push(d);
    }
  }
  return { index: new LabelIndex(defs), columnsOf };
}

/** The columns of a header line, or null when the line is not one. */
function headerColumns(line: Line, hx: ReturnType<typeof headerIndex>, hint: TableHint | undefined): Column[] | null {
  const tokens = tokensOf(line);
  const found: Array<{ text: string; options: ItemColumn[]; x0: number; x1: number; words: number }> = [];
  let covered = 0;
  for (let i = 0; i < tokens.length; i++) {
    const hit = hx.index.at(tokens, i);
    if (!hit) continue;
    const ws = tokens.slice(hit.start, hit.end).map((t) => t.word);
    found.push({ text: hit.label.text, options: hx.columnsOf.get(hit.label.words.join(' ')) ?? [], x0: ws[0].x, x1: ws[ws.length - 1].x + ws[ws.length - 1].w, words: hit.end - hit.start });
    covered += hit.end - hit.start;
    i = hit.end - 1;
  }
  if (hint?.header?.length) {
    const words = new Set(tokens.map((t) => t.norm));
    if (!hint.header.every((h) => h.split(/\s+/).map(normWord).every((w) => words.has(w)))) return null;
  }
  const real = tokens.filter((t) => t.norm !== '').length;
  // A header is mostly header words: a sentence that happens to contain "jumlah" is not one.
  if (found.length < 2 || covered < 0.75 * real) return null;
  // Assign: the rightmost that can be an amount is the amount; then each takes its first free option.
  const cols: Column[] = [];
  const taken = new Set<ItemColumn>();
  const amountAt = [...found].reverse().find((f) => f.options.includes('amount'));
  if (!amountAt) return null;
  for (const f of found) {
    let col: ItemColumn | undefined;
    if (f === amountAt) col = 'amount';
    else col = f.options.find((o) => o !== 'amount' && !taken.has(o)) ?? undefined;
    if (!col || taken.has(col)) continue;
    taken.add(col);
    cols.push({ column: col, header: f.text, x0: f.x0, x1: f.x1 });
  }
  if (!taken.has('description') && !taken.has('code')) return null;
  return cols.sort((a, b) => a.x0 - b.x0);
}

/** Each column's zone on the page: from halfway to its left neighbour to halfway to its right one. */
function zones(cols: Column[]): Array<Column & { z0: number; z1: number }> {
  return cols.map((c, i) => ({
    ...c,
    z0: i === 0 ? -Infinity : (cols[i - 1].x1 + c.x0) / 2,
    z1: i === cols.length - 1 ? Infinity : (c.x1 + cols[i + 1].x0) / 2,
  }));
}

type Zoned = ReturnType<typeof zones>;

/** The cells of a line placed under columns (a cell that spans a text and a number column is split at its words). */
function place(line: Line, zs: Zoned): Map<ItemColumn, { text: string; x0: number }> {
  const out = new Map<ItemColumn, { text: string; x0: number }>();
  const put = (col: ItemColumn, text: string, x0: number) => {
    const prev = out.get(col);
    out.set(col, prev ? { text: `${prev.text} ${text}`, x0: prev.x0 } : { text, x0 });
  };
  const zoneOf = (x0: number, x1: number) => {
    let best = zs[0], bestOverlap = -Infinity;
    for (const z of zs) {
      const o = Math.min(x1, z.z1) - Math.max(x0, z.z0);
      if (o > bestOverlap) { best = z; bestOverlap = o; }
    }
    return best;
  };
  for (const cell of line.cells) {
    const z = zoneOf(cell.x0, cell.x1);
    // Trailing numbers that sit in number columns right of the cell's own zone: split them off.
    const words = cell.words;
    let cut = words.length;
    while (cut > 1) {
      const w = words[cut - 1];
      const wz = zoneOf(w.x, w.x + w.w);
      // Only a word that starts past the cell's zone: a right-aligned price under a narrow
      // left-aligned header ("@") reaches over the midpoint and is still the price.
      if (wz === z || w.x < z.z1 || !NUMERIC.includes(wz.column) || amountText(w.text) === null) break;
      cut--;
    }
    put(z.column, words.slice(0, cut).map((w) => w.text).join(' '), cell.x0);
    for (const w of words.slice(cut)) put(zoneOf(w.x, w.x + w.w).column, w.text, w.x);
  }
  return out;
}

/** The last amount printed on a line ("Total Tagihan : Rp 4.375.000"). */
function lastAmountIn(line: Line): string | null {
  const words = line.cells.flatMap((c) => c.words).map((w) => w.text);
  for (let k = words.length - 1; k >= 0; k--) {
    const a = amountText(words[k]);
    if (a !== null) return a;
    if (!/^(?:rp\.?|idr|,-|-)$/iu.test(words[k])) break;
  }
  return null;
}

function startsWithAny(text: string, labels: string[]): string | null {
  const t = text.toLowerCase().replace(/\s+/g, ' ').trim();
  let best: string | null = null;
  for (const l of labels) {
    const k = l.toLowerCase();
    if ((t === k || t.startsWith(k + ' ') || t.startsWith(k + ':') || t.startsWith(k + ' :')) && (!best || k.length > best.length)) best = l;
  }
  return best;
}

export function readTable(pages: Line[][], dict: Dictionary, hint: TableHint | undefined, styleHint: NumberStyle | null): TableResult {
  const hx = headerIndex(dict, hint);
  const result: TableResult = { items: [], table: { headers: [], columns: [], skipped: [], end: null }, style: null, lines: new Set(), total: null };
  let cols: Zoned | null = null;
  let state: 'before' | 'in' | 'paused' = 'before';
  const totals = hint?.end?.length ? hint.end : dict.totals;
  const subtotals = [...dict.subtotals, ...(hint?.skip ?? [])];

  // First pass: the table's lines, placed under its columns.
  interface Row { line: Line; cells: Map<ItemColumn, { text: string; x0: number }>; amount: string | null }
  const rows: Row[] = [];
  for (const page of pages) {
    if (state === 'in') state = 'paused';
    for (const line of page) {
      const header = headerColumns(line, hx, hint);
      if (header && (state === 'before' || state === 'paused' || state === 'in')) {
        if (state === 'before') { cols = zones(header); result.table.columns = header; }
        result.table.headers.push(where(line));
        result.lines.add(key(line));
        if (state !== 'before') result.table.skipped.push({ at: where(line), kind: 'header' });
        state = 'in';
        continue;
      }
      if (state === 'before' || !cols) continue;
      if (FOOTER.test(line.text.trim()) || line.cells.some((c) => FOOTER.test(c.text.trim()) && c === line.cells[line.cells.length - 1])) {
        if (state === 'in') { result.table.skipped.push({ at: where(line), kind: 'footer' }); result.lines.add(key(line)); }
        continue;
      }
      const cells = place(line, cols);
      const amountCell = cells.get('amount');
      const amount = amountCell ? amountText(amountCell.text) : null;
      if (state === 'paused') {
        // A later page without a repeated header: the table goes on only where a line reads as a row.
        if (amount === null) continue;
        state = 'in';
      }
      rows.push({ line, cells, amount });
    }
  }
  if (!cols) return result;

  result.style = styleHint ?? decideStyle(rows.flatMap((r) => [r.amount, amountText(r.cells.get('unit_price')?.text ?? '')]).filter((a): a is string => a !== null));
  const style = result.style === 'mixed' ? null : result.style;
  const hasQty = result.table.columns.some((c) => c.column === 'quantity');
  const hasPrice = result.table.columns.some((c) => c.column === 'unit_price');
  const descX = result.table.columns.find((c) => c.column === 'description')?.x0 ?? null;

  // Second pass: items, sums, category rows, wrapped descriptions.
  // The sums a subtotal row can print: of all items so far, and of the items since each earlier one (a run of items ending here).
  let all = 0;
  let sumsAbove: number[] = [];
  let last: { item: ItemReading; line: Line } | null = null;
  let lastLine: Line | null = null;
  let pending: Line[] = [];
  const pitches: number[] = [];
  const skip = (l: Line, kind: SkippedKind, text?: string) => { result.table.skipped.push({ at: where(l), kind, ...(text ? { text } : {}) }); result.lines.add(key(l)); };
  const labelOf = (r: Row) => [...r.cells.entries()].filter(([c]) => c !== 'amount').map(([, v]) => v.text).join(' ');
  // A row is an item only when its number columns hold numbers: "Medan, 15 November 2026" under them is not one.
  const numbersRead = (r: Row) => {
    const q = r.cells.get('quantity')?.text, p = r.cells.get('unit_price')?.text;
    return (q === undefined || quantityText(q) !== null) && (p === undefined || amountText(p) !== null);
  };
  // The table's row pitch: the least space above a row with numbers (whatever is above it, a
  // row, a heading or a wrapped line, it is a row's distance away).
  let rowPitch: number | null = null;
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1], b = rows[i];
    if (a.line.page !== b.line.page || b.amount === null || !numbersRead(b)) continue;
    const d = b.line.y0 - a.line.y0;
    if (d > 0 && (rowPitch === null || d < rowPitch)) rowPitch = d;
  }
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const label = labelOf(r);
    const totalLabel = startsWithAny(label, totals);
    const lineAmount = r.amount ?? (totalLabel ? lastAmountIn(r.line) : null);
    if (totalLabel && lineAmount !== null) {
      const moreItemsFollow = rows.slice(i + 1).some((o) => o.amount !== null && numbersRead(o) && !startsWithAny(labelOf(o), [...totals, ...subtotals]));
      if (!moreItemsFollow) {
        result.total = { text: lineAmount, at: where(r.line, r.cells.get('amount')?.x0 ?? r.line.x0), label: totalLabel };
        result.table.end = where(r.line);
        skip(r.line, 'total', totalLabel);
        pending = [];
        break;
      }
    }
    // A row with an amount whose quantity or price does not read, with items or the total still
    // to come, is an item the reader could not complete: kept as read (the gates make it
    // needs-review), never dropped — a dropped row can be hidden by a subtotal read as an item.
    // So is a row with digits under the number columns that do not read as its amount.
    const printsNumbers = r.amount !== null || NUMERIC.some((c) => /\d/u.test(r.cells.get(c)?.text ?? ''));
    const unread = printsNumbers && (r.amount === null || !numbersRead(r))
      && rows.slice(i + 1).some((o) => o.amount !== null && (numbersRead(o) || startsWithAny(labelOf(o), totals) !== null));
    if ((r.amount !== null && numbersRead(r)) || unread) {
      const value = r.amount === null ? null : cents(r.amount, style);
      const qty = r.cells.get('quantity')?.text, price = r.cells.get('unit_price')?.text;
      const subLabel = startsWithAny(label, subtotals);
      const looksSum = (!hasQty || !qty) && (!hasPrice || !price);
      // A sum printed inside the table (a category's subtotal, a page's total carried over):
      // labelled as one, no quantity or price, and equal to the items just above it (or to
      // all items so far). One that adds up to nothing above stays an item: the total check
      // then fails rather than an item being dropped unseen.
      if (subLabel && looksSum && value !== null && (value === all || sumsAbove.includes(value))) {
        skip(r.line, /pindah|carried|brought|dibawa|halaman/iu.test(subLabel) ? 'carried' : 'subtotal', subLabel);
        for (const p of pending) skip(p, 'category');
        pending = [];
        lastLine = null;
        continue;
      }
      // An item row. Its description is on this line, or (a row whose text sits above its numbers) on the pending lines.
      const values: ItemReading['values'] = {};
      for (const [c, v] of r.cells) values[c] = v.text;
      if (r.amount !== null) values.amount = r.amount;
      if (values.quantity !== undefined) values.quantity = quantityText(values.quantity) ?? values.quantity;
      if (values.unit_price !== undefined) values.unit_price = amountText(values.unit_price) ?? values.unit_price;
      const from = [where(r.line)];
      const pending0 = pending;
      if (!values.description && pending.length > 0) {
        values.description = pending.map((p) => p.text).join(' ');
        from.unshift(...pending.map((p) => where(p)));
      } else for (const p of pending) skip(p, 'category');
      pending = [];
      const item: ItemReading = { page: r.line.page, values, from, conf: Math.min(r.line.conf, ...(from.length > 1 ? pending0.map((p) => p.conf) : [])) };
      if (last && last.line.page === r.line.page) pitches.push(r.line.y0 - last.line.y0);
      result.items.push(item);
      result.lines.add(key(r.line));
      last = { item, line: r.line };
      lastLine = r.line;
      if (value !== null) { all += value; sumsAbove = [...sumsAbove.map((s) => s + value), value]; } else sumsAbove = [];
      continue;
    }
    // A line with no amount: the rest of a wrapped description, a category row, or prose after the table.
    const text = label.trim();
    if (!text) continue;
    const prevLine = i > 0 ? rows[i - 1].line : null;
    const h = r.line.y1 - r.line.y0;
    const pitch = pitches.length ? [...pitches].sort((a, b) => a - b)[Math.floor(pitches.length / 2)] : null;
    const descCell = r.cells.get('description');
    const onlyDescription = [...r.cells.keys()].every((c) => c === 'description');
    const lastDescX = last ? rows.find((o) => o.line === last!.line)?.cells.get('description')?.x0 : undefined;
    // Wrapped text sits closer under its row than the next row does (tight leading, or under
    // three quarters of the table's row pitch), starts where the row's description starts,
    // and is not a heading in capitals under a row that is not.
    const tight = prevLine !== null && prevLine === lastLine && prevLine.page === r.line.page
      && (r.line.y0 - prevLine.y1 < 0.5 * h || (pitch !== null && r.line.y0 - prevLine.y0 < 0.75 * pitch));
    // A line in capitals is a heading unless it sits clearly closer under its row than any two
    // rows sit, or than the line after it: a heading is set at least a row's pitch from the row
    // above and belongs with what follows; "Rontgen Thorax / PA" is one description.
    const nextLine = rows[i + 1]?.line.page === r.line.page ? rows[i + 1].line : null;
    const above = prevLine ? r.line.y0 - prevLine.y0 : Infinity;
    const closerThanRows = (rowPitch !== null && above < 0.9 * rowPitch) || (nextLine !== null && above < 0.9 * (nextLine.y0 - r.line.y0));
    const caps = text === text.toUpperCase() && /\p{L}/u.test(text) && last?.item.values.description !== last?.item.values.description?.toUpperCase() && !closerThanRows;
    if (last && onlyDescription && descCell && lastDescX !== undefined && Math.abs(descCell.x0 - lastDescX) < 3 && tight && !caps) {
      last.item.values.description = `${last.item.values.description ?? ''} ${text}`.trim();
      last.item.from.push(where(r.line));
      // An unsure word on a wrapped line makes the item unsure, like one on its row.
      last.item.conf = Math.min(last.item.conf, r.line.conf);
      result.lines.add(key(r.line));
      lastLine = r.line;
      continue;
    }
    if (descX !== null && r.line.x1 > descX) {
      pending.push(r.line);
      result.lines.add(key(r.line));
    }
    lastLine = null;
  }
  // Text after the last row that no row took is not the table's (a note, the amount in words).
  for (const p of pending) result.lines.delete(key(p));
  return result;
}
