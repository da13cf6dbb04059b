import type { GrayImage } from '../image.js';

export type QuarterTurn = 0 | 90 | 180 | 270;

/**
 * The image turned clockwise by a multiple of 90 degrees (width and height swap for 90 and
 * 270). Exact: pixels are moved, never resampled. Never changes its input (returns it as is for 0).
 */
export function quarterTurn(image: GrayImage, turns: QuarterTurn): GrayImage {
  const { width: w, height: h, data } = image;
  if (turns === 0) return image;
  const out = new Uint8Array(data.length);
  if (turns === 180) {
    const n = data.length;
    for (let i = 0; i < n; i++) out[n - 1 - i] = data[i];
    return { width: w, height: h, data: out, dpi: image.dpi };
  }
  // 90 clockwise: source (x, y) lands at (h-1-y, x); 270: at (y, w-1-x). The output width is h.
  // Written in output order (each output row reads one source column), in tiles so the
  // column reads stay in cache.
  const TILE = 64;
  for (let y0 = 0; y0 < w; y0 += TILE) {
    const y1 = Math.min(w, y0 + TILE);
    for (let x0 = 0; x0 < h; x0 += TILE) {
      const x1 = Math.min(h, x0 + TILE);
      for (let oy = y0; oy < y1; oy++) {
        const row = oy * h;
        if (turns === 90) {
          for (let ox = x0; ox < x1; ox++) out[row + ox] = data[(h - 1 - ox) * w + oy];
        } else {
          for (let ox = x0; ox < x1; ox++) out[row + ox] = data[ox * w + (w - 1 - oy)];
        }
      }
    }
  }
  return { width: h, height: w, data: out, dpi: image.dpi };
}
