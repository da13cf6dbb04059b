import type { DocumentPages, Page } from '../page.js';
import type { GrayImage } from '../images/image.js';
import { imageInfo } from '../images/info.js';
import { decodePages } from '../images/decode.js';

/**
 * An image file (PNG, JPEG, TIFF — a multi-page TIFF too) as a claim document: every page
 * decoded one at a time, after the pixel and page limits were checked on its headers, and
 * recognised. A page's image is dropped before the next is decoded: memory is one page.
 */
export interface ImageOcr {
  maxPixels: number;
  maxPages: number;
  recognize(page: number, image: GrayImage): Promise<Page>;
}

export async function readImagePages(bytes: Uint8Array, ocr: ImageOcr): Promise<DocumentPages> {
  const info = imageInfo(bytes);
  const pages: Page[] = [];
  let n = 0;
  for await (const image of decodePages(bytes, info, { maxPixels: ocr.maxPixels, maxPages: ocr.maxPages })) {
    pages.push(await ocr.recognize(++n, image));
  }
  return { pages, source: 'ocr' };
}
