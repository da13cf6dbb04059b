/**
 * The accuracy part of `npm run bench -- ocr`: `halo-data claims test --format json` over the
 * scanned fixtures (fixtures/generate-scans.ts: `<source>.<variant>-<dpi>.<ext>`, the photo
 * `<source>.photo.jpg`), summed per variant, each beside the text-layer reading of the same
 * source documents, and the safety figure: scans whose verdict is valid while an amount
 * differs from the expected one (the goal is none; a misread amount must go to review).
 * Pure: the benchmark runs the commands, this turns their JSON into rows and text.
 */
import type { ClaimsTestDocument } from '../pdf/accuracy.js';

/** `english-1.skew-300.png` → { source: 'english-1', variant: 'skew-300' }; `x.photo.jpg` → photo. Null for another name. */
export function scanKey(file: string): { source: string; variant: string } | null {
  const m = /^(.+)\.(photo|[a-z][a-z0-9-]*-\d+)\.[A-Za-z]+$/.exec(file.replace(/^.*[\\/]/, ''));
  return m ? { source: m[1], variant: m[2] } : null;
}

/** The source document a text-layer file is: its name without the extension. */
export const sourceOfPdf = (file: string): string => file.replace(/^.*[\\/]/, '').replace(/\.pdf$/i, '');

/** The variant's resolution when its name gives one (`skew-300` → 300; the photo: null). */
export function variantDpi(variant: string): number | null {
  const m = /-(\d+)$/.exec(variant);
  return m ? Number(m[1]) : null;
}

/**
 * A difference in an amount: the claimed amount, a line's amount, an item missing or extra
 * (`line <n>` not read, `lines` count): any of these accepted as valid puts a wrong sum of
 * money in the warehouse.
 */
export function isAmountDifference(what: string): boolean {
  return what === 'claim.claimed_amount' || what === 'lines' || /^line \d+(\.amount)?$/.test(what);
}

export interface Count { right: number; expected: number }
export interface VariantRow {
  variant: string;
  documents: number;
  passed: number;
  fields: Count;
  lines: Count;
  verdicts: { valid: number; 'needs-review': number; invalid: number; other: number };
  /** Verdict valid while an amount differs from the expected: the figure that must be 0. */
  wrongAmountAccepted: number;
  /** An amount differs and the verdict is needs-review: the gates caught it. */
  wrongAmountToReview: number;
  /** The source documents of its scans (for the text-layer row beside it). */
  sources: string[];
  /** Files whose wrong amount was accepted (names only: sources and variants, no value). */
  acceptedFiles: string[];
}

function emptyRow(variant: string): VariantRow {
  return {
    variant, documents: 0, passed: 0, fields: { right: 0, expected: 0 }, lines: { right: 0, expected: 0 },
    verdicts: { valid: 0, 'needs-review': 0, invalid: 0, other: 0 }, wrongAmountAccepted: 0, wrongAmountToReview: 0, sources: [], acceptedFiles: [],
  };
}

function add(row: VariantRow, d: ClaimsTestDocument, source: string): void {
  row.documents++;
  if (d.passed) row.passed++;
  row.fields.right += d.fields.right; row.fields.expected += d.fields.expected;
  row.lines.right += d.lines.right; row.lines.expected += d.lines.expected;
  const v = d.verdict === 'valid' || d.verdict === 'needs-review' || d.verdict === 'invalid' ? d.verdict : 'other';
  row.verdicts[v]++;
  const wrongAmount = d.differences.some((x) => isAmountDifference(x.what));
  if (wrongAmount && v === 'valid') { row.wrongAmountAccepted++; row.acceptedFiles.push(d.file.replace(/^.*[\\/]/, '')); }
  if (wrongAmount && v === 'needs-review') row.wrongAmountToReview++;
  if (!row.sources.includes(source)) row.sources.push(source);
}

/** One row per variant (in the order given, then any other, sorted), then "all scans". Files not named like a scan are left out. */
export function variantRows(documents: readonly ClaimsTestDocument[], order: readonly string[] = []): VariantRow[] {
  const rows = new Map<string, VariantRow>();
  const total = emptyRow('all scans');
  for (const d of documents) {
    const key = scanKey(d.file);
    if (!key) continue;
    let row = rows.get(key.variant);
    if (!row) rows.set(key.variant, row = emptyRow(key.variant));
    add(row, d, key.source);
    add(total, d, key.source);
  }
  const rank = (v: string) => (order.includes(v) ? order.indexOf(v) : order.length);
  return [...[...rows.values()].sort((a, b) => rank(a.variant) - rank(b.variant) || a.variant.localeCompare(b.variant)), total];
}

/** The text-layer reading of the given sources, as one row (documents named `<source>.pdf`). */
export function textLayerRow(documents: readonly ClaimsTestDocument[], sources: readonly string[], label = 'text layer'): VariantRow {
  const row = emptyRow(label);
  for (const d of documents) {
    const source = sourceOfPdf(d.file);
    if (sources.includes(source)) add(row, d, source);
  }
  return row;
}

/** Fields right / expected over the scans of the given resolution (the goal: >= 95 % at 300 dpi). */
export function fieldsAtDpi(rows: readonly VariantRow[], dpi: number): Count {
  const c = { right: 0, expected: 0 };
  for (const r of rows) {
    if (variantDpi(r.variant) !== dpi) continue;
    c.right += r.fields.right; c.expected += r.fields.expected;
  }
  return c;
}

export const share = (c: Count): string => `${c.right}/${c.expected}${c.expected > 0 ? ` (${((100 * c.right) / c.expected).toFixed(1)} %)` : ''}`;

/** The table: each variant, then the text layer of the same documents, then the totals. */
export function formatVariantTable(rows: readonly VariantRow[], textRows: ReadonlyMap<string, VariantRow>): string {
  const out: string[] = [];
  out.push(`  ${'variant'.padEnd(18)} ${'read as'.padEnd(11)} ${'docs'.padStart(4)} ${'passed'.padStart(6)}  ${'fields right'.padEnd(18)} ${'lines right'.padEnd(18)} ${'valid/review/invalid'.padEnd(20)} wrong amount: accepted / to review`);
  const line = (name: string, as: string, r: VariantRow) =>
    `  ${name.padEnd(18)} ${as.padEnd(11)} ${String(r.documents).padStart(4)} ${String(r.passed).padStart(6)}  ${share(r.fields).padEnd(18)} ${share(r.lines).padEnd(18)} ${`${r.verdicts.valid}/${r.verdicts['needs-review']}/${r.verdicts.invalid}${r.verdicts.other ? ` (+${r.verdicts.other})` : ''}`.padEnd(20)} ${r.wrongAmountAccepted} / ${r.wrongAmountToReview}`;
  for (const r of rows) {
    out.push(line(r.variant, 'OCR', r));
    const t = textRows.get(r.variant);
    if (t) out.push(line('', 'text layer', t));
  }
  return out.join('\n') + '\n';
}
