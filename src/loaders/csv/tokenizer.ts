/**
 * RFC 4180 tokenizer over decoded text, with the lenient quote rule most exports need: a
 * quote opens a quoted field only at the start of a field; elsewhere it is a literal. Records
 * start and end where csv-parse with relax_quotes has them, damaged text included; a record
 * with text after a closing quote is reported (not passed on), and a quoted field never
 * closed stops reading (the file is refused: files/csv-accounting.ts).
 *
 * Why not csv-parse here: measured on this machine it reads ~135,000 rows/s (7.6 s for 1 M
 * rows), a third of the validate target; lines without quotes are split with one
 * String.split, and only records holding a quote take the character path. csv-parse stays
 * the reference: test/unit/csv-tokenizer.test.ts compares the two on generated input.
 */
export interface TokenizeError {
  kind: 'unterminated-quote' | 'bad-closing-quote';
  /** Relative line (0-based) where the broken record starts. */
  line: number;
}

export type RecordHandler = (cells: string[], line: number) => void;

export interface TokenizeResult {
  /**
   * Lines consumed by the records read (delivered or broken): the relative line number where
   * reading ended. It equals the text's line count (line feeds, plus one for a last line
   * without its own) exactly when every line of the text belongs to a record; after an
   * unterminated quote it is the line where that record starts (its lines were not read).
   */
  lines: number;
  /** Records passed to the handler (broken ones are in `errors`, not here). */
  recordCount: number;
  errors: TokenizeError[];
}

const QUOTE = 34, LF = 10, CR = 13;

export function tokenize(text: string, delimiter: string, onRecord: RecordHandler): TokenizeResult {
  const n = text.length;
  const delimCode = delimiter.charCodeAt(0);
  const errors: TokenizeError[] = [];
  let pos = 0;
  let line = 0;
  let records = 0;
  let nextQuote = text.indexOf('"');
  if (nextQuote < 0) nextQuote = n;

  while (pos < n) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = n;
    if (nextQuote < pos) {
      nextQuote = text.indexOf('"', pos);
      if (nextQuote < 0) nextQuote = n;
    }
    if (nextQuote >= nl) {
      // Fast path: a record on one line with no quote.
      const end = nl > pos && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      onRecord(end === pos ? [''] : text.slice(pos, end).split(delimiter), line);
      records++;
      line++;
      pos = nl + 1;
      continue;
    }
    // Slow path: walk the record field by field.
    const startLine = line;
    const cells: string[] = [];
    let broken: TokenizeError['kind'] | null = null;
    for (;;) {
      if (text.charCodeAt(pos) === QUOTE) {
        let value = '';
        let p = pos + 1;
        let closed = false;
        for (;;) {
          const q = text.indexOf('"', p);
          if (q < 0) break;
          value += text.slice(p, q);
          if (text.charCodeAt(q + 1) === QUOTE) { value += '"'; p = q + 2; continue; }
          p = q + 1;
          closed = true;
          break;
        }
        if (!closed) {
          // Everything from here to the end is one open field: nothing after it can be read
          // as records, so reading stops and the caller refuses the file (csv-file.ts).
          errors.push({ kind: 'unterminated-quote', line: startLine });
          return { lines: startLine, recordCount: records, errors };
        }
        line += countLines(text, pos, p);
        pos = p;
        const c = pos < n ? text.charCodeAt(pos) : LF;
        if (c === delimCode) { cells.push(value); pos++; continue; }
        if (c === LF || (c === CR && (pos + 1 >= n || text.charCodeAt(pos + 1) === LF))) {
          cells.push(value);
          pos += c === CR ? 2 : 1;
          if (pos > n) pos = n;
          line++;
          break;
        }
        // Text after a closing quote ("abc"def): the record cannot be trusted and is reported,
        // not passed on. It ends where a lenient reader (csv-parse's relax_quotes) ends it: the
        // rest of the field is read as unquoted text, so where every later record starts does
        // not depend on this one (boundaries.ts cuts chunks by the same rule).
        broken = 'bad-closing-quote';
      }
      // An unquoted field: up to the next delimiter or the end of the line.
      let lineEnd = text.indexOf('\n', pos);
      if (lineEnd < 0) lineEnd = n;
      const d = text.indexOf(delimiter, pos);
      if (d >= 0 && d < lineEnd) { cells.push(text.slice(pos, d)); pos = d + 1; continue; }
      const end = lineEnd > pos && text.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
      cells.push(text.slice(pos, end));
      pos = lineEnd + 1;
      line++;
      break;
    }
    if (broken) errors.push({ kind: broken, line: startLine });
    else { onRecord(cells, startLine); records++; }
  }
  return { lines: line, recordCount: records, errors };
}

function countLines(text: string, from: number, to: number): number {
  let k = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) k++;
  return k;
}
