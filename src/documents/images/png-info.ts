/**
 * A PNG's size and resolution from its chunks, without inflating any pixel data: IHDR (always
 * first) gives width and height, pHYs gives pixels per metre. Every chunk length is walked to
 * IEND so that a file cut short is refused here and not half-decoded later.
 */
import { damaged, roundDpi } from './damaged.js';
import type { ImageInfo } from './image.js';

export function pngInfo(bytes: Uint8Array): ImageInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunkType = (at: number) => String.fromCharCode(...bytes.subarray(at + 4, at + 8));
  if (bytes.length < 8 + 8 + 13 || chunkType(8) !== 'IHDR' || view.getUint32(8) !== 13) {
    throw damaged('png', 'the IHDR header is missing');
  }
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) {
    throw damaged('png', `IHDR says ${width} × ${height} pixels`);
  }
  let dpi: number | null = null;
  for (let at = 8; ; ) {
    if (at + 12 > bytes.length) throw damaged('png', 'it ends before the IEND chunk');
    const length = view.getUint32(at);
    const type = chunkType(at);
    if (at + 12 + length > bytes.length) throw damaged('png', `the ${type} chunk runs past the end of the file`);
    // pHYs unit 1 is the metre; unit 0 gives only the aspect ratio, no resolution.
    if (type === 'pHYs' && length === 9 && bytes[at + 16] === 1) dpi = roundDpi(view.getUint32(at + 8) * 0.0254);
    if (type === 'IEND') break;
    at += 12 + length;
  }
  return { kind: 'png', pages: [{ width, height, dpi }] };
}
