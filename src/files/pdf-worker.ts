import { parentPort } from 'node:worker_threads';
// First: it keeps V8's Array.prototype.push before pdf.js (loaded by the imports below) replaces it.
import { restoreNativePush } from './native-array.js';
import { ConfigError } from '../errors.js';
import { PdfProblem, limitTypedArrays, PDF_STREAM_BYTES } from '../loaders/pdf.js';
import { readPdfPages } from '../documents/words/pdf-text.js';
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
}
export type PdfResult = { ok: true; claim: ClaimRead } | { ok: false; code: PdfProblem['code']; message: string }
  /** A configuration error met reading the document (two templates that match equally): exit 2, not a file problem. */
  | { ok: false; code: 'config'; message: string };

// pdf.js decodes streams without a size limit (see PDF_STREAM_BYTES): cap every Uint8Array
// this thread makes, at 128 MB or twice the PDF being read.
let fileBytes = 0;
restoreNativePush();
limitTypedArrays(() => Math.max(PDF_STREAM_BYTES, 2 * fileBytes));

parentPort!.on('message', async (msg: { id: number; task: PdfTask }) => {
  fileBytes = msg.task.bytes.byteLength;
  try {
    const doc = await readPdfPages(msg.task.bytes, msg.task.maxPages);
    const { read } = msg.task;
    const claim = readAndJudge(doc, read.setup, read.ctx);
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
