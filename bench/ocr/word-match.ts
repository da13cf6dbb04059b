/**
 * OCR words against a page's true words (its text layer), as bags of exact strings: position
 * is left out on purpose (the reader finds values by position; this asks only whether the
 * engine read the characters right). Pure, unit-tested in test/unit/bench-ocr.test.ts.
 */

export interface Scored { conf: number; right: boolean; digit: boolean }
export interface Count { right: number; expected: number }
export interface BagMatch {
  /** True words found exactly (each OCR word counts for at most one true word). */
  words: Count;
  /** The same for the true words that hold a digit: amounts, dates, numbers. */
  digits: Count;
  /** Every OCR word with its confidence and whether it matched a true word. */
  scored: Scored[];
  /** True digit words not found, in page order. */
  missedDigits: string[];
}

const hasDigit = (s: string) => /\d/.test(s);

export function bagMatch(truth: readonly string[], ocr: ReadonlyArray<{ text: string; conf: number }>): BagMatch {
  const left = new Map<string, number>();
  for (const t of truth) left.set(t, (left.get(t) ?? 0) + 1);
  const scored: Scored[] = [];
  let right = 0, digitsRight = 0;
  for (const w of ocr) {
    const n = left.get(w.text) ?? 0;
    scored.push({ conf: w.conf, right: n > 0, digit: hasDigit(w.text) });
    if (n === 0) continue;
    left.set(w.text, n - 1);
    right++;
    if (hasDigit(w.text)) digitsRight++;
  }
  // What is left in the bag was not found; walk the truth in order to list the missed digit words.
  const missedDigits: string[] = [];
  const stillLeft = new Map(left);
  for (let i = truth.length - 1; i >= 0; i--) {
    const t = truth[i];
    const n = stillLeft.get(t) ?? 0;
    if (n > 0 && hasDigit(t)) { missedDigits.unshift(t); stillLeft.set(t, n - 1); }
  }
  return {
    words: { right, expected: truth.length },
    digits: { right: digitsRight, expected: truth.filter(hasDigit).length },
    scored,
    missedDigits,
  };
}

/** The calibration buckets: lower bound inclusive, upper exclusive, on Tesseract's 0..100. */
export const CONF_BUCKETS: ReadonlyArray<[number, number]> = [[0, 50], [50, 70], [70, 80], [80, 85], [85, 90], [90, 95], [95, Infinity]];

export interface ConfidenceRow { from: number; to: number; words: number; right: number }

export function confidenceTable(scored: readonly Scored[]): ConfidenceRow[] {
  const rows = CONF_BUCKETS.map(([from, to]) => ({ from, to, words: 0, right: 0 }));
  for (const s of scored) {
    const row = rows.find((r) => s.conf >= r.from && s.conf < r.to) ?? rows[0];
    row.words++;
    if (s.right) row.right++;
  }
  return rows;
}

export function formatConfidenceTable(rows: readonly ConfidenceRow[]): string {
  const total = rows.reduce((a, r) => a + r.words, 0);
  return rows.map((r) => {
    const range = r.to === Infinity ? `>= ${r.from}` : r.from === 0 ? `< ${r.to}` : `${r.from}-${r.to}`;
    const share = r.words ? `${((100 * r.right) / r.words).toFixed(1)} % right` : '-';
    return `    conf ${range.padEnd(7)} ${String(r.words).padStart(6)} words (${((100 * r.words) / Math.max(1, total)).toFixed(1).padStart(4)} % of all)  ${share}\n`;
  }).join('');
}
