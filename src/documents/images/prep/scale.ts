import type { GrayImage } from '../image.js';

/**
 * Resampling. Down: area averaging (each output pixel is the mean of the source area it
 * covers, so thin strokes fade to grey instead of vanishing or aliasing, and the mean grey
 * is kept). Up: bilinear (photos of small text, where the engine needs ~20 px characters).
 * Never changes its input; returns it as is when the size would not change.
 */

/** Scales to `targetDpi` when the image's dpi is higher; lower only with `upscale` (never without a known dpi). */
export function scaleTo(image: GrayImage, targetDpi: number, options: { upscale?: boolean } = {}): GrayImage {
  if (image.dpi === null || image.dpi <= 0) return image;
  if (image.dpi <= targetDpi && !options.upscale) return image;
  return scaleBy(image, targetDpi / image.dpi);
}

/** Scales to a width in pixels, keeping the aspect ratio (for images without a dpi). */
export function scaleToWidth(image: GrayImage, width: number): GrayImage {
  return scaleBy(image, width / image.width);
}

/** Scales by `factor` (the dpi, when known, scales with it); the size is rounded, at least 1 px. */
export function scaleBy(image: GrayImage, factor: number): GrayImage {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new RangeError(`scale factor must be a positive number, got ${factor}`);
  const width = Math.max(1, Math.round(image.width * factor));
  const height = Math.max(1, Math.round(image.height * factor));
  if (width === image.width && height === image.height) return image;
  const k = image.width / width;
  if (Number.isInteger(k) && k === image.height / height) return reduceBy(image, k); // same result, integer sums
  const dpi = image.dpi === null ? null : image.dpi * factor;
  const data =
    width <= image.width && height <= image.height
      ? areaAverage(image, width, height)
      : bilinear(image, width, height);
  return { width, height, data, dpi };
}

/** For each output pixel, the source pixels it covers and their weights (which sum to 1). */
interface Spans {
  offsets: Int32Array;
  index: Int32Array;
  weight: Float32Array;
}

function spans(source: number, target: number): Spans {
  const step = source / target;
  const offsets = new Int32Array(target + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < target; i++) {
    offsets[i] = index.length;
    const a = i * step;
    const b = Math.min(source, (i + 1) * step);
    for (let j = Math.floor(a); j < b; j++) {
      const w = Math.min(b, j + 1) - Math.max(a, j);
      if (w <= 1e-9) continue;
      index.push(j);
      weight.push(w / (b - a));
    }
  }
  offsets[target] = index.length;
  return { offsets, index: Int32Array.from(index), weight: Float32Array.from(weight) };
}

function areaAverage(image: GrayImage, width: number, height: number): Uint8Array {
  const { width: sw, data } = image;
  const rows = spans(image.height, height);
  const cols = spans(sw, width);
  const out = new Uint8Array(width * height);
  const acc = new Float32Array(sw);
  for (let oy = 0; oy < height; oy++) {
    acc.fill(0);
    for (let k = rows.offsets[oy]; k < rows.offsets[oy + 1]; k++) {
      const w = rows.weight[k];
      const base = rows.index[k] * sw;
      for (let x = 0; x < sw; x++) acc[x] += w * data[base + x];
    }
    const row = oy * width;
    for (let ox = 0; ox < width; ox++) {
      let sum = 0;
      for (let k = cols.offsets[ox]; k < cols.offsets[ox + 1]; k++) sum += cols.weight[k] * acc[cols.index[k]];
      out[row + ox] = sum + 0.5; // Uint8Array truncates: +0.5 rounds
    }
  }
  return out;
}

/** Bilinear with pixel centres aligned (a half-pixel offset), edges clamped. */
function bilinear(image: GrayImage, width: number, height: number): Uint8Array {
  const { width: sw, height: sh, data } = image;
  const out = new Uint8Array(width * height);
  const fx = sw / width;
  const fy = sh / height;
  const x0s = new Int32Array(width);
  const x1s = new Int32Array(width);
  const wxs = new Float32Array(width);
  for (let ox = 0; ox < width; ox++) {
    const sx = Math.min(sw - 1, Math.max(0, (ox + 0.5) * fx - 0.5));
    x0s[ox] = Math.floor(sx);
    x1s[ox] = Math.min(sw - 1, x0s[ox] + 1);
    wxs[ox] = sx - x0s[ox];
  }
  for (let oy = 0; oy < height; oy++) {
    const sy = Math.min(sh - 1, Math.max(0, (oy + 0.5) * fy - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = sy - y0;
    const r0 = y0 * sw;
    const r1 = y1 * sw;
    const row = oy * width;
    for (let ox = 0; ox < width; ox++) {
      const a = x0s[ox];
      const b = x1s[ox];
      const wx = wxs[ox];
      const top = data[r0 + a] + wx * (data[r0 + b] - data[r0 + a]);
      const bottom = data[r1 + a] + wx * (data[r1 + b] - data[r1 + a]);
      out[row + ox] = top + wy * (bottom - top) + 0.5;
    }
  }
  return out;
}

/**
 * A quick reduction by a whole factor k: each output pixel is the mean of a k × k block
 * (integer sums, no weights), and the last width % k columns and height % k rows are
 * dropped. For the working copies the estimates are made on, where speed matters and a
 * sliver of the page's edge does not; the dpi is divided by k.
 */
export function reduceBy(image: GrayImage, k: number): GrayImage {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`reduction must be a whole factor, got ${k}`);
  if (k === 1) return image;
  const { width: sw, data } = image;
  const width = Math.max(1, Math.floor(sw / k));
  const height = Math.max(1, Math.floor(image.height / k));
  const out = new Uint8Array(width * height);
  const acc = new Uint32Array(width);
  const rowsPerBlock = Math.min(k, image.height);
  const colsPerBlock = Math.min(k, sw);
  const area = rowsPerBlock * colsPerBlock;
  const half = area >> 1;
  for (let oy = 0; oy < height; oy++) {
    acc.fill(0);
    for (let r = 0; r < rowsPerBlock; r++) {
      const base = (oy * k + r) * sw;
      // The usual factors written out: the general loop costs twice as much per pixel.
      if (colsPerBlock === 2) {
        for (let ox = 0, x = base; ox < width; ox++, x += 2) acc[ox] += data[x] + data[x + 1];
      } else if (colsPerBlock === 3) {
        for (let ox = 0, x = base; ox < width; ox++, x += 3) acc[ox] += data[x] + data[x + 1] + data[x + 2];
      } else {
        for (let ox = 0, x = base; ox < width; ox++) for (let c = 0; c < colsPerBlock; c++, x++) acc[ox] += data[x];
      }
    }
    const row = oy * width;
    for (let ox = 0; ox < width; ox++) out[row + ox] = ((acc[ox] + half) / area) | 0;
  }
  return { width, height, data: out, dpi: image.dpi === null ? null : image.dpi / k };
}
