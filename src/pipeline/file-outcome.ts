import type { Problem } from '../validation/problem.js';

export type FileFormat = 'csv' | 'xls' | 'xlsx' | 'pdf';

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
  pages?: number;
  claimLines?: import('./pdf-file.js').ClaimLine[];
}

export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
}
