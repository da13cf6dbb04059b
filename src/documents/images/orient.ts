/**
 * EXIF orientation applied to a grey page, so a phone photo is read as the photographer saw
 * it. Orientation n says how the stored picture must be turned to be seen (EXIF 2.3, tag 274):
 * 2 mirror, 3 half turn, 4 flip, 5 transpose, 6 quarter turn clockwise, 7 transverse,
 * 8 quarter turn anticlockwise.
 */
import type { GrayImage } from './image.js';

export function orient(image: GrayImage, orientation: number): GrayImage {
  if (orientation < 2 || orientation > 8) return image;
  const { width: w, height: h, data } = image;
  const swap = orientation >= 5;
  const W = swap ? h : w;
  const H = swap ? w : h;
  const out = new Uint8Array(W * H);
  // For each stored pixel (x, y), where it is seen.
  const place: (x: number, y: number) => number = {
    2: (x: number, y: number) => y * W + (w - 1 - x),
    3: (x: number, y: number) => (h - 1 - y) * W + (w - 1 - x),
    4: (x: number, y: number) => (h - 1 - y) * W + x,
    5: (x: number, y: number) => x * W + y,
    6: (x: number, y: number) => x * W + (h - 1 - y),
    7: (x: number, y: number) => (w - 1 - x) * W + (h - 1 - y),
    8: (x: number, y: number) => (w - 1 - x) * W + y,
  }[orientation]!;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[place(x, y)] = data[y * w + x];
  return { width: W, height: H, data: out, dpi: image.dpi };
}
