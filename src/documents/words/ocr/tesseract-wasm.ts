import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { GrayImage } from '../../images/image.js';
import type { OcrEngine, OcrResult, OcrWord } from './engine.js';

/**
 * Tesseract 5 compiled to WebAssembly (the npm package tesseract.js-core, the engine inside
 * tesseract.js), driven directly in the calling thread. Not through tesseract.js's own
 * wrapper, because: its loader cannot load two languages that live in two npm packages (one
 * `langPath` folder per worker, and its per-language data objects are broken in 7.0.0 — the
 * data is passed on as the language name); it would run a worker thread inside our worker
 * thread with time-outs of its own, where the PDF worker pool already kills a thread on the
 * per-page limit; and it downloads language data from a CDN when no path is set. With the
 * core alone there is no network code path at all: the data is read from
 * `@tesseract.js-data/<lang>` in node_modules.
 */

/** The slice of the Emscripten module and TessBaseAPI used here (the package has no types). */
interface TessApi {
  Init(dataPath: string, langs: string, oem: number): number;
  SetVariable(name: string, value: string): boolean;
  SetImageFile(exif: number, angle: number): number;
  Recognize(monitor: null): number;
  GetTSVText(page: number): string;
  MeanTextConf(): number;
  Clear(): void;
  End(): void;
  Version?(): string;
}
interface TessModule {
  FS: { writeFile(path: string, data: Uint8Array | string): void; unlink(path: string): void };
  TessBaseAPI: new () => TessApi;
}

const require = createRequire(import.meta.url);
/** LSTM only (no legacy engine): smaller and what the best_int models need. SIMD is in every Node ≥ 16. */
const CORE = 'tesseract.js-core/tesseract-core-simd-lstm.js';
const CORE_NO_SIMD = 'tesseract.js-core/tesseract-core-lstm.js';
export const OCR_LANGUAGES = ['ind', 'eng'] as const;
const OEM_LSTM_ONLY = 1;
/** Automatic page segmentation without OSD (OSD needs the legacy engine). */
const PSM_AUTO = '3';
/** One line of text: a table cell read alone. */
const PSM_SINGLE_LINE = '7';

function simdSupported(): boolean {
  // A tiny module returning a v128 (i8x16.splat, i8x16.popcnt): WebAssembly.validate says whether this Node has SIMD (the probe wasm-feature-detect uses).
  const probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  // WebAssembly is a Node global; the project's type libraries (no DOM) do not declare it.
  const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
  try { return wasm.validate(probe); } catch { return false; }
}

/**
 * The model sets each @tesseract.js-data package ships: `4.0.0_best_int` (tessdata_best's LSTM
 * models, integerised) and `4.0.0` (tessdata: legacy + LSTM; only the LSTM part is used here).
 */
export type OcrModelSet = '4.0.0_best_int' | '4.0.0';

/** Where a language's traineddata lies in node_modules; null when its package is not installed. */
export function languageFile(lang: string, models: OcrModelSet = '4.0.0_best_int'): string | null {
  try {
    const pkg = require.resolve(`@tesseract.js-data/${lang}/package.json`);
    return join(dirname(pkg), models, `${lang}.traineddata.gz`);
  } catch {
    return null;
  }
}

export function coreVersion(): string | null {
  try {
    return (require('tesseract.js-core/package.json') as { version: string }).version;
  } catch {
    return null;
  }
}

/** A PGM (binary greymap): Leptonica reads it without a codec, and it costs nothing to write. */
function pgm(image: GrayImage): Uint8Array {
  const head = new TextEncoder().encode(`P5\n${image.width} ${image.height}\n255\n`);
  const out = new Uint8Array(head.length + image.data.length);
  out.set(head, 0);
  out.set(image.data, head.length);
  return out;
}

/** Tesseract's TSV: one row per element; level 5 rows are words (block, paragraph, line say which line). */
export function wordsFromTsv(tsv: string): OcrWord[] {
  const words: OcrWord[] = [];
  const lineIds = new Map<string, number>();
  for (const row of tsv.split('\n')) {
    const c = row.split('\t');
    if (c[0] !== '5' || c.length < 12) continue;
    const text = c.slice(11).join('\t').trim();
    const conf = Number(c[10]);
    if (!text || !(conf >= 0)) continue;
    const key = `${c[2]}.${c[3]}.${c[4]}`;
    let line = lineIds.get(key);
    if (line === undefined) lineIds.set(key, (line = lineIds.size));
    words.push({ text: text.normalize('NFC'), x: Number(c[6]), y: Number(c[7]), w: Number(c[8]), h: Number(c[9]), conf, line });
  }
  return words;
}

/** Engine settings; the defaults are the product's, the others exist for bench/ocr/engine-study.ts. */
export interface TesseractOptions {
  /** Tesseract language codes, tried together (default ind+eng); those not installed are skipped. */
  languages?: readonly string[];
  /** Page segmentation mode (default 3, automatic without OSD). */
  psm?: number;
  models?: OcrModelSet;
  /** Further Tesseract variables, e.g. { tessedit_do_invert: '0' }. */
  variables?: Readonly<Record<string, string>>;
}

export class TesseractWasm implements OcrEngine {
  readonly name: string;
  readonly languages: string[];
  private api: TessApi;
  private module: TessModule;

  private constructor(module: TessModule, api: TessApi, languages: string[], private readonly psm: string) {
    this.module = module;
    this.api = api;
    this.languages = languages;
    this.name = `tesseract-wasm ${coreVersion() ?? '?'}`;
  }

  /** Loads the WASM engine and the installed languages (Indonesian and English); about 0.2 s, once per thread. */
  static async load(options: TesseractOptions = {}): Promise<TesseractWasm> {
    const factory = require(simdSupported() ? CORE : CORE_NO_SIMD) as (o: object) => Promise<TessModule>;
    // Tesseract prints warnings (e.g. "Estimating resolution") to stderr: they would interleave with the report.
    const module = await factory({ print: () => {}, printErr: () => {} });
    const languages: string[] = [];
    for (const lang of options.languages ?? OCR_LANGUAGES) {
      const file = languageFile(lang, options.models);
      if (!file) continue;
      module.FS.writeFile(`/${lang}.traineddata`, gunzipSync(readFileSync(file)));
      languages.push(lang);
    }
    if (languages.length === 0) throw new Error('no OCR language data installed (@tesseract.js-data/ind or @tesseract.js-data/eng); run npm ci');
    const api = new module.TessBaseAPI();
    if (api.Init('/', languages.join('+'), OEM_LSTM_ONLY) !== 0) throw new Error(`Tesseract could not load its language data (${languages.join('+')})`);
    const psm = options.psm === undefined ? PSM_AUTO : String(options.psm);
    api.SetVariable('tessedit_pageseg_mode', psm);
    for (const [name, value] of Object.entries(options.variables ?? {})) {
      if (!api.SetVariable(name, value)) throw new Error(`Tesseract has no variable ${name}`);
    }
    return new TesseractWasm(module, api, languages, psm);
  }

  recognize(image: GrayImage, opts: { cell?: boolean } = {}): OcrResult {
    this.module.FS.writeFile('/input', pgm(image));
    if (opts.cell) {
      this.api.SetVariable('tessedit_pageseg_mode', PSM_SINGLE_LINE);
      this.api.SetVariable('tessedit_char_whitelist', '0123456789.,');
    }
    try {
      if (image.dpi) this.api.SetVariable('user_defined_dpi', String(Math.round(image.dpi)));
      if (this.api.SetImageFile(1, 0) === 1) throw new Error('Tesseract could not read the page image');
      this.api.Recognize(null);
      const words = wordsFromTsv(this.api.GetTSVText(0));
      return { words, meanConf: words.length ? this.api.MeanTextConf() : 0 };
    } finally {
      this.api.Clear();
      this.module.FS.unlink('/input');
      if (opts.cell) {
        this.api.SetVariable('tessedit_pageseg_mode', this.psm);
        this.api.SetVariable('tessedit_char_whitelist', '');
      }
    }
  }
}
