import { parentPort } from 'node:worker_threads';
import type { PdfProblem } from '../loaders/pdf.js';
import type { ClaimRead, ClaimSetup } from '../documents/claim.js';
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
}
export type PdfResult = { ok: true; claim: ClaimRead } | { ok: false; code: PdfProblem['code']; message: string };

/**
 * pdf.js's legacy build (the one pdf-parse bundles) carries core-js, which on Node 20 replaces
 * Array.prototype.push with a JavaScript function (it finds V8's error on a non-writable length
 * non-conforming) and JSON.parse (for the JSON-parse-with-source proposal): 8x slower pushes,
 * in pdf.js and in the reader alike, ~9 % of a claim PDF's CPU (bench/README.md, "pdf"). V8's
 * own functions are taken here, BEFORE pdf.js loads (hence the dynamic imports below), and
 * put back; nothing in pdf.js or halo-data relies on those two edge cases. pdf.js's worker
 * half (pdf.worker.mjs, with its own core-js) loads during the first document and replaces
 * them again: they are put back before every task too (two comparisons).
 */
const V8_PUSH = Array.prototype.push;
const V8_JSON_PARSE = JSON.parse;
function restoreBuiltins(): void {
  if (Array.prototype.push !== V8_PUSH) Object.defineProperty(Array.prototype, 'push', { value: V8_PUSH, writable: true, enumerable: false, configurable: true });
  if (JSON.parse !== V8_JSON_PARSE) Object.defineProperty(JSON, 'parse', { value: V8_JSON_PARSE, writable: true, enumerable: false, configurable: true });
}

const { PdfProblem: Problem, limitTypedArrays, PDF_STREAM_BYTES } = await import('../loaders/pdf.js');
const { readPdfPages } = await import('../documents/words/pdf-text.js');
const { readAndJudge } = await import('../documents/claim.js');
restoreBuiltins();

// pdf.js decodes streams without a size limit (see PDF_STREAM_BYTES): cap every Uint8Array
// this thread makes, at 128 MB or twice the PDF being read.
let fileBytes = 0;
limitTypedArrays(() => Math.max(PDF_STREAM_BYTES, 2 * fileBytes));

parentPort!.on('message', async (msg: { id: number; task: PdfTask }) => {
  fileBytes = msg.task.bytes.byteLength;
  restoreBuiltins();
  try {
    const doc = await readPdfPages(msg.task.bytes, msg.task.maxPages);
    const { read } = msg.task;
    const claim = readAndJudge(doc, read.setup, read.ctx);
    // Words and lines are for `claims explain`; a batch needs only the verdict and the values.
    if (!read.keepPages) { claim.reading.pages = []; claim.reading.lines = []; }
    parentPort!.postMessage({ id: msg.id, result: { ok: true, claim } satisfies PdfResult });
  } catch (e) {
    if (e instanceof Problem) {
      parentPort!.postMessage({ id: msg.id, result: { ok: false, code: e.code, message: e.message } satisfies PdfResult });
    } else {
      const err = e as Error;
      parentPort!.postMessage({ id: msg.id, error: { message: err.message, stack: err.stack } });
    }
  }
});
