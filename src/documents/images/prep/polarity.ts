import type { GrayImage } from '../image.js';
import { histogram, inkThresholdOf } from './binarize.js';
import { components } from './components.js';
import { inkCopy } from './working.js';

/**
 * The page with dark text on light paper: a page whose text is light on dark (a bilevel fax
 * stored "black is zero" and decoded the other way round, a negative) is inverted; any other
 * page is returned as it is. The engine reads white text on black as nothing.
 *
 * Decided on the page's background, not its mean grey: a black header band or a large dark photo
 * on white paper darkens the mean but not the margin. The margin — a band a little inside the
 * edges, where a scanner's dark border does not reach — must be mostly dark; and since a sheet
 * photographed on a dark table also has a dark margin, the text confirms it: the light shapes
 * that look like letters must outnumber the dark ones (a dark letter's counter, the hole of an
 * "o", is a light letter-sized shape too, but there are fewer of them than letters).
 */
export function normalPolarity(image: GrayImage): GrayImage {
  const threshold = inkThresholdOf(histogram(image));
  if (threshold < 0) return image; // one grey all over: nothing to tell text from paper by
  if (marginDarkShare(image, threshold) <= 0.5) return image;
  const copy = inkCopy(image, LETTER_DPI);
  const maxHeight = copy.dpi * MAX_LETTER_INCHES;
  const dark = letterCount(copy.ink, copy.width, copy.height, maxHeight);
  const light = letterCount(copy.ink.map((v) => 1 - v), copy.width, copy.height, maxHeight);
  return light > dark ? inverted(image) : image;
}

/** The margin band starts this share of the short side in from the edge (past a scanner's dark border)... */
const MARGIN_FROM = 0.01;
/** ...and reaches this far in (still outside the text of a form with 2 cm margins). */
const MARGIN_TO = 0.06;
/** Letters are counted on a copy at about this resolution: a 10 pt letter and its counter are still apart and whole there. */
const LETTER_DPI = 150;
/** Taller than this is no letter (a band, a picture, the page's own background). */
const MAX_LETTER_INCHES = 0.5;
/** Working pixels: shorter than this is a speck, not a letter. */
const MIN_LETTER_PX = 4;
/** A letter is no wider than this many times its height (a few touching ones are) nor taller than this many times its width. */
const MAX_WIDE = 4;
const MAX_TALL = 12;

/** The share of the margin band's pixels (sampled every other row and column) at or below the ink threshold. */
function marginDarkShare(image: GrayImage, threshold: number): number {
  const { width, height, data } = image;
  const side = Math.min(width, height);
  const from = Math.floor(side * MARGIN_FROM);
  const to = Math.max(from + 1, Math.ceil(side * MARGIN_TO));
  let dark = 0;
  let total = 0;
  const count = (row: number, x0: number, x1: number): void => {
    for (let x = x0; x < x1; x += 2) {
      total++;
      if (data[row + x] <= threshold) dark++;
    }
  };
  for (let y = from; y < height - from; y += 2) {
    const row = y * width;
    if (y < to || y >= height - to) count(row, from, width - from);
    else {
      count(row, from, Math.min(to, width - from));
      count(row, Math.max(to, width - to), width - from);
    }
  }
  return total === 0 ? 0 : dark / total;
}

function letterCount(mask: Uint8Array, width: number, height: number, maxHeight: number): number {
  let n = 0;
  for (const c of components(mask, width, height)) {
    const w = c.right - c.left;
    const h = c.bottom - c.top;
    if (h >= MIN_LETTER_PX && h <= maxHeight && w <= MAX_WIDE * h && h <= MAX_TALL * w) n++;
  }
  return n;
}

function inverted(image: GrayImage): GrayImage {
  const src = image.data;
  const data = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = 255 - src[i];
  return { ...image, data };
}
