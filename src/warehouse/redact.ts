/**
 * Database error messages can quote the value that failed ("invalid input syntax for type
 * numeric: "abc"", Redshift's "Invalid digit, Value 'x'"), and a value may be personal
 * data. Messages keep their words and lose their quoted values before anyone sees them.
 * Identifiers PostgreSQL quotes (relation "halo.x") are kept: they name our own tables.
 *
 * `own` is SQL the user wrote themselves (`warehouse query`): a quoted fragment that is a
 * whole token of that text is theirs (`syntax error at or near "SELEC"`) and is kept; a value
 * the database read from a row (`invalid input syntax … "Siti"` for `patient_name::int`) is
 * not in their text and still goes. Statements halo-data builds (load, merge) pass no `own`:
 * every quoted value in their messages goes.
 */
const KEEP_AFTER = /(relation|table|column|schema|function|constraint|index|type|database|role|view|sequence)\s*$/i;

export function redactDbMessage(message: string, own?: string): string {
  return message.replace(/(["'])((?:(?!\1)[^\\]|\\.)*)\1/g, (match, _q: string, value: string, offset: number, whole: string) =>
    KEEP_AFTER.test(whole.slice(Math.max(0, offset - 24), offset)) || (own !== undefined && isTokenOf(value, own)) ? match : '***');
}

const WORD = /[\p{L}\p{N}_]/u;

/** Whether `value` occurs in `text` with no letter, digit or underscore joined to either end: "a" is not a token of "halo". */
function isTokenOf(value: string, text: string): boolean {
  if (!value.trim()) return false;
  for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
    const before = text[at - 1];
    const after = text[at + value.length];
    const joined = (c: string | undefined, edge: string | undefined) => c !== undefined && edge !== undefined && WORD.test(c) && WORD.test(edge);
    if (!joined(before, value[0]) && !joined(after, value[value.length - 1])) return true;
  }
  return false;
}
