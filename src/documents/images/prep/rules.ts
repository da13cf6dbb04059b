import type { GrayImage } from '../image.js';
import { inkThreshold } from './binarize.js';
import { nominalDpi } from './working.js';

/**
 * Ruling-line removal. Table borders, underlines and boxes touch the letters of small table
 * cells, and the OCR engine reads a digit fused to a border as something else (or not at
 * all). A rule is found as a run of ink much longer than any letter (RULE_INCHES: about two
 * 10-point lines of text) along a row or a column, a few gap pixels bridged (a scanned line
 * breaks up); it is whitened only across its own thickness, and only where it is thin
 * (MAX_THICKNESS_INCHES), so a letter that touches it keeps every pixel outside the rule, and
 * a filled bar with white text on it is left alone. Where a stroke crosses a rule (ink on both
 * sides) the rule is kept, so the stroke stays whole. Grey fringe pixels beside a whitened
 * rule (anti-aliasing) are whitened too, or the engine would still see a faint line.
 */

/** Runs of ink at least this long (inches) are rules. */
const RULE_INCHES = 0.3;
/** Rules at most this thick (inches, ~1.8 pt) are whitened; thicker ones are bars, left as they are. */
const MAX_THICKNESS_INCHES = 0.025;
/** Paper pixels bridged inside a run (a scanned or JPEG'd line has holes)... */
const GAP = 2;
/** ...but a rule is nearly all ink: a row through a line of bold letters, gaps bridged, is not. */
const MIN_DENSITY = 0.9;

const INK = 1;
const ACROSS = 2;
const DOWN = 4;
const WHITE = 255;

export interface RuleOptions {
  /** Minimum rule length in pixels (default RULE_INCHES at the image's dpi). */
  minLength?: number;
  /** Maximum rule thickness in pixels (default MAX_THICKNESS_INCHES at the image's dpi, at least 2). */
  maxThickness?: number;
}

/** The image with its long thin horizontal and vertical rules whitened; the input is not changed (returned as is when it has none). */
export function removeRules(image: GrayImage, options: RuleOptions = {}): GrayImage {
  const threshold = inkThreshold(image);
  if (threshold < 0) return image;
  const dpi = nominalDpi(image);
  const minLength = options.minLength ?? Math.max(20, Math.round(RULE_INCHES * dpi));
  const maxThickness = options.maxThickness ?? Math.max(2, Math.round(MAX_THICKNESS_INCHES * dpi));
  const mask = new Mask(image, threshold);
  const across = mask.markAcross(minLength);
  const down = mask.markDown(minLength);
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

  constructor(image: GrayImage, threshold: number) {
    this.width = image.width;
    this.height = image.height;
    this.stride = Math.ceil(image.width / 4) * 4;
    this.flags = new Uint8Array(this.stride * this.height);
    this.words = new Uint32Array(this.flags.buffer);
    const data = image.data;
    for (let y = 0; y < this.height; y++) {
      const src = y * this.width;
      const dst = y * this.stride;
      for (let x = 0; x < this.width; x++) if (data[src + x] <= threshold) this.flags[dst + x] = INK;
    }
  }

  /** Marks the ink of long, nearly solid row runs ACROSS; true when there was any. */
  markAcross(minLength: number): boolean {
    const { width, height, stride, flags } = this;
    let any = false;
    for (let y = 0; y < height; y++) {
      const row = y * stride;
      let x = 0;
      while (x < width) {
        if (flags[row + x] === 0) {
          x++;
          continue;
        }
        const start = x;
        let last = x;
        let inked = 0;
        while (x < width && x - last <= GAP) {
          if (flags[row + x] & INK) {
            last = x;
            inked++;
          }
          x++;
        }
        const length = last - start + 1;
        if (length >= minLength && inked >= MIN_DENSITY * length) {
          any = true;
          for (let i = start; i <= last; i++) if (flags[row + i] & INK) flags[row + i] |= ACROSS;
        }
        x = last + 1;
      }
    }
    return any;
  }

  /** Marks the ink of long, nearly solid column runs DOWN, in row order (one running run per column), skipping paper four pixels at a time. */
  markDown(minLength: number): boolean {
    const { width, height, stride, flags, words } = this;
    const start = new Int32Array(width).fill(-1);
    const last = new Int32Array(width);
    const inked = new Int32Array(width);
    const groups = stride / 4;
    const open = new Int32Array(groups);
    let any = false;
    const end = (x: number) => {
      const length = last[x] - start[x] + 1;
      if (length >= minLength && inked[x] >= MIN_DENSITY * length) {
        any = true;
        for (let y = start[x]; y <= last[x]; y++) if (flags[y * stride + x] & INK) flags[y * stride + x] |= DOWN;
      }
      start[x] = -1;
      open[x >> 2]--;
    };
    for (let y = 0; y < height; y++) {
      const row = y * stride;
      const wordRow = y * groups;
      for (let g = 0; g < groups; g++) {
        if (words[wordRow + g] === 0 && open[g] === 0) continue;
        const xEnd = Math.min(width, g * 4 + 4);
        for (let x = g * 4; x < xEnd; x++) {
          if (flags[row + x] & INK) {
            if (start[x] < 0) {
              start[x] = y;
              inked[x] = 0;
              open[g]++;
            }
            last[x] = y;
            inked[x]++;
          } else if (start[x] >= 0 && y - last[x] > GAP) {
            end(x);
          }
        }
      }
    }
    for (let x = 0; x < width; x++) if (start[x] >= 0) end(x);
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
      if (top > 0 && !(above & INK)) out[(top - 1) * width + x] = WHITE;
      if (bottom + 1 < height && !(below & INK)) out[(bottom + 1) * width + x] = WHITE;
    };
    const column = (y: number, left: number, right: number) => {
      if (right - left + 1 > maxThickness) return;
      const row = y * stride;
      const before = left > 0 ? flags[row + left - 1] : 0;
      const after = right + 1 < width ? flags[row + right + 1] : 0;
      if (before & INK && !(before & ACROSS) && after & INK && !(after & ACROSS)) return;
      const outRow = y * width;
      for (let i = left; i <= right; i++) out[outRow + i] = WHITE;
      if (left > 0 && !(before & INK)) out[outRow + left - 1] = WHITE;
      if (right + 1 < width && !(after & INK)) out[outRow + right + 1] = WHITE;
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
