import type { GrayImage } from '../image.js';
import { scaleBy } from './scale.js';
import { binarize } from './binarize.js';
import { Projection } from './profile.js';

/**
 * The small binarised copy that estimates (direction, skew) work on: a page's structure —
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

export function inkCopy(image: GrayImage, dpi: number): InkCopy {
  const sourceDpi = nominalDpi(image);
  const factor = Math.min(1, dpi / sourceDpi);
  const small = scaleBy(image, factor);
  const scaled = small.width / image.width;
  return { width: small.width, height: small.height, ink: binarize(small), factor: scaled, dpi: sourceDpi * scaled };
}

/** The copy mirrored about its diagonal (columns become rows), to measure columns with the code that measures rows. */
export function transpose(copy: InkCopy): InkCopy {
  const { width, height, ink } = copy;
  const out = new Uint8Array(ink.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) out[x * height + y] = ink[row + x];
  }
  return { ...copy, width: height, height: width, ink: out };
}

/**
 * The ink pixels on a horizontal edge of a stroke — an ink pixel with paper below (`bottom`),
 * or with paper above or below (`top-bottom`) — ready to be projected. Pixels of horizontal
 * ink runs longer than `maxRun` (ruling lines, underlines) are left out when asked.
 */
export function edgePoints(copy: InkCopy, edges: 'bottom' | 'top-bottom', maxTan: number, maxRun = Infinity): Projection {
  const { width, height, ink } = copy;
  const xs: number[] = [];
  const ys: number[] = [];
  const cx = (width - 1) / 2;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let x = 0;
    while (x < width) {
      if (ink[row + x] === 0) {
        x++;
        continue;
      }
      let end = x;
      while (end < width && ink[row + end] === 1) end++;
      if (end - x <= maxRun) {
        for (let i = x; i < end; i++) {
          const below = y + 1 < height ? ink[row + width + i] : 0;
          const above = y > 0 ? ink[row - width + i] : 0;
          if (below === 0 || (edges === 'top-bottom' && above === 0)) {
            xs.push(i - cx);
            ys.push(y);
          }
        }
      }
      x = end;
    }
  }
  return new Projection(Float32Array.from(xs), Float32Array.from(ys), height, width / 2, maxTan);
}
