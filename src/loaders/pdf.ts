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

export interface PdfText {
  /** Text of each page, lines separated by '\n'. */
  pages: string[];
}

export async function readPdfText(data: Uint8Array, maxPages: number): Promise<PdfText> {
  // pdf.js takes ownership of the bytes it is given.
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
    const kind = e instanceof InvalidPDFException || e instanceof FormatError ? 'damaged or truncated' : 'unreadable';
    throw new PdfProblem('parse-error', `the PDF is ${kind} (${String((e as Error)?.message ?? e).slice(0, 100)})`);
  } finally {
    await parser.destroy().catch(() => {});
  }
}
