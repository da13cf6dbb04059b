import type { FileOutcome, ValidateReport } from '../../files/file-outcome.js';
import type { Problem } from '../../validation/problem.js';
import { displayPath } from './paths.js';
import { problemLocation } from './location.js';

/** The JSON report: the shape README.md's "Reports" shows, versioned, with a few extra facts per file. */
export function renderJson(report: ValidateReport, toolVersion: string): string {
  return JSON.stringify({
    version: report.version,
    tool: { name: 'halo-data', version: toolVersion },
    valid: report.valid,
    files: report.files.map((f) => ({
      path: displayPath(f.path),
      schema: f.schema,
      schemaGuessed: f.schemaGuessed,
      format: f.format,
      ...(f.encoding ? { encoding: f.encoding } : {}),
      ...(f.delimiter ? { delimiter: f.delimiter } : {}),
      ...(f.sheet ? { sheet: f.sheet } : {}),
      ...(f.headerRow ? { headerRow: f.headerRow } : {}),
      ...(f.template ? { template: f.template } : {}),
      ...(f.fellBackFrom ? { fellBackFrom: f.fellBackFrom } : {}),
      ...(f.verdict ? { verdict: f.verdict } : {}),
      ...(f.pages ? { pages: f.pages } : {}),
      ...(f.ocr ? { ocr: f.ocr } : {}),
      rows: f.rows,
      validRows: f.validRows,
      errorCount: f.errorCount,
      warningCount: f.warningCount,
      truncated: f.truncated,
      errors: f.problems.map((p) => jsonProblem(p, f)),
    })),
    summary: report.summary,
  }, null, 2) + '\n';
}

function jsonProblem(p: Problem, f: FileOutcome) {
  return {
    code: p.code, severity: p.severity, row: p.row, column: p.column, field: p.field, message: p.message,
    // The location as the other formats print it (`page 1`, `row 5`, `file`), for tools that show it.
    where: problemLocation(p, f).where,
    ...(p.sheet !== undefined ? { sheet: p.sheet } : {}),
    ...(p.page !== undefined ? { page: p.page } : {}),
  };
}
