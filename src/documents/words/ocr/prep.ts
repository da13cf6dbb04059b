import type { GrayImage } from '../../images/image.js';

/**
 * What OCR needs done to a page image before recognition (src/documents/images/prep/ does
 * it). An interface so that tests can give a page as it is, and so the steps are named in
 * one place.
 */
export interface PagePrep {
  /** Whether text lines run horizontally (upright or upside down) or vertically (a quarter turn). */
  textDirection(image: GrayImage): { horizontal: boolean };
  /** Clockwise quarter turns. */
  quarterTurn(image: GrayImage, turns: 90 | 180 | 270): GrayImage;
  /** Degrees the text lines are turned clockwise; rotate(image, -skew) levels them. */
  estimateSkew(image: GrayImage): number;
  rotate(image: GrayImage, degrees: number): GrayImage;
  removeRules(image: GrayImage): GrayImage;
  /** Down to `dpi` when the image is finer (never up). */
  scaleTo(image: GrayImage, dpi: number): GrayImage;
  /** Median character height in pixels; null when there is no text-like ink. */
  textHeight(image: GrayImage): number | null;
}

function quarterTurn(image: GrayImage, turns: 90 | 180 | 270): GrayImage {
  const { width: w, height: h, data } = image;
  const swap = turns !== 180;
  const out = new Uint8Array(w * h);
  const W = swap ? h : w;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x];
      if (turns === 180) out[(h - 1 - y) * w + (w - 1 - x)] = v;
      else if (turns === 90) out[x * W + (h - 1 - y)] = v;
      else out[(w - 1 - x) * W + y] = v;
    }
  }
  return { width: W, height: swap ? w : h, data: out, dpi: image.dpi };
}

function scaleTo(image: GrayImage, dpi: number): GrayImage {
  if (!image.dpi || image.dpi <= dpi * 1.05) return image;
  const f = dpi / image.dpi;
  const W = Math.max(1, Math.round(image.width * f)), H = Math.max(1, Math.round(image.height * f));
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(image.height - 1, Math.floor(y / f));
    for (let x = 0; x < W; x++) out[y * W + x] = image.data[sy * image.width + Math.min(image.width - 1, Math.floor(x / f))];
  }
  return { width: W, height: H, data: out, dpi };
}

/** Until the image steps land: turns and scaling only (no skew, no rule removal). */
export const defaultPrep: PagePrep = {
  textDirection: () => ({ horizontal: true }),
  quarterTurn,
  estimateSkew: () => 0,
  rotate: (image) => image,
  removeRules: (image) => image,
  scaleTo,
  textHeight: () => null,
};
