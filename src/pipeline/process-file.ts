import { basename } from 'node:path';
import { detectFormat } from '../loaders/detect.js';
import { problem } from '../validation/problem.js';
import { processCsvFile } from './csv-file.js';
import { processSpreadsheetFile } from './xlsx-file.js';
import type { FileOutcome } from './file-outcome.js';
import type { FileJob } from './file-job.js';

/** Routes a file to its format's driver by its real content. */
export async function processFile(job: FileJob): Promise<FileOutcome> {
  const format = await detectFormat(job.path);
  if (format === 'csv') return processCsvFile(job);
  if (format === 'xls' || format === 'xlsx') return processSpreadsheetFile(job, format);
  const message = format === 'pdf'
    ? 'claim PDFs are not supported yet'
    : `${basename(job.path)} is not a CSV, XLS, XLSX or PDF file`;
  return {
    path: job.path, format, schema: job.schema?.name ?? null, schemaGuessed: false, rows: 0, validRows: 0,
    errorCount: 1, warningCount: 0, problems: [problem('parse-error', 'error', null, null, null, message)],
    truncated: false, durationMs: 0, bytes: 0,
  };
}
