import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { WorkerTimeoutError, type WorkerPool } from './worker-pool.js';
import type { PdfTask, PdfResult, TaskOcr } from './pdf-worker.js';
import type { Limits } from './file-job.js';
import { DEFAULT_OCR, type OcrSettings } from '../documents/words/ocr/ocr-page.js';
import type { ClaimRead } from '../documents/claim.js';
import type { PdfProblem } from '../loaders/pdf.js';

/**
 * One claim PDF through a PDF worker thread: the size limit, the bytes handed over without a
 * copy, the time limit, and a configuration error met there (a template tie) raised here, in
 * the main thread. Validation (pdf-file.ts) and `claims explain`/`test` (documents/read-file.ts)
 * read documents the same way through it.
 */
export type ClaimTaskResult = { ok: true; claim: ClaimRead } | { ok: false; code: PdfProblem['code']; message: string };

export type ClaimLimits = Pick<Limits, 'pdfBytes' | 'pdfPages' | 'pdfSeconds' | 'ocrPageSeconds' | 'imagePixels'>;

/** OCR as the config sets it and the limits bound it. */
export function taskOcr(limits: ClaimLimits, settings: OcrSettings = DEFAULT_OCR): TaskOcr {
  return { settings, pageSeconds: limits.ocrPageSeconds, maxPixels: limits.imagePixels };
}

export async function readClaimPdf(path: string, pool: WorkerPool<PdfTask, PdfResult>, limits: ClaimLimits,
  read: PdfTask['read'], ocr: TaskOcr | null = taskOcr(limits, read.setup.ocr)): Promise<ClaimTaskResult> {
  const size = (await stat(path)).size;
  if (size > limits.pdfBytes) return { ok: false, code: 'file-too-large', message: `the file is ${size} bytes; the limit for a claim document is ${limits.pdfBytes} (limits.pdfBytes)` };
  // The file's own buffer, handed to the worker without a copy when it is not part of a pool.
  const buf = await readFile(path);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const transfer = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? [buf.buffer as ArrayBuffer] : [];
  let result: PdfResult;
  try {
    result = await pool.run({ bytes, maxPages: limits.pdfPages, read, ocr }, transfer, limits.pdfSeconds * 1000);
  } catch (e) {
    if (e instanceof WorkerTimeoutError) return { ok: false, code: 'parse-error', message: `reading the PDF ${e.message} (a damaged or hostile file?); it was stopped` };
    throw e;
  }
  if (!result.ok && result.code === 'config') throw new ConfigError(result.message);
  return result as ClaimTaskResult;
}
