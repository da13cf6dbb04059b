import { parentPort } from 'node:worker_threads';
import { PdfProblem, limitTypedArrays, PDF_STREAM_BYTES } from '../loaders/pdf.js';
import { readPdfPages } from '../documents/words/pdf-text.js';
import type { DocumentPages } from '../documents/page.js';

/** Worker thread entry: PDF bytes in, positioned words page by page (or a PdfProblem) out. */
export interface PdfTask { bytes: Uint8Array; maxPages: number }
export type PdfResult = { ok: true; doc: DocumentPages } | { ok: false; code: PdfProblem['code']; message: string };

// pdf.js decodes streams without a size limit (see PDF_STREAM_BYTES): cap every Uint8Array
// this thread makes, at 128 MB or twice the PDF being read.
let fileBytes = 0;
limitTypedArrays(() => Math.max(PDF_STREAM_BYTES, 2 * fileBytes));

parentPort!.on('message', async (msg: { id: number; task: PdfTask }) => {
  fileBytes = msg.task.bytes.byteLength;
  try {
    const doc = await readPdfPages(msg.task.bytes, msg.task.maxPages);
    parentPort!.postMessage({ id: msg.id, result: { ok: true, doc } satisfies PdfResult });
  } catch (e) {
    if (e instanceof PdfProblem) {
      parentPort!.postMessage({ id: msg.id, result: { ok: false, code: e.code, message: e.message } satisfies PdfResult });
    } else {
      const err = e as Error;
      parentPort!.postMessage({ id: msg.id, error: { message: err.message, stack: err.stack } });
    }
  }
});
