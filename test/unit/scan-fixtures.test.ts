/**
 * The scanned-claim fixtures (fixtures/claims-scans/, made by fixtures/generate-scans.ts):
 * the committed files are what the generator makes, each carries its source document's
 * expected values and no personal value, and each variant is what it says (grey PNG with its
 * dpi, a 2–4° skew, a half turn, a multi-page TIFF, a PDF without text, a PDF with text on
 * its odd pages only). No OCR here: reading the scans is the reader's tests' and the
 * benchmark's business.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import UTIF from 'utif2';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { PDFParse } from 'pdf-parse';
import type { GrayImage } from '../../src/documents/images/image.js';
import { parseExpected } from '../../src/documents/expected.js';
import {
  COMMITTED, PHOTO_DPI, PHOTO_MAX_TURN, ROT180_SOURCES, SCANS_DIR, SKEW_RANGE, VARIANTS,
  baseName, buildScans, fileName, generateScans, paramsOf, scanSources, specsFor, type Built, type ScanSpec,
} from '../../fixtures/generate-scans.js';
import { grayFromRgba } from '../../src/documents/images/gray.js';
import { pngDpi } from '../../fixtures/scan-kit/encode.js';
import { renderPdf } from '../../fixtures/scan-kit/render.js';
import { personalValues } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('halo-scan-fixtures-');
after(() => tmp.cleanup());

const committed = fs.readdirSync(SCANS_DIR).filter((f) => f !== 'README.md').sort();
const documents = committed.filter((f) => !f.endsWith('.expected.json'));
const read = (f: string): Buffer => fs.readFileSync(path.join(SCANS_DIR, f));
const specOf = (file: string): ScanSpec => {
  const s = COMMITTED.find((x) => fileName(x) === file);
  assert.ok(s, `${file} is not in the generator's COMMITTED list`);
  return s;
};

async function decodePicture(bytes: Buffer): Promise<GrayImage> {
  const img = await loadImage(bytes);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return grayFromRgba(ctx.getImageData(0, 0, img.width, img.height).data, img.width, img.height, null);
}

function decodeTiff(bytes: Buffer): Array<GrayImage & { bits: number; compression: number }> {
  return UTIF.decode(bytes).map((ifd) => {
    UTIF.decodeImage(bytes, ifd);
    const res = ifd.t282 as unknown as number[][];
    return {
      width: ifd.width, height: ifd.height, data: ifd.data, dpi: res[0][0] / res[0][1],
      bits: (ifd.t258 as number[])[0], compression: (ifd.t259 as number[])[0],
    };
  });
}

async function textPerPage(bytes: Buffer): Promise<string[]> {
  const p = new PDFParse({ data: new Uint8Array(bytes), verbosity: 0 });
  try {
    return (await p.getText()).pages.map((x) => x.text.trim());
  } finally {
    await p.destroy();
  }
}

/** Pictures that are the same to the eye: same size, grey levels on average within `tolerance`. */
function assertClose(a: GrayImage, b: GrayImage, tolerance: number, what: string): void {
  assert.equal(a.width, b.width, `${what}: width`);
  assert.equal(a.height, b.height, `${what}: height`);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
  assert.ok(sum / a.data.length <= tolerance, `${what}: mean grey difference ${(sum / a.data.length).toFixed(2)}`);
}

/** The generator's bytes for `specs`, by file name, built in memory. */
async function build(specs: readonly ScanSpec[]): Promise<Map<string, Built>> {
  const out = new Map<string, Built>();
  await buildScans(specs, (b) => out.set(b.file, b));
  return out;
}

const ROT180 = COMMITTED.find((s) => s.variant === 'rot180')!;
const ROT180_CLEAN: ScanSpec = { ...ROT180, variant: 'clean' };
/** One build of the committed set (and the clean page the half-turned one is compared with), shared by the tests. */
let built: Promise<Map<string, Built>> | null = null;
const builtOnce = () => (built ??= build([...COMMITTED, ROT180_CLEAN]));

test('the committed set is the COMMITTED list, each document with its expected.json, every variant at least once', () => {
  assert.deepEqual(documents, COMMITTED.map(fileName).sort());
  assert.deepEqual(committed.filter((f) => f.endsWith('.expected.json')), COMMITTED.map((s) => `${baseName(s)}.expected.json`).sort());
  assert.deepEqual([...new Set(COMMITTED.map((s) => s.variant))].sort(), [...VARIANTS].sort());
  assert.ok(COMMITTED.some((s) => s.variant === 'clean' && s.dpi === 150));
  assert.ok(COMMITTED.some((s) => s.dpi === 300));
  const total = committed.reduce((n, f) => n + read(f).length, 0);
  assert.ok(total <= 3_000_000, `the committed scans weigh ${total} bytes`);
});

test('the committed files are what the generator makes (same bytes, or the same pictures where this machine renders differently)', async () => {
  const all = await builtOnce();
  for (const f of documents) {
    const b = all.get(f)!;
    const mine = read(f);
    if (b.bytes.equals(mine)) continue;
    // pdf.js/skia may rasterise a pixel differently on another CPU: then compare what is drawn
    const ext = path.extname(f);
    if (ext === '.tif') {
      const [x, y] = [decodeTiff(b.bytes), decodeTiff(mine)];
      assert.equal(x.length, y.length, f);
      x.forEach((p, i) => assertClose(p, y[i], 1, `${f} page ${i + 1}`));
    } else if (ext === '.pdf') {
      assert.deepEqual(await textPerPage(b.bytes), await textPerPage(mine), f);
    } else {
      assertClose(await decodePicture(b.bytes), await decodePicture(mine), ext === '.jpg' ? 2 : 1, f);
    }
  }
});

test('the generator is deterministic: fixtures built twice (a seeded one too) give equal bytes; generateScans writes them with their expected.json', async () => {
  const specs: ScanSpec[] = [{ source: 'english-1', variant: 'clean', dpi: 150 }, { source: 'english-1', variant: 'photo', dpi: PHOTO_DPI }];
  for (const s of specs) assert.ok(COMMITTED.some((c) => fileName(c) === fileName(s)), 'both are in the shared build');
  const a = await builtOnce();
  const written = await generateScans({ out: tmp.path, sources: ['english-1'], variants: ['clean', 'photo'], dpis: [150] });
  assert.deepEqual(written.map((w) => path.basename(w.path)).sort(), specs.map(fileName).sort());
  for (const w of written) {
    assert.ok(a.get(path.basename(w.path))!.bytes.equals(fs.readFileSync(w.path)), `${w.path}: two builds differ`);
    assert.deepEqual(JSON.parse(fs.readFileSync(w.expected, 'utf8')), scanSources().find((s) => s.name === 'english-1')!.expected);
    assert.equal(w.set, 'claims-layouts');
    assert.equal(w.fileDpi, w.variant === 'photo' ? null : 150);
  }
});

test('every committed scan has an expected.json equal to its source document\'s, in the format claims test reads', () => {
  const sources = scanSources();
  // the claims-pdf cases whose report.json has a claim, and every layout
  assert.equal(sources.filter((s) => s.set === 'claims-pdf').length, 10);
  assert.equal(sources.filter((s) => s.set === 'claims-layouts').length, 19);
  for (const f of committed.filter((x) => x.endsWith('.expected.json'))) {
    const source = sources.find((s) => s.name === f.slice(0, f.indexOf('.')))!;
    assert.ok(source, `${f}: no source document`);
    const text = read(f).toString('utf8');
    assert.deepEqual(JSON.parse(text), source.expected, f);
    if (source.set === 'claims-layouts') assert.equal(text, fs.readFileSync(source.pdf.replace(/\.pdf$/, '.expected.json'), 'utf8'), `${f}: a copy of the layout's file`);
    parseExpected(text, f); // throws on anything claims test would refuse
  }
});

test('no personal value appears in an expected.json or the README of the scans', () => {
  const values = personalValues();
  for (const f of [...committed.filter((x) => x.endsWith('.expected.json')), 'README.md']) {
    const text = read(f).toString('utf8');
    values.forEach((v, i) => assert.ok(!text.includes(v), `${f} contains personal value #${i + 1}`));
  }
});

test('the PNGs are 8-bit grey with their dpi in pHYs; the photo is a JPEG of about 200 dpi with no dpi recorded', async () => {
  for (const f of documents.filter((x) => x.endsWith('.png'))) {
    const png = read(f);
    assert.equal(png.toString('latin1', 12, 16), 'IHDR', f);
    assert.equal(png[24], 8, `${f}: bit depth`);
    assert.equal(png[25], 0, `${f}: colour type grey`);
    assert.equal(pngDpi(png), specOf(f).dpi, `${f}: pHYs`);
  }
  for (const f of documents.filter((x) => x.endsWith('.jpg'))) {
    const jpg = read(f);
    assert.deepEqual([jpg[0], jpg[1]], [0xff, 0xd8], f);
    assert.equal(jpg.toString('latin1', 6, 10), 'JFIF', f);
    assert.equal(jpg[13], 0, `${f}: JFIF density without units (a phone records no dpi)`);
    const img = await decodePicture(jpg);
    // an A4 sheet (8.27 in wide) at 200 dpi plus the table around it
    const dpi = img.width / (1.07 * 595.28 / 72);
    assert.ok(Math.abs(dpi - PHOTO_DPI) < 5, `${f}: ${dpi.toFixed(0)} dpi`);
  }
});

test('the skew angle of every skew fixture is 2–4 degrees, both ways occur, and the committed ones are turned by it', async () => {
  const angles = specsFor({ variants: ['skew'] }).map((s) => paramsOf(s).params.angle);
  assert.ok(angles.length >= 20);
  for (const a of angles) assert.ok(Math.abs(a) >= SKEW_RANGE[0] && Math.abs(a) <= SKEW_RANGE[1], `angle ${a}`);
  assert.ok(angles.some((a) => a > 0) && angles.some((a) => a < 0), 'the sign varies');
  for (const turn of specsFor({ variants: ['photo'] }).map((s) => paramsOf(s).params.turn)) assert.ok(Math.abs(turn) <= PHOTO_MAX_TURN);

  for (const f of documents.filter((x) => specOf(x).variant === 'skew')) {
    const spec = specOf(f);
    const img = await decodePicture(read(f));
    // the canvas grown to hold an A4 page (as pdf.js sizes it at this dpi) turned by the angle
    const w = Math.floor((595.28 * spec.dpi) / 72);
    const h = Math.floor((841.89 * spec.dpi) / 72);
    const t = (Math.abs(paramsOf(spec).params.angle) * Math.PI) / 180;
    assert.ok(Math.abs(img.width - (w * Math.cos(t) + h * Math.sin(t))) <= 1, `${f}: width ${img.width}`);
    assert.ok(Math.abs(img.height - (w * Math.sin(t) + h * Math.cos(t))) <= 1, `${f}: height ${img.height}`);
    // the corners outside the turned page are the scanner's white
    for (const [x, y] of [[0, 0], [img.width - 1, 0], [0, img.height - 1], [img.width - 1, img.height - 1]]) {
      assert.equal(img.data[y * img.width + x], 255, `${f}: corner ${x},${y}`);
    }
  }
});

test('the rot180 fixture is its clean page upside down', async () => {
  const f = documents.find((x) => specOf(x).variant === 'rot180')!;
  const spec = specOf(f);
  assert.ok(ROT180_SOURCES.includes(spec.source));
  const clean = await decodePicture((await builtOnce()).get(fileName(ROT180_CLEAN))!.bytes);
  const turned = await decodePicture(read(f));
  assert.equal(turned.width, clean.width);
  assert.equal(turned.height, clean.height);
  const w = clean.width;
  let ink = 0;
  for (let y = 0; y < 400; y++) {
    for (let x = 0; x < w; x++) {
      const v = turned.data[y * w + x];
      assert.equal(v, clean.data[(clean.height - 1 - y) * w + (w - 1 - x)], `${f}: pixel ${x},${y} is not the clean page's ${w - 1 - x},${clean.height - 1 - y}`);
      if (v < 128) ink++;
    }
  }
  assert.ok(ink > 0, 'the compared rows hold some of the page');
});

test('the multi-page TIFF has every page of its source, 8-bit grey at its dpi, the pixels of the clean render', async () => {
  for (const f of documents.filter((x) => x.endsWith('.tif'))) {
    const spec = specOf(f);
    const pages = decodeTiff(read(f));
    const source = scanSources().find((s) => s.name === spec.source)!;
    const rendered = await renderPdf(fs.readFileSync(source.pdf), spec.dpi);
    assert.equal(pages.length, rendered.length, `${f}: page count`);
    assert.ok(pages.length > 1);
    pages.forEach((p, i) => {
      assert.equal(p.bits, 8, f);
      assert.equal(p.compression, 32773, `${f}: PackBits`);
      assert.equal(p.dpi, spec.dpi, f);
      assert.equal(p.data.length, p.width * p.height, `${f}: one byte a pixel`);
      assertClose(p, rendered[i], 1, `${f} page ${i + 1}`);
    });
  }
});

test('the image-only PDF has no text layer; the mixed PDF has its text on page 1 and a picture on page 2', async () => {
  for (const f of documents.filter((x) => x.endsWith('.pdf'))) {
    const spec = specOf(f);
    const source = scanSources().find((s) => s.name === spec.source)!;
    const sourceText = await textPerPage(fs.readFileSync(source.pdf));
    const text = await textPerPage(read(f));
    assert.equal(text.length, sourceText.length, `${f}: page count`);
    text.forEach((t, i) => {
      const scanned = spec.variant === 'image-only' || (i + 1) % 2 === 0;
      if (scanned) assert.equal(t, '', `${f}: page ${i + 1} has text`);
      else assert.equal(t, sourceText[i], `${f}: page ${i + 1} is not the source's text page`);
    });
    if (spec.variant === 'mixed') assert.ok(text[0].length > 100 && text.length === 2);
    // no font or text operator left in the file's readable parts for a scanned page
    if (spec.variant === 'image-only') assert.ok(!/\/Font\b/.test(read(f).toString('latin1')), `${f}: still refers to a font`);
  }
});
