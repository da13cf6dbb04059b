/**
 * RFC 4180 output for normalised parts. A field is quoted when it holds a delimiter, a
 * quote, a line break or edge spaces; quotes are doubled.
 */
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvField(v: string): string {
  if (v.length === 0) return '""';
  return NEEDS_QUOTES.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
}

export function csvLine(values: ReadonlyArray<string | null>): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ',';
    const v = values[i];
    if (v !== null) line += csvField(v);
  }
  return line;
}

/**
 * Free text in a normalised part: a value a spreadsheet would run as a formula (=, +, -, @,
 * or a tab/CR first) gets a leading apostrophe and quotes, so it stays text wherever the
 * part is opened (OWASP's advice for CSV injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvText(v: string): string {
  if (FORMULA_START.test(v)) return '"\'' + v.replace(/"/g, '""') + '"';
  return csvField(v);
}
