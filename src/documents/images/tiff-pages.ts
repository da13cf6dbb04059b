/**
 * The pages of a TIFF: every IFD in the chain except reduced-resolution copies (NewSubfileType
 * bit 0, the thumbnails some scanners add), each with its size and resolution from the tags.
 * info.ts and the TIFF decoder both go through here, so page N means the same IFD to both.
 */
import { damaged, roundDpi } from './damaged.js';
import { num, tiffDpi, TiffStructure } from './tiff-structure.js';

export interface TiffPage { ifd: number; width: number; height: number; dpi: number | null }

const PAGE_TAGS = new Set([254, 256, 257, 282, 296]);

export function tiffPages(tiff: TiffStructure): TiffPage[] {
  const pages: TiffPage[] = [];
  for (const ifd of tiff.ifdOffsets()) {
    const tags = tiff.tags(ifd, PAGE_TAGS);
    if (((num(tags, 254) ?? 0) & 1) === 1) continue;
    const width = num(tags, 256);
    const height = num(tags, 257);
    if (!width || !height) throw damaged('tiff', `page ${pages.length + 1} has no width or height`);
    pages.push({ ifd, width, height, dpi: roundDpi(tiffDpi(tags) ?? NaN) });
  }
  if (pages.length === 0) throw damaged('tiff', 'it has no page');
  return pages;
}
