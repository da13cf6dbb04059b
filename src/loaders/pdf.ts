import { PDFParse, PasswordException, InvalidPDFException, FormatError } from 'pdf-parse';

/**
 * Text of a PDF, page by page, through pdf-parse (pdf.js) behind this one file. Runs in a
 * worker thread that the caller can kill: a hostile PDF must not hang the process.
 */
export class PdfProblem extends Error {
  constructor(readonly code: 'no-text-layer' | 'encrypted-file' | 'parse-error' | 'file-too-large', message: string) {
    super(message);
  }
}

/**
 * pdf.js decodes each stream into one growing Uint8Array (DecodeStream.ensureBuffer, doubling)
 * with no limit of its own: a 5 MB PDF whose page content inflates to 1 GiB took 1.1 GB of
 * memory, and a few more MB would take several GB before limits.pdfSeconds stops it. The PDF
 * worker thread (files/pdf-worker.ts) therefore refuses any single Uint8Array longer than
 * this (or than twice the file, for large files), with STREAM_LIMIT_MARK in its message.
 * A claim PDF's largest stream is an embedded font of a few MB.
 */
export const PDF_STREAM_BYTES = 128 << 20;
export const STREAM_LIMIT_MARK = 'halo-data: a PDF stream inflates past';

/** Installs the guard described at PDF_STREAM_BYTES. Only in the PDF worker thread: it replaces the global Uint8Array. */
export function limitTypedArrays(maxBytes: () => number): void {
  const Original = globalThis.Uint8Array;
  if ((Original as unknown as { haloLimited?: boolean }).haloLimited) return;
  const guarded: Uint8ArrayConstructor = new Proxy(Original, {
    construct(target, args, newTarget): object {
      const n = args[0];
      if (typeof n === 'number' && n > maxBytes()) throw new RangeError(`${STREAM_LIMIT_MARK} ${maxBytes()} bytes`);
      // `new Uint8Array(n)` has the proxy as new.target: construct with the real class, or V8
      // gives the array a map of its own and every element access in pdf.js turns slow (5x).
      return Reflect.construct(target, args, newTarget === guarded ? target : newTarget);
    },
    get(target, prop, receiver) {
      return prop === 'haloLimited' ? true : Reflect.get(target, prop, receiver);
    },
  });
  globalThis.Uint8Array = guarded;
}

export interface PdfText {
  /** Text of each page, lines separated by '\n'. */
  pages: string[];
}

export async function readPdfText(data: Uint8Array, maxPages: number): Promise<PdfText> {
  // pdf.js takes ownership of the bytes it is given.
  const streamLimit = Math.max(PDF_STREAM_BYTES, 2 * data.byteLength);
  const parser = new PDFParse({ data, verbosity: 0, stopAtErrors: true, isEvalSupported: false });
  try {
    // One pass: read at most maxPages pages; the result still tells the real page count.
    const text = await parser.getText({ first: maxPages });
    if (text.total > maxPages) throw new PdfProblem('file-too-large', `the PDF has ${text.total} pages; the limit is ${maxPages}`);
    const pages = text.pages.map((p) => p.text);
    if (pages.every((p) => p.trim() === '')) {
      throw new PdfProblem('no-text-layer', 'the PDF has no text layer (a scanned image?): it needs OCR, which halo-data does not do; ask the sender for the system-generated PDF');
    }
    return { pages };
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
    throw new PdfProblem('parse-error', `the PDF is ${kind} (${String((e as Error)?.message ?? e).slice(0, 100)})`);
  } finally {
    await parser.destroy().catch(() => {});
  }
}
