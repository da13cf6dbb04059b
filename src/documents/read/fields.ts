import type { Line } from '../layout/line.js';
import type { FieldReading, Where } from '../reading.js';
import type { FieldHint, Box } from '../templates/hints.js';
import { LabelIndex, labelDef, tokensOf, type LabelDef, type LabelHit, type Token } from './labels.js';
import { isCurrencyMark } from './numbers.js';

/**
 * The field finder: every printed label of the dictionary (or of a template) is looked for on
 * every line outside the item table, and its value is read where forms put it — after the
 * label in the same cell ("No. Klaim : X"), in the next cell on the line (a label column beside
 * a value column), or in the cell below it (a small label above its value). A value ends at
 * the next label, printed field or not.
 */
export interface Occurrence {
  field: string;
  label: string;
  labelAt: Where;
  value: string;
  at: Where;
  how: 'right' | 'below' | 'region';
  conf: number;
}

const where = (l: Line, x: number): Where => ({ page: l.page, line: l.no, x: Math.round(x), y: Math.round(l.y0) });

interface LineHits { line: Line; tokens: Token[]; hits: LabelHit[] }

function textOf(tokens: Token[]): string {
  // Words, not tokens: "No.Klaim" split for matching is printed whole.
  const words: string[] = [];
  let prev: unknown = null;
  for (const t of tokens) if (t.word !== prev) { words.push(t.word.text); prev = t.word; }
  return words.join(' ').replace(/^[:：\s]+/u, '').trim();
}

// The index of one set of labels, kept: a run reads every document with the same dictionary
// (and a template's labels), and building it was 40 % of the reader's time. A LabelIndex is
// never changed once built. Keyed by content: the setup is a fresh copy in each task.
const labelIndexes = new Map<string, LabelIndex>();
const KEPT_INDEXES = 32;

export function buildLabelIndex(fieldLabels: Record<string, string[]>, other: string[], explicit: Set<string> = new Set()): LabelIndex {
  const key = JSON.stringify([fieldLabels, other, [...explicit].sort()]);
  let index = labelIndexes.get(key);
  if (!index) {
    const defs: LabelDef[] = [];
    for (const [field, labels] of Object.entries(fieldLabels)) for (const l of labels) defs.push({ ...labelDef(l, field), explicit: explicit.has(field) });
    for (const l of other) defs.push(labelDef(l, null));
    index = new LabelIndex(defs);
    if (labelIndexes.size >= KEPT_INDEXES) labelIndexes.delete(labelIndexes.keys().next().value!);
    labelIndexes.set(key, index);
  }
  return index;
}

/**
 * The second line of a label that wraps ("Tanggal Masuk /" over "Tanggal Kunjungan",
 * "Diagnosa" over "(ICD-10)"): a label cell right under another label's cell, at the same x,
 * close below it, with nothing beside it. It belongs to the label above and reads nothing.
 */
/**
 * A label set off by its colon with its value after it in the same cell ("Provider ID: PPK38927")
 * is a field of its own, never the second line of the label above (the last, lone row of a
 * two-column form sits just like one).
 */
function labelWithValue(tokens: Token[], hit: LabelHit): boolean {
  return hit.colon && tokens.slice(hit.end).some((t) => t.cell === tokens[hit.start].cell && t.norm !== '');
}

function continuesLabelAbove(analysed: LineHits[], li: number, first: Token): boolean {
  const a = analysed[li];
  if (li === 0 || a.line.cells.length !== 1) return false;
  const above = analysed[li - 1];
  const h = a.line.y1 - a.line.y0;
  if (a.line.y0 - above.line.y1 > 0.6 * h) return false;
  return above.hits.some((hh) => {
    const t = above.tokens[hh.start];
    return Math.abs(t.word.x - first.word.x) < 2 && above.line.cells.length > 1;
  });
}

/** Every labelled value on the lines (in reading order), for every field. */
export function findOccurrences(pages: Line[][], index: LabelIndex, skip: Set<string>, hints: Record<string, FieldHint>): Occurrence[] {
  const out: Occurrence[] = [];
  for (const page of pages) {
    const analysed: LineHits[] = page.map((line) => {
      const tokens = tokensOf(line);
      return { line, tokens, hits: skip.has(`${line.page}:${line.no}`) ? [] : index.find(tokens) };
    });
    analysed.forEach((a, li) => {
      a.hits.forEach((hit, hi) => { if (!labelWithValue(a.tokens, hit) && continuesLabelAbove(analysed, li, a.tokens[hit.start])) return; for (const field of hit.label.fields) {
        const position = hints[field]?.position ?? 'any';
        const next = a.hits[hi + 1];
        const labelWords = a.tokens.slice(hit.start, hit.end).map((t) => t.word);
        const labelAt = where(a.line, labelWords[0].x);
        const cell = a.tokens[hit.start].cell;
        // 1. After the label in its cell, up to the next label.
        let end = hit.end;
        while (end < a.tokens.length && a.tokens[end].cell === cell && (!next || end < next.start)) end++;
        const inCell = a.tokens.slice(hit.end, end);
        if (position !== 'below' && textOf(inCell)) {
          out.push({ field, label: hit.label.text, labelAt, value: textOf(inCell), at: where(a.line, inCell[0].word.x), how: 'right', conf: Math.min(...inCell.map((t) => t.word.conf)) });
          continue;
        }
        // 2. The next cell(s) on the line, up to the next label.
        if (position !== 'below' && end < a.tokens.length && (!next || next.start > end)) {
          const stop = next ? next.start : a.tokens.length;
          // A colon printed in a column of its own ("No. Klaim | : | X") is not the value.
          let from = end;
          while (from < stop && a.tokens[from].norm === '' && a.tokens[from].colon) from++;
          const nextCell = from < stop ? a.tokens[from].cell : -1;
          let run = a.tokens.slice(from, stop).filter((t) => t.cell === nextCell);
          // "Total | Rp | 4.375.000": a currency mark in a cell of its own goes with the amount after it.
          if (run.length === 1 && isCurrencyMark(run[0].word.text)) run = a.tokens.slice(from, stop).filter((t) => t.cell === nextCell || t.cell === nextCell + 1);
          if (textOf(run)) {
            out.push({ field, label: hit.label.text, labelAt, value: textOf(run), at: where(a.line, run[0].word.x), how: 'right', conf: Math.min(...run.map((t) => t.word.conf)) });
            continue;
          }
        }
        if (position === 'right') continue;
        // 3. Below: on the nearest following line, the cells that start under the label (up to
        //    the next label on the label line) or overlap it (a value centred under its label).
        const lx0 = labelWords[0].x, lx1 = labelWords[labelWords.length - 1].x + labelWords[labelWords.length - 1].w;
        // Up to the next label on the label line; without one, values start under the label, not far right of it.
        const spanEnd = next ? a.tokens[next.start].word.x - 1 : lx1 + 3 * (a.line.y1 - a.line.y0);
        const lineH = a.line.y1 - a.line.y0;
        for (let k = li + 1; k < analysed.length; k++) {
          const b = analysed[k];
          if (b.line.y0 - a.line.y1 > 3 * Math.max(lineH, 8)) break;
          if (skip.has(`${b.line.page}:${b.line.no}`)) break;
          const cells = new Set(b.line.cells.map((c, ci) => ({ c, ci }))
            .filter(({ c }) => (c.x0 >= lx0 - 3 && c.x0 < spanEnd) || (c.x0 < lx1 && c.x1 > lx0 && c.x0 < spanEnd)).map(({ ci }) => ci));
          // A value that goes on in the cells right after (close together, before the next label's column) is one value.
          if (cells.size > 0 && !next) {
            const limit = b.line.cells.length;
            for (let ci = Math.max(...cells) + 1; ci < limit; ci++) {
              const gap = b.line.cells[ci].x0 - b.line.cells[ci - 1].x1;
              if (gap > 3 * (b.line.y1 - b.line.y0) || b.line.cells[ci].x0 > a.line.x1 + 3 * (a.line.y1 - a.line.y0) && a.line.cells.length > 1) break;
              cells.add(ci);
            }
          }
          if (cells.size === 0) continue;
          const under = b.tokens.filter((t) => cells.has(t.cell));
          // A label there starts another field: this one's value is not printed.
          const firstIdx = b.tokens.indexOf(under[0]);
          if (b.hits.some((h) => h.start <= firstIdx && firstIdx < h.end)) break;
          const value = textOf(under);
          if (value) out.push({ field, label: hit.label.text, labelAt, value, at: where(b.line, under[0].word.x), how: 'below', conf: Math.min(...under.map((t) => t.word.conf)) });
          break;
        }
      } });
    });
  }
  return out;
}

/** A field read from a template's box: the words inside it, less the field's label when printed there. */
export function readRegion(pages: Line[][], box: Box, field: string, labels: string[]): Occurrence | null {
  for (const page of pages) {
    if (box.page !== undefined && page[0]?.page !== box.page) continue;
    const inside: Array<{ line: Line; text: string; x: number; conf: number }> = [];
    for (const line of page) {
      const words = line.cells.flatMap((c) => c.words).filter((w) => w.x >= box.x0 && w.x + w.w <= box.x1 + 1 && w.y >= box.y0 - 1 && w.y + w.h <= box.y1 + 1);
      if (words.length) inside.push({ line, text: words.map((w) => w.text).join(' '), x: words[0].x, conf: Math.min(...words.map((w) => w.conf)) });
    }
    if (inside.length === 0) continue;
    let text = inside.map((i) => i.text).join(' ');
    for (const l of [...labels].sort((a, b) => b.length - a.length)) {
      const re = new RegExp(`^${l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s*')}\\s*[:：]?\\s*`, 'iu');
      if (re.test(text)) { text = text.replace(re, ''); break; }
    }
    if (!text.trim()) continue;
    const first = inside[0];
    return { field, label: labels[0] ?? 'region', labelAt: where(first.line, box.x0), value: text.trim(), at: where(first.line, first.x), how: 'region', conf: Math.min(...inside.map((i) => i.conf)) };
  }
  return null;
}

export function notFound(field: string, labels: string[], hint?: FieldHint): FieldReading {
  const looked = hint?.region
    ? `inside the box x ${hint.region.x0}–${hint.region.x1}, y ${hint.region.y0}–${hint.region.y1}${hint.region.page ? ` on page ${hint.region.page}` : ''}`
    : `beside or below any of: ${labels.slice(0, 6).map((l) => `'${l}'`).join(', ')}${labels.length > 6 ? ` (and ${labels.length - 6} more)` : ''}`;
  return { field, label: null, labelAt: null, value: null, at: null, how: null, conf: 1, looked };
}
