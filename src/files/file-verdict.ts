import type { FileOutcome } from './file-outcome.js';

/**
 * Why one file was left out of a batch: a code and a message of its own (its own counts, or
 * its first problem), so one merchant's file is named and judged alone. Problem messages
 * never quote personal values (see validation/), so these can be printed, logged and kept.
 */
export interface FileVerdict { path: string; code: string; message: string }

/** A file that gave no row and an error: it could not be read (encoding, parse, format…). */
export const isUnreadable = (o: FileOutcome): boolean => o.rows === 0 && o.errorCount > 0;

export function unreadableVerdict(o: FileOutcome): FileVerdict {
  const p = o.problems.find((x) => x.severity === 'error') ?? o.problems[0];
  const where = p?.row ? `${o.format === 'csv' ? 'line' : 'row'} ${p.row}: ` : p?.page ? `page ${p.page}: ` : '';
  return { path: o.path, code: p?.code ?? 'unreadable-file', message: p ? `${where}${p.message}` : 'could not be read (halo-data validate shows why)' };
}

/** The file's own share of rejected rows, when it is above `max`; else null. */
export function rejectRateVerdict(o: FileOutcome, max: number): FileVerdict | null {
  const rejected = o.rows - o.validRows;
  const rate = o.rows === 0 ? 0 : rejected / o.rows;
  if (rate <= max) return null;
  return {
    path: o.path, code: 'reject-rate',
    message: `${rejected} of ${o.rows} rows were rejected (${(rate * 100).toFixed(2)}%), more than the max reject rate ${max}`,
  };
}
