import type { GrayImage } from '../image.js';
import { histogram, inkThresholdOf } from './binarize.js';
import { components, type Component } from './components.js';
import { nominalDpi } from './working.js';

/**
 * Dust, toner specks and a greyed background taken off a scanned page before OCR: the engine
 * reads isolated specks as marks ("“", "©", ". :"), and a speck between two cells can split a
 * table row.
 *
 * A speck is a small dark connected component (no wider or taller than SPECK_INCHES at the
 * page's resolution) that belongs to no text: punctuation is as small (a full stop, a decimal
 * point or a comma in "1.250.000,00", the dot of an i), but it always sits beside a letter on
 * its line, or just above a narrow stem. Sized by the letters it sits beside rather than by the
 * page, so the rule holds for any font size. Specks touching a letter become part of it and stay.
 *
 * An evenly greyed background is lifted by a linear stretch from the page's own histogram, paper to white and
 * ink to black. Linear and anchored on the ink's own level (not on its edge pixels), so the
 * half-way grey between ink and paper — where a stroke's edge is — stays half-way: strokes
 * do not thicken.
 *
 * A clean page (fewer than MIN_SPECKS specks, paper white already) is returned
 * as it is. Pure: the input is never changed.
 */
export function despeckle(image: GrayImage, options: DespeckleOptions = {}): GrayImage {
  const hist = histogram(image);
  const threshold = inkThresholdOf(hist);
  if (threshold < 0) return image; // blank paper or no contrast: nothing is ink
  const paper = quantileAbove(hist, threshold, 0.5);
  const ink = modeAtOrBelow(hist, threshold);
  // Only an evenly grey paper is stretched: under uneven light (a phone photo) one stretch
  // would darken the shaded side's paper towards ink; the engine's own binarisation copes there.
  const even = quantileAbove(hist, threshold, 0.75) - quantileAbove(hist, threshold, 0.25) <= EVEN_PAPER;
  const stretch = paper < WHITE_ENOUGH && even;
  const { width, height, data: src } = image;
  // One pass over the pixels for both the mask and the stretched copy: the page is 8.7 MB at 300 dpi.
  const faint = paper - FAINT_SHARE * (paper - ink);
  const mask = new Uint8Array(src.length);
  const data = stretch ? new Uint8Array(src.length) : src.slice();
  if (stretch) {
    const lut = stretchTable(ink, paper);
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      mask[i] = v <= faint ? 1 : 0;
      data[i] = lut[v];
    }
  } else {
    for (let i = 0; i < src.length; i++) mask[i] = src[i] <= faint ? 1 : 0;
  }
  const dpi = nominalDpi(image);
  const specks = findSpecks(mask, width, height, dpi);
  const minSpecks = options.minSpecks ?? Math.max(MIN_SPECKS, ((width * height) / (dpi * dpi)) * MIN_SPECKS_PER_SQUARE_INCH);
  const remove = specks.length >= minSpecks;
  if (!stretch && !remove) return image;
  if (remove) for (const s of specks) paint(data, width, height, s);
  return { ...image, data };
}

export interface DespeckleOptions {
  /** Fewer specks than this and they are left (default: MIN_SPECKS, or MIN_SPECKS_PER_SQUARE_INCH of the page); 0 removes any (tests). */
  minSpecks?: number;
}

/** A speck is at most this wide and high: 0.5 mm, 6 px at 300 dpi (dust, toner, a bit of a staple hole). */
const SPECK_INCHES = 0.02;
/** Fewer specks than this on a page (or per square inch, whichever is more) do the engine no harm, and the page is left as it is. */
const MIN_SPECKS = 10;
const MIN_SPECKS_PER_SQUARE_INCH = 0.1;
/**
 * Paper at least this light needs no stretch. Decided on the paper alone: a white page's dark
 * greys (a grey header band, grey labels) are the document's own, and the engine reads grey
 * print on white well.
 */
const WHITE_ENOUGH = 245;
/** Paper whose middle half spans more grey levels than this is unevenly lit, and not stretched. */
const EVEN_PAPER = 16;
/**
 * Components are found at this share of the way from paper to ink: lighter than Otsu's split, so
 * that grey specks are found too (the engine sees them), and a letter's anti-aliased edge stays
 * with its letter.
 */
const FAINT_SHARE = 0.3;
/** Letters taller than this (inches) are not letters: pictures, boxes, table grids; a speck inside a table is still a speck. */
const MAX_LETTER_INCHES = 0.5;
/** Punctuation beside a letter: within this many letter heights of it horizontally (a full stop, a decimal point, quotes sit close)... */
const BESIDE = 0.35;
/**
 * ...its foot on the letter's baseline: up to BASELINE letter heights above the letter's bottom
 * (a descender's letter reaches about 0.3 below the baseline) or BELOW under it (a comma's tail);
 * or its top at the letter's top, ABOVE over it to TOP under it (quotes).
 */
const BASELINE = 0.35;
const BELOW = 0.4;
const ABOVE = 0.1;
const TOP = 0.25;
/** A dot above a narrow stem (i, j; no wider than STEM_SHARE of its height) within DOT_GAP of its height; an accent above any letter within ACCENT_GAP. */
const STEM_SHARE = 0.45;
const DOT_GAP = 0.5;
const ACCENT_GAP = 0.25;
/** Dots in a row: at least this many, each at most DOT_SPACING of its size from the next. */
const DOTS = 3;
const DOT_SPACING = 3;
/** A punctuation mark is no taller than this share of the letter it sits beside. */
const MARK_SHARE = 0.6;

/** A quantile (0.5: the median) of the paper's grey (the pixels lighter than the ink threshold). */
function quantileAbove(hist: Uint32Array, threshold: number, q: number): number {
  let total = 0;
  for (let v = threshold + 1; v < 256; v++) total += hist[v];
  let seen = 0;
  for (let v = threshold + 1; v < 256; v++) {
    seen += hist[v];
    if (seen >= q * total) return v;
  }
  return 255;
}

/**
 * The ink's own level: the most frequent grey among the ink pixels (summed over ±2 levels, so
 * a noisy scan's peak is found), not their mean, which the anti-aliased edges pull towards paper.
 */
function modeAtOrBelow(hist: Uint32Array, threshold: number): number {
  let best = 0;
  let bestAt = 0;
  for (let v = 0; v <= threshold; v++) {
    let n = 0;
    for (let d = Math.max(0, v - 2); d <= Math.min(threshold, v + 2); d++) n += hist[d];
    if (n > best) {
      best = n;
      bestAt = v;
    }
  }
  return bestAt;
}

/** Grey to grey: `ink` and darker to black, `paper` and lighter to white, linear between. */
function stretchTable(ink: number, paper: number): Uint8Array {
  const lut = new Uint8Array(256);
  const span = Math.max(1, paper - ink);
  for (let v = 0; v < 256; v++) lut[v] = Math.max(0, Math.min(255, Math.round(((v - ink) * 255) / span)));
  return lut;
}

/**
 * The speck's box and one pixel around it (its anti-aliased rim) set to the paper around it: the
 * lightest pixel of that patch and the ring just outside it, so that under uneven light the patch
 * matches its surroundings (and no pixel is made darker). Nothing else is that close: it would
 * have joined the speck.
 */
function paint(data: Uint8Array, width: number, height: number, s: Component): void {
  const x0 = Math.max(0, s.left - 1);
  const x1 = Math.min(width, s.right + 1);
  const y0 = Math.max(0, s.top - 1);
  const y1 = Math.min(height, s.bottom + 1);
  let paper = 0;
  for (let y = Math.max(0, y0 - 1); y < Math.min(height, y1 + 1); y++) {
    for (let x = Math.max(0, x0 - 1); x < Math.min(width, x1 + 1); x++) {
      if (data[y * width + x] > paper) paper = data[y * width + x];
    }
  }
  for (let y = y0; y < y1; y++) data.fill(paper, y * width + x0, y * width + x1);
}

/** The specks of an ink mask (1 = ink): small components that are no punctuation of a line of text. */
export function findSpecks(mask: Uint8Array, width: number, height: number, dpi: number): Component[] {
  const speckSize = Math.max(2, Math.round(dpi * SPECK_INCHES));
  const maxLetter = dpi * MAX_LETTER_INCHES;
  const small: Component[] = [];
  const letters = new LetterIndex(Math.max(16, Math.round(dpi / 10)));
  const big: Component[] = [];
  // the small ones and the commas (a semicolon's lower part)
  const marks: Component[] = [];
  for (const c of components(mask, width, height)) {
    const w = c.right - c.left;
    const h = c.bottom - c.top;
    if (w <= speckSize && h <= speckSize) small.push(c);
    else if (h <= maxLetter) letters.add(c);
    else big.push(c);
    if (w <= speckSize + 2 && h <= SEMICOLON * speckSize + 1) marks.push(c);
  }
  // Letters touching a table's rules are one component with the whole grid, no letter (or with a
  // filled band, a "letter" as tall as a line): a mark inside such a box is kept when ink other
  // than its own is within NEAR_INCHES of it.
  const near = Math.max(2, Math.round(dpi * NEAR_INCHES));
  const loose = small.filter(
    (c) => !letters.some(c, (letter) => isMarkOf(c, letter) || (contains(letter, c) && inkAround(mask, width, height, c, near)))
      && !(big.some((b) => contains(b, c)) && inkAround(mask, width, height, c, near)),
  );
  // Over all the small ones: a colon whose lower dot sits by a letter still needs its upper dot.
  const kept = new Set([...dottedLines(small), ...colons(marks)]);
  return loose.filter((c) => !kept.has(c));
}

/** Ink marks of a grid (a letter of it) this near a mark make it part of the text. */
const NEAR_INCHES = 0.02;

const contains = (outer: Component, c: Component): boolean => outer.left <= c.left && c.right <= outer.right && outer.top <= c.top && c.bottom <= outer.bottom;

/** Whether the mask has ink within `near` px of the component, outside the component's own box and the pixel around it. */
function inkAround(mask: Uint8Array, width: number, height: number, c: Component, near: number): boolean {
  const y1 = Math.min(height, c.bottom + near);
  const x1 = Math.min(width, c.right + near);
  for (let y = Math.max(0, c.top - near); y < y1; y++) {
    const inRows = y >= c.top - 1 && y <= c.bottom;
    for (let x = Math.max(0, c.left - near); x < x1; x++) {
      if (inRows && x >= c.left - 1 && x <= c.right) continue;
      if (mask[y * width + x] === 1) return true;
    }
  }
  return false;
}

/**
 * Two alike small components one above the other a little apart: a colon (or semicolon), which a
 * layout may set well apart from its label and its value ("Nama Pasien      :   value"), and
 * whose upper dot is not on the baseline. Dust rarely stacks so.
 */
function colons(small: Component[]): Component[] {
  const columns = new Map<number, Component[]>();
  const columnOf = (c: Component): number => (c.left + c.right) >> 1;
  for (const c of small) {
    const list = columns.get(columnOf(c));
    if (list) list.push(c);
    else columns.set(columnOf(c), [c]);
  }
  const out: Component[] = [];
  for (const c of small) {
    const w = c.right - c.left;
    const h = c.bottom - c.top;
    for (let column = columnOf(c) - 2; column <= columnOf(c) + 2; column++) {
      for (const d of columns.get(column) ?? []) {
        const gap = d.top - c.bottom;
        // the lower one may be a comma's dot and tail (a semicolon)
        const dh = d.bottom - d.top;
        if (gap < COLON_GAP[0] * h || gap > COLON_GAP[1] * h || Math.abs(d.right - d.left - w) > 2 || dh < h - 1 || dh > SEMICOLON * h + 1) continue;
        out.push(c, d);
      }
    }
  }
  return out;
}

/** A colon's dots are this many dot heights apart (least, most); a semicolon's lower part is up to SEMICOLON times as tall as its dot. */
const COLON_GAP = [0.5, 4] as const;
const SEMICOLON = 2.5;

/**
 * Small components in a row of at least DOTS alike, evenly close on one line: a dotted leader
 * ("Nama ........ :", a signature line), an ellipsis. Print, not dust: dust does not line up.
 */
function dottedLines(small: Component[]): Set<Component> {
  const rows = new Map<number, Component[]>();
  const rowOf = (c: Component): number => (c.top + c.bottom) >> 1;
  for (const c of small) {
    const row = rowOf(c);
    const list = rows.get(row);
    if (list) list.push(c);
    else rows.set(row, [c]);
  }
  const next = new Map<Component, Component>();
  const hasPrevious = new Set<Component>();
  for (const c of small) {
    const w = c.right - c.left;
    const h = c.bottom - c.top;
    const maxGap = DOT_SPACING * Math.max(w, h, 2);
    let best: Component | undefined;
    for (let row = rowOf(c) - 1; row <= rowOf(c) + 1; row++) {
      for (const d of rows.get(row) ?? []) {
        const gap = d.left - c.right;
        if (gap < 0 || gap > maxGap || Math.abs(d.right - d.left - w) > 1 || Math.abs(d.bottom - d.top - h) > 1) continue;
        if (!best || d.left < best.left) best = d;
      }
    }
    if (best) {
      next.set(c, best);
      hasPrevious.add(best);
    }
  }
  const dotted = new Set<Component>();
  for (const first of small) {
    if (hasPrevious.has(first) || !next.has(first)) continue;
    const chain = [first];
    for (let c = next.get(first); c && !chain.includes(c); c = next.get(c)) chain.push(c);
    if (chain.length >= DOTS) for (const c of chain) dotted.add(c);
  }
  return dotted;
}

/** Whether a small component is a punctuation mark or a dot of this letter (or word: touching letters make one component). */
function isMarkOf(c: Component, letter: Component): boolean {
  const h = letter.bottom - letter.top;
  const w = letter.right - letter.left;
  if (c.bottom - c.top > MARK_SHARE * h) return false;
  // Beside it, on its baseline (a full stop, a decimal point or comma, a colon's lower dot) or
  // at its top (quotes). A colon's upper dot is found by colons(); dust halfway up is not kept.
  const gap = Math.max(letter.left - c.right, c.left - letter.right, 0);
  if (gap <= BESIDE * h) {
    if (c.bottom >= letter.bottom - BASELINE * h && c.bottom <= letter.bottom + BELOW * h) return true;
    if (c.top >= letter.top - ABOVE * h && c.top <= letter.top + TOP * h) return true;
  }
  // Above it: the dot of an i or j over its stem, an accent.
  const over = c.right > letter.left - 1 && c.left < letter.right + 1;
  return over && c.top < letter.top && letter.top - c.bottom <= (w <= STEM_SHARE * h ? DOT_GAP : ACCENT_GAP) * h;
}

/** Letters bucketed on a grid by the area a mark of theirs can be in, to find a speck's candidate letters without a scan of the page. */
class LetterIndex {
  private cells = new Map<number, Component[]>();
  constructor(private readonly cell: number) {}

  add(letter: Component): void {
    const h = letter.bottom - letter.top;
    const reach = Math.max(BESIDE, DOT_GAP) * h;
    this.forCells(letter.left - reach, letter.top - reach, letter.right + reach, letter.bottom + BELOW * h, (key) => {
      const list = this.cells.get(key);
      if (list) list.push(letter);
      else this.cells.set(key, [letter]);
    });
  }

  some(c: Component, test: (letter: Component) => boolean): boolean {
    let found = false;
    this.forCells(c.left, c.top, c.right, c.bottom, (key) => {
      if (!found) found = (this.cells.get(key) ?? []).some(test);
    });
    return found;
  }

  private forCells(left: number, top: number, right: number, bottom: number, visit: (key: number) => void): void {
    const x0 = Math.max(0, Math.floor(left / this.cell));
    const y0 = Math.max(0, Math.floor(top / this.cell));
    const x1 = Math.floor(right / this.cell);
    const y1 = Math.floor(bottom / this.cell);
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) visit(y * 65536 + x);
  }
}
