/** What validation reports: a stable code, a severity and where it is (README.md, "Reports"). */
export type ProblemCode =
  | 'encoding-error' | 'parse-error' | 'missing-header' | 'unknown-header' | 'duplicate-header'
  | 'blank-row' | 'extra-cell' | 'missing-cell' | 'type-error' | 'constraint-error' | 'required-error'
  | 'duplicate-key' | 'ambiguous-value' | 'total-mismatch' | 'no-text-layer' | 'encrypted-file'
  | 'no-template' | 'needs-review' | 'file-too-large' | 'footer-row' | 'no-data-rows' | 'merchant-mismatch';

export type Severity = 'error' | 'warning';

export interface Problem {
  code: ProblemCode;
  severity: Severity;
  /** 1-based row as a person counts it in the file (CSV: the line where the record starts). */
  row: number | null;
  /** The column as the file names it. */
  column: string | null;
  /** The canonical field. */
  field: string | null;
  message: string;
  sheet?: string;
  page?: number;
}

export function problem(
  code: ProblemCode, severity: Severity, row: number | null, column: string | null, field: string | null, message: string,
): Problem {
  return { code, severity, row, column, field, message };
}

/**
 * Collects a file's problems: counts every one, keeps the first `max` (--max-errors stops
 * collecting, not counting).
 */
export class ProblemSink {
  readonly kept: Problem[] = [];
  errors = 0;
  warnings = 0;
  constructor(readonly max: number) {}
  add(p: Problem): void {
    if (p.severity === 'error') this.errors++; else this.warnings++;
    if (this.kept.length < this.max) this.kept.push(p);
  }
  get truncated(): boolean {
    return this.errors + this.warnings > this.kept.length;
  }
}
