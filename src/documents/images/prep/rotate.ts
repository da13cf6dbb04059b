import type { GrayImage } from '../image.js';

const WHITE = 255;

/**
 * The image rotated clockwise by `degrees` about its centre: bilinear, paper-white where the
 * turned page does not cover. The size is kept by default, so pixel positions (and the points
 * they convert to at the page's dpi) stay on the same page frame; a 4 degree turn of an A4
 * page moves its corners ~0.4 inch, inside the margins of any printed form, and the text of
 * a skewed scan is turned back into the frame it came from. `expand` grows the canvas to hold
 * every source pixel instead (for a photo cropped tight to its text).
 */
export function rotate(image: GrayImage, degrees: number, options: { expand?: boolean } = {}): GrayImage {
  if (!Number.isFinite(degrees)) throw new RangeError(`rotation must be a finite number of degrees, got ${degrees}`);
  if (Math.abs(degrees) < 0.01) return image;
  const { width: sw, height: sh, data } = image;
  const rad = (degrees * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const width = options.expand ? Math.ceil(Math.abs(sw * cos) + Math.abs(sh * sin) - 1e-6) : sw;
  const height = options.expand ? Math.ceil(Math.abs(sw * sin) + Math.abs(sh * cos) - 1e-6) : sh;
  const out = new Uint8Array(width * height);
  // Output pixel centre o maps back to source s = R(-θ)(o - c_out) + c_in, with R(θ)
  // clockwise in y-down pixel space: x' = x cosθ - y sinθ, y' = x sinθ + y cosθ.
  const scx = (sw - 1) / 2;
  const scy = (sh - 1) / 2;
  const ocx = (width - 1) / 2;
  const ocy = (height - 1) / 2;
  for (let oy = 0; oy < height; oy++) {
    const dy = oy - ocy;
    const sx0 = -ocx * cos + dy * sin + scx;
    const sy0 = ocx * sin + dy * cos + scy;
    const row = oy * width;
    // Where both source neighbours are on the page (one pixel short of the exact bounds, for
    // rounding), pixels are read without checks in 8-bit fixed point; the rest take the slow path.
    const [xlo, xhi] = inside(sx0, cos, sw);
    const [ylo, yhi] = inside(sy0, -sin, sh);
    const lo = Math.max(0, xlo, ylo);
    const hi = Math.min(width - 1, xhi, yhi);
    for (let ox = 0; ox < Math.min(lo, width); ox++) out[row + ox] = edge(data, sw, sh, sx0 + ox * cos, sy0 - ox * sin);
    if (lo <= hi) {
      let fx = Math.round((sx0 + lo * cos) * 65536);
      let fy = Math.round((sy0 - lo * sin) * 65536);
      const dx = Math.round(cos * 65536);
      const dyStep = Math.round(-sin * 65536);
      for (let ox = lo; ox <= hi; ox++, fx += dx, fy += dyStep) {
        const i = (fy >> 16) * sw + (fx >> 16);
        const wx = (fx >> 8) & 255;
        const wy = (fy >> 8) & 255;
        const a = data[i];
        const c = data[i + sw];
        const top = (a << 8) + (data[i + 1] - a) * wx;
        const bottom = (c << 8) + (data[i + sw + 1] - c) * wx;
        out[row + ox] = ((top << 8) + (bottom - top) * wy + 32768) >> 16;
      }
    }
    for (let ox = Math.max(hi + 1, lo, 0); ox < width; ox++) out[row + ox] = edge(data, sw, sh, sx0 + ox * cos, sy0 - ox * sin);
  }
  return { width, height, data: out, dpi: image.dpi };
}

/** The ox range (conservative) where p0 + ox * dp stays in [0, size - 2], so p and p + 1 are both pixels. */
function inside(p0: number, dp: number, size: number): [number, number] {
  const max = size - 2;
  if (Math.abs(dp) < 1e-12) return p0 >= 0 && p0 <= max ? [0, Number.MAX_SAFE_INTEGER] : [1, 0];
  let lo = (0 - p0) / dp;
  let hi = (max - p0) / dp;
  if (lo > hi) [lo, hi] = [hi, lo];
  return [Math.ceil(lo) + 1, Math.floor(hi) - 1];
}

/** Bilinear at a source position near or off the page's edge. */
function edge(data: Uint8Array, w: number, h: number, sx: number, sy: number): number {
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) return WHITE;
  const fx = sx - x0;
  const fy = sy - y0;
  const a = at(data, w, h, x0, y0);
  const b = at(data, w, h, x0 + 1, y0);
  const c = at(data, w, h, x0, y0 + 1);
  const d = at(data, w, h, x0 + 1, y0 + 1);
  const top = a + fx * (b - a);
  const bottom = c + fx * (d - c);
  return top + fy * (bottom - top) + 0.5;
}

/** A source pixel, white off the page (so the page's edge fades into the fill instead of smearing). */
function at(data: Uint8Array, w: number, h: number, x: number, y: number): number {
  return x >= 0 && y >= 0 && x < w && y < h ? data[y * w + x] : WHITE;
}
