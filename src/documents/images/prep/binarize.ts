import type { GrayImage } from '../image.js';

/** Pixels a histogram is built from at most: a large page is sampled on a grid (every 2nd row and column of a 300 dpi A4), which moves Otsu's threshold by a grey level at most. */
const HISTOGRAM_SAMPLES = 2_500_000;

/** Grey-level histogram (256 bins) of an image, sampled on a regular grid when it is large. */
export function histogram(image: GrayImage): Uint32Array {
  const hist = new Uint32Array(256);
  const { width, height, data } = image;
  const step = Math.max(1, Math.ceil(Math.sqrt((width * height) / HISTOGRAM_SAMPLES)));
  if (step === 1) {
    for (let i = 0; i < data.length; i++) hist[data[i]]++;
    return hist;
  }
  for (let y = 0; y < height; y += step) {
    const row = y * width;
    for (let x = 0; x < width; x += step) hist[data[row + x]]++;
  }
  return hist;
}

/**
 * Otsu's threshold: the grey level that best splits the histogram into ink and paper
 * (maximum between-class variance). A pixel is ink when its value is <= the threshold.
 * Global, not adaptive: the pages here are scans and renders with even lighting; a photo
 * with a shadow may lose its darker corner, which the OCR engine's own binarisation still sees.
 */
export function otsuThreshold(image: GrayImage): number {
  return otsuOfHistogram(histogram(image));
}

export function otsuOfHistogram(hist: Uint32Array): number {
  let total = 0;
  let sum = 0;
  for (let v = 0; v < 256; v++) {
    total += hist[v];
    sum += v * hist[v];
  }
  if (total === 0) return 127;
  let weightBelow = 0;
  let sumBelow = 0;
  let best = -1;
  let bestAt = 127;
  for (let v = 0; v < 256; v++) {
    weightBelow += hist[v];
    if (weightBelow === 0) continue;
    const weightAbove = total - weightBelow;
    if (weightAbove === 0) break;
    sumBelow += v * hist[v];
    const meanBelow = sumBelow / weightBelow;
    const meanAbove = (sum - sumBelow) / weightAbove;
    const between = weightBelow * weightAbove * (meanBelow - meanAbove) ** 2;
    if (between > best) {
      best = between;
      bestAt = v;
    }
  }
  return bestAt;
}

/** The ink mask of an image: 1 where a pixel is ink (<= threshold), 0 for paper; the threshold defaults to inkThreshold(). */
export function binarize(image: GrayImage, threshold = inkThreshold(image)): Uint8Array {
  const data = image.data;
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] <= threshold ? 1 : 0;
  return out;
}

/**
 * Otsu's threshold, or -1 (nothing is ink) when the two classes it splits differ by less than
 * MIN_CONTRAST grey levels: blank paper with scanner noise has an Otsu threshold inside the
 * noise, and half of it would be called ink.
 */
export function inkThreshold(image: GrayImage): number {
  return inkThresholdOf(histogram(image));
}

export function inkThresholdOf(hist: Uint32Array): number {
  const t = otsuOfHistogram(hist);
  let below = 0;
  let sumBelow = 0;
  let above = 0;
  let sumAbove = 0;
  for (let v = 0; v < 256; v++) {
    if (v <= t) {
      below += hist[v];
      sumBelow += v * hist[v];
    } else {
      above += hist[v];
      sumAbove += v * hist[v];
    }
  }
  if (below === 0 || above === 0) return -1;
  return sumAbove / above - sumBelow / below >= MIN_CONTRAST ? t : -1;
}

/** Ink and paper closer than this (grey levels) are noise on a blank page, not print. */
const MIN_CONTRAST = 48;
