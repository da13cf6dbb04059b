/**
 * A batch part's CSV (RFC 4180, as csv-out writes it) cut into slices of whole records, each
 * about `target` bytes: a cut is made only at a line feed outside quotes (a quoted field may
 * hold line feeds; `""` inside one toggles twice, so counting quotes is enough). The slices
 * share the buffer's memory.
 */
export const COPY_SLICE_BYTES = 8 << 20;

export function csvSlices(csv: Buffer, target: number): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  // Quote parity is known up to `at`.
  let at = 0;
  let inQuote = false;
  const quotesBefore = (end: number) => {
    for (let q = csv.indexOf(34, at); q !== -1 && q < end; q = csv.indexOf(34, q + 1)) inQuote = !inQuote;
    at = end;
  };
  while (csv.length - start > target) {
    quotesBefore(start + target);
    let cut = -1;
    for (let lf = csv.indexOf(10, at); lf !== -1; lf = csv.indexOf(10, at)) {
      quotesBefore(lf + 1);
      if (!inQuote) { cut = lf + 1; break; }
    }
    if (cut < 0 || cut >= csv.length) break;
    out.push(csv.subarray(start, cut));
    start = cut;
  }
  if (start < csv.length) out.push(csv.subarray(start));
  return out;
}
