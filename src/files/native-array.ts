/**
 * Array.prototype.push as V8 has it, kept before pdf.js loads. pdf.js's legacy build (the one
 * pdf-parse loads under Node) installs core-js's push in its place — a JavaScript function
 * several times slower — and every array in the PDF worker thread, pdf.js's own and the
 * reader's, pays for it. The PDF worker puts V8's back once pdf.js is loaded.
 */
export const NATIVE_PUSH = Array.prototype.push;

export function restoreNativePush(): void {
  if (Array.prototype.push !== NATIVE_PUSH) {
    Object.defineProperty(Array.prototype, 'push', { value: NATIVE_PUSH, writable: true, configurable: true, enumerable: false });
  }
}
