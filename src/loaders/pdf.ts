/**
 * What can go wrong reading a PDF, and the guard against decompression bombs. The words
 * themselves come from src/documents/words/pdf-text.ts (pdf.js through pdf-parse), in a
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
