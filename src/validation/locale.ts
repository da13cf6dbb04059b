import type { Locale } from '../schemas/types.js';
import type { FilePlan } from './plan.js';
import type { Cell } from '../schemas/fields/fail.js';
import { parseNumberText, LocaleState } from '../schemas/fields/number.js';

/**
 * Locale 'auto': the file's own unambiguous numbers (12.500,00 or 12,500.00) settle its
 * convention before any row is judged, so a 9.000 above the settling value reads the same
 * as one below it. The sample is what the loader has at hand (a CSV's first 64 KB, a
 * whole sheet); a file settled nowhere in it keeps 'auto' and its workers settle as they go.
 */
export function settleLocale(plan: FilePlan, rows: Iterable<readonly Cell[]>): Locale {
  if (plan.profile.locale !== 'auto') return plan.profile.locale;
  const columns: number[] = [];
  plan.schema.fields.forEach((f, i) => {
    if ((f.type === 'decimal' || f.type === 'integer') && plan.fieldIndex[i] >= 0) columns.push(plan.fieldIndex[i]);
  });
  const state = new LocaleState('auto');
  for (const cells of rows) {
    for (const c of columns) {
      const cell = cells[c];
      if (typeof cell !== 'string' || cell.trim() === '') continue;
      parseNumberText(cell, 'auto', state);
      if (state.settled) return state.settled;
    }
  }
  return 'auto';
}
