/**
 * A PNG page decoded in plain JavaScript: the IDAT stream inflated by Node's zlib, capped at
 * twice the size IHDR implies (a PNG whose data inflates further is a bomb: `file-too-large`), then
 * unfiltered row by row — both interlacings, every colour type and bit depth, tRNS — to grey
 * over white. Not through @napi-rs/canvas: its loadImage crashes the process (SIGSEGV) on a
 * PNG with one damaged byte in a chunk name, and a claim scan is untrusted input.
 */
import { constants, inflateSync } from 'node:zlib';
import { PdfProblem } from '../../loaders/pdf.js';
import { damaged } from './damaged.js';
import { grayOf } from './gray.js';
import type { GrayImage, ImageInfo } from './image.js';

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
/** Adam7 passes: first column, first row, column step, row step. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

interface Chunks { depth: number; colour: number; interlaced: boolean; palette?: Uint8Array; trns?: Uint8Array; idat: Uint8Array }

export function decodePng(bytes: Uint8Array, info: ImageInfo): GrayImage {
  const { width, height, dpi } = info.pages[0];
  const { depth, colour, interlaced, palette, trns, idat } = readChunks(bytes);
  if (!DEPTHS[colour]?.includes(depth)) throw damaged('png', `colour type ${colour} with ${depth}-bit samples is not a PNG format`);
  if (colour === 3 && !palette) throw damaged('png', 'it has no palette');
  const bits = CHANNELS[colour] * depth;
  const passes = (interlaced ? ADAM7 : [[0, 0, 1, 1]])
    .map(([x0, y0, dx, dy]) => ({ x0, y0, dx, dy, w: Math.ceil((width - x0) / dx), h: Math.ceil((height - y0) / dy) }))
    .filter((p) => p.w > 0 && p.h > 0);
  const expected = passes.reduce((n, p) => n + p.h * (1 + Math.ceil((p.w * bits) / 8)), 0);
  const raw = inflate(idat, expected);
  const out = new Uint8Array(width * height);
  const pixel = pixelReader(colour, depth, palette, trns);
  let at = 0;
  for (const p of passes) {
    const rowBytes = Math.ceil((p.w * bits) / 8);
    let prev: Uint8Array = new Uint8Array(rowBytes);
    for (let r = 0; r < p.h; r++, at += 1 + rowBytes) {
      const row = unfilter(raw[at], raw.subarray(at + 1, at + 1 + rowBytes), prev, Math.max(1, bits >> 3));
      for (let i = 0; i < p.w; i++) out[(p.y0 + r * p.dy) * width + p.x0 + i * p.dx] = pixel(row, i);
      prev = row;
    }
  }
  return { width, height, data: out, dpi };
}

function readChunks(bytes: Uint8Array): Chunks {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  const found: Partial<Chunks> = {};
  // Chunk lengths were checked by pngInfo: every chunk lies inside the bytes, up to IEND.
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') Object.assign(found, { depth: body[8], colour: body[9], interlaced: body[12] === 1 });
    if (type === 'PLTE') found.palette = body;
    if (type === 'tRNS') found.trns = body;
    if (type === 'IDAT') parts.push(body);
    if (type === 'IEND') break;
    at += 12 + length;
  }
  if (parts.length === 0) throw damaged('png', 'it has no image data');
  return { ...(found as Chunks), idat: parts.length === 1 ? parts[0] : Buffer.concat(parts) };
}

function inflate(idat: Uint8Array, expected: number): Uint8Array {
  let raw: Buffer;
  try {
    raw = inflateSync(idat, { maxOutputLength: 2 * expected + 4096, finishFlush: constants.Z_SYNC_FLUSH });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PdfProblem('file-too-large', `the PNG's pixel data inflates far past the ${expected} bytes its header declares (a decompression bomb)`);
    }
    throw damaged('png', `its pixel data is corrupt: ${(error as Error).message}`);
  }
  if (raw.length < expected) throw damaged('png', `its pixel data stops after ${raw.length} of ${expected} bytes`);
  return raw;
}

/** Undoes one row's filter (PNG spec §9) into a new row: one loop per filter type, this is the hot path. */
function unfilter(filter: number, row: Uint8Array, prev: Uint8Array, bpp: number): Uint8Array {
  const out = new Uint8Array(row);
  const n = row.length;
  if (filter === 0) return out;
  if (filter === 1) for (let i = bpp; i < n; i++) out[i] = out[i] + out[i - bpp];
  else if (filter === 2) for (let i = 0; i < n; i++) out[i] = out[i] + prev[i];
  else if (filter === 3) for (let i = 0; i < n; i++) out[i] = out[i] + (((i >= bpp ? out[i - bpp] : 0) + prev[i]) >> 1);
  else if (filter === 4) {
    for (let i = 0; i < n; i++) {
      const a = i >= bpp ? out[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
      out[i] = out[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }
  } else throw damaged('png', `a row has filter type ${filter}`);
  return out;
}

/** Grey of pixel i of an unfiltered row, for this colour type and depth. */
function pixelReader(colour: number, depth: number, palette?: Uint8Array, trns?: Uint8Array): (row: Uint8Array, i: number) => number {
  const channels = CHANNELS[colour];
  const max = (1 << depth) - 1;
  const sample = depth === 16 ? (row: Uint8Array, s: number) => (row[2 * s] << 8) | row[2 * s + 1]
    : depth === 8 ? (row: Uint8Array, s: number) => row[s]
    : (row: Uint8Array, s: number) => (row[(s * depth) >> 3] >> (8 - depth - ((s * depth) & 7))) & max;
  const to8 = (v: number) => (depth === 16 ? v >> 8 : depth === 8 ? v : Math.round((v * 255) / max));
  // tRNS for grey and RGB is one colour key, in samples of the image's depth.
  const key = trns && (colour === 0 || colour === 2) ? Array.from({ length: colour === 0 ? 1 : 3 }, (_, k) => (trns[2 * k] << 8) | trns[2 * k + 1]) : undefined;
  if (colour === 3) {
    return (row, i) => {
      const k = sample(row, i);
      if (3 * k + 2 >= palette!.length) return 0; // an index past the palette: black, as libpng does
      return grayOf(palette![3 * k], palette![3 * k + 1], palette![3 * k + 2], trns && k < trns.length ? trns[k] : 255);
    };
  }
  // No closure is made per pixel: they cost a property definition each under tsx (keepNames).
  return (row, i) => {
    const s = i * channels;
    const g = sample(row, s);
    if (colour === 0) { const v = to8(g); return grayOf(v, v, v, key && g === key[0] ? 0 : 255); }
    if (colour === 4) { const v = to8(g); return grayOf(v, v, v, to8(sample(row, s + 1))); }
    const gg = sample(row, s + 1);
    const b = sample(row, s + 2);
    const alpha = colour === 6 ? to8(sample(row, s + 3)) : key && g === key[0] && gg === key[1] && b === key[2] ? 0 : 255;
    return grayOf(to8(g), to8(gg), to8(b), alpha);
  };
}
