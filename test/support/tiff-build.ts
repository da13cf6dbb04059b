/**
 * Builds TIFF files for tests, byte by byte: any number of pages, either byte order, strips or
 * tiles, and the compressions scanners write (none, PackBits, LZW, Deflate, CCITT G4), so the
 * decoder is tested on real encodings and the header walk on hand-made damage. Not a test file.
 */
import { deflateSync } from 'node:zlib';
import UTIF from 'utif2';

export type Rational = [number, number];
export type Entry = [tag: number, type: 3 | 4 | 5 | 7, values: number[] | Rational[]];

export interface TiffPageSpec {
  width: number;
  height: number;
  /** Encoded strips or tiles, in order. */
  pieces: Uint8Array[];
  entries: Entry[];
}

/** Writes a TIFF; returns the bytes and where each IFD starts (to patch its next-IFD link). */
export function buildTiff(pages: TiffPageSpec[], littleEndian = true): { bytes: Uint8Array; ifds: number[] } {
  const size = 8 + pages.reduce((n, p) => n + p.pieces.reduce((m, s) => m + s.length + 1, 0) + 2 + 12 * (p.entries.length + 2) + 4 + 64 + p.pieces.length * 16 + p.entries.reduce((m, e) => m + 8 * e[2].length, 0), 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  const u16 = (at: number, v: number) => view.setUint16(at, v, littleEndian);
  const u32 = (at: number, v: number) => view.setUint32(at, v, littleEndian);
  bytes.set(littleEndian ? [0x49, 0x49, 42, 0] : [0x4d, 0x4d, 0, 42]);
  let at = 8;
  let link = 4;
  const ifds: number[] = [];
  for (const page of pages) {
    const offsets: number[] = [];
    for (const piece of page.pieces) { offsets.push(at); bytes.set(piece, at); at += piece.length + (piece.length & 1); }
    const tiled = page.entries.some(([t]) => t === 322);
    const entries: Entry[] = [...page.entries, [tiled ? 324 : 273, 4, offsets], [tiled ? 325 : 279, 4, page.pieces.map((s) => s.length)]];
    entries.sort((a, b) => a[0] - b[0]);
    u32(link, at);
    ifds.push(at);
    u16(at, entries.length);
    let extra = at + 2 + 12 * entries.length + 4;
    entries.forEach(([tag, type, values], i) => {
      const e = at + 2 + 12 * i;
      const unit = { 3: 2, 4: 4, 5: 8, 7: 1 }[type];
      u16(e, tag); u16(e + 2, type); u32(e + 4, values.length);
      let dst = e + 8;
      if (unit * values.length > 4) { u32(e + 8, extra); dst = extra; extra += unit * values.length + ((unit * values.length) & 1); }
      values.forEach((v, j) => {
        if (type === 3) u16(dst + 2 * j, v as number);
        else if (type === 4) u32(dst + 4 * j, v as number);
        else if (type === 7) bytes[dst + j] = v as number;
        else { u32(dst + 8 * j, (v as Rational)[0]); u32(dst + 8 * j + 4, (v as Rational)[1]); }
      });
    });
    link = at + 2 + 12 * entries.length;
    at = extra + (extra & 1);
  }
  return { bytes: bytes.slice(0, at), ifds };
}

/** The usual tags of a page: size, bits, samples, photometric, compression, rows per strip, resolution. */
export function pageEntries(o: { width: number; height: number; bits: number; samples?: number; photometric: number; compression: number; rowsPerStrip?: number; dpi?: number; unit?: number }): Entry[] {
  const samples = o.samples ?? 1;
  const entries: Entry[] = [
    [256, 4, [o.width]], [257, 4, [o.height]], [258, 3, Array(samples).fill(o.bits)], [259, 3, [o.compression]],
    [262, 3, [o.photometric]], [277, 3, [samples]], [278, 4, [o.rowsPerStrip ?? o.height]],
  ];
  if (o.dpi !== undefined) entries.push([282, 5, [[o.dpi * 100, 100]]], [283, 5, [[o.dpi * 100, 100]]], [296, 3, [o.unit ?? 2]]);
  return entries;
}

/** Packs rows of samples (one number per sample, `bits` wide) MSB-first, each row padded to a byte. */
export function packRows(samples: ArrayLike<number>, perRow: number, bits: number): Uint8Array {
  const rows = samples.length / perRow;
  const rowBytes = Math.ceil((perRow * bits) / 8);
  const out = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < perRow; i++) {
      const v = samples[r * perRow + i];
      if (bits >= 8) for (let b = 0; b < bits / 8; b++) out[r * rowBytes + (i * bits) / 8 + b] = bits === 16 ? (b === 0 ? v & 255 : v >> 8) : v;
      else { const bit = i * bits; out[r * rowBytes + (bit >> 3)] |= v << (8 - bits - (bit & 7)); }
    }
  }
  return out;
}

export function packBits(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length; ) {
    let run = 1;
    while (i + run < data.length && run < 128 && data[i + run] === data[i]) run++;
    if (run >= 3) { out.push(257 - run, data[i]); i += run; continue; }
    const start = i;
    while (i < data.length && i - start < 128 && !(data[i] === data[i + 1] && data[i] === data[i + 2])) i++;
    if (i === start) i++;
    out.push(i - start - 1, ...data.subarray(start, i));
  }
  return Uint8Array.from(out);
}

/**
 * TIFF LZW as libtiff writes it: MSB-first codes, 9 bits until the next free entry is 512, then
 * 10, 11, 12; a Clear code when the table is nearly full.
 */
export function lzw(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let nbits = 0;
  let next = 258;
  const width = () => (next < 512 ? 9 : next < 1024 ? 10 : next < 2048 ? 11 : 12);
  const write = (code: number) => {
    const w = width();
    acc = (acc << w) | code; nbits += w;
    while (nbits >= 8) { out.push((acc >> (nbits - 8)) & 255); nbits -= 8; }
    acc &= (1 << nbits) - 1;
  };
  let dict = new Map<number, number>();
  write(256);
  let prefix = data[0];
  for (let i = 1; i < data.length; i++) {
    const key = prefix * 256 + data[i];
    const known = dict.get(key);
    if (known !== undefined) { prefix = known; continue; }
    write(prefix);
    dict.set(key, next++);
    prefix = data[i];
    if (next === 4093) { write(256); dict = new Map(); next = 258; }
  }
  write(prefix);
  next++; // libtiff counts the last code as an entry before writing EOI
  write(257);
  if (nbits > 0) out.push((acc << (8 - nbits)) & 255);
  return Uint8Array.from(out);
}

export function deflate(data: Uint8Array): Uint8Array {
  return deflateSync(data);
}

export type FaxCoding = 'g4' | 'g3' | 'g3-2d' | 'g2';

/**
 * CCITT fax coding of a bilevel image (1 = black), as a fax machine or scanner writes it: T.6
 * (G4: every line coded against the one above in pass, vertical and horizontal modes), T.4 1-D
 * (G3: EOL then Modified Huffman runs; RTC at the end), T.4 2-D (G3 with an EOL and a tag bit
 * per line, every other line 2-D) and MH rows padded to a byte (TIFF compression 2).
 */
export function fax(black: ArrayLike<number>, width: number, coding: FaxCoding = 'g4'): Uint8Array {
  const lens = (UTIF as unknown as { decode: { _lens: Array<Record<string, number>> } }).decode._lens;
  const codes = lens.map((table) => new Map(Object.entries(table).map(([code, len]) => [len, code])));
  const run = (colour: number, n: number) => {
    let s = '';
    for (; n >= 2560; n -= 2560) s += codes[colour].get(2560);
    if (n >= 64) s += codes[colour].get(n - (n % 64));
    return s + codes[colour].get(n % 64);
  };
  const VERTICAL: Record<number, string> = { 0: '1', 1: '011', 2: '000011', 3: '0000011', [-1]: '010', [-2]: '000010', [-3]: '0000010' };
  const EOL = '000000000001';
  let bits = '';
  let ref: number[] = [width, width, width];
  const height = black.length / width;
  for (let y = 0; y < height; y++) {
    const cur: number[] = [];
    for (let x = 0, colour = 0; x < width; x++) if (black[y * width + x] !== colour) { cur.push(x); colour ^= 1; }
    const changes = [...cur, width, width, width];
    const twoD = coding === 'g4' || (coding === 'g3-2d' && y % 2 === 1);
    if (coding === 'g3' || coding === 'g3-2d') bits += EOL + (coding === 'g3-2d' ? (twoD ? '0' : '1') : '');
    if (!twoD) {
      let x = 0;
      for (const c of [...cur, width].map((c, i, all) => c - (i === 0 ? 0 : all[i - 1]))) bits += run(x++ % 2, c);
      if (coding === 'g2') bits = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
    } else {
      let a0 = -1;
      let colour = 0;
      while (a0 < width) {
        const a1 = changes.find((c) => c > a0)!;
        const b = ref.findIndex((c, i) => c > a0 && (i & 1) === colour);
        const b1 = ref[b], b2 = ref[b + 1];
        if (b2 < a1) { bits += '0001'; a0 = b2; }
        else if (Math.abs(a1 - b1) <= 3) { bits += VERTICAL[a1 - b1]; a0 = a1; colour ^= 1; }
        else {
          const a2 = changes.find((c) => c > a1) ?? width;
          bits += '001' + run(colour, a1 - Math.max(a0, 0)) + run(colour ^ 1, Math.min(a2, width) - a1);
          a0 = Math.min(a2, width);
        }
      }
    }
    ref = changes;
  }
  if (coding === 'g4') bits += EOL + EOL;
  if (coding === 'g3' || coding === 'g3-2d') bits += (EOL + (coding === 'g3-2d' ? '1' : '')).repeat(6);
  bits = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
  return Uint8Array.from({ length: bits.length / 8 }, (_, i) => parseInt(bits.slice(8 * i, 8 * i + 8), 2));
}
