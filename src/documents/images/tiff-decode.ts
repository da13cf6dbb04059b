/**
 * One TIFF page to grey through utif2, strip by strip (or tile by tile): each piece is handed
 * to utif2 as a small image of its own, so a page costs its grey result plus one piece of
 * RGBA, and utif2's whole-page tile path (which prints to stdout) is never used. What utif2
 * cannot decode is refused up front with the page and the compression named.
 *
 * CCITT, LZW and Deflate pieces are decompressed here, bounded by the piece's declared size
 * (utif2's CCITT decoders take quadratic time on a damaged strip, its LZW loops forever on
 * one, its Deflate, pako, inflates a bomb without limit), and handed to utif2 as uncompressed
 * data, which still applies the photometric, predictor and byte order.
 */
import { constants, inflateRawSync } from 'node:zlib';
import UTIF from 'utif2';
import { PdfProblem } from '../../loaders/pdf.js';
import { damaged } from './damaged.js';
import { jpegFrame } from './jpeg-info.js';
import { rgbaToGray } from './gray.js';
import type { GrayImage } from './image.js';
import type { TiffPage } from './tiff-pages.js';
import { pieces, type Piece } from './tiff-pieces.js';
import { ccittDecode } from './tiff-ccitt.js';
import { lzwDecode } from './tiff-lzw.js';
import { num, type TagValue, type TiffStructure } from './tiff-structure.js';

const COMPRESSION: Record<number, string> = {
  1: 'no', 2: 'CCITT RLE', 3: 'CCITT G3 fax', 4: 'CCITT G4 fax', 5: 'LZW', 6: 'old-style JPEG', 7: 'JPEG', 8: 'Deflate',
  32946: 'Deflate', 32773: 'PackBits', 34712: 'JPEG 2000', 34925: 'LZMA', 50000: 'Zstandard', 50001: 'WebP',
};
const DECODABLE = new Set([1, 2, 3, 4, 5, 7, 8, 32946, 32773]);
/** Decoders of our own: compressed piece → its raw bytes, at most `expected` of them. */
type OwnDecoder = (src: Uint8Array, expected: number, where: string, piece: Piece, tags: Map<number, TagValue>) => Uint8Array;
const ccitt = (compression: 2 | 3 | 4): OwnDecoder => (src, _expected, _where, piece, tags) =>
  ccittDecode(src, piece.width, piece.height, { compression, fillOrder: num(tags, 266) ?? 1, t4Options: num(tags, 292) ?? 0 });
const OWN: Record<number, OwnDecoder> = {
  2: ccitt(2), 3: ccitt(3), 4: ccitt(4), 5: (src, expected) => lzwDecode(src, expected), 8: inflateBounded, 32946: inflateBounded,
};

export function decodeTiffPage(tiff: TiffStructure, buffer: ArrayBuffer, page: TiffPage, pageNo: number): GrayImage {
  const tags = tiff.tags(page.ifd);
  const compression = num(tags, 259) ?? 1;
  const bits = num(tags, 258) ?? 1;
  const samples = num(tags, 277) ?? 1;
  const photometric = num(tags, 262) ?? (bits === 1 ? 0 : 2);
  const where = `page ${pageNo} of the TIFF`;
  const refuse = (what: string) => new PdfProblem('parse-error', `${where} ${what}, which halo-data cannot decode`);
  if (!DECODABLE.has(compression)) throw refuse(`uses ${COMPRESSION[compression] ?? `type ${compression}`} compression`);
  if (![1, 2, 4, 8, 16].includes(bits) || samples < 1 || samples > 4) throw refuse(`has ${samples} samples of ${bits} bits per pixel`);
  if (!([0, 1, 2, 3].includes(photometric) || (photometric === 6 && compression === 7))) throw refuse(`has photometric interpretation ${photometric} (not grey, RGB or palette)`);
  if (samples > 1 && num(tags, 284) === 2) throw refuse('stores its colour planes separately');
  if ([2, 3, 4].includes(compression) && (bits !== 1 || samples !== 1)) throw refuse(`is fax-coded with ${samples} samples of ${bits} bits (fax is 1-bit)`);

  const { width, height } = page;
  const data = new Uint8Array(width * height);
  const base = Object.fromEntries([...tags].filter(([t]) => t < 322 || t > 325).map(([t, v]) => [`t${t}`, v]));
  const bytesPerRow = (w: number) => Math.ceil((w * bits * samples) / 8);
  for (const piece of pieces(tiff, tags, page, bytesPerRow(width), where)) {
    let source = buffer;
    let ifd: Record<string, unknown> = { ...base, t256: [piece.width], t257: [piece.height], t278: [piece.height], t273: [piece.offset], t279: [piece.count] };
    const own = OWN[compression];
    if (own) {
      const expected = piece.height * bytesPerRow(piece.width);
      const raw = new Uint8Array(2 + expected);
      raw.set(tiff.le ? [0x49, 0x49] : [0x4d, 0x4d]); // utif2 reads the byte order from the first two bytes
      try {
        raw.set(own(tiff.bytes.subarray(piece.offset, piece.offset + piece.count), expected, where, piece, tags).subarray(0, expected), 2);
      } catch (error) {
        if (error instanceof PdfProblem) throw error;
        throw damaged('tiff', `${where}: ${COMPRESSION[compression]} data is corrupt (${(error as Error).message})`);
      }
      source = raw.buffer;
      ifd = { ...ifd, t259: [1], t273: [2], t279: [expected] };
    }
    if (compression === 7) checkJpegPiece(tiff.bytes.subarray(piece.offset, piece.offset + piece.count), piece, where);
    let rgba: Uint8Array;
    try {
      UTIF.decodeImage(source, ifd as unknown as UTIF.IFD);
      rgba = UTIF.toRGBA8(ifd as unknown as UTIF.IFD);
    } catch (error) {
      throw new PdfProblem('parse-error', `${where} could not be decoded (${COMPRESSION[compression]} compression: ${error instanceof Error ? error.message : String(error)})`);
    }
    const cols = Math.min(piece.width, width - piece.x);
    const rows = Math.min(piece.height, height - piece.y);
    if (piece.width === width) rgbaToGray(rgba, data, piece.y * width + piece.x, cols * rows);
    else for (let r = 0; r < rows; r++) rgbaToGray(rgba.subarray(r * piece.width * 4), data, (piece.y + r) * width + piece.x, cols);
  }
  return { width, height, data, dpi: page.dpi };
}

/**
 * A JPEG strip or tile carries its own frame size, which the JPEG decoder allocates for: it
 * must not be larger than the piece the TIFF header declared (and the limits were checked on).
 */
function checkJpegPiece(strip: Uint8Array, piece: Piece, where: string): void {
  const frame = jpegFrame(strip, 'tiff');
  if (frame.width > piece.width || frame.height > piece.height) {
    throw new PdfProblem('file-too-large', `${where} holds a JPEG of ${frame.width} × ${frame.height} pixels in a piece of ${piece.width} × ${piece.height}`);
  }
}

/**
 * Deflate through Node's zlib, capped: a strip of a few KB can inflate to gigabytes. Output
 * past twice the declared size is a decompression bomb, `file-too-large`; a little extra
 * (padding some writers leave) is dropped. The zlib header and checksum are skipped, as
 * utif2 does, so a wrong checksum alone does not lose the page.
 */
function inflateBounded(src: Uint8Array, expected: number, where: string): Uint8Array {
  try {
    return inflateRawSync(src.subarray(2), { maxOutputLength: 2 * expected + 4096, finishFlush: constants.Z_SYNC_FLUSH });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw error;
    throw new PdfProblem('file-too-large', `${where} holds Deflate data that inflates past its declared ${expected} bytes (a decompression bomb)`);
  }
}
