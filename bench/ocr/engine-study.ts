/**
 * The OCR engine-settings study (issue 19): which Tesseract settings the product uses.
 *
 *   node --import tsx bench/ocr/engine-study.ts [--settings 'lang=eng,dpi=200;psm=6'] [--rounds 2] [--fonts standard|system] [--pdfs a.pdf,b.pdf] [--per-page]
 *
 * Renders the first page of each claim PDF at 300 dpi (pdf.js through pdf-parse, @napi-rs/canvas)
 * to grey, the scan a 300 dpi scanner would give without its noise; a setting with a lower
 * recognition resolution downscales that image first. Each setting's engine reads every page
 * in this thread, interleaved with the others, and is measured in CPU time (synchronous WASM), and its words are
 * compared with the PDF's own text layer (src/documents/words/pdf-text.ts), as bags of exact
 * strings: the share of the true words OCR found exactly, and the share of the true words
 * holding a digit (amounts, dates, codes: what the gates check).
 * A confidence table per setting says how often a word of each Tesseract confidence is right.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PDFParse } from 'pdf-parse';
import { createCanvas, loadImage, ImageData } from '@napi-rs/canvas';
import { renderPdf } from '../../fixtures/scan-kit/render.js';
import { readPdfPages } from '../../src/documents/words/pdf-text.js';
import { TesseractWasm, type TesseractOptions, type OcrModelSet } from '../../src/documents/words/ocr/tesseract-wasm.js';
import type { GrayImage } from '../../src/documents/images/image.js';
import { grayFromRgba } from '../../src/documents/images/gray.js';
import type { OcrWord } from '../../src/documents/words/ocr/engine.js';
import { bagMatch, confidenceTable, formatConfidenceTable, type Scored } from './word-match.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCAN_DPI = 300;
const DEFAULT_PDFS = [
  'fixtures/claims-pdf/rs-harapan-sehat-2.pdf', 'fixtures/claims-pdf/klinik-medika-1.pdf', 'fixtures/claims-pdf/rsu-bunda-mulia-1.pdf',
];
const BASELINE = 'lang=ind+eng,dpi=300,psm=3,invert=1,models=4.0.0_best_int,scale=smooth';
const DEFAULT_SETTINGS = [
  BASELINE, 'lang=ind', 'lang=eng', 'dpi=150', 'dpi=200', 'psm=4', 'psm=6', 'psm=11', 'invert=0', 'models=4.0.0',
];

/** How a lower recognition resolution is made from the scan: canvas smoothing (area-like) or nearest pixel. */
export type Downscale = 'smooth' | 'nearest';
export interface Setting { label: string; dpi: number; scale: Downscale; options: TesseractOptions }

/** `lang=eng,dpi=200` → the baseline with those keys changed. Throws on an unknown key or value. */
export function parseSetting(spec: string): Setting {
  const keys: Record<string, string> = {};
  for (const part of `${BASELINE},${spec}`.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    if (!['lang', 'dpi', 'psm', 'invert', 'models', 'scale'].includes(k) || !v) throw new Error(`bad setting "${part}" (lang=, dpi=, psm=, invert=, models=, scale=)`);
    keys[k] = v;
  }
  if (!['4.0.0', '4.0.0_best_int'].includes(keys.models)) throw new Error(`models=${keys.models}: 4.0.0 or 4.0.0_best_int`);
  if (!['smooth', 'nearest'].includes(keys.scale)) throw new Error(`scale=${keys.scale}: smooth or nearest`);
  const dpi = Number(keys.dpi);
  if (!(dpi > 0 && dpi <= SCAN_DPI)) throw new Error(`dpi=${keys.dpi}: 1..${SCAN_DPI} (the scan is ${SCAN_DPI})`);
  return {
    label: spec === BASELINE || spec === '' ? 'baseline' : spec,
    dpi,
    scale: keys.scale as Downscale,
    options: { languages: keys.lang.split('+'), psm: Number(keys.psm), models: keys.models as OcrModelSet, variables: { tessedit_do_invert: keys.invert } },
  };
}

interface Doc { name: string; truth: string[]; scans: Map<string, GrayImage> }

/** Nearest-pixel downscaling (what src/documents/words/ocr/prep.ts's scaleTo does today). */
function nearest(image: GrayImage, dpi: number): GrayImage {
  const f = dpi / image.dpi!;
  const W = Math.round(image.width * f), H = Math.round(image.height * f);
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(image.height - 1, Math.floor(y / f));
    for (let x = 0; x < W; x++) data[y * W + x] = image.data[sy * image.width + Math.min(image.width - 1, Math.floor(x / f))];
  }
  return { width: W, height: H, data, dpi };
}

const scanKey = (s: Setting) => `${s.dpi}:${s.dpi === SCAN_DPI ? 'smooth' : s.scale}`;

/**
 * Page 1 at 300 dpi, and downscaled (canvas, high-quality smoothing) to each lower dpi asked
 * for. `standardFonts`: rendered as the scanned fixtures are (fixtures/scan-kit/render.ts,
 * with pdf.js's standard-font data); otherwise pdf-parse's plain getScreenshot, where the
 * non-embedded standard fonts fall back to a system font.
 */
async function render(file: string, dpis: number[], standardFonts: boolean): Promise<Map<number, GrayImage>> {
  let base: GrayImage;
  if (standardFonts) {
    base = (await renderPdf(fs.readFileSync(file), SCAN_DPI))[0];
  } else {
    const parser = new PDFParse({ data: new Uint8Array(fs.readFileSync(file)) });
    try {
      const shot = await parser.getScreenshot({ scale: SCAN_DPI / 72, imageBuffer: true, first: 1 });
      const img = await loadImage(Buffer.from(shot.pages[0].data));
      const ctx = createCanvas(img.width, img.height).getContext('2d');
      ctx.drawImage(img, 0, 0);
      base = grayFromRgba(ctx.getImageData(0, 0, img.width, img.height).data, img.width, img.height, SCAN_DPI);
    } finally {
      await parser.destroy();
    }
  }
  // The grey page onto a canvas, to let the canvas downscale it.
  const rgba = new Uint8ClampedArray(base.width * base.height * 4);
  for (let i = 0; i < base.data.length; i++) {
    rgba.fill(base.data[i], 4 * i, 4 * i + 3);
    rgba[4 * i + 3] = 255;
  }
  const page = createCanvas(base.width, base.height);
  page.getContext('2d').putImageData(new ImageData(rgba, base.width, base.height), 0, 0);
  const out = new Map<number, GrayImage>([[SCAN_DPI, base]]);
  for (const dpi of dpis.filter((d) => d !== SCAN_DPI)) {
    const w = Math.round((base.width * dpi) / SCAN_DPI), h = Math.round((base.height * dpi) / SCAN_DPI);
    const ctx = createCanvas(w, h).getContext('2d');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(page, 0, 0, w, h);
    out.set(dpi, grayFromRgba(ctx.getImageData(0, 0, w, h).data, w, h, dpi));
  }
  return out;
}

interface Result { setting: Setting; loadMs: number; cpuMs: number[]; words: [number, number]; digits: [number, number]; meanConf: number[]; scored: Scored[]; perPage: string[] }

/** One reading of one page: CPU ms of this thread's synchronous WASM call, and what it found. */
function readPage(engine: TesseractWasm, image: GrayImage): { cpuMs: number; words: OcrWord[]; meanConf: number } {
  const cpu0 = process.cpuUsage();
  const { words, meanConf } = engine.recognize(image);
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, words, meanConf };
}

/**
 * Every setting on every page, interleaved (page by page, the settings in a rotating order),
 * `rounds` times, keeping each page's lowest CPU time: a neighbour's load then slows every
 * setting alike, and the minimum is the least disturbed. Accuracy comes from the first round
 * (recognition is deterministic).
 */
function measureAll(engines: TesseractWasm[], results: Result[], docs: Doc[], rounds: number): void {
  for (let round = 0; round < rounds; round++) {
    docs.forEach((doc, d) => {
      for (let j = 0; j < results.length; j++) {
        const i = (j + d + round) % results.length;
        const r = results[i];
        const got = readPage(engines[i], doc.scans.get(scanKey(r.setting))!);
        if (round > 0) { r.cpuMs[d] = Math.min(r.cpuMs[d], got.cpuMs); continue; }
        r.cpuMs[d] = got.cpuMs;
        r.meanConf.push(got.meanConf);
        const m = bagMatch(doc.truth, got.words);
        r.words[0] += m.words.right; r.words[1] += m.words.expected;
        r.digits[0] += m.digits.right; r.digits[1] += m.digits.expected;
        r.scored.push(...m.scored);
        r.perPage.push(`${doc.name}: words ${m.words.right}/${m.words.expected}, digits ${m.digits.right}/${m.digits.expected}; digit words missed: ${m.missedDigits.slice(0, 12).join(' ') || '-'}`);
      }
    });
  }
}

const pct = ([a, b]: [number, number]) => `${a}/${b} ${((100 * a) / Math.max(1, b)).toFixed(1)} %`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    settings: { type: 'string' }, rounds: { type: 'string', default: '1' }, fonts: { type: 'string', default: 'standard' }, pdfs: { type: 'string' }, 'per-page': { type: 'boolean' }, confidence: { type: 'string', default: 'all' },
  } });
  const settings = (values.settings ? values.settings.split(';') : DEFAULT_SETTINGS).map(parseSetting);
  const pdfs = values.pdfs
    ? values.pdfs.split(',')
    : [...DEFAULT_PDFS, ...fs.readdirSync(path.join(ROOT, 'fixtures/claims-layouts')).filter((f) => /-1\.pdf$/.test(f)).map((f) => `fixtures/claims-layouts/${f}`)];
  const dpis = [...new Set([SCAN_DPI, ...settings.map((s) => s.dpi)])];
  const out = (s: string) => process.stdout.write(s);

  out(`OCR engine-settings study: node ${process.version}; ${pdfs.length} pages (page 1 of each PDF) rendered at ${SCAN_DPI} dpi, grey\n`);
  const docs: Doc[] = [];
  for (const file of pdfs) {
    const abs = path.resolve(ROOT, file);
    const pages = await readPdfPages(new Uint8Array(fs.readFileSync(abs)), 20);
    const smooth = await render(abs, dpis, values.fonts === 'standard');
    const scans = new Map<string, GrayImage>();
    for (const s of settings) scans.set(scanKey(s), s.scale === 'nearest' && s.dpi !== SCAN_DPI ? nearest(smooth.get(SCAN_DPI)!, s.dpi) : smooth.get(s.dpi)!);
    docs.push({ name: path.basename(file, '.pdf'), truth: pages.pages[0].words.map((w) => w.text), scans });
  }
  out(`  ${docs.map((d) => `${d.name} (${d.truth.length} words)`).join(', ')}\n\n`);

  // The first page a process reads pays V8's optimising compile of the WASM (~1.3 s CPU, once per process, not per engine): paid here, not counted.
  const warm = await TesseractWasm.load(settings[0].options);
  warm.recognize(docs[0].scans.values().next().value!);
  const results: Result[] = [];
  const engines: TesseractWasm[] = [];
  for (const setting of settings) {
    const t0 = performance.now();
    engines.push(await TesseractWasm.load(setting.options));
    results.push({ setting, loadMs: performance.now() - t0, cpuMs: [], words: [0, 0], digits: [0, 0], meanConf: [], scored: [], perPage: [] });
  }
  const rounds = Number(values.rounds);
  measureAll(engines, results, docs, rounds);
  out(`CPU ms per page: the lowest of ${rounds} interleaved round(s), averaged over the pages\n`);
  for (const r of results) {
    out(`  ${r.setting.label.padEnd(44)} load ${r.loadMs.toFixed(0).padStart(5)} ms  cpu ${mean(r.cpuMs).toFixed(0).padStart(5)} ms/page  words ${pct(r.words).padEnd(16)} digit words ${pct(r.digits).padEnd(16)} mean conf ${mean(r.meanConf).toFixed(1)}\n`);
    if (values['per-page']) r.perPage.forEach((p, i) => out(`      ${r.cpuMs[i].toFixed(0).padStart(5)} ms  ${p}\n`));
  }

  out('\nConfidence calibration (OCR words by Tesseract confidence: share exactly a true word):\n');
  const wanted = values.confidence === 'all' ? results : results.filter((r, i) => String(i) === values.confidence);
  for (const r of wanted) {
    out(`  ${r.setting.label}: all words\n${formatConfidenceTable(confidenceTable(r.scored))}`);
    out(`  ${r.setting.label}: words with a digit (amounts, dates, codes)\n${formatConfidenceTable(confidenceTable(r.scored.filter((x) => x.digit)))}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
