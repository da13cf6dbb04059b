/**
 * Image bytes to grey pages, one at a time: a multi-page TIFF yields page 1 and lets it go
 * before page 2 is decoded, so memory stays at one page however many there are. The limits
 * are a required argument and are checked before the first pixel is decoded. Every decoder
 * here is plain JavaScript (or Node's zlib): a hostile file can throw, never crash the process.
 */
import type { GrayImage, ImageInfo } from './image.js';
import { decodeJpeg } from './jpeg-decode.js';
import { checkImageLimits, type ImageLimits } from './limits.js';
import { decodePng } from './png-decode.js';
import { decodeTiffPage } from './tiff-decode.js';
import { tiffPages } from './tiff-pages.js';
import { TiffStructure } from './tiff-structure.js';

/**
 * `info` must be imageInfo(bytes). Throws PdfProblem 'file-too-large' at the call (not at the
 * first `next()`) when a page is over the limits; from the iteration, 'parse-error' when a
 * page is damaged or of a kind that cannot be decoded, 'file-too-large' for compressed data
 * that inflates past what the header declares.
 */
export function decodePages(bytes: Uint8Array, info: ImageInfo, limits: ImageLimits): AsyncGenerator<GrayImage> {
  checkImageLimits(info, limits);
  return pages(bytes, info);
}

async function* pages(bytes: Uint8Array, info: ImageInfo): AsyncGenerator<GrayImage> {
  if (info.kind === 'png') yield decodePng(bytes, info);
  if (info.kind === 'jpeg') yield decodeJpeg(bytes, info);
  if (info.kind !== 'tiff') return;
  const tiff = new TiffStructure(bytes, 'tiff');
  const found = tiffPages(tiff);
  // utif2 reads offsets from the start of an ArrayBuffer: give it one that starts at the file.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const buffer = (whole ? bytes.buffer : new Uint8Array(bytes).buffer) as ArrayBuffer; // a copy (Buffer#slice would not copy)
  for (const [i, page] of found.entries()) {
    const expected = info.pages[i];
    if (!expected || expected.width !== page.width || expected.height !== page.height || found.length !== info.pages.length) {
      throw new Error('decodePages: the ImageInfo given is not the one of these bytes (the limits were checked on other sizes)');
    }
    yield decodeTiffPage(tiff, buffer, page, i + 1);
  }
}
