import type { Line } from '../layout/line.js';
import type { Word } from '../page.js';
import type { ItemColumn, ItemReading, SkippedKind, TableReading, Where } from '../reading.js';
import type { TableHint } from '../templates/hints.js';
import type { Dictionary } from './dictionary.js';
import { LabelIndex, labelDef, tokensOf, normWord } from './labels.js';
import { amountText, cents, decideStyle, isCurrencyMark, quantityText, type NumberStyle } from './numbers.js';

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
  /** The table's total line; conf: its words' (an OCR'd total is as sure as the engine was). */
  total: { text: string; at: Where; label: string; conf: number } | null;
}

const key = (l: Line) => `${l.page}:${l.no}`;
const where = (l: Line, x = l.x0): Where => ({ page: l.page, line: l.no, x: Math.round(x), y: Math.round(l.y0) });
const FOOTER = /^(?:halaman|hal\.?|page)\s*\d+\s*(?:dari|of|\/)\s*\d+$|^-+\s*\d+\s*(?:of|dari)\s*\d+\s*-+$|^\d+\s*\/\s*\d+$/iu;
const NUMERIC: ItemColumn[] = ['quantity', 'unit_price', 'amount'];

type Placed = ItemColumn | 'other';
interface Column { column: Placed; header: string; x0: number; x1: number }

/** Which columns a header text can be: "Jumlah" is an amount or (beside a Subtotal) a quantity. */
/** Header indexes kept by content, like the label indexes (fields.ts): the same for every document of a run. */
const headerIndexes = new Map<string, ReturnType<typeof buildHeaderIndex>>();

function headerIndex(dict: Dictionary, hint: TableHint | undefined): ReturnType<typeof buildHeaderIndex> {
  const key = JSON.stringify([dict.columns, hint?.columns ?? null]);
  let hx = headerIndexes.get(key);
  if (!hx) {
    hx = buildHeaderIndex(dict, hint);
    if (headerIndexes.size >= 32) headerIndexes.delete(headerIndexes.keys().next().value!);
    headerIndexes.set(key, hx);
  }
  return hx;
}

function buildHeaderIndex(dict: Dictionary, hint: TableHint | undefined): { index: LabelIndex; columnsOf: Map<string, ItemColumn[]> } {
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
  for (let i = 0; i < tokens.length; i++) {
    const hit = hx.index.at(tokens, i);
    if (!hit) continue;
    const ws = tokens.slice(hit.start, hit.end).map((t) => t.word);
    found.push({ text: hit.label.text, options: hx.columnsOf.get(hit.label.words.join(' ')) ?? [], x0: ws[0].x, x1: ws[ws.length - 1].x + ws[ws.length - 1].w, words: hit.end - hit.start });
    i = hit.end - 1;
  }
  if (hint?.header?.length) {
    const words = new Set(tokens.map((t) => t.norm));
    if (!hint.header.every((h) => h.split(/\s+/).map(normWord).every((w) => words.has(w)))) return null;
  }
  // A header is mostly header words (a sentence that happens to contain "jumlah" is not one):
  // most of its cells hold one, and no cell is long prose.
  const cellsWithHeader = new Set(found.map((f) => line.cells.findIndex((c) => c.x0 <= f.x0 + 0.5 && f.x0 < c.x1 + 0.5)));
  if (found.length < 2 || cellsWithHeader.size < 0.6 * line.cells.length || line.cells.some((c) => c.words.length > 5)) return null;
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
  // Columns the dictionary does not know (a date, a note, a unit): their cells are kept out of the items.
  line.cells.forEach((c, ci) => {
    if (!cellsWithHeader.has(ci)) cols.push({ column: 'other', header: c.text, x0: c.x0, x1: c.x1 });
  });
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
/** A line's text in one column, with the confidence of its least sure word. */
interface PlacedCell { text: string; x0: number; conf: number }
/**
 * How sure a row is, as the words of what is loaded and nothing checks: the description, and
 * a quantity or a unit price printed without the other. The amount, and quantity with unit
 * price, are checked by arithmetic to the cent on a scan (quantity × price = amount; the
 * amounts add up to the claimed amount, itself a field gated on its own confidence): a misread
 * digit there fails a check, so an engine's low confidence in a narrow column's lone digit
 * does not also send the row to review. A printed row number or a note column is not loaded.
 */
function itemConf(cells: Map<Placed, PlacedCell>): number {
  const q = cells.get('quantity'), p = cells.get('unit_price');
  const unchecked = [cells.get('description'), q && !p ? q : undefined, p && !q ? p : undefined];
  return Math.min(1, ...unchecked.filter((c) => c !== undefined).map((c) => c.conf));
}

function place(line: Line, zs: Zoned): Map<Placed, PlacedCell> {
  const out = new Map<Placed, PlacedCell>();
  const put = (col: Placed, text: string, x0: number, conf: number) => {
    const prev = out.get(col);
    out.set(col, prev ? { text: `${prev.text} ${text}`, x0: prev.x0, conf: Math.min(prev.conf, conf) } : { text, x0, conf });
  };
  const confOf = (ws: Word[]) => Math.min(1, ...ws.map((w) => w.conf));
  const zoneOf = (x0: number, x1: number) => {
    let best = zs[0], bestOverlap = -Infinity;
    for (const z of zs) {
      const o = Math.min(x1, z.z1) - Math.max(x0, z.z0);
      if (o > bestOverlap) { best = z; bestOverlap = o; }
    }
    return best;
  };
  // Text columns take text by where it starts (a description runs on past its header); numbers
  // go to the column they sit under.
  const textCols = zs.filter((z) => z.column === 'description' || z.column === 'code' || z.column === 'other');
  const textZone = (x0: number) => [...textCols].reverse().find((z) => z.x0 - 3 <= x0) ?? textCols[0];
  const numeric = (t: string) => /^\d{1,4}[.)]?$/u.test(t) || amountText(t) !== null || quantityText(t) !== null;
  for (const cell of line.cells) {
    // "Rp" printed in a column of its own before each amount belongs to no column.
    if (isCurrencyMark(cell.text)) continue;
    const z = numeric(cell.text) || textCols.length === 0 ? zoneOf(cell.x0, cell.x1) : textZone(cell.x0);
    // Trailing numbers that sit in number columns right of the cell's own zone: split them off.
    const words = cell.words;
    let cut = words.length;
    while (cut > 1) {
      const w = words[cut - 1];
      const wz = zoneOf(w.x, w.x + w.w);
      // Words typed in one run are one text ("(strip isi 10"): only a separately drawn number is split off.
      const sameRun = w.run !== undefined && w.run === words[cut - 2].run;
      if (sameRun || wz === z || !NUMERIC.includes(wz.column as ItemColumn) || amountText(w.text) === null) break;
      cut--;
    }
    put(z.column, words.slice(0, cut).map((w) => w.text).join(' '), cell.x0, confOf(words.slice(0, cut)));
    for (const w of words.slice(cut)) put(zoneOf(w.x, w.x + w.w).column, w.text, w.x, w.conf);
  }
  return out;
}

/**
 * Text lines to their rows. A wrapped description's lines sit closer to their own row's
 * numbers than to any other row's (top-, middle- or bottom-aligned alike): consecutive lines
 * less than 1.35 × the text size apart form a band, and in a band every text line goes to the
 * item whose numbers are nearest (a tie to the one above: text is usually top-aligned). A band
 * with no numbers is a category row; text after the last item is not the table's. A line in
 * capitals under a row that is not, or starting left of the description column, is a
 * heading, not wrapped text. A template's rowLines settles how many lines a row takes.
 */
type Kind = { row: { line: Line; cells: Map<string, { text: string; x0: number }> }; kind: 'item' | 'sum' | 'text'; item?: ItemReading; text: string };
function attachText(kinds: Kind[],
  result: TableResult, descX: number | null, rowLines: number | undefined, skip: (l: Line, kind: SkippedKind, text?: string) => void): void {
  if (rowLines !== undefined) {
    // The template says: an item takes the rowLines - 1 text lines after its numbers' line.
    let owner: { item: ItemReading; left: number } | null = null;
    for (const k of kinds) {
      if (k.kind === 'item') { owner = { item: k.item!, left: rowLines - 1 }; continue; }
      if (k.kind === 'text' && owner && owner.left > 0) {
        owner.item.values.description = [owner.item.values.description, k.text].filter(Boolean).join(' ');
        owner.item.from.push(where(k.row.line));
        result.lines.add(key(k.row.line));
        owner.left--;
        continue;
      }
      owner = null;
      if (k.kind === 'text' && (descX === null || k.row.line.x1 > descX)) skip(k.row.line, 'category', k.text);
    }
    return;
  }
  const size = (l: Line) => l.y1 - l.y0;
  // The table's row pitch: the least space above a row with numbers (a row, a heading or wrapped text above it is a row's distance away).
  let rowPitch: number | null = null;
  for (let i = 1; i < kinds.length; i++) {
    const a = kinds[i - 1].row.line, b = kinds[i].row.line;
    if (kinds[i].kind !== 'item' || a.page !== b.page || b.y0 <= a.y0) continue;
    if (rowPitch === null || b.y0 - a.y0 < rowPitch) rowPitch = b.y0 - a.y0;
  }
  const bands: Array<typeof kinds> = [];
  for (const [ki, k] of kinds.entries()) {
    const prev = bands.length ? bands[bands.length - 1][bands[bands.length - 1].length - 1] : null;
    const next = kinds[ki + 1]?.row.line;
    const close = prev && prev.kind !== 'sum' && k.kind !== 'sum' && prev.row.line.page === k.row.line.page
      // Close: under 1.35 × the text size, or text clearly closer than rows sit or than the line after it (loose leading, tighter still than the rows').
      && (k.row.line.y0 - prev.row.line.y0 <= 1.35 * Math.max(size(prev.row.line), size(k.row.line))
        || (k.kind === 'text' && ((rowPitch !== null && k.row.line.y0 - prev.row.line.y0 < 0.9 * rowPitch)
          || (next !== undefined && next.page === k.row.line.page && k.row.line.y0 - prev.row.line.y0 < 0.9 * (next.y0 - k.row.line.y0)))));
    if (close) bands[bands.length - 1].push(k); else bands.push([k]);
  }
  // Which way the table's descriptions wrap, from the bands that show it: text after a band's
  // last row can only hang below its row (top-aligned), text before a band's first row only
  // above its own (bottom-aligned). A table that shows one way only attaches every text line
  // that way; otherwise (middle-aligned, or nothing tells) to the nearest row.
  const isHeading = (k: Kind) => (k.text === k.text.toUpperCase() && /\p{L}{2}/u.test(k.text)) || (descX !== null && k.row.line.x0 < descX - 5);
  let hangsBelow = false, hangsAbove = false;
  for (const band of bands) {
    const first = band.findIndex((k) => k.kind === 'item'), last = band.map((k) => k.kind).lastIndexOf('item');
    if (first < 0) continue;
    if (band.slice(last + 1).some((k) => k.kind === 'text' && !isHeading(k))) hangsBelow = true;
    if (band.slice(0, first).some((k) => k.kind === 'text' && !isHeading(k))) hangsAbove = true;
  }
  const lastItemAt = kinds.map((k) => k.kind).lastIndexOf('item');
  const lastItemLine = lastItemAt >= 0 ? kinds[lastItemAt].row.line : null;
  const after = (l: Line) => lastItemLine !== null && (l.page > lastItemLine.page || (l.page === lastItemLine.page && l.y0 > lastItemLine.y0));
  for (const band of bands) {
    const items = band.filter((k) => k.kind === 'item');
    const attached = new Map<ItemReading, Array<{ y: number; text: string; line: Line }>>();
    for (const k of band) {
      if (k.kind !== 'text') continue;
      const line = k.row.line;
      const caps = k.text === k.text.toUpperCase() && /\p{L}{2}/u.test(k.text);
      const leftOfDesc = descX !== null && line.x0 < descX - 5;
      let owner: ItemReading | undefined;
      if (items.length > 0 && (!leftOfDesc || rowLines !== undefined)) {
        const near = items.map((it) => ({ it, d: Math.abs(it.row.line.y0 - line.y0), above: it.row.line.y0 <= line.y0 }))
          .filter((n, _, all) => (hangsBelow && !hangsAbove && all.some((o) => o.above) ? n.above : hangsAbove && !hangsBelow && all.some((o) => !o.above) ? !n.above : true))
          // Nearest first; within 1.5 pt it is a tie, and a tie goes to the row above (text is usually top-aligned).
          .sort((x, y) => (Math.abs(x.d - y.d) < 1.5 ? 0 : x.d - y.d) || (x.above === y.above ? 0 : x.above ? -1 : 1));
        const best = near[0].it.item!;
        const descIsCaps = (best.values.description ?? '') === (best.values.description ?? '').toUpperCase() && (best.values.description ?? '') !== '';
        // A line in capitals clearly closer under its row than rows sit (or than the line after it) is the row's wrapped text
        // ("Rontgen Thorax" / "PA"), not a heading: a heading sits a row's pitch away and belongs with what follows.
        const at = kinds.indexOf(k);
        const prev = kinds[at - 1]?.row.line, next = kinds[at + 1]?.row.line;
        const gap = prev && prev.page === line.page ? line.y0 - prev.y0 : Infinity;
        const closer = near[0].above && ((rowPitch !== null && gap < 0.9 * rowPitch)
          || (next !== undefined && next.page === line.page && gap < 0.9 * (next.y0 - line.y0)));
        if (rowLines !== undefined || !caps || descIsCaps || closer) owner = best;
        if (owner && near.length > 1 && Math.abs(near[0].d - near[1].d) < 1.5) owner.unsure = 'a wrapped line sits as close to the row above as to the row below';
      }
      if (owner) attached.set(owner, [...(attached.get(owner) ?? []), { y: line.y0, text: k.text, line }]);
      else if (after(line)) continue; // text after the last item: a note, the amount in words
      else {
        if (descX === null || line.x1 > descX) skip(line, 'category', k.text);
        // Right under a row, in its description's column, not a heading in capitals: the row's
        // wrapped text at a row's distance, or a heading? Nothing on the page tells.
        const at = kinds.indexOf(k), before = kinds[at - 1];
        if (before?.kind === 'item' && !caps && !leftOfDesc && before.row.line.page === line.page) {
          before.item!.unsure ??= `the line under it ('${k.text.length > 30 ? k.text.slice(0, 30) + '…' : k.text}') could be its wrapped text or a heading`;
        }
      }
    }
    // Rows and wrapped lines evenly spaced: the spacing cannot say which row a line belongs to;
    // the direction the table shows decided, and the items so built are not sure.
    const steps = band.slice(1).map((k, i) => k.row.line.y0 - band[i].row.line.y0);
    const even = items.length >= 2 && band.some((k) => k.kind === 'text') && steps.length > 1 && Math.max(...steps) <= 1.15 * Math.min(...steps);
    if (even) for (const it of items) if (attached.has(it.item!)) it.item!.unsure ??= 'its rows and their wrapped lines are evenly spaced: which row a wrapped line belongs to is not sure';
    for (const it of items) {
      const item = it.item!;
      const own = { y: it.row.line.y0, text: item.values.description ?? '', line: it.row.line };
      const parts = [own, ...(attached.get(item) ?? [])].filter((p) => p.text).sort((a, b) => a.y - b.y);
      item.values.description = parts.map((p) => p.text).join(' ') || undefined;
      if (item.values.description === undefined) delete item.values.description;
      item.from = [...parts.map((p) => p.line), ...(own.text ? [] : [it.row.line])].sort((a, b) => a.y0 - b.y0).map((l) => where(l));
      // An unsure (OCR) word on a wrapped line makes the item unsure, like one on its row.
      item.conf = Math.min(item.conf, ...parts.map((p) => p.line.conf));
      for (const p of parts) result.lines.add(key(p.line));
    }
  }
}

/**
 * A category row that prints its sum before its items ("KAMAR … 3.450.000", then the rooms):
 * a row without quantity or unit price, in a table that has them, whose amount is exactly the
 * sum of the items after it up to the next such row, is that category's sum, not an item.
 */
function reclassifyLeadingSums(result: TableResult, tableHasQtyOrPrice: boolean, style: NumberStyle | null): void {
  if (!tableHasQtyOrPrice) return;
  const items = result.items;
  const bare = (it: ItemReading) => it.values.quantity === undefined && it.values.unit_price === undefined;
  const drop = new Set<ItemReading>();
  for (let i = 0; i < items.length; i++) {
    if (!bare(items[i])) continue;
    const own = cents(items[i].values.amount ?? '', style);
    let sum = 0, n = 0;
    for (let k = i + 1; k < items.length && !bare(items[k]); k++, n++) sum += cents(items[k].values.amount ?? '', style) ?? NaN;
    if (n > 0 && own !== null && own === sum) drop.add(items[i]);
  }
  if (drop.size === 0) return;
  for (const it of drop) result.table.skipped.push({ at: it.from[it.from.length - 1], kind: 'subtotal', text: it.values.description });
  result.items = items.filter((it) => !drop.has(it));
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
  interface Row { line: Line; cells: Map<Placed, PlacedCell>; amount: string | null }
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

  // Second pass: what each line is — an item (numbers under the number columns), a sum
  // (subtotal, carried total, the total), or text (a wrapped description, a category row).
  let sinceSubtotal = 0, all = 0;
  const skip = (l: Line, kind: SkippedKind, text?: string) => { result.table.skipped.push({ at: where(l), kind, ...(text ? { text } : {}) }); result.lines.add(key(l)); };
  type Kind = { row: Row; kind: 'item' | 'sum' | 'text'; item?: ItemReading; text: string };
  const kinds: Kind[] = [];
  const labelOf = (r: Row) => [...r.cells.entries()].filter(([c]) => c !== 'amount' && c !== 'other').map(([, v]) => v.text).join(' ');
  // A row is an item only when its number columns hold numbers: "Medan, 15 November 2026" under them is not one.
  const numbersRead = (r: Row) => {
    const q = r.cells.get('quantity')?.text, p = r.cells.get('unit_price')?.text;
    return (q === undefined || quantityText(q) !== null) && (p === undefined || amountText(p) !== null);
  };
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const label = labelOf(r);
    const totalLabel = startsWithAny(label, totals);
    const lineAmount = r.amount ?? (totalLabel ? lastAmountIn(r.line) : null);
    if (totalLabel && lineAmount !== null) {
      // The total ends the table unless real rows follow (a subtotal labelled "Total Obat" does not end it;
      // "Uang muka 0" or "Diskon" after the total are not rows: they have no quantity or price where rows do).
      const moreItemsFollow = rows.slice(i + 1).some((o) => o.amount !== null && numbersRead(o) && !startsWithAny(labelOf(o), [...totals, ...subtotals])
        && (!(hasQty || hasPrice) || o.cells.has('quantity') || o.cells.has('unit_price')));
      if (!moreItemsFollow) {
        result.total = { text: lineAmount, at: where(r.line, r.cells.get('amount')?.x0 ?? r.line.x0), label: totalLabel, conf: r.line.conf };
        result.table.end = where(r.line);
        skip(r.line, 'total', totalLabel);
        // Kept as a sum: its place tells how far the last rows' wrapped text is from what follows.
        kinds.push({ row: r, kind: 'sum', text: label });
        break;
      }
    }
    // A row with numbers that do not read — an amount whose quantity or price does not, or digits
    // under the number columns that are no amount — with items or the total still to come, is an
    // item the reader could not complete: kept as read (the gates make it needs-review), never
    // taken for text and dropped (a subtotal read as an item could then stand in for it).
    const printsNumbers = r.amount !== null || NUMERIC.some((c) => /\d/u.test(r.cells.get(c)?.text ?? ''));
    const unread = printsNumbers && (r.amount === null || !numbersRead(r))
      && rows.slice(i + 1).some((o) => o.amount !== null && (numbersRead(o) || startsWithAny(labelOf(o), totals) !== null));
    if ((r.amount !== null && numbersRead(r)) || unread) {
      const value = r.amount === null ? null : cents(r.amount, style);
      const qty = r.cells.get('quantity')?.text, price = r.cells.get('unit_price')?.text;
      const subLabel = startsWithAny(label, subtotals);
      const looksSum = (!hasQty || !qty) && (!hasPrice || !price) && (hasQty || hasPrice);
      // A sum, not an item: labelled as one, or (no quantity, no price) equal to the items since the last sum or to all of them.
      if (subLabel || totalLabel || (looksSum && value !== null && (value === sinceSubtotal || value === all))) {
        const kind: SkippedKind = /pindahan|carried|brought|halaman|page/iu.test(label) || (value === all && value !== sinceSubtotal) ? 'carried' : 'subtotal';
        skip(r.line, kind, label || undefined);
        if (kind === 'subtotal') sinceSubtotal = 0;
        kinds.push({ row: r, kind: 'sum', text: label });
        continue;
      }
      const values: ItemReading['values'] = {};
      for (const [c, v] of r.cells) if (c !== 'other') values[c as ItemColumn] = v.text;
      if (r.amount !== null) values.amount = r.amount;
      if (values.quantity !== undefined) values.quantity = quantityText(values.quantity) ?? values.quantity;
      if (values.unit_price !== undefined) values.unit_price = amountText(values.unit_price) ?? values.unit_price;
      const conf = itemConf(r.cells);
      const item: ItemReading = { page: r.line.page, values, from: [where(r.line)], conf };
      if ((hasQty || hasPrice) && values.quantity === undefined && values.unit_price === undefined) item.unsure = 'no quantity or unit price in a table that prints them';
      result.items.push(item);
      result.lines.add(key(r.line));
      kinds.push({ row: r, kind: 'item', item, text: label });
      if (value !== null) { sinceSubtotal += value; all += value; }
      continue;
    }
    const text = (r.cells.get('description')?.text ?? labelOf(r)).trim();
    if (text) kinds.push({ row: r, kind: 'text', text });
  }
  attachText(kinds, result, descX, hint?.rowLines, skip);
  reclassifyLeadingSums(result, hasQty || hasPrice, style);
  return result;
}
