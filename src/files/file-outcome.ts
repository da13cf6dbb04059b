import type { Problem } from '../validation/problem.js';

/** 'image': a PNG, JPEG or TIFF claim document (read by OCR, as claim_pdf). */
export type FileFormat = 'csv' | 'xls' | 'xlsx' | 'pdf' | 'image';

/** What validating (or normalising) one file found. The report renderers print this. */
export interface FileOutcome {
  path: string;
  format: FileFormat | null;
  schema: string | null;
  schemaGuessed: boolean;
  encoding?: string;
  delimiter?: string;
  sheet?: string;
  headerRow?: number;
  rows: number;
  validRows: number;
  errorCount: number;
  warningCount: number;
  /** The first --max-errors problems (errors and warnings), in row order. */
  problems: Problem[];
  truncated: boolean;
  durationMs: number;
  bytes: number;
  /** PDFs: the template that read it, its pages and its line items (canonical). */
  template?: string;
  /** A built-in template matched but its reading failed the checks: the generic reader read it instead. */
  fellBackFrom?: string;
  /** valid | invalid | needs-review (README, "Claim PDFs: the checks"). */
  verdict?: import('../documents/verdict.js').Verdict;
  pages?: number;
  /** Claim documents with scanned pages: how each was read, and each value's OCR confidence (no values). */
  ocr?: OcrOutcome;
  claimLines?: import('./pdf-file.js').ClaimLine[];
}

export interface OcrOutcome {
  pages: Array<{ page: number; engine: string; meanConf: number; dpi: number; rotated: number; skew: number; unreadable?: string }>;
  /** Fields read from scanned pages → the confidence of the least sure word of each, 0..1. */
  fields: Record<string, number>;
  /** Line items read from scanned pages → their confidence, by item number. */
  lines: number[];
}

export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
}

/** The report of one validate run: its own format version and a summary of its files. */
export interface ValidateReport {
  /** The report's format version: bump on any incompatible change. */
  version: 1;
  valid: boolean;
  files: FileOutcome[];
  summary: { files: number; invalidFiles: number; errors: number; warnings: number; rows: number; validRows: number };
}

export function buildReport(files: FileOutcome[]): ValidateReport {
  const summary = { files: files.length, invalidFiles: 0, errors: 0, warnings: 0, rows: 0, validRows: 0 };
  for (const f of files) {
    if (f.errorCount > 0) summary.invalidFiles++;
    summary.errors += f.errorCount;
    summary.warnings += f.warningCount;
    summary.rows += f.rows;
    summary.validRows += f.validRows;
  }
  return { version: 1, valid: summary.errors === 0, files, summary };
}
