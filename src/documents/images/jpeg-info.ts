/**
 * A JPEG's size, resolution and EXIF orientation from the segments before the image data:
 * the SOFn frame header gives the stored width and height, JFIF (APP0) or EXIF (APP1) the
 * density, and EXIF tag 274 how a phone wants the picture turned. The size reported is the
 * size as seen, after that turn, which is also the size decode.ts yields.
 */
import { damaged, roundDpi } from './damaged.js';
import type { ImageInfo, ImageKind } from './image.js';
import { num, tiffDpi, TiffStructure } from './tiff-structure.js';

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
const isFrameHeader = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
/** Markers with no length after them. */
const isStandalone = (m: number) => m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7);
const ascii = (b: Uint8Array) => String.fromCharCode(...b);

export function jpegInfo(bytes: Uint8Array): ImageInfo {
  let jfifDpi: number | null = null;
  let exif: { dpi: number | null; orientation: number } | undefined;
  const { width, height } = jpegFrame(bytes, 'jpeg', (marker, segment, at) => {
    if (marker === 0xe0 && ascii(segment.subarray(0, 5)) === 'JFIF\0' && segment.length >= 12) {
      // Units 1 = dots per inch, 2 = per cm, 0 = aspect ratio only.
      const units = segment[7];
      const density = (segment[8] << 8) | segment[9];
      if (units === 1 || units === 2) jfifDpi = roundDpi(units === 2 ? density * 2.54 : density);
    }
    if (marker === 0xe1 && !exif && ascii(segment.subarray(0, 6)) === 'Exif\0\0') exif = readExif(bytes, at + 6);
  });
  const orientation = exif?.orientation ?? 1;
  const turned = orientation >= 5; // 5–8 swap rows and columns
  const page = { width: turned ? height : width, height: turned ? width : height, dpi: jfifDpi ?? exif?.dpi ?? null };
  return { kind: 'jpeg', pages: [orientation === 1 ? page : { ...page, orientation }] };
}

/**
 * The stored size from the first frame header (SOFn), walking the segments after SOI; `visit`
 * sees every segment before it (marker, body, where the body starts). Also used on the JPEG
 * inside a TIFF strip, whose size must be checked before the decoder allocates for it.
 */
export function jpegFrame(bytes: Uint8Array, kind: ImageKind, visit?: (marker: number, segment: Uint8Array, at: number) => void): { width: number; height: number } {
  const u16 = (at: number) => (bytes[at] << 8) | bytes[at + 1];
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw damaged(kind, 'a JPEG stream does not start with SOI');
  for (let at = 2; ; ) {
    if (at + 2 > bytes.length) throw damaged(kind, 'it ends before the frame header');
    if (bytes[at] !== 0xff) throw damaged(kind, `no segment marker at byte ${at}`);
    while (bytes[at + 1] === 0xff && at + 2 < bytes.length) at++; // fill bytes before a marker
    const marker = bytes[at + 1];
    at += 2;
    if (isStandalone(marker)) continue;
    if (marker === 0xda || marker === 0xd9) throw damaged(kind, 'no frame header before the image data');
    if (at + 2 > bytes.length || u16(at) < 2 || at + u16(at) > bytes.length) {
      throw damaged(kind, `segment FF${marker.toString(16).toUpperCase()} runs past the end of the file`);
    }
    const segment = bytes.subarray(at + 2, at + u16(at));
    if (isFrameHeader(marker)) {
      if (segment.length < 6) throw damaged(kind, 'the frame header is too short');
      const height = u16(at + 3);
      const width = u16(at + 5);
      if (width === 0 || height === 0) throw damaged(kind, `the frame header says ${width} × ${height} pixels`);
      return { width, height };
    }
    visit?.(marker, segment, at + 2);
    at += u16(at);
  }
}

/**
 * Orientation and density from EXIF IFD0. A damaged EXIF block does not stop the photo from
 * being read: it is ignored (upright, no dpi), as viewers do, and OCR's own turn search covers
 * a page that then comes out sideways.
 */
function readExif(bytes: Uint8Array, base: number): { dpi: number | null; orientation: number } | undefined {
  try {
    const tiff = new TiffStructure(bytes, 'jpeg', base);
    const tags = tiff.tags(tiff.ifdAt(tiff.u32(base + 4)), new Set([274, 282, 296]));
    const orientation = num(tags, 274) ?? 1;
    return { dpi: roundDpi(tiffDpi(tags) ?? NaN), orientation: orientation >= 1 && orientation <= 8 ? orientation : 1 };
  } catch {
    return undefined;
  }
}
