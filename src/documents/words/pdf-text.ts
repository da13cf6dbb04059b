import { PDFParse, PasswordException, InvalidPDFException, FormatError } from 'pdf-parse';
import { PdfProblem, PDF_STREAM_BYTES, STREAM_LIMIT_MARK } from '../../loaders/pdf.js';
import type { DocumentPages, Page, Word } from '../page.js';
import type { GrayImage } from '../images/image.js';
import { grayFromRgba } from '../images/gray.js';

/**
 * Positioned words from a PDF's text layer, through pdf.js (the copy pdf-parse bundles and
 * loads). pdf-parse's own getText() flattens a page to text in drawing order and loses where
 * each word was; the reader needs positions, so this takes pdf.js's text items (each with its
 * transform and width) directly. Runs in the PDF worker thread (files/pdf-worker.ts), which
 * the caller can kill: a hostile PDF must not hang the process.
 */

/** The slice of pdf.js's API used here (pdf-parse does not re-export its types). */
interface TextItem { str: string; transform: number[]; width: number; height: number }
interface Viewport { width: number; height: number; transform: number[] }
interface PdfPage {
  getViewport(o: { scale: number }): Viewport;
  getTextContent(o?: { disableNormalization?: boolean }): Promise<{ items: Array<TextItem | { type: string }> }>;
  render(o: { canvasContext: unknown; viewport: Viewport; canvas: unknown }): { promise: Promise<void> };
  cleanup(): void;
}
/** pdf-parse gives pdf.js a canvas factory backed by @napi-rs/canvas: pages are rendered with it. */
interface CanvasAndContext { canvas: unknown; context: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } }
interface PdfDocument { numPages: number; getPage(n: number): Promise<PdfPage>; canvasFactory?: { create(w: number, h: number): CanvasAndContext; destroy(c: CanvasAndContext): void } }

/** How pages without a text layer are read: rendered, then recognised (words/ocr/). Absent: such a PDF is `no-text-layer`. */
export interface PdfOcr {
  dpi: number;
  /** A page is rendered at no more than this many pixels (a huge page size must not take the memory). */
  maxPixels: number;
  recognize(page: number, image: GrayImage): Promise<Page>;
}

async function renderPage(doc: PdfDocument, page: PdfPage, ocr: PdfOcr): Promise<GrayImage> {
  const unit = page.getViewport({ scale: 1 });
  const scale = Math.min(ocr.dpi / 72, Math.sqrt(ocr.maxPixels / Math.max(1, unit.width * unit.height)));
  const viewport = page.getViewport({ scale });
  const factory = doc.canvasFactory;
  if (!factory) throw new Error('pdf-parse changed: its pdf.js document has no canvasFactory (halo-data renders scanned pages with it)');
  const w = Math.max(1, Math.floor(viewport.width)), h = Math.max(1, Math.floor(viewport.height));
  const cc = factory.create(w, h);
  try {
    await page.render({ canvasContext: cc.context, viewport, canvas: cc.canvas }).promise;
    return grayFromRgba(cc.context.getImageData(0, 0, w, h).data, w, h, scale * 72);
  } finally {
    factory.destroy(cc);
  }
}

/**
 * pdf-parse keeps the loaded pdf.js document behind a private `load()`; it is the documented
 * way in (getText uses it) and pdf-parse is pinned by the lock file. A change of that shape
 * fails here with a clear message, and test/unit/page-words.test.ts catches it first.
 */
async function loadDocument(parser: PDFParse): Promise<PdfDocument> {
  const load = (parser as unknown as { load?: () => Promise<PdfDocument> }).load;
  if (typeof load !== 'function') throw new Error('pdf-parse changed: PDFParse.load() is gone (halo-data reads pdf.js text items through it)');
  return load.call(parser);
}

/** a·b for pdf.js 6-number affine transforms. */
function multiply(a: number[], b: number[]): number[] {
  return [
    a[0] * b[0] + a[2] * b[1], a[1] * b[0] + a[3] * b[1],
    a[0] * b[2] + a[2] * b[3], a[1] * b[2] + a[3] * b[3],
    a[0] * b[4] + a[2] * b[5] + a[4], a[1] * b[4] + a[3] * b[5] + a[5],
  ];
}

/**
 * One text item → its words. pdf.js gives the item's start, direction and total width, not
 * each glyph's; a word's x is placed by its share of the item's characters. Good enough to
 * split "No. Klaim : HS-2026-00123" into words in order; cells and columns are found from the
 * gaps between items, which are exact.
 */
function itemWords(item: TextItem, run: number, viewport: number[], out: Word[]): void {
  const text = item.str;
  if (!text || !/\S/.test(text)) return; // pdf.js fills gaps with space items: the gap is the information
  const t = multiply(viewport, item.transform);
  const size = Math.hypot(t[2], t[3]) || item.height || 10;
  // Horizontal text only: a rotated stamp or watermark is not part of the form.
  if (Math.abs(t[1]) > 1e-3 * Math.abs(t[0]) + 1e-6) return;
  const baseline = t[5];
  const width = item.width * (Math.hypot(t[0], t[1]) / Math.max(1e-9, Math.hypot(item.transform[0], item.transform[1])));
  const perChar = width / Math.max(1, text.length);
  const top = baseline - size * 0.8;
  for (const m of text.matchAll(/\S+/g)) {
    out.push({ text: m[0].normalize('NFC'), x: t[4] + m.index * perChar, y: top, w: m[0].length * perChar, h: size, conf: 1, run });
  }
}

export async function readPdfPages(data: Uint8Array, maxPages: number, ocr?: PdfOcr): Promise<DocumentPages> {
  const streamLimit = Math.max(PDF_STREAM_BYTES, 2 * data.byteLength);
  const parser = new PDFParse({ data, verbosity: 0, stopAtErrors: true, isEvalSupported: false });
  try {
    const doc = await loadDocument(parser);
    if (doc.numPages > maxPages) throw new PdfProblem('file-too-large', `the PDF has ${doc.numPages} pages; the limit is ${maxPages}`);
    const pages: Page[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: 1 });
      const content = await page.getTextContent();
      const words: Word[] = [];
      let run = 0;
      for (const item of content.items) if ('str' in item) itemWords(item, run++, viewport.transform, words);
      if (words.length === 0 && ocr) {
        // A page without a text layer is a scan (or blank): each page is read its own way.
        const read = await ocr.recognize(n, await renderPage(doc, page, ocr));
        // Positions in the PDF page's own points, whatever resolution it was recognised at.
        const kx = viewport.width / read.width, ky = viewport.height / read.height;
        pages.push({ ...read, width: viewport.width, height: viewport.height, words: read.words.map((w) => ({ ...w, x: w.x * kx, y: w.y * ky, w: w.w * kx, h: w.h * ky })) });
      } else {
        pages.push({ number: n, width: viewport.width, height: viewport.height, words, source: 'text-layer' });
      }
      page.cleanup();
    }
    if (pages.every((p) => p.words.length === 0 && p.source !== 'ocr')) {
      throw new PdfProblem('no-text-layer', 'the PDF has no text layer (a scanned image?) and OCR is off; ask the sender for the system-generated PDF');
    }
    const sources = new Set(pages.map((p) => p.source));
    return { pages, source: sources.size > 1 ? 'mixed' : sources.has('ocr') ? 'ocr' : 'text-layer' };
  } catch (e) {
    if (e instanceof PdfProblem) throw e;
    if (e instanceof PasswordException || (e as Error)?.name === 'PasswordException') {
      throw new PdfProblem('encrypted-file', 'the PDF is encrypted (password-protected); ask the sender for an unprotected copy');
    }
    const message = String((e as Error)?.message ?? e);
    if (message.includes(STREAM_LIMIT_MARK)) {
      throw new PdfProblem('file-too-large', `a stream in the PDF inflates past ${streamLimit >> 20} MB (a compression bomb, or too large to read)`);
    }
    const kind = e instanceof InvalidPDFException || e instanceof FormatError ? 'damaged or truncated' : 'unreadable';
    throw new PdfProblem('parse-error', `the PDF is ${kind} (${message.slice(0, 100)})`);
  } finally {
    await parser.destroy().catch(() => {});
  }
}
