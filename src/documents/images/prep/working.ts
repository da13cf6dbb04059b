import type { GrayImage } from '../image.js';
import { reduceBy } from './scale.js';
import { binarize } from './binarize.js';
import { Projection } from './profile.js';

/**
 * The small binarised copy that the estimates (text direction, skew) work on: a page's structure —
 * text lines, their slope — shows at ~100 dpi, and a 300 dpi page shrinks 9-fold.
 * Without a dpi, the short side is taken to be an A4 width (a photo of a bill fills the frame).
 */
export interface InkCopy {
  width: number;
  height: number;
  /** 1 = ink. */
  ink: Uint8Array;
  /** Working pixels per source pixel. */
  factor: number;
  /** The copy's resolution (assumed, when the source has no dpi). */
  dpi: number;
}

const A4_WIDTH_INCHES = 8.27;

/** The image's dpi, or for an image without one the dpi its short side would have as an A4 page's width. */
export function nominalDpi(image: GrayImage): number {
  return image.dpi ?? Math.min(image.width, image.height) / A4_WIDTH_INCHES;
}

/** A copy at about `dpi`: reduced by the whole factor nearest to reaching it (300 → 100 by 3, 150 → 75 by 2), never enlarged. */
export function inkCopy(image: GrayImage, dpi: number): InkCopy {
  const sourceDpi = nominalDpi(image);
  const k = Math.max(1, Math.round(sourceDpi / dpi));
  const small = reduceBy(image, k);
  return { width: small.width, height: small.height, ink: binarize(small), factor: 1 / k, dpi: sourceDpi / k };
}

/**
 * The ink pixels on the bottom edge of a stroke (an ink pixel with paper below), ready to be
 * projected: baselines give sharp profile peaks, and a fat bold title counts no more than its outline.
 */
export function baselinePoints(copy: InkCopy, maxTan: number): Projection {
  const { width, height, ink } = copy;
  const xs: number[] = [];
  const ys: number[] = [];
  const cx = (width - 1) / 2;
  for (let y = 0; y < height - 1; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (ink[row + x] === 1 && ink[row + width + x] === 0) {
        xs.push(x - cx);
        ys.push(y);
      }
    }
  }
  return new Projection(Float32Array.from(xs), Float32Array.from(ys), height, width / 2, maxTan);
}
