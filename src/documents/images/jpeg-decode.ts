/**
 * A JPEG page through the pdf.js JPEG decoder that utif2 bundles (baseline, extended and
 * progressive; one frame), in plain JavaScript. Not through @napi-rs/canvas: its loadImage
 * crashes the whole process (SIGSEGV, not an exception) on a JPEG with one damaged byte in
 * its scan data, and a claim photo is untrusted input. EXIF orientation is applied after.
 */
import UTIF from 'utif2';
import { damaged } from './damaged.js';
import type { GrayImage, ImageInfo } from './image.js';
import { orient } from './orient.js';

interface JpegDecoder {
  width: number;
  height: number;
  parse(data: Uint8Array): void;
  getData(o: { width: number; height: number; forceRGB: boolean; isSourcePDF: boolean }): Uint8Array | Uint8ClampedArray;
}
const Decoder = (UTIF as unknown as { JpegDecoder: new () => JpegDecoder }).JpegDecoder;

export function decodeJpeg(bytes: Uint8Array, info: ImageInfo): GrayImage {
  const { width, height, dpi, orientation = 1 } = info.pages[0];
  const [storedW, storedH] = orientation >= 5 ? [height, width] : [width, height];
  let rgb: Uint8Array | Uint8ClampedArray;
  const decoder = new Decoder();
  try {
    decoder.parse(bytes);
    if (decoder.width !== storedW || decoder.height !== storedH) {
      throw new Error(`the frame is ${decoder.width} × ${decoder.height}, the header said ${storedW} × ${storedH}`);
    }
    rgb = decoder.getData({ width: storedW, height: storedH, forceRGB: true, isSourcePDF: false });
  } catch (error) {
    throw damaged('jpeg', `it could not be decoded: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (rgb.length < storedW * storedH * 3) throw damaged('jpeg', 'it decodes to fewer pixels than its header says');
  const data = new Uint8Array(storedW * storedH);
  for (let i = 0; i < data.length; i++) data[i] = (77 * rgb[3 * i] + 150 * rgb[3 * i + 1] + 29 * rgb[3 * i + 2]) >> 8;
  return orient({ width: storedW, height: storedH, data, dpi }, orientation);
}
