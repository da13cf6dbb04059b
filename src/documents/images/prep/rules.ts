import type { GrayImage } from '../image.js';
import { inkThreshold } from './binarize.js';
import { nominalDpi } from './working.js';

/**
 * Not in the OCR path (words/ocr/ocr-page.ts says why: on the committed scans it lost more
 * than it saved). Kept, with its tests, for the engine study and for layouts where it helps.
 *
 * Ruling-line removal. Table borders, underlines and boxes touch the letters of small table
 * cells, and the OCR engine reads a digit fused to a border as something else (or not at
 * all). A rule is found as a run of ink much longer than any letter (RULE_INCHES: about two
 * 10-point lines of text) along a row or a column — or, on a skewed page, along the skew —
 * a few gap pixels bridged (a scanned line breaks up), and again through pairs of rows or
 * columns, for a thin rule whose darkness is split between two; it is whitened only across
 * its own thickness, and only where it is thin
 * (MAX_THICKNESS_INCHES), so a letter that touches it keeps every pixel outside the rule, and
 * a filled bar with white text on it is left alone. Where a stroke crosses a rule (ink on both
 * sides) the rule is kept, so the stroke stays whole. Grey fringe pixels beside a whitened
 * rule (anti-aliasing) are whitened too, or the engine would still see a faint line.
 *
 * A rule left in pieces is worse than a rule left whole (measured: Tesseract reads the dashes
 * as "i", "l", "!" and loses amounts), so the detection is tuned to take a rule whole.
 */

/** Runs of ink at least this long (inches) are rules. */
const RULE_INCHES = 0.3;
/** Rules at most this thick (inches, ~1.8 pt) are whitened; thicker ones are bars, left as they are. */
const MAX_THICKNESS_INCHES = 0.025;
/**
 * A thin rule lies across two rows where its staircase steps (or is blurred across two by a
 * scan), so rules are also followed through pairs of rows (columns). A pair of rows through
 * a word is dense too (the tops of "n", "m", "o", the bar of "e"), but its letters go on
 * above and below it, where a rule has paper beside it but for the few letters touching
 * it: a pair's run is a rule only when at most this share of it has ink just outside the pair.
 */
const MAX_TOUCHED = 0.35;
/** Light (not ink) pixels whitened beside a rule, up to the first ink: a rule's anti-aliased or blurred edge, left alone, reads as a faint dashed line. */
const FRINGE = 2;
/** Paper pixels bridged inside a run (a scanned or JPEG'd line has holes)... */
const GAP = 2;
/** ...but a rule is nearly all ink: a row through a line of bold letters, gaps bridged, is not. */
const MIN_DENSITY = 0.9;

const INK = 1;
const ACROSS = 2;
const DOWN = 4;
/** Dark enough to be ink, or half of a rule split between two pixels (at most half the joint darkness): where anything can be found. */
const DARK = 8;
/** The DARK bit of four pixels at once, through the 32-bit view. */
const DARK4 = DARK * 0x01010101;
const WHITE = 255;

export interface RuleOptions {
  /** Minimum rule length in pixels (default RULE_INCHES at the image's dpi). */
  minLength?: number;
  /** Maximum rule thickness in pixels (default MAX_THICKNESS_INCHES at the image's dpi, at least 2). */
  maxThickness?: number;
  /**
   * The page's skew (estimateSkew's degrees, clockwise): rules are followed along it. Remove
   * the rules of a skewed page BEFORE straightening it — rotate(removeRules(page, {skew}), -skew) —
   * because the rotation blurs a thin rule into grey that breaks up into pieces, and pieces
   * left behind read as "i", "l" and "!".
   */
  skew?: number;
}

/** The image with its long thin horizontal and vertical rules whitened; the input is not changed (returned as is when it has none). */
export function removeRules(image: GrayImage, options: RuleOptions = {}): GrayImage {
  const threshold = inkThreshold(image);
  if (threshold < 0) return image;
  const dpi = nominalDpi(image);
  const minLength = options.minLength ?? Math.max(20, Math.round(RULE_INCHES * dpi));
  const maxThickness = options.maxThickness ?? Math.max(2, Math.round(MAX_THICKNESS_INCHES * dpi));
  const mask = new Mask(image, threshold);
  const tan = Math.tan(((options.skew ?? 0) * Math.PI) / 180);
  const across = mask.markAcross(minLength, tan);
  const down = mask.markDown(minLength, tan);
  if (!across && !down) return image;
  const out = image.data.slice();
  mask.whiten(out, maxThickness);
  return { width: image.width, height: image.height, data: out, dpi: image.dpi };
}

/**
 * INK, ACROSS (in a horizontal rule) and DOWN (in a vertical rule) flags per pixel. Rows are
 * padded to a multiple of 4 bytes so that four pixels can be tested at once through a 32-bit
 * view: most of a page is paper, and the column-wise passes skip it four pixels at a time
 * (a 300 dpi A4 page is 8.7 million pixels, and this runs before every OCR'd page).
 */
class Mask {
  readonly width: number;
  readonly height: number;
  /** Bytes per row. */
  readonly stride: number;
  readonly flags: Uint8Array;
  readonly words: Uint32Array;
  private readonly data: Uint8Array;
  private readonly threshold: number;
  /** Two pixels whose values sum to this or less hold one ink pixel's darkness between them. */
  private readonly joint: number;

  constructor(image: GrayImage, threshold: number) {
    this.width = image.width;
    this.height = image.height;
    this.stride = Math.ceil(image.width / 4) * 4;
    this.flags = new Uint8Array(this.stride * this.height);
    this.words = new Uint32Array(this.flags.buffer);
    this.joint = 255 + threshold;
    this.threshold = threshold;
    const data = (this.data = image.data);
    for (let y = 0; y < this.height; y++) {
      const src = y * this.width;
      const dst = y * this.stride;
      const half = this.joint / 2;
      for (let x = 0; x < this.width; x++) {
        const v = data[src + x];
        if (v <= half) this.flags[dst + x] = v <= threshold ? INK | DARK : DARK;
      }
    }
  }

  /**
   * Marks ACROSS the rules that run along lines of slope `tan` (the page's skew: a rule is
   * found where it lies, before the page is turned straight, so the turn's blur cannot break
   * it up). Along each slope line, a staircase of pixels stepping one row every 1/tan pixels,
   * runs are looked for twice: in the line's own pixels (a rule thick enough to fill its row
   * at every step), and in the pair of rows made of it and the next (a thin rule, whose
   * darkness is split between two rows where it steps). True when there was any.
   */
  markAcross(minLength: number, tan: number): boolean {
    const { width, height, stride, flags, data, joint, threshold } = this;
    // Neither pixel ink, together as dark as ink: a thin rule split between rows y and y + 1.
    const isSplit = (y: number, x: number) => {
      if (y < 0 || y + 1 >= height) return false;
      const a = data[y * width + x];
      const b = data[(y + 1) * width + x];
      return a > threshold && b > threshold && a + b <= joint;
    };
    const { steps: off, lo, hi } = staircase(width, tan);
    const ink = (y: number, x: number) => y >= 0 && y < height && data[y * width + x] <= threshold;
    const { words } = this;
    const groups = stride / 4;
    // Whether nothing in rows y and y + 1 at the 4 pixels of group g is dark (a quick test through the 32-bit view).
    const blank = (y: number, g: number) => (y < 0 || y >= height || (words[y * groups + g] & DARK4) === 0) && (y + 1 < 0 || y + 1 >= height || (words[(y + 1) * groups + g] & DARK4) === 0);
    const single = new RowRuns(minLength);
    const pair = new RowRuns(minLength);
    let any = false;
    for (let r = -hi - 1; r < height - lo; r++) {
      single.found.length = 0;
      pair.found.length = 0;
      for (let g = 0; g < groups; g++) {
        const x0 = g * 4;
        const x1 = Math.min(width, x0 + 4);
        if (off[x0] === off[x1 - 1] && blank(r + off[x0], g)) {
          // Four paper pixels: more than GAP, so whatever run was open ends here.
          single.close();
          pair.close();
          continue;
        }
        for (let x = x0; x < x1; x++) {
          const y = r + off[x];
          const a = y >= 0 && y < height ? data[y * width + x] : 255;
          const b = y + 1 >= 0 && y + 1 < height ? data[(y + 1) * width + x] : 255;
          single.step(x, a <= threshold);
          pair.step(x, a <= threshold || b <= threshold || a + b <= joint);
        }
      }
      single.close();
      pair.close();
      for (const [start, last] of single.found) {
        any = true;
        for (let x = start; x <= last; x++) if (ink(r + off[x], x)) flags[(r + off[x]) * stride + x] |= ACROSS;
      }
      for (const [start, last] of pair.found) {
        let inked = 0;
        let touched = 0;
        for (let x = start; x <= last; x++) {
          const y = r + off[x];
          if (!ink(y, x) && !ink(y + 1, x) && !isSplit(y, x)) continue;
          inked++;
          if (ink(y - 2, x) || ink(y + 3, x)) touched++;
        }
        if (touched > MAX_TOUCHED * inked) continue;
        any = true;
        for (let x = start; x <= last; x++) {
          const y = r + off[x];
          const split = isSplit(y, x);
          for (let yy = y; yy <= y + 1; yy++) if (yy >= 0 && yy < height && (split || data[yy * width + x] <= threshold)) flags[yy * stride + x] |= ACROSS;
        }
      }
    }
    return any;
  }

  /**
   * Marks DOWN the rules down lines of the page's skew (a vertical rule of a page turned
   * clockwise leans left going down), the same two ways: one column, and a pair of columns.
   * In row order, one running run per (skewed) column.
   */
  markDown(minLength: number, tan: number): boolean {
    const { width, height, stride, flags, data, joint, threshold } = this;
    const { steps: shift, lo, hi } = staircase(height, tan);
    // Skewed column v = x + shift[y], stored at v - base; x runs from -1 (the pair (-1, 0)).
    const base = lo - 1;
    const columns = width + hi - lo + 2;
    const ink = (y: number, x: number) => x >= 0 && x < width && data[y * width + x] <= threshold;
    const half = joint / 2;
    const runs = [new ColumnRuns(columns), new ColumnRuns(columns)];
    let any = false;
    const end = (c: number, which: number) => {
      const run = runs[which];
      const top = run.start[c];
      const bottom = run.last[c];
      run.start[c] = -1;
      run.open[c >> 2]--;
      const length = bottom - top + 1;
      if (length < minLength || run.inked[c] < MIN_DENSITY * length) return;
      const isPair = which === 1;
      const at = (y: number) => c + base - shift[y];
      if (isPair) {
        let touched = 0;
        for (let y = top; y <= bottom; y++) if (ink(y, at(y) - 2) || ink(y, at(y) + 3)) touched++;
        if (touched > MAX_TOUCHED * run.inked[c]) return;
      }
      any = true;
      for (let y = top; y <= bottom; y++) {
        const x = at(y);
        const a = x >= 0 && x < width ? data[y * width + x] : 255;
        const b = x + 1 < width ? data[y * width + x + 1] : 255;
        const split = isPair && a > threshold && b > threshold && a + b <= joint;
        for (let xx = x; xx <= x + (isPair ? 1 : 0); xx++) {
          if (xx >= 0 && xx < width && (split || data[y * width + xx] <= threshold)) flags[y * stride + xx] |= DOWN;
        }
      }
    };
    const { words } = this;
    const groups = stride / 4;
    // Open runs per group of 4 skewed columns, so paper can be skipped 4 pixels at a time where none is open.
    const open = new Int32Array((columns >> 2) + 2);
    for (const run of runs) run.open = open;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      const s = shift[y] - base;
      for (let x = -1; x < width; x++) {
        if (x >= 0 && (x & 3) === 0) {
          // A group of 4 with nothing dark in it or just after it, and no open run in its columns, holds nothing.
          const g = x >> 2;
          const c0 = x + s;
          if ((words[y * groups + g] & DARK4) === 0 && (x + 4 >= width || (flags[y * stride + x + 4] & DARK) === 0) && open[c0 >> 2] === 0 && open[(c0 + 3) >> 2] === 0) {
            x += 3;
            continue;
          }
        }
        const a = x >= 0 ? data[row + x] : 255;
        const b = x + 1 < width ? data[row + x + 1] : 255;
        const c = x + s;
        if (a > half && b > half) {
          // Paper: only runs that are open need looking at (closed after GAP paper rows).
          if (runs[0].start[c] >= 0 && y - runs[0].last[c] > GAP) end(c, 0);
          if (runs[1].start[c] >= 0 && y - runs[1].last[c] > GAP) end(c, 1);
          continue;
        }
        const inSingle = a <= threshold;
        const inPair = inSingle || b <= threshold || a + b <= joint;
        for (let which = 0; which < 2; which++) {
          const run = runs[which];
          if (which === 0 ? inSingle : inPair) {
            if (run.start[c] < 0) {
              run.start[c] = y;
              run.inked[c] = 0;
              open[c >> 2]++;
            }
            run.last[c] = y;
            run.inked[c]++;
          } else if (run.start[c] >= 0 && y - run.last[c] > GAP) {
            end(c, which);
          }
        }
      }
    }
    for (let c = 0; c < columns; c++) {
      if (runs[0].start[c] >= 0) end(c, 0);
      if (runs[1].start[c] >= 0) end(c, 1);
    }
    return any;
  }

  /**
   * Whitens the thin parts of the rules in `out` (the image's pixels, unpadded rows). A
   * horizontal rule, column by column: a band of ACROSS pixels at most maxThickness high,
   * unless ink that is not itself a vertical rule lies both just above and just below it (a
   * stroke crossing the rule); light pixels just outside the band go white too. A vertical
   * rule likewise, row by row.
   */
  whiten(out: Uint8Array, maxThickness: number): void {
    const { width, height, stride, flags, words } = this;
    const groups = stride / 4;
    const bandStart = new Int32Array(width).fill(-1);
    const open = new Int32Array(groups);
    const band = (x: number, top: number, bottom: number) => {
      bandStart[x] = -1;
      open[x >> 2]--;
      if (bottom - top + 1 > maxThickness) return;
      const above = top > 0 ? flags[(top - 1) * stride + x] : 0;
      const below = bottom + 1 < height ? flags[(bottom + 1) * stride + x] : 0;
      if (above & INK && !(above & DOWN) && below & INK && !(below & DOWN)) return;
      for (let y = top; y <= bottom; y++) out[y * width + x] = WHITE;
      for (let y = top - 1; y >= Math.max(0, top - FRINGE) && !(flags[y * stride + x] & INK); y--) out[y * width + x] = WHITE;
      for (let y = bottom + 1; y < Math.min(height, bottom + 1 + FRINGE) && !(flags[y * stride + x] & INK); y++) out[y * width + x] = WHITE;
    };
    const column = (y: number, left: number, right: number) => {
      if (right - left + 1 > maxThickness) return;
      const row = y * stride;
      const before = left > 0 ? flags[row + left - 1] : 0;
      const after = right + 1 < width ? flags[row + right + 1] : 0;
      if (before & INK && !(before & ACROSS) && after & INK && !(after & ACROSS)) return;
      const outRow = y * width;
      for (let i = left; i <= right; i++) out[outRow + i] = WHITE;
      for (let i = left - 1; i >= Math.max(0, left - FRINGE) && !(flags[row + i] & INK); i--) out[outRow + i] = WHITE;
      for (let i = right + 1; i < Math.min(width, right + 1 + FRINGE) && !(flags[row + i] & INK); i++) out[outRow + i] = WHITE;
    };
    const RULE_BITS = (ACROSS | DOWN) * 0x01010101;
    for (let y = 0; y < height; y++) {
      const row = y * stride;
      const wordRow = y * groups;
      let runLeft = -1;
      for (let g = 0; g < groups; g++) {
        if ((words[wordRow + g] & RULE_BITS) === 0 && open[g] === 0) {
          if (runLeft >= 0) {
            column(y, runLeft, g * 4 - 1);
            runLeft = -1;
          }
          continue;
        }
        const xEnd = Math.min(width, g * 4 + 4);
        for (let x = g * 4; x < xEnd; x++) {
          const f = flags[row + x];
          if (f & ACROSS) {
            if (bandStart[x] < 0) {
              bandStart[x] = y;
              open[g]++;
            }
          } else if (bandStart[x] >= 0) {
            band(x, bandStart[x], y - 1);
          }
          if (f & DOWN) {
            if (runLeft < 0) runLeft = x;
          } else if (runLeft >= 0) {
            column(y, runLeft, x - 1);
            runLeft = -1;
          }
        }
      }
      if (runLeft >= 0) column(y, runLeft, width - 1);
    }
    for (let x = 0; x < width; x++) if (bandStart[x] >= 0) band(x, bandStart[x], height - 1);
  }
}

/** The rounded offsets i·tan for i in 0..n-1 (a line of slope tan as whole pixels), with their least and greatest. */
function staircase(n: number, tan: number): { steps: Int32Array; lo: number; hi: number } {
  const steps = new Int32Array(n);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    steps[i] = Math.round(i * tan);
    if (steps[i] < lo) lo = steps[i];
    if (steps[i] > hi) hi = steps[i];
  }
  return { steps, lo, hi };
}

/** Runs along one line, fed a pixel at a time; those at least minLength long and nearly solid (gaps of up to GAP bridged) are kept in `found`. */
class RowRuns {
  readonly found: Array<[number, number]> = [];
  private start = -1;
  private last = -1;
  private inked = 0;
  constructor(private readonly minLength: number) {}

  step(x: number, on: boolean): void {
    if (on) {
      if (this.start >= 0 && x - this.last > GAP + 1) this.close();
      if (this.start < 0) {
        this.start = x;
        this.inked = 0;
      }
      this.last = x;
      this.inked++;
    } else if (this.start >= 0 && x - this.last > GAP) {
      this.close();
    }
  }

  close(): void {
    if (this.start < 0) return;
    const length = this.last - this.start + 1;
    if (length >= this.minLength && this.inked >= MIN_DENSITY * length) this.found.push([this.start, this.last]);
    this.start = -1;
  }
}

/** Running vertical runs, one per skewed column: where each started (-1: none open), its last ink row, its ink count. */
class ColumnRuns {
  readonly start: Int32Array;
  readonly last: Int32Array;
  readonly inked: Int32Array;
  /** Open runs per group of 4 columns (shared by the two kinds of run). */
  open = new Int32Array(0);
  constructor(columns: number) {
    this.start = new Int32Array(columns).fill(-1);
    this.last = new Int32Array(columns);
    this.inked = new Int32Array(columns);
  }
}
