import type { FieldSpec, Profile, DateOrder } from './types.js';
import { FieldFail, type Cell, type FieldResult } from './fields/fail.js';
import { parseNumberText, parseScaledFast, LocaleState, type ParsedNumber } from './fields/number.js';
import {
  parseDateText, serialToYMD, formatYMD, parseTimestampText, serialTimestamp, formatInstant, zoneOffsetFn,
} from './fields/dates.js';
import { checkBarcode, barcodeFromNumber, normaliseIcd10 } from './fields/codes.js';
import { widthFail } from './widths.js';

/** Turns one cell into canonical text (see README "Normalised values") or a failure. */
export type FieldNormalizer = (cell: Cell) => FieldResult;

const WS = /\s+/g;
const HAS_ODD_WS = /\s\s|[\t\n\r\u00a0]/;

export function cellText(cell: Cell): string {
  if (typeof cell === 'string') return cell;
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return String(cell);
}

export function isEmptyCell(cell: Cell): boolean {
  if (cell === null || cell === undefined) return true;
  if (typeof cell !== 'string') return false;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 160) return false;
  }
  return true;
}

export function dateOrderFor(profile: Profile): DateOrder {
  return profile.dateOrder ?? (profile.locale === 'en-US' ? 'MDY' : 'DMY');
}

/** What a check-only normaliser returns for a good value (validate needs no canonical text). */
export const VALID = '';

/**
 * `checkOnly`: validate without building canonical text — `validate` needs canonical values
 * only for keys and row rules, and building them was a visible share of its time.
 */
export function compileField(field: FieldSpec, profile: Profile, locale: LocaleState, checkOnly = false): FieldNormalizer {
  const order = dateOrderFor(profile);
  switch (field.type) {
    // Free text only has to be present and fit its column; its canonical form is needed for output or keys.
    case 'string': return checkOnly && field.format === undefined ? compileWidthCheck(field) : bounded(compileString(field), field.maxBytes);
    case 'decimal': return compileDecimal(field, profile, locale, checkOnly);
    case 'integer': return compileInteger(field, profile, locale);
    case 'date': return (cell) => {
      const r = typeof cell === 'number' ? serialToYMD(cell) : parseDateText(cellText(cell), order);
      return r instanceof FieldFail ? r : checkOnly ? VALID : formatYMD(r);
    };
    case 'timestamp': {
      const zone = zoneOffsetFn(profile.timezone);
      return (cell) => {
        const r = typeof cell === 'number' ? serialTimestamp(cell, zone) : parseTimestampText(cellText(cell), order, zone);
        return r instanceof FieldFail ? r : checkOnly ? VALID : formatInstant(r);
      };
    }
    case 'enum': return compileEnum(field);
    case 'string[]': return bounded(compileList(field), field.maxBytes);
  }
}

/** A normaliser whose canonical text must fit `maxBytes` (the column's width in UTF-8 bytes). */
function bounded(norm: FieldNormalizer, maxBytes: number | undefined): FieldNormalizer {
  if (maxBytes === undefined) return norm;
  return (cell) => {
    const r = norm(cell);
    return typeof r === 'string' ? widthFail(r, maxBytes) ?? r : r;
  };
}

/**
 * validate's check of free text: only its width. The canonical text is built only when the
 * raw text could be too wide: a UTF-16 unit takes at most 3 bytes in UTF-8, and at most 9
 * once case-mapped (a character can become three, as U+0390 does in upper case).
 */
function compileWidthCheck(field: FieldSpec): FieldNormalizer {
  const max = field.maxBytes;
  if (max === undefined) return () => VALID;
  const norm = compileString(field);
  const perUnit = field.lowercase === true || field.uppercase === true ? 9 : 3;
  return (cell) => {
    if (typeof cell === 'string' && cell.length * perUnit <= max) return VALID;
    const r = norm(cell);
    return typeof r === 'string' ? widthFail(r, max) ?? VALID : r;
  };
}

function collapse(s: string): string {
  const t = s.trim();
  return HAS_ODD_WS.test(t) ? t.replace(WS, ' ') : t;
}

function compileString(field: FieldSpec): FieldNormalizer {
  const lower = field.lowercase === true, upper = field.uppercase === true;
  if (field.format === 'barcode') {
    return (cell) => {
      const r = typeof cell === 'number' ? barcodeFromNumber(cell) : checkBarcode(cellText(cell));
      return r.ok ? r.value : new FieldFail('constraint-error', `${r.reason}; the barcode is left empty`);
    };
  }
  if (field.format === 'icd10') {
    return (cell) => normaliseIcd10(cellText(cell)) ?? new FieldFail('type-error', 'is not an ICD-10 code (e.g. J18.9)');
  }
  return (cell) => {
    let s = collapse(cellText(cell));
    if (lower) s = s.toLowerCase(); else if (upper) s = s.toUpperCase();
    return s;
  };
}

function numberFromCell(cell: Cell, profile: Profile, locale: LocaleState): ParsedNumber | FieldFail | number {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : new FieldFail('type-error', 'is not a finite number');
  if (typeof cell === 'boolean') return new FieldFail('type-error', 'is not a number');
  return parseNumberText(cellText(cell), profile.locale, locale);
}

function boundsFail(field: FieldSpec, negative: boolean, zero: boolean): FieldFail | null {
  if (field.min !== undefined && field.min >= 0 && negative && !zero) return new FieldFail('constraint-error', `must be >= ${field.min}`);
  if (field.exclusiveMin === 0 && (negative || zero)) return new FieldFail('constraint-error', 'must be greater than 0');
  return null;
}

function compileDecimal(field: FieldSpec, profile: Profile, locale: LocaleState, checkOnly: boolean): FieldNormalizer {
  const scale = field.scale ?? 2;
  const maxInt = (field.precision ?? 18) - scale;
  const zeros = '0'.repeat(scale);
  const unit = 10 ** scale;
  const fixedStyle = profile.locale === 'auto' ? null : profile.locale;
  const zeroOk = field.exclusiveMin === undefined;
  return (cell) => {
    if (fixedStyle !== null && typeof cell === 'string') {
      const v = parseScaledFast(cell, fixedStyle, scale);
      if (v > 0 || (v === 0 && zeroOk)) {
        if (checkOnly) return VALID;
        const int = Math.floor(v / unit);
        if (String(int).length <= maxInt) return scale === 0 ? String(int) : int + '.' + String(v - int * unit).padStart(scale, '0');
      }
    }
    const p = numberFromCell(cell, profile, locale);
    if (p instanceof FieldFail) return p;
    let negative: boolean, int: string, frac: string;
    if (typeof p === 'number') {
      // Spreadsheet numbers are binary floats: round half away from zero to the column's scale
      // as the sheet shows it (15 significant digits first: 12500.005 is 12500.01, not .00).
      const scaled = Math.round(Number((Math.abs(p) * unit).toPrecision(15)));
      if (!Number.isSafeInteger(scaled)) return new FieldFail('constraint-error', `has more than ${maxInt} integer digits`);
      negative = p < 0;
      const digits = String(scaled).padStart(scale + 1, '0');
      int = digits.slice(0, digits.length - scale);
      frac = digits.slice(digits.length - scale);
    } else {
      ({ negative, int, frac } = p);
      let end = frac.length;
      while (end > scale && frac.charCodeAt(end - 1) === 48) end--;
      if (end > scale) return new FieldFail('type-error', `has more than ${scale} decimal places`);
      frac = frac.slice(0, end);
    }
    if (int.length > maxInt) return new FieldFail('constraint-error', `has more than ${maxInt} integer digits`);
    const zero = int === '0' && !/[1-9]/.test(frac);
    const bad = boundsFail(field, negative, zero);
    if (bad) return bad;
    const f = scale === 0 ? '' : '.' + (frac + zeros).slice(0, scale);
    return (negative && !zero ? '-' : '') + int + f;
  };
}

const INT_MAX = 2147483647;

function compileInteger(field: FieldSpec, profile: Profile, locale: LocaleState): FieldNormalizer {
  const fixedStyle = profile.locale === 'auto' ? null : profile.locale;
  return (cell) => {
    if (fixedStyle !== null && typeof cell === 'string') {
      const v = parseScaledFast(cell, fixedStyle, 0);
      if (v >= 0 && v <= INT_MAX) return String(v);
    }
    const p = numberFromCell(cell, profile, locale);
    if (p instanceof FieldFail) return p;
    let negative: boolean, int: string;
    if (typeof p === 'number') {
      if (!Number.isInteger(p)) return new FieldFail('type-error', 'is not a whole number');
      negative = p < 0; int = String(Math.abs(p));
    } else {
      if (/[1-9]/.test(p.frac)) return new FieldFail('type-error', 'is not a whole number');
      negative = p.negative; int = p.int;
    }
    if (int.length > 10 || Number(int) > INT_MAX) return new FieldFail('constraint-error', `is larger than ${INT_MAX}`);
    const zero = int === '0';
    const bad = boundsFail(field, negative, zero);
    if (bad) return bad;
    return (negative && !zero ? '-' : '') + int;
  };
}

function enumKey(s: string): string {
  return s.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
}

function compileEnum(field: FieldSpec): FieldNormalizer {
  const map = new Map<string, string>();
  for (const [canonical, spellings] of Object.entries(field.enum ?? {})) {
    map.set(enumKey(canonical), canonical);
    for (const s of spellings) map.set(enumKey(s), canonical);
  }
  const allowed = Object.keys(field.enum ?? {}).join(', ');
  return (cell) => map.get(enumKey(cellText(cell))) ?? new FieldFail('type-error', `is not one of: ${allowed}`);
}

function compileList(field: FieldSpec): FieldNormalizer {
  const seps = field.separators ?? ',;|';
  const splitter = new RegExp(`[${seps.replace(/[\]\\^-]/g, '\\$&').replace(' ', '\\s')}]+`);
  const item = field.format === 'icd10'
    ? (s: string) => normaliseIcd10(s)
    : (s: string) => (field.uppercase ? s.toUpperCase() : field.lowercase ? s.toLowerCase() : s);
  // Items of a personal field are never named in a message.
  const named = (s: string) => (field.personal ? 'an item' : `'${s.length > 20 ? s.slice(0, 17) + '...' : s}'`);
  const allowed = field.allowed ? new Set(field.allowed.items) : null;
  return (cell) => {
    const parts = cellText(cell).split(splitter);
    const out: string[] = [];
    for (const part of parts) {
      if (part.trim() === '') continue;
      const v = item(part.trim());
      if (v === null) return new FieldFail('type-error', field.format === 'icd10'
        ? `has ${named(part.trim())}, which is not a WHO ICD-10 code (a letter, two digits, optionally a dot and one or two digits: A09, J18.9)`
        : 'has an invalid item');
      if (allowed !== null && !allowed.has(v)) {
        return new FieldFail('constraint-error', `has ${named(v)}, which is not in the list of accepted codes (${field.allowed!.source})`);
      }
      if (!out.includes(v)) out.push(v);
    }
    return out.length === 0 ? null : JSON.stringify(out);
  };
}
