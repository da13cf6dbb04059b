import type { Line } from '../layout/line.js';
import type { Where } from '../reading.js';

/**
 * What a document says of itself without a label. The issuer's name is the letterhead: the
 * largest text at the top of the first page, when it names a hospital or clinic. The claim's
 * kind is printed as a title ("Outpatient Claim Form", "RAWAT INAP") on many forms.
 */
const ISSUER = /\b(?:rs|rsu|rsud|rsia|rsup|rsj|rsk|rumah sakit|hospital|klinik|clinic|medical cent(?:er|re)|puskesmas|healthcare|siloam|mayapada|hermina|mitra keluarga)\b/iu;

export function letterhead(page: Line[]): { text: string; at: Where; conf: number } | null {
  const top = page.filter((l) => l.y0 < 200).slice(0, 8);
  if (top.length === 0) return null;
  const size = (l: Line) => Math.max(...l.cells.flatMap((c) => c.words.map((w) => w.h)));
  const biggest = Math.max(...top.map(size));
  for (const l of top) {
    if (size(l) < biggest - 0.5) continue;
    // The name is the run of largest cells on the line (a spaced-out name is several cells; a
    // title or a date in smaller type may share the line).
    const first = l.cells.findIndex((c) => c.words.some((w) => w.h >= biggest - 0.5));
    const run = [l.cells[first]];
    for (let k = first + 1; k < l.cells.length; k++) {
      const c = l.cells[k];
      if (!c.words.every((w) => Math.abs(w.h - biggest) <= 0.5) || c.x0 - run[run.length - 1].x1 > 3 * biggest) break;
      run.push(c);
    }
    const text = run.map((c) => c.text).join(' ').replace(/\s+/g, ' ').trim();
    if (ISSUER.test(text)) return { text, at: { page: l.page, line: l.no, x: Math.round(run[0].x0), y: Math.round(l.y0) }, conf: l.conf };
  }
  return null;
}

const KINDS: Array<[RegExp, string]> = [
  [/\b(?:rawat inap|inpatient|in-patient|opname)\b/iu, 'inpatient'],
  [/\b(?:rawat jalan|outpatient|out-patient)\b/iu, 'outpatient'],
];

/** The claim's kind from titles outside the item table; null when none or both kinds are printed. */
export function claimTypeFromText(pages: Line[][], tableLines: Set<string>): { text: string; at: Where; conf: number } | null {
  const seen = new Map<string, { text: string; at: Where; conf: number }>();
  for (const page of pages) {
    for (const l of page) {
      if (tableLines.has(`${l.page}:${l.no}`)) continue;
      for (const [re, kind] of KINDS) {
        const m = re.exec(l.text);
        // As sure as its line's words (a title read by OCR can be misread).
        if (m && !seen.has(kind)) seen.set(kind, { text: kind, at: { page: l.page, line: l.no, x: Math.round(l.x0), y: Math.round(l.y0) }, conf: l.conf });
      }
    }
  }
  return seen.size === 1 ? [...seen.values()][0] : null;
}
