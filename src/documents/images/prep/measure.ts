import type { GrayImage } from '../image.js';
import { binarize, histogram, inkThreshold, inkThresholdOf } from './binarize.js';
import { components, type Component } from './components.js';
import { reduceBy } from './scale.js';

/** Pixels measured at most; a larger page is measured on a reduced copy, and again at full size when its letters come out small there. */
const MAX_PIXELS = 3_000_000;
/** Letters shorter than this on the reduced copy are measured again at full size (the reduced copy's rounding would matter). */
const RECHECK_HEIGHT = 16;

/**
 * The height of the page's tall letters (capitals, digits, ascenders — the cap height) in
 * pixels at the image's own resolution: the TALL_PERCENTILE of the heights of the connected
 * components shaped like letters (not specks, rules, boxes, pictures). A percentile above the
 * median because Latin text mixes x-height and cap-height letters about half and half, and a
 * median would jump between the two from page to page. null when there are too few letters
 * (a blank page, a picture). For "too small to read": the engine wants capitals ~20 px high
 * and fails below ~8.
 */
export function textHeight(image: GrayImage): number | null {
  const k = Math.ceil(Math.sqrt((image.width * image.height) / MAX_PIXELS));
  const reduced = letterHeight(reduceBy(image, k));
  if (reduced === null || k === 1) return reduced;
  if (reduced >= RECHECK_HEIGHT) return reduced * k;
  return letterHeight(image);
}

/** Fewer letter-like components than this and there is no text height to speak of. */
const MIN_LETTERS = 10;
/** A letter is no wider than this many times its height (a few letters run together are)... */
const MAX_WIDE = 3;
/** ...nor taller than this many times its width (a "1" or an "l" is thin, a rule is thinner). */
const MAX_TALL = 12;
/** Cap height: about a third of the letters of running text are capitals, digits or ascenders (more in forms). */
const TALL_PERCENTILE = 0.75;
/** Components shorter than this share of the tall letters' height are punctuation or specks. */
const SMALL_SHARE = 0.4;

function letterHeight(image: GrayImage): number | null {
  const threshold = inkThreshold(image);
  if (threshold < 0) return null;
  const maxHeight = image.height / 10;
  const heights = components(binarize(image, threshold), image.width, image.height)
    .filter((c) => isLetterShaped(c, maxHeight))
    .map((c) => c.bottom - c.top)
    .sort((a, b) => a - b);
  if (heights.length < MIN_LETTERS) return null;
  const tall = heights[Math.floor(heights.length * 0.9)];
  const letters = heights.filter((h) => h >= SMALL_SHARE * tall);
  if (letters.length < MIN_LETTERS) return null;
  return letters[Math.floor(letters.length * TALL_PERCENTILE)];
}

function isLetterShaped(c: Component, maxHeight: number): boolean {
  const w = c.right - c.left;
  const h = c.bottom - c.top;
  return h >= 3 && h <= maxHeight && c.pixels >= 3 && w <= MAX_WIDE * h && h <= MAX_TALL * w;
}

/** The share of the page that is ink (0..1): 0 for a blank page, even a noisy scan of one (no ink/paper contrast). */
export function inkRatio(image: GrayImage): number {
  const hist = histogram(image);
  const threshold = inkThresholdOf(hist);
  if (threshold < 0) return 0;
  let ink = 0;
  let total = 0;
  for (let v = 0; v < 256; v++) {
    total += hist[v];
    if (v <= threshold) ink += hist[v];
  }
  return total === 0 ? 0 : ink / total;
}
