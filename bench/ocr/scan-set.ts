/**
 * Scanned claim pages for the OCR benchmark's throughput runs: N one-page claims, every
 * one-page layout the fixture generators know in turn (bench/generate/claim-pdfs.ts: each
 * claim with its own id, so no run trips the duplicate-claim check), rendered at 300 dpi to
 * grey — a clean 300 dpi scan — and written as PNG (with its resolution in pHYs, as a scanner
 * writes it) or as an image-only PDF (the page replaced by its picture), with the scanned
 * fixtures' own tools (fixtures/scan-kit). The fixtures themselves (generate-scans.ts) are a
 * fixed set of 29 documents, some sharing a claim id: too few and not distinct enough for K×N.
 * Multi-page layouts are left out: one file is one page, so pages/s is files/s.
 * Cached in bench/.data/ocr-scans-<tag>-n<N>-<kind>/ like the PDF sets (a temporary folder
 * renamed when complete; the tag hashes the layout names and the generators' source).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { PDFParse } from 'pdf-parse';
import { DATA_DIR } from '../generate/cache.js';
import { removeAtExit, removeNow } from '../support/cleanup.js';
import type { BenchLayout } from '../generate/claim-pdfs.js';
import { renderPdf } from '../../fixtures/scan-kit/render.js';
import { encodeGrayPng } from '../../fixtures/scan-kit/encode.js';
import { scanPdfPages } from '../../fixtures/scan-kit/pdf.js';

export const SCAN_DPI = 300;
export type ScanKind = 'png' | 'pdf';
export interface ScanSet { dir: string; kind: ScanKind; count: number; bytes: number; layouts: string[]; cached: boolean; seconds: number; linked: number }

const GENERATORS = ['generate-pdf.ts', 'generate-layouts.ts', 'scan-kit/render.ts', 'scan-kit/encode.ts', 'scan-kit/pdf.ts'].map((f) => new URL(`../../fixtures/${f}`, import.meta.url));

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
  if (fs.existsSync(dir)) return { dir, kind, count, bytes: size(), layouts: names, cached: true, seconds: 0, linked: 0 };
  const started = performance.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  removeAtExit(tmp);
  fs.mkdirSync(tmp, { recursive: true });
  let linked = 0;
  try {
    for (let i = 0; i < count; i++) {
      const layout = layouts[i % layouts.length];
      const name = `${layout.name}-${String(i + 1).padStart(6, '0')}.${kind}`;
      const have = from && from.count >= count && from.kind === kind && from.layouts.join() === names.join() ? path.join(from.dir, name) : null;
      if (have && fs.existsSync(have)) { fs.linkSync(have, path.join(tmp, name)); linked++; continue; }
      const pdf = await layout.render(i + 1);
      const pages = await renderPdf(pdf, SCAN_DPI);
      fs.writeFileSync(path.join(tmp, name), kind === 'png' ? encodeGrayPng(pages[0]) : scanPdfPages(pdf, new Map(pages.map((p, j) => [j + 1, p]))));
    }
    fs.renameSync(tmp, dir);
  } finally {
    removeNow(tmp);
  }
  return { dir, kind, count, bytes: size(), layouts: names, cached: false, seconds: (performance.now() - started) / 1000, linked };
}
