/**
 * Builds PNGs for tests in every colour type, bit depth, filter and interlacing (canvas only
 * writes 8-bit RGBA), from grey levels, so the decoder is tested on what scanners and phones
 * write. Not a test file.
 */
import { crc32, deflateSync } from 'node:zlib';

export interface PngSpec { colour: 0 | 2 | 3 | 4 | 6; depth: 1 | 2 | 4 | 8 | 16; interlace: boolean; filter: (row: number) => number }

const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

export function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length);
  out.write(type, 4, 'latin1');
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

/**
 * `levels[i]` is an index into `palette` (grey values); for grey colour types the sample is
 * that grey at the given depth (the palette must hold values the depth can store).
 */
export function buildPng(levels: ArrayLike<number>, palette: number[], width: number, height: number, spec: PngSpec): Uint8Array {
  const { colour, depth } = spec;
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colour];
  const max = (1 << depth) - 1;
  const samples = (i: number): number[] => {
    const grey = palette[levels[i]];
    if (colour === 3) return [levels[i]];
    const g = Math.round((grey * max) / 255);
    return { 0: [g], 2: [g, g, g], 4: [g, max], 6: [g, g, g, max] }[colour];
  };
  const bpp = Math.max(1, (channels * depth) >> 3);
  const raw: number[] = [];
  const passes = spec.interlace ? ADAM7 : [[0, 0, 1, 1]];
  let rowNo = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    let prev = new Uint8Array(Math.ceil((pw * channels * depth) / 8));
    for (let r = 0; r < ph; r++) {
      const row = new Uint8Array(prev.length);
      for (let i = 0; i < pw; i++) {
        samples((y0 + r * dy) * width + x0 + i * dx).forEach((v, c) => {
          const s = i * channels + c;
          if (depth === 16) { row[2 * s] = v >> 8; row[2 * s + 1] = v & 255; } else if (depth === 8) row[s] = v;
          else row[(s * depth) >> 3] |= v << (8 - depth - ((s * depth) & 7));
        });
      }
      const f = spec.filter(rowNo++) % 5;
      raw.push(f, ...row.map((x, i) => {
        const a = i >= bpp ? row[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
        const p = a + b - c;
        const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
        return (x - [0, a, b, (a + b) >> 1, paeth][f]) & 255;
      }));
      prev = row;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth; ihdr[9] = colour; ihdr[12] = spec.interlace ? 1 : 0;
  const plte = colour === 3 ? [chunk('PLTE', Uint8Array.from(palette.flatMap((g) => [g, g, g])))] : [];
  const data = deflateSync(Uint8Array.from(raw));
  // Split IDAT in two when it can be: decoders must join them.
  const idat = [data.subarray(0, data.length >> 1), data.subarray(data.length >> 1)].filter((d) => d.length).map((d) => chunk('IDAT', d));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), ...plte, ...idat, chunk('IEND', new Uint8Array())]);
}
