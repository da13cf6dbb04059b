/**
 * The pixel and page limits, applied to the header facts before any decoding: decoding a page
 * costs width × height bytes of grey (and, on the way, 4 bytes a pixel of RGBA), so a page over
 * the pixel limit is refused as `file-too-large` instead of being allowed to exhaust memory.
 *
 * There is no separate limit on the total pixels of all pages: pages are decoded one at a time
 * and dropped, so memory is bounded by the largest page, and time by maxPages × the per-page
 * time limit of the worker pool.
 */
import { PdfProblem } from '../../loaders/pdf.js';
import { KIND_NAME } from './damaged.js';
import type { ImageInfo } from './image.js';

export interface ImageLimits { maxPixels: number; maxPages: number }

const mp = (pixels: number) => `${Number((pixels / 1e6).toFixed(1))} MP`;

export function checkImageLimits(info: ImageInfo, limits: ImageLimits): void {
  const name = KIND_NAME[info.kind];
  if (info.pages.length > limits.maxPages) {
    throw new PdfProblem('file-too-large', `the ${name} has ${info.pages.length} pages; the limit is ${limits.maxPages}`);
  }
  info.pages.forEach(({ width, height }, i) => {
    if (width * height <= limits.maxPixels) return;
    const which = info.pages.length > 1 ? `page ${i + 1} of the ${name}` : `the ${name}`;
    throw new PdfProblem('file-too-large', `${which} is ${width} × ${height} pixels (${mp(width * height)}); the limit is ${mp(limits.maxPixels)} per page`);
  });
}
