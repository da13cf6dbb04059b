/**
 * Issue 19: image files as claim documents (src/documents/images/). Kind by bytes, header
 * facts (size, dpi, pages, EXIF orientation) before any decoding, the pixel and page limits as
 * `file-too-large` without decoding (bombs stay fast and small), damaged headers as
 * `parse-error`, and decoding to grey: PNG/JPEG through canvas, TIFF through utif2 in every
 * encoding scanners write, one page at a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { createCanvas, ImageData, loadImage } from '@napi-rs/canvas';
import UTIF from 'utif2';
import { PdfProblem } from '../../src/loaders/pdf.js';
import { imageKind } from '../../src/documents/images/sniff.js';
import { imageInfo } from '../../src/documents/images/info.js';
import { checkImageLimits } from '../../src/documents/images/limits.js';
import { decodePages } from '../../src/documents/images/decode.js';
import type { GrayImage } from '../../src/documents/images/image.js';
import { buildPng, chunk, type PngSpec } from '../support/png-build.js';
import { buildTiff, deflate, fax, lzw, packBits, packRows, pageEntries, type Entry } from '../support/tiff-build.js';

const LIMITS = { maxPixels: 36_000_000, maxPages: 200 };

async function decodeAll(bytes: Uint8Array, limits = LIMITS): Promise<GrayImage[]> {
  const out: GrayImage[] = [];
  for await (const page of decodePages(bytes, imageInfo(bytes), limits)) out.push(page);
  return out;
}

function problem(code: PdfProblem['code'], message?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof PdfProblem, `expected a PdfProblem, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  };
}

/** A grey picture as canvas RGBA, encoded by canvas itself. */
async function encodeGray(gray: Uint8Array, width: number, height: number, format: 'png' | 'jpeg'): Promise<Uint8Array> {
  const canvas = createCanvas(width, height);
  const rgba = new Uint8ClampedArray(width * height * 4);
  gray.forEach((v, i) => rgba.set([v, v, v, 255], i * 4));
  canvas.getContext('2d').putImageData(new ImageData(rgba, width, height), 0, 0);
  return format === 'png' ? canvas.encode('png') : canvas.encode('jpeg', 95);
}

/** White page with a black square of side `s` at (x, y). */
function square(width: number, height: number, x: number, y: number, s: number): Uint8Array {
  const g = new Uint8Array(width * height).fill(255);
  for (let r = y; r < y + s; r++) g.fill(0, r * width + x, r * width + x + s);
  return g;
}

const mean = (img: GrayImage, x: number, y: number, w: number, h: number) => {
  let sum = 0;
  for (let r = y; r < y + h; r++) for (let c = x; c < x + w; c++) sum += img.data[r * img.width + c];
  return sum / (w * h);
};

function pngChunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])));
  return Buffer.concat([head, body, crc]);
}

/** A PNG from its IHDR facts, an IDAT of `idat` bytes and optional pHYs: the size is whatever the header says. */
function handPng(width: number, height: number, idat: Uint8Array, physPerMetre?: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 0;
  const phys = Buffer.alloc(9);
  if (physPerMetre) { phys.writeUInt32BE(physPerMetre); phys.writeUInt32BE(physPerMetre, 4); phys[8] = 1; }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr),
    ...(physPerMetre ? [pngChunk('pHYs', phys)] : []), pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array())]);
}

/** Inserts an EXIF APP1 (big-endian IFD0 with Orientation and/or XResolution in inches) after the JPEG's SOI. */
function withExif(jpeg: Uint8Array, o: { orientation?: number; dpi?: number }): Uint8Array {
  const entries: number[][] = [];
  if (o.orientation) entries.push([0x0112, 3, 1, o.orientation << 16]);
  const n = entries.length + (o.dpi ? 2 : 0);
  const valuesAt = 8 + 2 + 12 * n + 4;
  if (o.dpi) entries.push([0x011a, 5, 1, valuesAt], [0x0128, 3, 1, 2 << 16]);
  const tiff = Buffer.alloc(valuesAt + 8);
  tiff.write('MM', 0, 'latin1'); tiff.writeUInt16BE(42, 2); tiff.writeUInt32BE(8, 4); tiff.writeUInt16BE(n, 8);
  entries.forEach(([tag, type, count, value], i) => {
    const at = 10 + 12 * i;
    tiff.writeUInt16BE(tag, at); tiff.writeUInt16BE(type, at + 2); tiff.writeUInt32BE(count, at + 4); tiff.writeUInt32BE(value >>> 0, at + 8);
  });
  if (o.dpi) { tiff.writeUInt32BE(o.dpi, valuesAt); tiff.writeUInt32BE(1, valuesAt + 4); }
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 255]);
  return Buffer.concat([jpeg.subarray(0, 2), head, body, jpeg.subarray(2)]);
}

/** A one-strip TIFF page of grey samples (8 or 16 bits) or bilevel (1 bit, 1 = black with photometric 0). */
function greyPage(samples: ArrayLike<number>, width: number, height: number, bits: number, compression: number, extra: Partial<Parameters<typeof pageEntries>[0]> = {}) {
  const raw = packRows(samples, width, bits);
  const encoded = compression === 1 ? raw : compression === 5 ? lzw(raw) : compression === 8 ? deflate(raw) : compression === 32773 ? packBits(raw) : fax(samples, width, compression === 2 ? 'g2' : compression === 3 ? 'g3' : 'g4');
  return { width, height, pieces: [encoded], entries: pageEntries({ width, height, bits, photometric: bits === 1 ? 0 : 1, compression, ...extra }) };
}

// ---------------------------------------------------------------- kind by bytes

test('the kind comes from the bytes, whatever the name; anything else is null', async () => {
  const png = await encodeGray(square(8, 8, 0, 0, 2), 8, 8, 'png');
  const jpeg = await encodeGray(square(8, 8, 0, 0, 2), 8, 8, 'jpeg');
  const tiff = new Uint8Array(UTIF.encodeImage(new Uint8Array(4 * 4 * 4).fill(255), 4, 4));
  assert.equal(imageKind(png), 'png');
  assert.equal(imageKind(jpeg), 'jpeg');
  assert.equal(imageKind(tiff), 'tiff');
  assert.equal(imageKind(buildTiff([greyPage([0, 1], 2, 1, 1, 1)], true).bytes), 'tiff');
  assert.equal(imageKind(Buffer.from('%PDF-1.7\n')), null);
  assert.equal(imageKind(png.subarray(0, 7)), null, 'a PNG signature cut short is not a PNG');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 12 }), (head) => {
    const kind = imageKind(head);
    const magic = Buffer.from(head).toString('hex');
    assert.equal(kind === 'png', magic.startsWith('89504e470d0a1a0a'));
    assert.equal(kind === 'jpeg', magic.startsWith('ffd8ff'));
    assert.equal(kind === 'tiff', /^(4949(2a|2b)00|4d4d00(2a|2b))/.test(magic));
  }), { numRuns: 2000 });
});

test('BigTIFF is recognised and refused by name', () => {
  const big = Uint8Array.from([0x49, 0x49, 0x2b, 0, 8, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(imageKind(big), 'tiff');
  assert.throws(() => imageInfo(big), problem('parse-error', /BigTIFF/));
});

// ---------------------------------------------------------------- header facts

test('PNG and JPEG: size and dpi from the headers equal what was encoded', async () => {
  const png = await encodeGray(square(37, 23, 1, 1, 3), 37, 23, 'png');
  assert.deepEqual(imageInfo(png), { kind: 'png', pages: [{ width: 37, height: 23, dpi: null }] });
  assert.deepEqual(imageInfo(handPng(50, 40, new Uint8Array(4), 11811)).pages, [{ width: 50, height: 40, dpi: 300 }], '11811 px/m is 300 dpi');
  const jpeg = await encodeGray(square(37, 23, 1, 1, 3), 37, 23, 'jpeg');
  assert.deepEqual(imageInfo(jpeg), { kind: 'jpeg', pages: [{ width: 37, height: 23, dpi: null }] }, 'JFIF units 0: no dpi');
  assert.deepEqual(imageInfo(withExif(jpeg, { dpi: 200 })).pages, [{ width: 37, height: 23, dpi: 200 }]);
  // EXIF orientation 5–8 (a phone held upright) swaps the size as seen.
  assert.deepEqual(imageInfo(withExif(jpeg, { orientation: 6 })).pages, [{ width: 23, height: 37, dpi: null, orientation: 6 }]);
  assert.deepEqual(imageInfo(withExif(jpeg, { orientation: 3 })).pages, [{ width: 37, height: 23, dpi: null, orientation: 3 }]);
});

test('TIFF: every page with its own size and dpi (inch, cm, none), in either byte order', () => {
  for (const le of [true, false]) {
    const { bytes } = buildTiff([
      greyPage(new Array(6 * 4).fill(0), 6, 4, 8, 1, { dpi: 300 }),
      greyPage(new Array(5 * 7).fill(1), 5, 7, 1, 1, { dpi: 80, unit: 3 }),
      greyPage(new Array(3 * 2).fill(9), 3, 2, 8, 1),
    ], le);
    assert.deepEqual(imageInfo(bytes), { kind: 'tiff', pages: [
      { width: 6, height: 4, dpi: 300 }, { width: 5, height: 7, dpi: 203 }, { width: 3, height: 2, dpi: null },
    ] });
  }
});

test('TIFF: a reduced-resolution IFD (a scanner thumbnail) is not a page', () => {
  const thumb = greyPage([0], 1, 1, 8, 1);
  thumb.entries.push([254, 4, [1]]);
  const { bytes } = buildTiff([greyPage(new Array(4).fill(0), 2, 2, 8, 1), thumb]);
  assert.equal(imageInfo(bytes).pages.length, 1);
});

// ---------------------------------------------------------------- damaged headers

test('damaged or truncated headers are parse-errors naming the kind', async () => {
  const png = await encodeGray(square(20, 20, 0, 0, 5), 20, 20, 'png');
  const jpeg = await encodeGray(square(20, 20, 0, 0, 5), 20, 20, 'jpeg');
  const { bytes: tiff, ifds } = buildTiff([greyPage(new Array(16).fill(0), 4, 4, 8, 1), greyPage(new Array(16).fill(0), 4, 4, 8, 1)]);
  assert.throws(() => imageInfo(png.subarray(0, 20)), problem('parse-error', /^PNG image is damaged or truncated \(the IHDR header is missing\)/));
  assert.throws(() => imageInfo(png.subarray(0, png.length - 20)), problem('parse-error', /^PNG image is damaged or truncated \(the IDAT chunk runs past the end/));
  assert.throws(() => imageInfo(jpeg.subarray(0, 30)), problem('parse-error', /^JPEG image is damaged or truncated/));
  assert.throws(() => imageInfo(tiff.subarray(0, ifds[1] + 6)), problem('parse-error', /^TIFF image is damaged or truncated \(the directory at offset \d+ runs past the end/));
  const loop = tiff.slice();
  new DataView(loop.buffer).setUint32(ifds[1] + 2 + 12 * new DataView(loop.buffer).getUint16(ifds[1], true), ifds[0], true);
  const started = Date.now();
  assert.throws(() => imageInfo(loop), problem('parse-error', /directory chain loops back/));
  assert.ok(Date.now() - started < 1000);
  const past = tiff.slice();
  new DataView(past.buffer).setUint32(4, 1e9, true);
  assert.throws(() => imageInfo(past), problem('parse-error', /past the end/));
  assert.throws(() => imageInfo(Buffer.from('not an image')), problem('parse-error', /not a PNG, JPEG or TIFF/));
});

test('any cut or any flipped bytes: the header reader gives the same facts or a PdfProblem, never another error', async () => {
  const png = await encodeGray(square(30, 20, 3, 3, 6), 30, 20, 'png');
  const jpeg = withExif(await encodeGray(square(30, 20, 3, 3, 6), 30, 20, 'jpeg'), { orientation: 6, dpi: 150 });
  const tiff = buildTiff([greyPage(new Array(30 * 20).fill(1), 30, 20, 1, 4, { dpi: 200 }), greyPage(new Array(12).fill(7), 4, 3, 8, 5)], false).bytes;
  for (const bytes of [png, jpeg, tiff]) {
    const whole = imageInfo(bytes);
    fc.assert(fc.property(fc.nat(bytes.length), fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (cut, flips) => {
      const damaged = Uint8Array.from(bytes.subarray(0, cut === 0 ? bytes.length : cut)); // Buffer#slice would not copy
      for (const [at, v] of flips) if (at < damaged.length) damaged[at] = v;
      try {
        const info = imageInfo(damaged);
        if (flips.length === 0) assert.deepEqual(info, whole);
      } catch (error) {
        assert.ok(error instanceof PdfProblem, `${String(error)}`);
      }
    }), { numRuns: 600 });
  }
});

// ---------------------------------------------------------------- limits before decoding

test('bombs are file-too-large from the headers alone: fast, and memory does not jump', async () => {
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const png = handPng(20_000, 20_000, deflate(new Uint8Array(1 << 16)));
  assert.deepEqual(imageInfo(png).pages, [{ width: 20_000, height: 20_000, dpi: null }]);
  assert.throws(() => decodePages(png, imageInfo(png), LIMITS),
    problem('file-too-large', /^the PNG is 20000 × 20000 pixels \(400 MP\); the limit is 36 MP per page$/));
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0xea, 0x60, 0xea, 0x60, 1, 1, 0x11, 0, 0xff, 0xd9]);
  assert.throws(() => decodePages(jpeg, imageInfo(jpeg), LIMITS), problem('file-too-large', /^the JPEG is 60000 × 60000 pixels \(3600 MP\)/));
  // A TIFF whose second page declares 20,000 × 20,000 with a few bytes of Deflate data.
  const tiff = buildTiff([greyPage([0, 0, 0, 0], 2, 2, 8, 1), { width: 20_000, height: 20_000, pieces: [deflate(new Uint8Array(64))], entries: pageEntries({ width: 20_000, height: 20_000, bits: 8, photometric: 1, compression: 8 }) }]).bytes;
  assert.throws(() => decodePages(tiff, imageInfo(tiff), LIMITS),
    problem('file-too-large', /^page 2 of the TIFF is 20000 × 20000 pixels \(400 MP\); the limit is 36 MP per page$/));
  // A JPEG-compressed TIFF page whose strip is a JPEG far larger than the page declares.
  const jpegInTiff = buildTiff([{ width: 100, height: 100, pieces: [jpeg], entries: pageEntries({ width: 100, height: 100, bits: 8, samples: 3, photometric: 6, compression: 7 }) }]).bytes;
  await assert.rejects(decodeAll(jpegInTiff), problem('file-too-large', /^page 1 of the TIFF holds a JPEG of 60000 × 60000 pixels in a piece of 100 × 100$/));
  // Tiles far larger than the page they tile.
  const bigTiles = tiledPage(new Array(100).fill(0), 10, 10, 16);
  bigTiles.entries = bigTiles.entries.map(([t, type, v]): Entry => (t === 322 || t === 323 ? [t, 4, [50_000]] : [t, type, v]));
  await assert.rejects(decodeAll(buildTiff([bigTiles]).bytes), problem('file-too-large', /^page 1 of the TIFF is 10 × 10 pixels but its tiles are 50000 × 50000$/));
  // 10,000 tiny pages.
  const many = buildTiff(Array.from({ length: 10_000 }, () => greyPage([0], 1, 1, 8, 1))).bytes;
  assert.equal(imageInfo(many).pages.length, 10_000);
  assert.throws(() => checkImageLimits(imageInfo(many), LIMITS), problem('file-too-large', /^the TIFF has 10000 pages; the limit is 200$/));
  const seconds = (performance.now() - started) / 1000;
  const grewMB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  assert.ok(seconds < 2, `${seconds} s`);
  assert.ok(grewMB < 100, `RSS grew ${grewMB} MB`);
});

test('a Deflate strip that inflates past its declared size is file-too-large, not an out-of-memory', async () => {
  const bomb = deflate(new Uint8Array(64 * 2 ** 20)); // 64 MB of zeros in ~64 KB
  const tiff = buildTiff([{ width: 100, height: 100, pieces: [bomb], entries: pageEntries({ width: 100, height: 100, bits: 8, photometric: 1, compression: 8 }) }]).bytes;
  const rssBefore = process.memoryUsage().rss;
  await assert.rejects(decodeAll(tiff), problem('file-too-large', /^page 1 of the TIFF holds Deflate data that inflates past its declared 10000 bytes/));
  assert.ok(process.memoryUsage().rss - rssBefore < 40 * 2 ** 20);
});

test('a page over a small limit is refused before decoding; the limit message names the page', () => {
  const { bytes } = buildTiff([greyPage(new Array(4).fill(0), 2, 2, 8, 1), greyPage(new Array(30).fill(0), 6, 5, 8, 1)]);
  assert.throws(() => decodePages(bytes, imageInfo(bytes), { maxPixels: 20, maxPages: 5 }), problem('file-too-large', /^page 2 of the TIFF is 6 × 5 pixels \(0 MP\); the limit is 0 MP per page$/));
  assert.throws(() => decodePages(bytes, imageInfo(bytes), { maxPixels: 100, maxPages: 1 }), problem('file-too-large', /has 2 pages; the limit is 1$/));
});

// ---------------------------------------------------------------- decoding

test('PNG: a black square where it was drawn; transparency reads as white paper', async () => {
  const [page] = await decodeAll(await encodeGray(square(40, 30, 10, 5, 8), 40, 30, 'png'));
  assert.equal(page.width, 40);
  assert.deepEqual(page.data, square(40, 30, 10, 5, 8));
  const canvas = createCanvas(10, 10);
  canvas.getContext('2d').fillRect(0, 0, 5, 5); // the rest stays transparent black
  const [clear] = await decodeAll(await canvas.encode('png'));
  assert.equal(clear.data[0], 0);
  assert.equal(clear.data[99], 255);
});

test('JPEG: EXIF orientation 1/3/6/8 turns the page as the photographer saw it; dpi from EXIF', async () => {
  // Stored 40 × 20 with the square at the top left.
  const jpeg = await encodeGray(square(40, 20, 0, 0, 10), 40, 20, 'jpeg');
  const corner = { 1: 'top-left', 3: 'bottom-right', 6: 'top-right', 8: 'bottom-left' } as const;
  for (const orientation of [1, 3, 6, 8] as const) {
    const [page] = await decodeAll(withExif(jpeg, { orientation, dpi: 300 }));
    const upright = orientation === 1 || orientation === 3;
    assert.deepEqual([page.width, page.height, page.dpi], upright ? [40, 20, 300] : [20, 40, 300]);
    const [cx, cy] = { 'top-left': [0, 0], 'top-right': [page.width - 10, 0], 'bottom-left': [0, page.height - 10], 'bottom-right': [page.width - 10, page.height - 10] }[corner[orientation]];
    assert.ok(mean(page, cx + 2, cy + 2, 6, 6) < 40, `orientation ${orientation}: square at ${corner[orientation]}`);
    assert.ok(mean(page, page.width / 2 - 3, page.height / 2 - 3, 6, 6) > 215, `orientation ${orientation}: middle is white`);
  }
});

test('JPEG: all eight EXIF orientations come out as Skia (which follows EXIF) shows them', async () => {
  // Canvas is only the reference here, on valid files: it is not used to decode claims.
  const g = square(24, 16, 2, 1, 5);
  g.fill(90, 16 * 24 - 6); // a grey mark at the bottom right, so mirror images differ
  const jpeg = await encodeGray(g, 24, 16, 'jpeg');
  for (let orientation = 1; orientation <= 8; orientation++) {
    const bytes = withExif(jpeg, { orientation });
    const [page] = await decodeAll(bytes);
    const reference = await loadImage(Buffer.from(bytes));
    const canvas = createCanvas(reference.width, reference.height);
    canvas.getContext('2d').drawImage(reference, 0, 0);
    const rgba = canvas.getContext('2d').getImageData(0, 0, reference.width, reference.height).data;
    assert.deepEqual([page.width, page.height], [reference.width, reference.height], `orientation ${orientation}`);
    const diff = page.data.reduce((sum, v, i) => sum + Math.abs(v - rgba[4 * i]), 0) / page.data.length;
    assert.ok(diff < 4, `orientation ${orientation}: mean difference ${diff}`);
  }
});

test('TIFF encodings scanners write all decode to the same grey page', async () => {
  const [w, h] = [37, 21];
  const black = Array.from(square(w, h, 5, 3, 9), (v) => (v === 0 ? 1 : 0));
  const grey = Array.from(square(w, h, 5, 3, 9));
  const expected = square(w, h, 5, 3, 9);
  const cases: Array<[string, ReturnType<typeof greyPage>]> = [
    ['1-bit none', greyPage(black, w, h, 1, 1)],
    ['1-bit PackBits', greyPage(black, w, h, 1, 32773)],
    ['1-bit CCITT G4', greyPage(black, w, h, 1, 4)],
    ['1-bit CCITT G3 1-D', greyPage(black, w, h, 1, 3)],
    ['1-bit CCITT G3 2-D', { width: w, height: h, pieces: [fax(black, w, 'g3-2d')], entries: [...pageEntries({ width: w, height: h, bits: 1, photometric: 0, compression: 3 }), [292, 4, [1]] as Entry] }],
    ['1-bit CCITT MH rows', greyPage(black, w, h, 1, 2)],
    ['8-bit LZW', greyPage(grey, w, h, 8, 5)],
    ['8-bit Deflate', greyPage(grey, w, h, 8, 8)],
    ['8-bit PackBits', greyPage(grey, w, h, 8, 32773)],
    ['16-bit none', greyPage(grey.map((v) => v * 257), w, h, 16, 1)],
    ['1-bit BlackIsZero', { ...greyPage(black.map((b) => 1 - b), w, h, 1, 1), entries: pageEntries({ width: w, height: h, bits: 1, photometric: 1, compression: 1 }) }],
    ['8-bit in strips of 4 rows', { width: w, height: h, entries: pageEntries({ width: w, height: h, bits: 8, photometric: 1, compression: 5, rowsPerStrip: 4 }),
      pieces: Array.from({ length: Math.ceil(h / 4) }, (_, i) => lzw(packRows(grey.slice(i * 4 * w, (i + 1) * 4 * w), w, 8))) }],
    ['palette 4-bit', palettePage(grey, w, h)],
    ['8-bit tiles of 16', tiledPage(grey, w, h, 16)],
  ];
  for (const [name, page] of cases) {
    const [decoded] = await decodeAll(buildTiff([page]).bytes);
    assert.deepEqual([decoded.width, decoded.height], [w, h], name);
    assert.deepEqual(decoded.data, expected, name);
  }
  // 16-bit samples in a big-endian file: utif2 swaps them to its little-endian layout.
  const be16 = greyPage([], w, h, 16, 1);
  be16.pieces = [packRows(grey.map((v) => ((v * 257) >> 8) | (((v * 257) & 255) << 8)), w, 16)];
  assert.deepEqual((await decodeAll(buildTiff([be16], false).bytes))[0].data, expected, '16-bit big-endian');
  // A JPEG-compressed colour page (compression 7, YCbCr), one JPEG per strip.
  const jpegStrip = await encodeGray(expected, w, h, 'jpeg');
  const ycbcr = { width: w, height: h, pieces: [jpegStrip], entries: pageEntries({ width: w, height: h, bits: 8, samples: 3, photometric: 6, compression: 7 }) };
  const [fromJpeg] = await decodeAll(buildTiff([ycbcr]).bytes);
  assert.ok(fromJpeg.data.every((v, i) => Math.abs(v - expected[i]) < 48), 'JPEG in TIFF');
  const rgb = new Uint8Array(UTIF.encodeImage(Uint8Array.from(Array.from(expected).flatMap((v) => [v, v, v, 255])), w, h));
  assert.deepEqual((await decodeAll(rgb))[0].data, expected, 'RGBA (UTIF.encodeImage)');
});

function palettePage(grey: number[], w: number, h: number) {
  const index = grey.map((v) => (v === 0 ? 3 : 12));
  const map = Array(16 * 3).fill(0);
  for (let i = 0; i < 16; i++) map[i] = map[16 + i] = map[32 + i] = i === 12 ? 65535 : 0;
  const entries: Entry[] = [...pageEntries({ width: w, height: h, bits: 4, photometric: 3, compression: 1 }), [320, 3, map]];
  return { width: w, height: h, pieces: [packRows(index, w, 4)], entries };
}

function tiledPage(grey: number[], w: number, h: number, tile: number) {
  const pieces: Uint8Array[] = [];
  for (let ty = 0; ty < h; ty += tile) for (let tx = 0; tx < w; tx += tile) {
    const t = new Uint8Array(tile * tile);
    for (let y = 0; y < tile; y++) for (let x = 0; x < tile; x++) t[y * tile + x] = tx + x < w && ty + y < h ? grey[(ty + y) * w + tx + x] : 128;
    pieces.push(t);
  }
  const entries = pageEntries({ width: w, height: h, bits: 8, photometric: 1, compression: 1 }).filter(([t]) => t !== 278);
  entries.push([322, 3, [tile]], [323, 3, [tile]]);
  return { width: w, height: h, pieces, entries };
}

test('property: fax coding round-trips any bilevel page, and utif2 reads our test encoder the same way', async () => {
  const page = fc.record({ width: fc.integer({ min: 1, max: 90 }), height: fc.integer({ min: 1, max: 12 }), seed: fc.nat(), density: fc.integer({ min: 0, max: 8 }) });
  await fc.assert(fc.asyncProperty(page, fc.constantFrom('g4', 'g3', 'g3-2d', 'g2'), async ({ width, height, seed, density }, coding) => {
    let s = seed;
    // Runs of random length so that every mode (pass, vertical, horizontal) occurs.
    const black: number[] = [];
    for (let colour = 0; black.length < width * height; colour ^= 1) {
      const length = 1 + (((s = (s * 1103515245 + 12345) >>> 0) >>> 16) % (colour ? 1 + density : 9 - density));
      black.push(...Array(length).fill(colour));
    }
    black.length = width * height;
    const compression = { g4: 4, g3: 3, 'g3-2d': 3, g2: 2 }[coding];
    const entries = pageEntries({ width, height, bits: 1, photometric: 0, compression });
    if (coding === 'g3-2d') entries.push([292, 4, [1]]);
    const bytes = buildTiff([{ width, height, pieces: [fax(black, width, coding as 'g4')], entries }]).bytes;
    const expected = black.map((b) => (b ? 0 : 255));
    assert.deepEqual(Array.from((await decodeAll(bytes))[0].data), expected, coding);
    const [ifd] = UTIF.decode(bytes.buffer as ArrayBuffer);
    UTIF.decodeImage(bytes.buffer as ArrayBuffer, ifd);
    const rgba = UTIF.toRGBA8(ifd);
    assert.deepEqual(expected.map((_, i) => rgba[4 * i]), expected, `utif2 on ${coding}`);
  }), { numRuns: 200 });
});

test('a damaged fax strip costs time linear in its size (utif2 took quadratic time)', async () => {
  const width = 2480;
  const zeros = buildTiff([{ width, height: 3508, pieces: [new Uint8Array(200_000)], entries: pageEntries({ width, height: 3508, bits: 1, photometric: 0, compression: 4 }) }]).bytes;
  let s = 5;
  const noise = Uint8Array.from({ length: 200_000 }, () => (s = (s * 1103515245 + 12345) >>> 0) >>> 24);
  const garbage = buildTiff([{ width, height: 3508, pieces: [noise], entries: pageEntries({ width, height: 3508, bits: 1, photometric: 0, compression: 3 }) }]).bytes;
  for (const bytes of [zeros, garbage]) {
    const started = performance.now();
    await decodeAll(bytes).catch((error: unknown) => assert.ok(error instanceof PdfProblem, String(error)));
    assert.ok(performance.now() - started < 3000, `${performance.now() - started} ms`);
  }
});

test('a multi-page TIFF yields its pages in order, one at a time', async () => {
  const pages = [0, 1, 2, 3].map((i) => greyPage(Array.from(square(12, 10, i * 2, i, 3)), 12, 10, 8, 5, { dpi: 100 + i }));
  const bytes = buildTiff(pages).bytes;
  const seen: number[] = [];
  for await (const page of decodePages(bytes, imageInfo(bytes), LIMITS)) {
    const i = seen.length;
    assert.deepEqual(page.data, square(12, 10, i * 2, i, 3), `page ${i + 1}`);
    seen.push(page.dpi!);
  }
  assert.deepEqual(seen, [100, 101, 102, 103]);
  // The same file inside a larger buffer (a Buffer from a pool, byteOffset ≠ 0) decodes the same.
  const pooled = Buffer.concat([Buffer.alloc(7, 0xee), bytes, Buffer.alloc(5, 0xee)]).subarray(7, 7 + bytes.length);
  assert.deepEqual((await decodeAll(pooled)).map((p) => p.data), (await decodeAll(bytes)).map((p) => p.data));
});

test('a TIFF page utif2 cannot decode is a parse-error naming the page and the compression', async () => {
  const ok = greyPage([0, 0, 0, 0], 2, 2, 8, 1);
  const jp2 = { ...ok, entries: pageEntries({ width: 2, height: 2, bits: 8, photometric: 1, compression: 34712 }) };
  const bytes = buildTiff([ok, jp2]).bytes;
  await assert.rejects(decodeAll(bytes), problem('parse-error', /^page 2 of the TIFF uses JPEG 2000 compression, which halo-data cannot decode$/));
  const cmyk = { ...ok, entries: pageEntries({ width: 2, height: 2, bits: 8, samples: 4, photometric: 5, compression: 1 }) };
  await assert.rejects(decodeAll(buildTiff([cmyk]).bytes), problem('parse-error', /^page 1 of the TIFF has photometric interpretation 5/));
});

test('the two one-byte damages that crash @napi-rs/canvas 0.1.80 (SIGSEGV in loadImage) are read safely here', async () => {
  const canvas = createCanvas(64, 64);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 64, 64); ctx.fillStyle = '#000'; ctx.fillRect(8, 8, 20, 20);
  const png = Buffer.from(await canvas.encode('png'));
  png[png.indexOf('sBIT')] = 0; // an ancillary chunk's name
  const jpeg = Buffer.from(await canvas.encode('jpeg', 95));
  jpeg[679] = 0; // a byte of the entropy-coded scan
  for (const bytes of [png, jpeg]) {
    const pages = await decodeAll(bytes).catch((error: unknown) => { assert.ok(error instanceof PdfProblem, String(error)); return []; });
    for (const page of pages) assert.deepEqual([page.width, page.height], [64, 64]);
  }
});

test('a damaged image body never crashes: a parse-error, or a page of the size the headers promised', async () => {
  // Skia, like a browser, shows what it can of a damaged PNG or JPEG; OCR then reads little
  // and the page goes to review. What must hold is: no other error, no other size.
  const png = await encodeGray(square(64, 64, 8, 8, 20), 64, 64, 'png');
  const jpeg = await encodeGray(square(64, 64, 8, 8, 20), 64, 64, 'jpeg');
  const tiff = buildTiff([greyPage(Array.from(square(64, 64, 8, 8, 20), (v) => (v ? 0 : 1)), 64, 64, 1, 4), greyPage(Array.from(square(64, 64, 8, 8, 20)), 64, 64, 8, 5)]).bytes;
  for (const bytes of [png, jpeg, tiff]) {
    const info = imageInfo(bytes);
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 40, max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), async (flips) => {
      const damaged = Uint8Array.from(bytes);
      for (const [at, v] of flips) damaged[at] = v;
      let facts;
      try { facts = imageInfo(damaged); } catch (error) { assert.ok(error instanceof PdfProblem, String(error)); return; }
      try {
        const pages = await decodeAll(damaged, { maxPixels: 1e6, maxPages: 10 });
        assert.deepEqual(pages.map((p) => [p.width, p.height, p.data.length]), facts.pages.map((p) => [p.width, p.height, p.width * p.height]));
      } catch (error) {
        assert.ok(error instanceof PdfProblem, String(error));
      }
    }), { numRuns: 150 });
    assert.ok(info.pages.length > 0);
  }
});

test('PNG: every colour type, bit depth, filter and both interlacings decode to the grey that was written', async () => {
  const depths: Record<number, Array<PngSpec['depth']>> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
  const format = fc.constantFrom(0, 2, 3, 4, 6).chain((colour) => fc.record({
    colour: fc.constant(colour as PngSpec['colour']), depth: fc.constantFrom(...depths[colour]), interlace: fc.boolean(), filterSeed: fc.nat(),
  }));
  await fc.assert(fc.asyncProperty(format, fc.integer({ min: 1, max: 19 }), fc.integer({ min: 1, max: 17 }), fc.nat(), async ({ colour, depth, interlace, filterSeed }, width, height, seed) => {
    const max = (1 << depth) - 1;
    const palette = colour === 3 ? Array.from({ length: Math.min(max + 1, 7) }, (_, k) => (seed * (k + 3) * 37) % 256)
      : depth === 16 ? Array.from({ length: 256 }, (_, k) => k) : Array.from({ length: max + 1 }, (_, k) => Math.round((k * 255) / max));
    let s = seed;
    const levels = Array.from({ length: width * height }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % palette.length);
    const bytes = buildPng(levels, palette, width, height, { colour, depth, interlace, filter: (row) => (filterSeed >> (row % 16)) + row });
    const [page] = await decodeAll(bytes);
    assert.deepEqual([page.width, page.height], [width, height]);
    assert.deepEqual(Array.from(page.data), levels.map((k) => palette[k]), `colour ${colour} depth ${depth} interlace ${interlace}`);
  }), { numRuns: 300 });
});

test('PNG: tRNS makes a palette entry or a grey key transparent, which reads as white paper', async () => {
  const withTrns = (png: Uint8Array, body: number[]) => {
    const at = Buffer.from(png).indexOf('IDAT') - 4;
    return Buffer.concat([png.subarray(0, at), chunk('tRNS', Uint8Array.from(body)), png.subarray(at)]);
  };
  const levels = [0, 1, 1, 0];
  const palette = withTrns(buildPng(levels, [0, 40], 2, 2, { colour: 3, depth: 8, interlace: false, filter: () => 0 }), [255, 0]);
  assert.deepEqual(Array.from((await decodeAll(palette))[0].data), [0, 255, 255, 0]);
  const grey = withTrns(buildPng(levels, [0, 40], 2, 2, { colour: 0, depth: 8, interlace: false, filter: () => 1 }), [0, 40]);
  assert.deepEqual(Array.from((await decodeAll(grey))[0].data), [0, 255, 255, 0]);
});

test('PNG: image data that inflates far past what IHDR declares is file-too-large; data cut short is a parse-error', async () => {
  const bomb = handPng(100, 100, deflate(new Uint8Array(64 * 2 ** 20)));
  const rssBefore = process.memoryUsage().rss;
  await assert.rejects(decodeAll(bomb), problem('file-too-large', /^the PNG's pixel data inflates far past the 10100 bytes its header declares/));
  assert.ok(process.memoryUsage().rss - rssBefore < 40 * 2 ** 20);
  await assert.rejects(decodeAll(handPng(100, 100, deflate(new Uint8Array(5000)))), problem('parse-error', /its pixel data stops after 5000 of 10100 bytes/));
});

test('TIFF LZW with codes of 9 to 12 bits and Clear codes decodes exactly', async () => {
  let s = 99;
  const noise = Array.from({ length: 160 * 120 }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24) & 0xf0);
  const [page] = await decodeAll(buildTiff([greyPage(noise, 160, 120, 8, 5)]).bytes);
  assert.deepEqual(Array.from(page.data), noise);
});

// ---------------------------------------------------------------- round trip

test('property: random small images round-trip their size (and, lossless, their pixels) through encode → info → decode', async () => {
  const image = fc.record({ width: fc.integer({ min: 1, max: 40 }), height: fc.integer({ min: 1, max: 30 }), seed: fc.integer() })
    .map(({ width, height, seed }) => {
      let s = seed >>> 0;
      const grey = Uint8Array.from({ length: width * height }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24));
      return { width, height, grey };
    });
  await fc.assert(fc.asyncProperty(image, fc.constantFrom('png', 'jpeg', 'tiff-none', 'tiff-lzw', 'tiff-deflate', 'tiff-packbits', 'tiff-g4'), fc.boolean(), async ({ width, height, grey }, format, le) => {
    const bilevel = format === 'tiff-g4';
    const source = bilevel ? grey.map((v) => (v < 128 ? 0 : 255)) : grey;
    const compression = { 'tiff-none': 1, 'tiff-lzw': 5, 'tiff-deflate': 8, 'tiff-packbits': 32773, 'tiff-g4': 4 }[format as string];
    const bytes = format === 'png' || format === 'jpeg'
      ? await encodeGray(source, width, height, format)
      : buildTiff([bilevel ? greyPage(Array.from(source, (v) => (v === 0 ? 1 : 0)), width, height, 1, 4) : greyPage(Array.from(source), width, height, 8, compression!)], le).bytes;
    const info = imageInfo(bytes);
    assert.deepEqual(info.pages.map((p) => [p.width, p.height]), [[width, height]]);
    const [page] = await decodeAll(bytes);
    assert.deepEqual([page.width, page.height, page.data.length], [width, height, width * height]);
    if (format !== 'jpeg') assert.deepEqual(page.data, source, format);
  }), { numRuns: 150 });
});
