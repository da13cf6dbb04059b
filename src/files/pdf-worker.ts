import { parentPort } from 'node:worker_threads';
// First: it keeps V8's Array.prototype.push before pdf.js (loaded by the imports below) replaces it.
import { restoreNativePush } from './native-array.js';
import { ConfigError } from '../errors.js';
import { PdfProblem, limitTypedArrays, PDF_STREAM_BYTES } from '../loaders/pdf.js';
import { readPdfPages } from '../documents/words/pdf-text.js';
import { readImagePages } from '../documents/words/scan.js';
import { imageKind } from '../documents/images/sniff.js';
import { ocrPage, type OcrSettings } from '../documents/words/ocr/ocr-page.js';
import { defaultPrep } from '../documents/words/ocr/prep.js';
import { rereadCells } from '../documents/words/ocr/reread.js';
import { TesseractWasm } from '../documents/words/ocr/tesseract-wasm.js';
import type { OcrEngine } from '../documents/words/ocr/engine.js';
import type { GrayImage } from '../documents/images/image.js';
import type { DocumentPages } from '../documents/page.js';
import { readAndJudge, type ClaimRead, type ClaimSetup } from '../documents/claim.js';
import type { GateContext } from '../documents/gates.js';

/**
 * Worker thread entry: PDF bytes in; the claim read and judged (or a PdfProblem) out. The
 * reading runs here, beside pdf.js, so that N threads read N documents at once; the main
 * thread only accumulates the results.
 */
export interface PdfTask {
  bytes: Uint8Array;
  maxPages: number;
  read: { setup: ClaimSetup; ctx: Omit<GateContext, 'mask' | 'personal'>; keepPages: boolean };
  /** How pages without text are read; null: not at all (a scan is `no-text-layer`). */
  ocr: TaskOcr | null;
}

export interface TaskOcr {
  settings: OcrSettings;
  /** Each page's recognition gets this long (the pool's limit is renewed page by page). */
  pageSeconds: number;
  /** Pixels a page may have (decoded or rendered). */
  maxPixels: number;
}
export type PdfResult = { ok: true; claim: ClaimRead } | { ok: false; code: PdfProblem['code']; message: string }
  /** A configuration error met reading the document (two templates that match equally): exit 2, not a file problem. */
  | { ok: false; code: 'config'; message: string };

// pdf.js decodes streams without a size limit (see PDF_STREAM_BYTES): cap every Uint8Array
// this thread makes, at 128 MB or twice the PDF being read.
let fileBytes = 0;
/** Page images kept per document for reading cells again: 20 pages at ≤ 12 MP is ≤ 240 MB, briefly. */
const KEEP_IMAGES = 20;
// The engine is loaded once per thread, on the first page that needs it (0.2 s, ~30 MB of
// language data), and again only if a task asks for other languages.
let engine: { languages: string; ready: Promise<OcrEngine> } | null = null;
function engineFor(languages: string[]): Promise<OcrEngine> {
  const key = languages.join('+');
  if (engine?.languages !== key) engine = { languages: key, ready: TesseractWasm.load({ languages }) };
  return engine.ready;
}
restoreNativePush();
limitTypedArrays(() => Math.max(PDF_STREAM_BYTES, 2 * fileBytes));

parentPort!.on('message', async (msg: { id: number; task: PdfTask }) => {
  fileBytes = msg.task.bytes.byteLength;
  try {
    const ocr = msg.task.ocr;
    const onStep = () => parentPort!.postMessage({ id: msg.id, extend: ocr!.pageSeconds * 1000 });
    // The images pages were read from, for reading empty table cells again (a few pages' worth at most).
    const images = new Map<number, GrayImage>();
    const keep = (n: number) => (image: GrayImage) => { if (images.size < KEEP_IMAGES) images.set(n, image); };
    const recognize = async (n: number, image: GrayImage) => ocrPage(image, n, await engineFor(ocr!.settings.languages), ocr!.settings, onStep, defaultPrep, keep(n));
    const { bytes, maxPages } = msg.task;
    let doc: DocumentPages;
    if (imageKind(bytes.subarray(0, 8)) !== null) {
      if (!ocr) throw new PdfProblem('no-text-layer', 'an image file needs OCR, and OCR is off');
      doc = await readImagePages(bytes, { maxPixels: ocr.maxPixels, maxPages, recognize });
    } else {
      doc = await readPdfPages(bytes, maxPages, ocr ? { dpi: ocr.settings.dpi, maxPixels: ocr.maxPixels, recognize } : undefined);
    }
    const { read } = msg.task;
    let claim = readAndJudge(doc, read.setup, read.ctx);
    if (images.size > 0 && claim.gated.judgement.verdict !== 'valid') {
      const again = rereadCells(doc, claim.reading, images, await engineFor(ocr!.settings.languages), onStep);
      images.clear();
      if (again.found > 0) claim = readAndJudge(again.doc, read.setup, read.ctx);
    }
    // Words and lines are for `claims explain`; a batch needs only the verdict and the values.
    if (!read.keepPages) { claim.reading.pages = []; claim.reading.lines = []; }
    parentPort!.postMessage({ id: msg.id, result: { ok: true, claim } satisfies PdfResult });
  } catch (e) {
    if (e instanceof PdfProblem) {
      parentPort!.postMessage({ id: msg.id, result: { ok: false, code: e.code, message: e.message } satisfies PdfResult });
    } else if (e instanceof ConfigError) {
      parentPort!.postMessage({ id: msg.id, result: { ok: false, code: 'config', message: e.message } satisfies PdfResult });
    } else {
      const err = e as Error;
      parentPort!.postMessage({ id: msg.id, error: { message: err.message, stack: err.stack } });
    }
  }
});
