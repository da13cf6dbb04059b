import { DICTIONARY } from '../read/dictionary.js';
import type { Reading } from '../reading.js';

/**
 * The page's text in explain is only as safe as the mask, and the mask knows only the personal
 * values the reader found. When it missed the patient's name or member number (a layout whose
 * labels no dictionary entry or template names: exactly when explain is run), the page's lines
 * would print them. Then the lines are shown with only what cannot be personal kept: the
 * words of known labels, amounts and short numbers; every other word becomes `***(n)`, and so
 * do dates and long digit runs. The layout (positions, cells, labels, amounts) stays readable.
 */
export function pageTextTrusted(r: Reading): boolean {
  const read = (f: string) => (r.fields[f]?.value ?? null) !== null;
  // A birth date not printed at all (no label found) leaves nothing to hide.
  return read('member_id') && read('patient_name') && (read('patient_dob') || (r.fields.patient_dob?.labelAt ?? null) === null);
}

const splitWords = (s: string) => s.toLowerCase().split(/[^\p{L}]+/u).filter(Boolean);

/** Words that labels, headers and totals are made of: the dictionary's and those this reading found. */
export function knownWords(r: Reading): Set<string> {
  const d = DICTIONARY;
  const labels = [...Object.values(d.fields).flat(), ...Object.values(d.columns).flat(), ...d.totals, ...d.subtotals, ...d.other,
    ...Object.values(r.fields).map((f) => f.label ?? ''), ...r.table.columns.map((c) => c.header)];
  return new Set(labels.flatMap(splitWords));
}

const DATE = /\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}/;
const LONG_DIGITS = /\d{6,}/;

/** One text with every word that could be personal replaced by `***(n)`. */
export function withholdUnknown(text: string, known: ReadonlySet<string>): string {
  return text.replace(/\S+/g, (tok) => {
    const letters = splitWords(tok);
    if (letters.length > 0) return letters.every((w) => known.has(w)) ? tok : `***(${tok.length})`;
    return DATE.test(tok) || LONG_DIGITS.test(tok) ? `***(${tok.length})` : tok;
  });
}
