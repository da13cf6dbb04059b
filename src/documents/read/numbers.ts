/**
 * Amounts as the reader meets them in a bill: "Rp 4.375.000", "Rp. 4.375.000,-",
 * "IDR 4,250,000.00", "1.150.000,00". The reader only needs to know whether a cell is an
 * amount and its value in cents (to tell items from subtotals); the claim's values are then
 * normalised by the schema's own number reader, with the locale decided here.
 */
export type NumberStyle = 'id-ID' | 'en-US';

const CURRENCY = /^(?:rp\.?|idr|usd|sgd|\$)\s*/iu;
const TAIL = /(?:\s*(?:,-|\.-|-))$/u;

/** The number part of an amount cell ("Rp. 4.375.000,-" → "4.375.000"), or null when it is not one. */
export function amountText(text: string): string | null {
  let s = text.trim().replace(CURRENCY, '').replace(TAIL, '').replace(/\s*(?:rp|idr)$/iu, '').trim();
  // An accountant's negative "(50.000)" (a discount line): the sign is kept.
  if (s.startsWith('(') && s.endsWith(')')) s = '-' + s.slice(1, -1).trim().replace(CURRENCY, '');
  s = s.replace(/^-\s+/u, '-');
  return /^-?\d{1,3}(?:[.,\s]\d{3})*(?:[.,]\d{1,2})?$|^-?\d+(?:[.,]\d{1,2})?$/u.test(s) ? s : null;
}

/** What an amount's separators say about the style: 'id-ID', 'en-US' or null (either). */
export function styleOf(s: string): NumberStyle | null {
  if (/^\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?$/u.test(s) || /^\d+,\d{1,2}$/u.test(s)) {
    // "750.000" alone is 750 in en-US only with three decimals, which no rupiah amount has.
    return 'id-ID';
  }
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?$/u.test(s) || /^\d+\.\d{1,2}$/u.test(s)) return 'en-US';
  return null;
}

/** The style most amounts of a document show; null when none tells, 'mixed' when they disagree. */
export function decideStyle(amounts: string[]): NumberStyle | null | 'mixed' {
  let id = 0, en = 0;
  for (const a of amounts) {
    const s = styleOf(a);
    if (s === 'id-ID') id++; else if (s === 'en-US') en++;
  }
  if (id > 0 && en > 0) return 'mixed';
  return id > 0 ? 'id-ID' : en > 0 ? 'en-US' : null;
}

/** Cents of an amount in a style; null when it does not read in it. */
export function cents(s: string, style: NumberStyle | null): number | null {
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const [group, dec] = style === 'en-US' ? [',', '.'] : ['.', ','];
  let t = body.replace(/\s/g, '');
  if (style === null) {
    if (/[.,]/.test(t)) return null;
  } else {
    const parts = t.split(dec);
    if (parts.length > 2) return null;
    const int = parts[0].split(group).join('');
    if (!/^\d+$/.test(int)) return null;
    const frac = parts[1] ?? '';
    if (!/^\d{0,2}$/.test(frac)) return null;
    t = int + '.' + frac.padEnd(2, '0');
  }
  const v = Math.round(Number(t) * 100);
  return Number.isFinite(v) ? (neg ? -v : v) : null;
}

/** Only a currency mark ("Rp", "IDR"): printed in a column of its own before amounts. */
export function isCurrencyMark(text: string): boolean {
  return /^(?:rp\.?|idr|usd|\$)$/iu.test(text.trim());
}

/** A whole number as printed in a quantity column ("4", "10", "2 pcs", "4 nights", "3 btl", "2,00"): the number, or null. */
export function quantityText(text: string): string | null {
  const m = /^(\d{1,6})(?:[.,]0{1,2})?(?:\s*(?:x|\p{L}{1,8}\.?))?$/iu.exec(text.trim());
  return m ? m[1] : null;
}
