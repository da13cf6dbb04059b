/**
 * Scanned claim pages for the OCR benchmark's throughput runs: N one-page claims, every
 * one-page layout the fixture generators know in turn (bench/generate/claim-pdfs.ts: each
 * claim with its own id, so no run trips the duplicate-claim check), rendered by pdf.js at
 * 300 dpi to grey — a clean 300 dpi scan — and written as PNG (with its resolution in pHYs,
 * as a scanner writes it) or as an image-only PDF (the page image alone, no text layer).
 * Multi-page layouts are left out: one file is one page, so pages/s is files/s.
 * Cached in bench/.data/ocr-scans-<tag>-n<N>-<kind>/ like the PDF sets (a temporary folder
 * renamed when complete; the tag hashes the layout names and the generators' source).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { PDFParse } from 'pdf-parse';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import PDFDocument from 'pdfkit';
import { DATA_DIR } from '../generate/cache.js';
import { removeAtExit, removeNow } from '../support/cleanup.js';
import type { BenchLayout } from '../generate/claim-pdfs.js';
import type { GrayImage } from '../../src/documents/images/image.js';

export const SCAN_DPI = 300;
export type ScanKind = 'png' | 'pdf';
export interface ScanSet { dir: string; kind: ScanKind; count: number; bytes: number; layouts: string[]; cached: boolean; seconds: number }

const GENERATORS = ['generate-pdf.ts', 'generate-layouts.ts'].map((f) => new URL(`../../fixtures/${f}`, import.meta.url));

// --- PNG: 8-bit grey, pHYs in pixels per metre -------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A grey image as PNG, its resolution in pHYs (when known). */
export function grayPng(image: GrayImage): Buffer {
  const { width: w, height: h, data } = image;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth; colour type 0 (grey), no interlace
  const raw = Buffer.alloc((w + 1) * h);
  for (let y = 0; y < h; y++) raw.set(data.subarray(y * w, (y + 1) * w), y * (w + 1) + 1); // filter byte 0
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (image.dpi) {
    const phys = Buffer.alloc(9);
    const ppm = Math.round(image.dpi / 0.0254);
    phys.writeUInt32BE(ppm, 0);
    phys.writeUInt32BE(ppm, 4);
    phys[8] = 1; // unit: metre
    parts.push(chunk('pHYs', phys));
  }
  parts.push(chunk('IDAT', zlib.deflateSync(raw, { level: 6 })), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

// --- rendering ----------------------------------------------------------------------------

export interface RenderedPage { image: GrayImage; widthPt: number; heightPt: number }

/** Every page of a PDF rendered at `dpi`, grey (pdf.js through pdf-parse, @napi-rs/canvas). */
export async function renderPdf(bytes: Uint8Array, dpi: number): Promise<RenderedPage[]> {
  const parser = new PDFParse({ data: bytes });
  try {
    const shot = await parser.getScreenshot({ scale: dpi / 72, imageBuffer: true });
    const pages: RenderedPage[] = [];
    for (const p of shot.pages) {
      const img = await loadImage(Buffer.from(p.data));
      const canvas = createCanvas(img.width, img.height);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = 'white';
      ctx.fillRect(0, 0, img.width, img.height);
      ctx.drawImage(img, 0, 0);
      const rgba = ctx.getImageData(0, 0, img.width, img.height).data;
      const data = new Uint8Array(img.width * img.height);
      for (let i = 0, j = 0; i < data.length; i++, j += 4) data[i] = (rgba[j] * 77 + rgba[j + 1] * 150 + rgba[j + 2] * 29) >> 8;
      pages.push({ image: { width: img.width, height: img.height, data, dpi }, widthPt: (img.width * 72) / dpi, heightPt: (img.height * 72) / dpi });
    }
    return pages;
  } finally {
    await parser.destroy();
  }
}

/** An image-only PDF: each page the size it was, holding its image and nothing else. */
export function imageOnlyPdf(pages: RenderedPage[]): Promise<Buffer> {
  const doc = new PDFDocument({ autoFirstPage: false, info: { Title: 'Scan', Creator: 'halo-data bench' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => { doc.on('end', () => resolve(Buffer.concat(chunks))); doc.on('error', reject); });
  for (const p of pages) {
    doc.addPage({ size: [p.widthPt, p.heightPt], margin: 0 });
    doc.image(grayPng(p.image), 0, 0, { width: p.widthPt, height: p.heightPt });
  }
  doc.end();
  return done;
}

// --- the set -----------------------------------------------------------------------------

/** The layout of a scan file: its name without `-<n>.<ext>`. */
export function layoutOfScan(file: string): string {
  return path.basename(file).replace(/-\d+\.(png|pdf|jpe?g|tiff?)$/i, '');
}

/** The layouts whose claim has one page (tried once each: a claim's page count does not depend on its id). */
export async function onePageLayouts(layouts: BenchLayout[]): Promise<{ kept: BenchLayout[]; left: string[] }> {
  const kept: BenchLayout[] = [], left: string[] = [];
  for (const l of layouts) {
    const parser = new PDFParse({ data: new Uint8Array(await l.render(1)) });
    try {
      if ((await parser.getInfo()).total === 1) kept.push(l);
      else left.push(l.name);
    } finally {
      await parser.destroy();
    }
  }
  return { kept, left };
}

/**
 * The set of `count` scans. With `from`, a larger set of the same layouts and kind, its first
 * `count` files are linked rather than rendered again: claim n is the same in every set.
 */
export async function scanSet(count: number, layouts: BenchLayout[], kind: ScanKind, from?: ScanSet): Promise<ScanSet> {
  const names = layouts.map((l) => l.name);
  const hash = createHash('sha256').update(`${names.join(',')};${SCAN_DPI};v1`);
  for (const f of GENERATORS) if (fs.existsSync(f)) hash.update(fs.readFileSync(f));
  const tag = hash.digest('hex').slice(0, 8);
  const dir = path.join(DATA_DIR, `ocr-scans-${tag}-n${count}-${kind}`);
  const size = () => fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
  if (fs.existsSync(dir)) return { dir, kind, count, bytes: size(), layouts: names, cached: true, seconds: 0 };
  const started = performance.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  removeAtExit(tmp);
  fs.mkdirSync(tmp, { recursive: true });
  try {
    for (let i = 0; i < count; i++) {
      const layout = layouts[i % layouts.length];
      const name = `${layout.name}-${String(i + 1).padStart(6, '0')}.${kind}`;
      const have = from && from.count >= count && from.kind === kind && from.layouts.join() === names.join() ? path.join(from.dir, name) : null;
      if (have && fs.existsSync(have)) { fs.linkSync(have, path.join(tmp, name)); continue; }
      const pages = await renderPdf(new Uint8Array(await layout.render(i + 1)), SCAN_DPI);
      fs.writeFileSync(path.join(tmp, name), kind === 'png' ? grayPng(pages[0].image) : await imageOnlyPdf(pages));
    }
    fs.renameSync(tmp, dir);
  } finally {
    removeNow(tmp);
  }
  return { dir, kind, count, bytes: size(), layouts: names, cached: false, seconds: (performance.now() - started) / 1000 };
}
