import type { GrayImage } from '../../images/image.js';

/**
 * An OCR engine: a page image in, words with pixel boxes and confidences out. The default
 * is Tesseract's WASM build from npm (tesseract-wasm.ts), so `npm ci` alone gives OCR; the
 * engine never fetches anything (its language data comes from npm packages on disk).
 */
export interface OcrWord {
  text: string;
  /** Pixel box in the image given to recognize(). */
  x: number;
  y: number;
  w: number;
  h: number;
  /** The engine's own confidence, 0..100 (Tesseract's scale). */
  conf: number;
  /** Words of one engine text line share it: a gap between them is a space the engine saw, not a column break decided here. */
  line: number;
}

export interface OcrResult {
  words: OcrWord[];
  /** The engine's mean word confidence for the page, 0..100 (0 when it found no word). */
  meanConf: number;
}

export interface OcrEngine {
  /** For `doctor`, reports and explain: e.g. "tesseract-wasm 5.5.1". */
  readonly name: string;
  readonly languages: string[];
  /**
   * Synchronous on purpose: it runs in a worker thread the pool can terminate on the per-page
   * time limit. `cell`: the image is one table cell expected to hold a number (one line,
   * digits and separators only).
   */
  recognize(image: GrayImage, opts?: { cell?: boolean }): OcrResult;
}
