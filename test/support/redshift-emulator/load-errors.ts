/**
 * What Redshift keeps of a bad row in its load error tables: STL_LOAD_ERRORS has the row's
 * raw line and the failing field's raw value (raw_line, raw_field_value, 1024 characters
 * each). The emulator finds them again in the file PostgreSQL's COPY refused.
 */

const RAW_CHARS = 1024;

/**
 * The `n`th record (1-based) of a file as COPY counts them: in CSV a quoted field may hold
 * line feeds, so a record ends at a line feed outside quotes.
 */
export function rawRecord(text: string, n: number, csv: boolean, quote = '"'): string | undefined {
  let start = 0;
  let inQuote = false;
  let count = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (csv && c === quote) inQuote = !inQuote;
    if ((c === '\n' && !inQuote) || i === text.length) {
      if (i === text.length && start === i) break;
      if (++count === n) return text.slice(start, i).replace(/\r$/, '').slice(0, RAW_CHARS);
      start = i + 1;
    }
  }
  return undefined;
}

/** Field `index` (0-based) of a record: CSV with quotes, or Redshift's delimited text. */
export function fieldOf(record: string, index: number, csv: boolean, delimiter: string, quote = '"'): string | undefined {
  if (index < 0) return undefined;
  const fields: string[] = [];
  let field = '';
  let inQuote = false;
  for (let i = 0; i < record.length; i++) {
    const c = record[i];
    if (csv && c === quote) {
      if (inQuote && record[i + 1] === quote) { field += quote; i++; continue; }
      inQuote = !inQuote;
      continue;
    }
    if (c === delimiter && !inQuote) { fields.push(field); field = ''; continue; }
    field += c;
  }
  fields.push(field);
  return fields[index]?.slice(0, RAW_CHARS);
}
