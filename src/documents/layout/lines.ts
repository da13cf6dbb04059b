import type { Page, Word } from '../page.js';
import type { Cell, Line } from './line.js';

/**
 * Lines rebuilt from word positions: words whose baselines agree (within a third of the
 * smaller word's height) are one line, read left to right; lines are read top to bottom.
 * The text layer's drawing order is not used: a form drawn column by column, or a table
 * drawn cell by cell, reads the same as one drawn line by line.
 */
const baseline = (w: Word) => w.y + 0.8 * w.h;

/**
 * Where a line breaks into cells: a gap wider than 1.5 × the text size always does (a column
 * of a form or a table); between two separately drawn runs, a gap over half the size does
 * (a tight table column). Inside one run a gap is a typed space and only the wide rule applies.
 */
const CAPS = /^[\p{Lu}][\p{Lu}.,:/&-]+$/u;

function breaksCell(a: Word, b: Word): boolean {
  const gap = b.x - (a.x + a.w);
  const size = Math.min(a.h, b.h);
  if (gap > 1.5 * size) return true;
  // OCR: capitals the engine read as one line are one text up to a gap of a text size: a bold
  // title's wide spaces are not a column break ("RINCIAN  BIAYA PERAWATAN" was read as a table
  // header, "PASIEN  RAWAT INAP" as a label and its value). Only capitals: a table's columns
  // (a date, a code, a description) sit closer than that and must stay apart.
  if (a.ocrLine !== undefined && a.ocrLine === b.ocrLine && CAPS.test(a.text) && CAPS.test(b.text)) return gap > size;
  return a.run === undefined || b.run === undefined || a.run !== b.run ? gap > 0.5 * size : false;
}

function cellsOf(words: Word[]): Cell[] {
  const cells: Cell[] = [];
  let cur: Word[] = [];
  const flush = () => {
    if (cur.length === 0) return;
    const last = cur[cur.length - 1];
    cells.push({ text: cur.map((w) => w.text).join(' '), x0: cur[0].x, x1: last.x + last.w, words: cur });
    cur = [];
  };
  for (const w of words) {
    if (cur.length > 0 && breaksCell(cur[cur.length - 1], w)) flush();
    cur.push(w);
  }
  flush();
  return cells;
}

export function buildLines(page: Page): Line[] {
  const words = page.words.filter((w) => w.text.trim() !== '').slice().sort((a, b) => baseline(a) - baseline(b) || a.x - b.x);
  const groups: Word[][] = [];
  let cur: Word[] = [];
  let curBase = 0, curH = 0;
  for (const w of words) {
    const b = baseline(w);
    if (cur.length > 0 && Math.abs(b - curBase) <= Math.max(1, 0.35 * Math.min(curH, w.h))) {
      cur.push(w);
      // The line's baseline is its first word's: a line does not creep down word by word.
      curH = Math.min(curH, w.h);
      continue;
    }
    if (cur.length) groups.push(cur);
    cur = [w]; curBase = b; curH = w.h;
  }
  if (cur.length) groups.push(cur);
  return groups.map((g, i) => {
    const sorted = g.sort((a, b) => a.x - b.x);
    const cells = cellsOf(sorted);
    return {
      page: page.number, no: i + 1,
      y0: Math.min(...sorted.map((w) => w.y)), y1: Math.max(...sorted.map((w) => w.y + w.h)),
      x0: sorted[0].x, x1: Math.max(...sorted.map((w) => w.x + w.w)),
      text: cells.map((c) => c.text).join(' '),
      cells, conf: Math.min(...sorted.map((w) => w.conf)),
    };
  });
}

/** The document's text, line by line (what template keywords are looked for in). */
export function documentText(lines: Line[][]): string {
  return lines.map((page) => page.map((l) => l.text).join('\n')).join('\n');
}
