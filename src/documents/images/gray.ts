import type { GrayImage } from './image.js';

/** RGBA (canvas ImageData) to one grey byte per pixel, alpha composited over white paper. Integer luma (ITU-R 601). */
export function grayFromRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, dpi: number | null): GrayImage {
  const data = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < data.length; i++, j += 4) {
    const a = rgba[j + 3];
    const luma = (rgba[j] * 77 + rgba[j + 1] * 150 + rgba[j + 2] * 29) >> 8;
    data[i] = a === 255 ? luma : (luma * a + 255 * (255 - a) + 127) / 255 | 0;
  }
  return { width, height, data, dpi };
}
