import type { FileOutcome } from '../../files/file-outcome.js';
import type { Problem } from '../../validation/problem.js';

/**
 * Where a problem is, as every report format names it. One function so that text, JSON,
 * JUnit and GitHub output can never disagree (a PDF problem is on `page 1` in all of them,
 * not `page 1` in one and `file` in another).
 */
export interface ProblemLocation {
  /** `sheet S page P row R`, only the parts that apply; `file` for a problem of the whole file. */
  where: string;
  /** The column as the file names it, or null. */
  column: string | null;
  /** `where` with ` [column]` after it: the one label the formats print. */
  label: string;
  /** The line of the file a CI annotation may point at: a row of a table, never a PDF's. */
  line: number | null;
}

export const WHOLE_FILE = 'file';

export function problemLocation(p: Problem, f: Pick<FileOutcome, 'sheet'>): ProblemLocation {
  // The file's sheet is named once, with the file; a problem names its sheet only when
  // it is another one (or the file names none).
  const sheet = p.sheet !== undefined && p.sheet !== '' && p.sheet !== f.sheet ? `sheet ${p.sheet}` : '';
  const page = p.page !== undefined ? `page ${p.page}` : '';
  const row = p.row !== null ? `row ${p.row}` : '';
  const where = [sheet, page, row].filter(Boolean).join(' ') || WHOLE_FILE;
  const column = p.column ? p.column : null;
  return {
    where, column, label: column ? `${where} [${column}]` : where,
    line: p.row !== null && p.page === undefined ? p.row : null,
  };
}
