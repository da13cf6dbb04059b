import type { GrayImage } from '../../images/image.js';
import type { DocumentPages, Word } from '../../page.js';
import type { Line } from '../../layout/line.js';
import type { ItemReading, Reading } from '../../reading.js';
import type { OcrEngine } from './engine.js';

/**
 * Empty number cells of the item table, read again alone. A page-wide recognition often
 * does not see a lone digit in a narrow column (a quantity "1" between a description and a
 * price, next to a rule): the row then lacks its quantity. Once the reader knows the table's
 * columns and rows, each such cell is cut out of the page image and recognised as one line of
 * digits. Only where arithmetic checks what is read: in a table with both a quantity and a
 * unit price column, quantity × price = amount (to the cent, on a scan) confirms the digit —
 * or the claim goes to review. Nothing else on the page is read twice.
 */
export interface Reread {
  doc: DocumentPages;
  /** Cells looked at, and cells that gave a number. */
  looked: number;
  found: number;
}

/** At most this many cells per document: each costs a small recognition (~20 ms). */
const MAX_CELLS = 200;
/** A cell with less ink than this share of its area is empty on paper too. */
const MIN_INK = 0.004;
const NUMBER = /^\d[\d.,]{0,12}$/u;

function rowLine(reading: Reading, item: ItemReading): Line | null {
  const lines = reading.lines[item.page - 1] ?? [];
  const of = (no: number) => lines.find((l) => l.no === no) ?? null;
  // The row's own line: the one holding its amount (a wrapped description's other lines do not).
  const amount = item.values.amount;
  for (const w of item.from) {
    const l = of(w.line);
    if (l && amount !== undefined && l.text.includes(amount)) return l;
  }
  return of(item.from[item.from.length - 1]?.line ?? -1);
}

function crop(image: GrayImage, x0: number, y0: number, x1: number, y1: number): { image: GrayImage; left: number } | null {
  const l = Math.max(0, Math.floor(x0)), t = Math.max(0, Math.floor(y0));
  const r = Math.min(image.width, Math.ceil(x1)), b = Math.min(image.height, Math.ceil(y1));
  if (r - l < 4 || b - t < 4) return null;
  const w = r - l, h = b - t;
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) data.set(image.data.subarray((t + y) * image.width + l, (t + y) * image.width + r), y * w);
  // A cell's borders (a boxed table's rules) cross the whole cut: paper, or the engine reads them as 1s.
  for (let x = 0; x < w; x++) {
    let dark = 0;
    for (let y = 0; y < h; y++) if (data[y * w + x] < 128) dark++;
    if (dark > 0.7 * h) for (let y = 0; y < h; y++) data[y * w + x] = 255;
  }
  for (let y = 0; y < h; y++) {
    let dark = 0;
    for (let x = 0; x < w; x++) if (data[y * w + x] < 128) dark++;
    if (dark > 0.7 * w) data.fill(255, y * w, (y + 1) * w);
  }
  let ink = 0;
  for (const v of data) if (v < 128) ink++;
  return ink < MIN_INK * w * h ? null : { image: { width: w, height: h, data, dpi: image.dpi }, left: l };
}

export function rereadCells(doc: DocumentPages, reading: Reading, images: Map<number, GrayImage>, engine: OcrEngine, onStep: () => void): Reread {
  const cols = reading.table.columns.filter((c) => c.column !== 'other').sort((a, b) => a.x0 - b.x0);
  const none = { doc, looked: 0, found: 0 };
  if (!cols.some((c) => c.column === 'quantity') || !cols.some((c) => c.column === 'unit_price')) return none;
  const added = new Map<number, Word[]>();
  let looked = 0, found = 0;
  for (const item of reading.items) {
    const page = doc.pages[item.page - 1];
    const image = images.get(item.page);
    if (!page || page.source !== 'ocr' || !image) continue;
    const line = rowLine(reading, item);
    if (!line) continue;
    for (const column of ['quantity', 'unit_price'] as const) {
      if (item.values[column] !== undefined || looked >= MAX_CELLS) continue;
      const i = cols.findIndex((c) => c.column === column);
      const c = cols[i];
      // Under its header, a little either side (numbers are centred or aligned to one side of
      // it), and never past halfway to the neighbouring columns (where the reader would place them).
      const wide = Math.max(c.x1 - c.x0, 12);
      const x0 = Math.max(i > 0 ? (cols[i - 1].x1 + c.x0) / 2 : -Infinity, c.x0 - 0.75 * wide);
      const x1 = Math.min(i < cols.length - 1 ? (c.x1 + cols[i + 1].x0) / 2 : Infinity, c.x1 + 0.75 * wide);
      const h = line.y1 - line.y0;
      const kx = image.width / page.width, ky = image.height / page.height;
      const cell = crop(image, x0 * kx, (line.y0 - 0.3 * h) * ky, x1 * kx, (line.y1 + 0.3 * h) * ky);
      if (!cell) continue;
      looked++;
      onStep();
      const read = engine.recognize(cell.image, { cell: true });
      const first = line.cells[0].words[0];
      for (const w of read.words) {
        if (!NUMBER.test(w.text)) continue;
        found++;
        // On the row's baseline and at its size, where the reader looks for the row's cells.
        const word: Word = { text: w.text, x: (cell.left + w.x) / kx, y: first.y, w: w.w / kx, h: first.h, conf: Math.max(0, Math.min(1, w.conf / 100)) };
        const list = added.get(page.number);
        if (list) list.push(word); else added.set(page.number, [word]);
      }
    }
  }
  if (added.size === 0) return { doc, looked, found };
  return { doc: { ...doc, pages: doc.pages.map((p) => (added.has(p.number) ? { ...p, words: [...p.words, ...added.get(p.number)!] } : p)) }, looked, found };
}
