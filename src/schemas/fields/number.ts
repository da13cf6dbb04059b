import type { Locale } from '../types.js';
import { FieldFail } from './fail.js';

/**
 * Reads partner number text in the merchant's locale without ever going through a float:
 * `12.500`, `12.500,00`, `Rp 12.500`, `Rp12.500,-` (id-ID) or `IDR 12,500.00` (en-US).
 * A value that contradicts the locale is a type-error, never a guess.
 */
export interface ParsedNumber {
  negative: boolean;
  /** Integer digits without leading zeros ('0' for zero). */
  int: string;
  /** Fraction digits as written (may be ''). */
  frac: string;
}

type Style = 'id-ID' | 'en-US';

/** Per-file state for locale 'auto': the first unambiguous value settles the style. */
export class LocaleState {
  settled: Style | null;
  constructor(locale: Locale) {
    this.settled = locale === 'auto' ? null : locale;
  }
  get auto(): boolean {
    return this.settled === null;
  }
}

const CURRENCY_PREFIX = /^(?:rp\.?|idr)\s*/i;
const CURRENCY_SUFFIX = /\s*(?:rp|idr)$/i;

export function parseNumberText(raw: string, locale: Locale, state?: LocaleState): ParsedNumber | FieldFail {
  let s = raw.trim();
  let negative = false;
  if (s.charCodeAt(0) === 40 /* ( */ && s.charCodeAt(s.length - 1) === 41 /* ) */) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (s.charCodeAt(0) === 45 /* - */) {
    if (negative) return new FieldFail('type-error', 'has two minus signs');
    negative = true;
    s = s.slice(1).trim();
  }
  else if (s.charCodeAt(0) === 43 /* + */) { s = s.slice(1).trim(); }
  if (s.length > 0 && !isDigit(s.charCodeAt(0))) s = s.replace(CURRENCY_PREFIX, '');
  if (s.length > 0 && !isDigit(s.charCodeAt(s.length - 1))) {
    s = s.replace(CURRENCY_SUFFIX, '');
    // Indonesian "no cents" marker: Rp 12.500,-
    if (s.endsWith(',-') || s.endsWith('.-')) s = s.slice(0, -2);
  }
  if (s.charCodeAt(0) === 45 /* Rp -12.500 */) {
    if (negative) return new FieldFail('type-error', 'has two minus signs');
    negative = true;
    s = s.slice(1);
  }
  const c0 = s.charCodeAt(0);
  if (c0 === 45 || c0 === 43 || c0 === 40) return new FieldFail('type-error', 'is not a number (more than one sign)');
  if (s.length === 0) return new FieldFail('type-error', 'is not a number');

  let dots = 0, commas = 0, lastDot = -1, lastComma = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) { dots++; lastDot = i; }
    else if (c === 44) { commas++; lastComma = i; }
    else if (!isDigit(c)) return new FieldFail('type-error', 'is not a number');
  }
  if (dots === 0 && commas === 0) return { negative, int: stripZeros(s), frac: '' };
  if (!isDigit(s.charCodeAt(0))) return new FieldFail('type-error', 'is not a number');

  let style: Style;
  const effective = locale === 'auto' ? state?.settled ?? null : locale;
  if (effective !== null) {
    style = effective;
  } else {
    const inferred = inferStyle(s, dots, commas, lastDot, lastComma);
    if (inferred === null) {
      return new FieldFail('ambiguous-value',
        'reads two ways (thousands or decimals) and nothing in the file settles it; set locale id-ID or en-US in the merchant profile');
    }
    style = inferred;
  }

  const group = style === 'id-ID' ? 46 : 44;
  const decimal = style === 'id-ID' ? 44 : 46;
  const decCount = style === 'id-ID' ? commas : dots;
  const decAt = style === 'id-ID' ? lastComma : lastDot;
  const mismatch = () => new FieldFail('type-error', `does not match the ${style} number format (${style === 'id-ID'
    ? "'.' groups thousands, ',' marks decimals" : "',' groups thousands, '.' marks decimals"})`);
  if (decCount > 1) return mismatch();
  const intPart = decCount === 1 ? s.slice(0, decAt) : s;
  const frac = decCount === 1 ? s.slice(decAt + 1) : '';
  for (let i = 0; i < frac.length; i++) if (!isDigit(frac.charCodeAt(i))) return mismatch();
  if (decCount === 1 && (frac.length === 0 || intPart.length === 0)) return mismatch();
  // Group separators: first group 1-3 digits, every later group exactly 3.
  let digits = '';
  let groupStart = 0, groups = 0;
  for (let i = 0; i <= intPart.length; i++) {
    const c = i < intPart.length ? intPart.charCodeAt(i) : group;
    if (c === group) {
      const len = i - groupStart;
      if (groups === 0 ? (len < 1 || (len > 3 && i < intPart.length)) : len !== 3) return mismatch();
      digits += intPart.slice(groupStart, i);
      groupStart = i + 1;
      groups++;
    } else if (c === decimal) {
      return mismatch();
    }
  }
  // Only a value that parsed settles the file's style (locale 'auto').
  if (effective === null && state) state.settled = style;
  return { negative, int: stripZeros(digits), frac };
}

function inferStyle(s: string, dots: number, commas: number, lastDot: number, lastComma: number): Style | null {
  if (dots > 0 && commas > 0) return lastComma > lastDot ? 'id-ID' : 'en-US';
  const count = dots > 0 ? dots : commas;
  const last = dots > 0 ? lastDot : lastComma;
  if (count > 1) return dots > 0 ? 'id-ID' : 'en-US'; // repeated separator groups thousands
  const after = s.length - last - 1;
  if (after === 3) return null; // 1.234 or 1,234: thousands or decimals?
  return dots > 0 ? 'en-US' : 'id-ID'; // a lone separator not followed by 3 digits marks decimals
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function stripZeros(d: string): string {
  let i = 0;
  while (i < d.length - 1 && d.charCodeAt(i) === 48) i++;
  return i === 0 ? d : d.slice(i);
}

/** Compare two canonical decimals ('-12.50', '3.00'): negative, zero or positive. */
export function compareDecimal(a: string, b: string): number {
  const na = a.startsWith('-'), nb = b.startsWith('-');
  if (na !== nb) return na ? -1 : 1;
  const sign = na ? -1 : 1;
  const [ai, af = ''] = (na ? a.slice(1) : a).split('.');
  const [bi, bf = ''] = (nb ? b.slice(1) : b).split('.');
  if (ai.length !== bi.length) return sign * (ai.length - bi.length);
  if (ai !== bi) return sign * (ai < bi ? -1 : 1);
  const len = Math.max(af.length, bf.length);
  const fa = af.padEnd(len, '0'), fb = bf.padEnd(len, '0');
  return fa === fb ? 0 : sign * (fa < fb ? -1 : 1);
}

/**
 * The common case in one pass and without allocating: an optional Rp/IDR prefix, digits
 * grouped correctly for `style`, at most `scale` decimals, an optional ",-". Returns the
 * value scaled by 10^scale (exact: at most 15 digits), or -1 for anything else — the
 * general parser then gives the value or the precise error.
 */
export function parseScaledFast(s: string, style: 'id-ID' | 'en-US', scale: number): number {
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === 82 || c === 114) { // R/r: Rp, Rp., Rp<space>
    const p = s.charCodeAt(1);
    if (p !== 112 && p !== 80) return -1;
    i = 2;
    if (s.charCodeAt(i) === 46) i++;
    while (s.charCodeAt(i) === 32) i++;
  } else if (c === 73 || c === 105) { // IDR
    if ((s.charCodeAt(1) | 32) !== 100 || (s.charCodeAt(2) | 32) !== 114) return -1;
    i = 3;
    while (s.charCodeAt(i) === 32) i++;
  }
  const group = style === 'id-ID' ? 46 : 44;
  const decimal = style === 'id-ID' ? 44 : 46;
  let value = 0, digits = 0, groupLen = 0, groups = 0;
  let end = n;
  // ",-" / ".-": no cents.
  if (n - i >= 2 && s.charCodeAt(n - 1) === 45 && (s.charCodeAt(n - 2) === 44 || s.charCodeAt(n - 2) === 46)) end = n - 2;
  for (; i < end; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
      groupLen++;
    } else if (c === group) {
      if (groups === 0 ? groupLen < 1 || groupLen > 3 : groupLen !== 3) return -1;
      groups++;
      groupLen = 0;
    } else if (c === decimal) {
      break;
    } else {
      return -1;
    }
  }
  if (digits === 0 || (groups > 0 && groupLen !== 3)) return -1;
  let fracDigits = 0;
  if (i < end) { // at the decimal separator
    for (i++; i < end; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) return -1;
      if (fracDigits === scale) { if (c !== 48) return -1; continue; } // trailing zeros beyond the scale
      value = value * 10 + (c - 48);
      digits++;
      fracDigits++;
    }
    if (fracDigits === 0 && s.charCodeAt(end - 1) !== 48) return -1;
  }
  if (digits > 15) return -1;
  for (; fracDigits < scale; fracDigits++) value *= 10;
  return value;
}
