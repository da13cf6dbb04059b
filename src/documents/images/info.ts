/**
 * What an image file's headers say — kind, pages, size and resolution — read before any pixel
 * is decoded, so that limits.ts can refuse a 20,000 × 20,000 PNG or a TIFF bomb while it is
 * still a few bytes of header.
 */
import { PdfProblem } from '../../loaders/pdf.js';
import type { ImageInfo } from './image.js';
import { jpegInfo } from './jpeg-info.js';
import { pngInfo } from './png-info.js';
import { imageKind } from './sniff.js';
import { tiffPages } from './tiff-pages.js';
import { TiffStructure } from './tiff-structure.js';

/** Throws PdfProblem 'parse-error' for bytes that are not a PNG/JPEG/TIFF or whose headers are damaged or truncated. */
export function imageInfo(bytes: Uint8Array): ImageInfo {
  const kind = imageKind(bytes.subarray(0, 8));
  if (kind === 'png') return pngInfo(bytes);
  if (kind === 'jpeg') return jpegInfo(bytes);
  if (kind === 'tiff') {
    const pages = tiffPages(new TiffStructure(bytes, 'tiff')).map(({ width, height, dpi }) => ({ width, height, dpi }));
    return { kind, pages };
  }
  throw new PdfProblem('parse-error', 'the file is not a PNG, JPEG or TIFF image');
}
