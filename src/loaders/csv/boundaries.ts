/**
 * Finds record boundaries in raw bytes so a file can be cut into chunks that parse
 * independently on worker threads. Works on the bytes of any ASCII-compatible encoding
 * (UTF-8, Windows-1252): the quote and the line feed are never part of a multi-byte
 * character there.
 *
 * The quote rule is the tokenizer's, exactly (tokenizer.ts): a quote opens a quoted field only
 * at the start of a field (the start of a record or just after a delimiter; not after a lone
 * CR), and text after a closing quote is read on as an unquoted field. Any difference would
 * let a chunk end inside a quoted field that the tokenizer then reads as never closed, and
 * the file would be refused for nothing (test/unit/csv-accounting.test.ts checks every cut).
 */
const QUOTE = 34, LF = 10;

/** Offset just past the last line feed outside quotes in `buf` (which starts a record), or -1. */
export function lastRecordEnd(bytes: Uint8Array, delimiter: number): number {
  // Buffer's indexOf is memchr; a plain Uint8Array's is a slow element loop.
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let q = buf.indexOf(QUOTE);
  if (q < 0) {
    const nl = buf.lastIndexOf(LF);
    return nl < 0 ? -1 : nl + 1;
  }
  // Quoted regions [open, close) in order; a line feed inside one does not end a record.
  const opens: number[] = [];
  const closes: number[] = [];
  let inQuote = false;
  let p = 0;
  for (;;) {
    q = buf.indexOf(QUOTE, p);
    if (q < 0) break;
    if (!inQuote) {
      const prev = q === 0 ? LF : buf[q - 1];
      // At the start of a field only (not after a lone CR, which is data): elsewhere a literal.
      if (prev === delimiter || prev === LF) { inQuote = true; opens.push(q); }
      p = q + 1;
    } else {
      // A quote as the last byte may be half of an escaped pair: treat it as still open.
      if (q + 1 >= buf.length) break;
      if (buf[q + 1] === QUOTE) { p = q + 2; continue; }
      // Closed; text after the closing quote is read on as an unquoted field (the tokenizer's rule).
      inQuote = false;
      closes.push(q + 1);
      p = q + 1;
    }
  }
  if (inQuote) closes.push(buf.length);
  // Walk back from the end: skip every line feed that falls inside a quoted region.
  let limit = buf.length;
  let r = opens.length - 1;
  for (;;) {
    const nl = limit > 0 ? buf.lastIndexOf(LF, limit - 1) : -1;
    if (nl < 0) return -1;
    while (r >= 0 && opens[r] > nl) r--;
    if (r >= 0 && nl < closes[r]) { limit = opens[r]; continue; }
    return nl + 1;
  }
}
