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
