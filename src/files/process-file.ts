import { basename } from 'node:path';
import { detectFormat } from '../loaders/detect.js';
import { problem } from '../validation/problem.js';
import { processCsvFile } from './csv-file.js';
import { processSpreadsheetFile } from './xlsx-file.js';
import { processPdfFile } from './pdf-file.js';
import type { FileOutcome } from './file-outcome.js';
import type { FileJob } from './file-job.js';

/** Routes a file to its format's driver by its real content. */
export async function processFile(job: FileJob): Promise<FileOutcome> {
  const format = await detectFormat(job.path);
  const fixed = job.schema?.name;
  if (format === 'pdf' || format === 'image') {
    // A claim PDF, scan or photo is claim_pdf whatever claim schema was named.
    if (!fixed || fixed === 'claim_pdf' || fixed === 'insurance_claim') return processPdfFile(job, format);
  } else if (format !== null && fixed !== 'claim_pdf') {
    const tabular = { ...job, candidates: job.candidates.filter((s) => s.formats.includes(format)) };
    return format === 'csv' ? processCsvFile(tabular) : processSpreadsheetFile(tabular, format);
  }
  const message = format === null
    ? `${basename(job.path)} is not a CSV, XLS, XLSX, PDF or image (PNG, JPEG, TIFF) file`
    : `a${format === 'image' ? 'n image' : ` ${format.toUpperCase()}`} file cannot hold ${fixed} (${fixed === 'claim_pdf' ? 'claim_pdf reads PDFs and images' : `${fixed} reads CSV, XLS and XLSX`})`;
  return {
    path: job.path, format, schema: job.schema?.name ?? null, schemaGuessed: false, rows: 0, validRows: 0,
    errorCount: 1, warningCount: 0, problems: [problem('parse-error', 'error', null, null, null, message)],
    truncated: false, durationMs: 0, bytes: 0,
  };
}
