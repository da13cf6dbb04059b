/**
 * Finds record boundaries in raw bytes so a file can be cut into chunks that parse
 * independently on worker threads. Works on the bytes of any ASCII-compatible encoding
 * (UTF-8, Windows-1252): the quote and the line feed are never part of a multi-byte
 * character there. Uses the same quote rule as the tokenizer: a quote opens only at the
 * start of a field.
 */
const QUOTE = 34, LF = 10, CR = 13;

/** Offset just past the last line feed outside quotes in `buf` (which starts a record), or -1. */
export function lastRecordEnd(buf: Uint8Array, delimiter: number): number {
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
      if (prev === delimiter || prev === LF || prev === CR) { inQuote = true; opens.push(q); }
      p = q + 1;
    } else {
      // A quote as the last byte may be half of an escaped pair: treat it as still open.
      if (q + 1 >= buf.length) break;
      if (buf[q + 1] === QUOTE) { p = q + 2; continue; }
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
