import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import type { FileFormat } from '../pipeline/file-outcome.js';

/**
 * A file's real format from its first bytes, the extension only as a tie-breaker:
 * partners send XLSX files named .xls and CSVs named .txt.
 */
export async function detectFormat(path: string): Promise<FileFormat | null> {
  const fh = await open(path, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(8);
    const { bytesRead } = await fh.read(buf, 0, 8, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const ext = extname(path).toLowerCase();
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) return 'xls';
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  switch (ext) {
    case '.csv': case '.txt': case '.tsv': return 'csv';
    // A spreadsheet extension with other bytes: let the spreadsheet reader say what is wrong
    // (it also reads the HTML tables some systems save as .xls).
    case '.xls': return 'xls';
    case '.xlsx': return 'xlsx';
    case '.pdf': return 'pdf';
    default: return null;
  }
}

export const SUPPORTED_EXTENSIONS = ['.csv', '.txt', '.tsv', '.xls', '.xlsx', '.pdf'];
