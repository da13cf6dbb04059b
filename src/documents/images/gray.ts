/**
 * Colour to one byte of grey: integer luma (ITU-R 601, 77 R + 150 G + 29 B) >> 8, which keeps
 * white at 255 and a grey at its own value, with any transparency composited over white
 * paper (a transparent PNG background must not read as black).
 */
import type { GrayImage } from './image.js';

export function grayOf(r: number, g: number, b: number, alpha: number): number {
  const luma = (77 * r + 150 * g + 29 * b) >> 8;
  return alpha === 255 ? luma : ((luma * alpha + 255 * (255 - alpha) + 127) / 255) | 0;
}

/** `pixels` RGBA pixels (4 bytes each) to grey at `out[outOffset…]`. */
export function rgbaToGray(rgba: Uint8Array | Uint8ClampedArray, out: Uint8Array, outOffset: number, pixels: number): void {
  for (let i = 0; i < pixels; i++) out[outOffset + i] = grayOf(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]);
}

/** RGBA (canvas ImageData) to a grey page. */
export function grayFromRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, dpi: number | null): GrayImage {
  const data = new Uint8Array(width * height);
  rgbaToGray(rgba, data, 0, width * height);
  return { width, height, data, dpi };
}
