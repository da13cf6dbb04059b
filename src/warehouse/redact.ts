/**
 * Database error messages can quote the value that failed ("invalid input syntax for type
 * numeric: "abc"", Redshift's "Invalid digit, Value 'x'"), and a value may be personal
 * data. Messages keep their words and lose their quoted values before anyone sees them.
 * Identifiers PostgreSQL quotes (relation "halo.x") are kept: they name our own tables.
 */
const KEEP_AFTER = /(relation|table|column|schema|function|constraint|index|type|database|role|view|sequence)\s*$/i;

export function redactDbMessage(message: string): string {
  return message.replace(/(["'])((?:(?!\1)[^\\]|\\.)*)\1/g, (match, _q: string, _v: string, offset: number, whole: string) =>
    KEEP_AFTER.test(whole.slice(Math.max(0, offset - 24), offset)) ? match : '***');
}
