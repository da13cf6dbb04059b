import type { FileOutcome } from './file-outcome.js';
import { problemLocation, WHOLE_FILE } from '../output/report/location.js';

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
  // Named as validate's report names it (row 3002, page 1, sheet S row 4), so run and validate agree.
  const at = p ? problemLocation(p, o) : null;
  const where = at && at.where !== WHOLE_FILE ? `${at.where}: ` : '';
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
