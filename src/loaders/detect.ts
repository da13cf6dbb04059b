import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import type { FileFormat } from '../files/file-outcome.js';
import { imageKind } from '../documents/images/sniff.js';

/**
 * A file's real format from its first bytes, the extension only as a tie-breaker:
 * partners send XLSX files named .xls and CSVs named .txt.
 */
export async function detectFormat(path: string): Promise<FileFormat | null> {
  const fh = await open(path, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const ext = extname(path).toLowerCase();
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) return 'xls';
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  // A scan or a photo of a claim: read by OCR as claim_pdf.
  if (imageKind(head) !== null) return 'image';
  switch (ext) {
    case '.csv': case '.txt': case '.tsv': return 'csv';
    // A spreadsheet extension with other bytes: let the spreadsheet reader say what is wrong
    // (it also reads the HTML tables and SpreadsheetML some systems save as .xls) — unless the
    // bytes are plain delimited text. SheetJS would read such a "CSV named .xlsx" with its own
    // en-US number rules ("4.500" became 4.50, "12.500,00" 12.50: silently wrong prices);
    // the CSV reader applies the merchant's locale and reports what it cannot read.
    case '.xls': return isDelimitedText(head) ? 'csv' : 'xls';
    case '.xlsx': return isDelimitedText(head) ? 'csv' : 'xlsx';
    case '.pdf': return 'pdf';
    // An image extension with other bytes: the claim reader says what is wrong with it.
    case '.png': case '.jpg': case '.jpeg': case '.tif': case '.tiff': return 'image';
    default: return null;
  }
}

const HEAD_BYTES = 512;

/**
 * Text that is neither markup (HTML, XML: SheetJS's to read) nor binary: no NUL or other
 * control bytes besides TAB/CR/LF, and a line break or a delimiter in the first bytes.
 */
function isDelimitedText(head: Buffer): boolean {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  if (head[0] === 0xff && head[1] === 0xfe) return true; // UTF-16LE with BOM ("Unicode Text")
  if (head[0] === 0xfe && head[1] === 0xff) return true;
  const start = i;
  for (; i < head.length; i++) {
    const b = head[i];
    if (b < 32 && b !== 9 && b !== 10 && b !== 13) return false;
    if (b === 127) return false;
  }
  const text = head.subarray(start).toString('latin1').trimStart();
  if (text.length === 0 || text.startsWith('<')) return false;
  return /[,;\t|\n]/.test(text);
}

/** Extensions whose files can be read (`.txt`: partners send CSVs named so); a source's default paths take them all. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff'];
export const SUPPORTED_EXTENSIONS = ['.csv', '.txt', '.tsv', '.xls', '.xlsx', '.pdf', ...IMAGE_EXTENSIONS];

/**
 * What a folder given to validate or stage yields: the tabular and claim formats. `.txt` is
 * left out: in a folder it is far more often notes or extracted text than a table (it would
 * only add missing-header errors); it is read when named, or by a glob that spells it out.
 */
export const FOLDER_EXTENSIONS = ['.csv', '.tsv', '.xls', '.xlsx', '.pdf', ...IMAGE_EXTENSIONS];

/** For validate's and stage's --help: what each kind of input yields (files/inputs.ts). */
export const INPUTS_HELP = `files, folders or globs: a folder yields its ${FOLDER_EXTENSIONS.map((e) => e.slice(1).toUpperCase()).join(', ')} files`
  + ' (recursively); a file named is read whatever its extension (.txt as CSV), and so are a glob\'s matches of an extension it spells out';
