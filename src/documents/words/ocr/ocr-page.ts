import type { GrayImage } from '../../images/image.js';
import type { OcrPageFacts, Page, Word } from '../../page.js';
import type { OcrEngine, OcrResult, OcrWord } from './engine.js';
import { defaultPrep, type PagePrep } from './prep.js';

/**
 * One page image to the page model: straightened (quarter turns, skew), cleaned (ruling
 * lines), brought to the recognition resolution, recognised, and its words placed in PDF
 * points like a text layer's, each with the engine's confidence (0..1). What comes after
 * (lines, fields, tables, gates) does not know the words came from OCR, except through
 * `conf` — a value read from an unsure word is needs-review — and `Page.ocr`, which the
 * gates use to send a page too small or too blurred to read to review.
 */
export interface OcrSettings {
  /** The resolution pages are recognised at: finer scans are scaled down (faster, as good), coarser ones up. */
  dpi: number;
  /** The engine's languages, tried together. */
  languages: string[];
}

/**
 * 250 dpi, Indonesian + English: the most accurate setting of the engine study (bench/ocr/
 * engine-study.ts: words 94.0 %, digit words 95.5 % against the text layer) and 13 % less CPU
 * than 300 dpi. English alone is 27 % faster and reads digits as well, but loses Indonesian
 * words (names, item descriptions): `claims.ocr.languages: [eng]` where speed matters more.
 */
export const DEFAULT_OCR: OcrSettings = { dpi: 250, languages: ['ind', 'eng'] };

/** A page whose mean word confidence is below this is not read at all: too blurred, too small, or not text. */
export const READABLE_MEAN = 0.6;
/** A first reading this good is upright; below it, the page is also read turned and the better reading kept. */
const UPRIGHT_MEAN = 70;
/** Capitals lower than this many pixels are too small for OCR to be trusted. */
const MIN_TEXT_PX = 8;
/** Below this engine confidence a word without a letter or digit is taken for a speck. */
const NOISE_CONF = 50;
/** Vertical bars at a word's ends: what OCR makes of a table's vertical rules. */
const RULE_BARS = /^[|│¦]+|[|│¦]+$/gu;
/** A4's width: what a photo without resolution is assumed to span. */
const A4_WIDTH_IN = 8.27;

/** Larger than any claim page (A3's long side is 16.5 in): a resolution saying so is not believed. */
const MAX_PAGE_IN = 17;
/**
 * Pixels a page is recognised at, at most: an A4 page at 300 dpi is 8.7 MP. The engine's time
 * and memory grow with the pixels; a page above this is scaled down whatever its resolution.
 */
export const MAX_RECOGNITION_PIXELS = 12_000_000;

/** The page's resolution: as the file says, unless that makes it larger than any page (or it says nothing): then it spans an A4 width. */
function assumedDpi(image: GrayImage): number {
  const told = image.dpi;
  if (told && Math.max(image.width, image.height) / told <= MAX_PAGE_IN) return told;
  return Math.min(image.width, image.height) / A4_WIDTH_IN;
}

/** To the recognition resolution, and never over MAX_RECOGNITION_PIXELS (an upscale of a large image would be a memory bomb). */
function toRecognition(image: GrayImage, dpi: number, prep: PagePrep): GrayImage {
  const scaled = prep.scaleTo(image, dpi);
  const pixels = scaled.width * scaled.height;
  if (pixels <= MAX_RECOGNITION_PIXELS) return scaled;
  const k = 0.995 * Math.sqrt(MAX_RECOGNITION_PIXELS / (image.width * image.height)); // a little under: sizes are rounded up
  return prep.scaleTo(image, (image.dpi ?? dpi) * k);
}

/**
 * The engine's words in points. A word's box is its glyphs' (a lowercase word is shorter
 * than a capitalised one); the page model expects a line's words to share a size and a
 * baseline, as a text layer's do, so each word takes its engine line's baseline (the median
 * bottom) and size (the tallest word).
 */
export function toWords(words: OcrWord[], dpi: number): Word[] {
  const k = 72 / dpi;
  const byLine = new Map<number, OcrWord[]>();
  for (const w0 of words) {
    // A table's vertical rules come back as "|" (alone or stuck to a word): they are lines, not text.
    const text = w0.text.replace(RULE_BARS, '');
    if (text === '') continue;
    // Specks read as marks ("“", "©", "."), unsure and with no letter or digit: noise, not text.
    if (w0.conf < NOISE_CONF && !/[\p{L}\p{N}]/u.test(text)) continue;
    const w = text === w0.text ? w0 : { ...w0, text };
    const line = byLine.get(w.line);
    if (line) line.push(w); else byLine.set(w.line, [w]);
  }
  const out: Word[] = [];
  for (const line of byLine.values()) {
    const bottoms = line.map((w) => w.y + w.h).sort((a, b) => a - b);
    const baseline = bottoms[Math.floor(bottoms.length / 2)];
    // The tallest word of the line, not counting one far taller than the line's middle word (a smudge read as a letter).
    const heights = line.map((w) => w.h).sort((a, b) => a - b);
    const median = heights[Math.floor(heights.length / 2)];
    const size = Math.max(...heights.filter((h) => h <= 1.6 * median)) / 0.9;
    for (const w of line) {
      out.push({ text: w.text, x: w.x * k, y: (baseline - 0.8 * size) * k, w: w.w * k, h: size * k, conf: Math.max(0, Math.min(1, w.conf / 100)), ocrLine: w.line });
    }
  }
  return out;
}

type Turn = 0 | 90 | 180 | 270;

/**
 * @param onStep called before each recognition (the worker renews its per-page time limit there).
 * @param keep given the image the words were read from (their frame): for reading cells again (reread.ts).
 */
export function ocrPage(source: GrayImage, number: number, engine: OcrEngine, settings: OcrSettings = DEFAULT_OCR,
  onStep: () => void = () => {}, prep: PagePrep = defaultPrep, keep?: (image: GrayImage) => void): Page {
  const scanDpi = assumedDpi(source);
  // Tone first (the cleaning and every estimate read dark ink on light paper), then dust off, at the scan's own resolution.
  const toned = prep.normalPolarity({ ...source, dpi: scanDpi });
  const image0 = prep.despeckle(toned);
  const textPx = prep.textHeight(image0);
  const scaled = toRecognition(image0, settings.dpi, prep);
  const dpi = scaled.dpi ?? scanDpi;
  // Text lines made horizontal first (a page turned by a quarter), then the skew removed
  // (measured on horizontal lines, upright or upside down alike). Upside down or not is for
  // the engine to say. Ruling lines are left in: erasing them (images/prep/rules.ts) was
  // measured on the committed scans, same run, and lost more than it saved — fields 140 against
  // 148 of 156, lines 53 against 141 of 182 (a shaded table header was cut through, and lone
  // digits beside rules went with them).
  const base: Turn = prep.textDirection(scaled).horizontal ? 0 : 90;
  const level = base === 0 ? scaled : prep.quarterTurn(scaled, 90);
  const skew = prep.estimateSkew(level);
  const clean = Math.abs(skew) >= 0.2 ? prep.rotate(level, -skew) : level;
  onStep();
  let result = engine.recognize(clean);
  let turn: Turn = base;
  let read = clean;
  if (result.meanConf < UPRIGHT_MEAN) {
    onStep();
    const upside = prep.quarterTurn(clean, 180);
    const turned = engine.recognize(upside);
    if (turned.meanConf > result.meanConf) { result = turned; turn = ((base + 180) % 360) as Turn; read = upside; }
  }
  keep?.(read);
  const meanConf = result.meanConf / 100;
  const facts: OcrPageFacts = { engine: engine.name, meanConf, dpi: Math.round(dpi), rotated: turn, skew: Math.round(skew * 10) / 10 };
  if (result.words.length === 0) facts.unreadable = 'OCR found no text on it';
  else if (textPx !== null && textPx < MIN_TEXT_PX) facts.unreadable = `its text is too small to read (about ${Math.round(textPx)} pixels high at ${Math.round(scanDpi)} dpi)`;
  else if (meanConf < READABLE_MEAN) facts.unreadable = `it is too blurred or too small to read (mean OCR confidence ${meanConf.toFixed(2)}, below ${READABLE_MEAN.toFixed(2)})`;
  return { number, width: clean.width * 72 / dpi, height: clean.height * 72 / dpi, words: toWords(result.words, dpi), source: 'ocr', ocr: facts };
}
