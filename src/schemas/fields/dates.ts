import type { DateOrder } from '../types.js';
import { FieldFail } from './fail.js';

/**
 * Dates and timestamps as partners write them: 21/11/2026, 21-11-2026, 2026-11-21,
 * 21 Nov 2026 / 21 Agustus 2026, Excel serials; timestamps add 10:30[:00], a zone
 * (Z, +07:00, WIB/WITA/WIT) or none (then the profile's zone, Asia/Jakarta by default).
 */
export interface YMD { y: number; m: number; d: number }

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, januari: 1,
  feb: 2, february: 2, februari: 2, peb: 2, pebruari: 2,
  mar: 3, march: 3, maret: 3,
  apr: 4, april: 4,
  may: 5, mei: 5,
  jun: 6, june: 6, juni: 6,
  jul: 7, july: 7, juli: 7,
  aug: 8, august: 8, agu: 8, agt: 8, agus: 8, agustus: 8,
  sep: 9, sept: 9, september: 9,
  oct: 10, october: 10, okt: 10, oktober: 10,
  nov: 11, november: 11, nop: 11, nopember: 11,
  dec: 12, december: 12, des: 12, desember: 12,
};

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const YMD_SLASH = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/;
const NUMERIC = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})$/;
const NAMED = /^(\d{1,2})[\s\-/]+([A-Za-z]+)\.?[\s\-/,]+(\d{4}|\d{2})$/;
// Five digits: serials 10000-99999 are 1927-2173; a bare year like 2026 is not a serial.
const SERIAL = /^\d{5}(?:\.\d+)?$/;
const TIME = /^(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,](\d+))?)?\s*(Z|UTC|GMT|WIB|WITA|WIT|[+-]\d{2}(?::?\d{2})?)?$/i;

const DAY_MS = 86_400_000;
/** 1899-12-30: Excel's day zero once its 1900 leap-year bug is accounted for. */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

function valid(y: number, m: number, d: number): YMD | null {
  if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return { y, m, d };
}

function fullYear(text: string): number {
  const y = Number(text);
  // Two-digit years pivot like POSIX strptime %y: 69-99 -> 1900s, 00-68 -> 2000s.
  return text.length === 2 ? (y >= 69 ? 1900 + y : 2000 + y) : y;
}

const INVALID = new FieldFail('type-error', 'is not a valid date');
const UNREADABLE = new FieldFail('type-error', 'is not a date (expected e.g. 21/11/2026 or 2026-11-21)');

export function excelSerialToMs(serial: number): number {
  return EXCEL_EPOCH_MS + Math.round((serial < 60 ? serial + 1 : serial) * DAY_MS);
}

/** Two ASCII digits at i as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48, b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function four(s: string, i: number): number {
  const a = two(s, i), b = two(s, i + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

/**
 * The shapes nearly every row has (21/11/2026, 2026-11-21), read without a regex or an
 * allocation; null sends the text to the general path.
 */
function fastDate(s: string, order: DateOrder): YMD | FieldFail | null {
  if (s.length !== 10) return null;
  const c2 = s.charCodeAt(2), c4 = s.charCodeAt(4);
  if ((c2 === 47 || c2 === 45 || c2 === 46) && s.charCodeAt(5) === c2) {
    const a = two(s, 0), b = two(s, 3), y = four(s, 6);
    if (a < 0 || b < 0 || y < 0) return null;
    return (order === 'MDY' ? valid(y, a, b) : valid(y, b, a)) ?? INVALID;
  }
  if (c4 === 45 && s.charCodeAt(7) === 45) {
    const y = four(s, 0), m = two(s, 5), d = two(s, 8);
    if (y < 0 || m < 0 || d < 0) return null;
    return valid(y, m, d) ?? INVALID;
  }
  return null;
}

export function parseDateText(text: string, order: DateOrder): YMD | FieldFail {
  const s = text.length > 0 && text.charCodeAt(0) > 32 && text.charCodeAt(text.length - 1) > 32 ? text : text.trim();
  const fast = fastDate(s, order);
  if (fast !== null) return fast;
  let m: RegExpExecArray | null;
  if ((m = ISO.exec(s)) || (m = YMD_SLASH.exec(s))) return valid(+m[1], +m[2], +m[3]) ?? INVALID;
  if ((m = NUMERIC.exec(s))) {
    const a = +m[1], b = +m[3], y = fullYear(m[4]);
    const r = order === 'MDY' ? valid(y, a, b) : valid(y, b, a);
    return r ?? INVALID;
  }
  if ((m = NAMED.exec(s))) {
    const month = MONTHS[m[2].toLowerCase()];
    if (!month) return UNREADABLE;
    return valid(fullYear(m[3]), month, +m[1]) ?? INVALID;
  }
  if (SERIAL.test(s)) return serialToYMD(Number(s));
  return UNREADABLE;
}

export function serialToYMD(serial: number): YMD | FieldFail {
  if (!(serial >= 1 && serial < 2958466)) return INVALID;
  // Excel counts a 29 February 1900 that never was: serial 60 is no date, and serials
  // before it are one day later than the epoch arithmetic gives.
  if (Math.floor(serial) === 60) return INVALID;
  const dt = new Date(excelSerialToMs(Math.floor(serial)));
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

export function formatYMD(v: YMD): string {
  return `${v.y}-${pad2(v.m)}-${pad2(v.d)}`;
}

/** dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy or yyyy-mm-dd in the first 10 characters. */
function isNumericDate10(s: string): boolean {
  const c2 = s.charCodeAt(2);
  if ((c2 === 47 || c2 === 45 || c2 === 46) && s.charCodeAt(5) === c2) return true;
  return s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45;
}

/** Splits "date time" / "dateTtime" into its parts; the time may be absent. */
function splitDateTime(s: string): [string, string] {
  // Common shapes: "21/11/2026 10:30" and "2026-11-21 10:30:00".
  if (s.length > 11 && s.charCodeAt(10) === 32 && s.charCodeAt(11) !== 32 && isNumericDate10(s)) return [s.slice(0, 10), s.slice(11)];
  const t = s.indexOf('T');
  if (t > 0 && /\d/.test(s.charAt(t + 1))) return [s.slice(0, t), s.slice(t + 1)];
  const m = /^(.*?\d)\s+(\d{1,2}[:.]\d{2}.*)$/.exec(s);
  return m ? [m[1], m[2]] : [s, ''];
}

const NAMED_ZONES: Record<string, number> = { Z: 0, UTC: 0, GMT: 0, WIB: 420, WITA: 480, WIT: 540 };

export interface TimestampParts { ms: number; offsetMinutes: number | null }

/**
 * Returns the UTC instant in ms. Naive times are converted with `zoneOffset`, which maps a
 * local wall-clock time (as if it were UTC) to that zone's offset in minutes.
 */
/**
 * dd/mm/yyyy HH:MM[:SS] (or yyyy-mm-dd HH:MM[:SS]) without a zone, read in place: the shape
 * of nearly every partner timestamp. Returns the local wall-clock ms, or -1 to take the
 * general path (which also gives the precise error).
 */
function fastLocalTimestamp(s: string, order: DateOrder): number {
  const n = s.length;
  if ((n !== 16 && n !== 19) || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58) return -1;
  if (n === 19 && s.charCodeAt(16) !== 58) return -1;
  const c2 = s.charCodeAt(2);
  let y: number, m: number, d: number;
  if ((c2 === 47 || c2 === 45 || c2 === 46) && s.charCodeAt(5) === c2) {
    const a = two(s, 0), b = two(s, 3);
    y = four(s, 6);
    if (order === 'MDY') { m = a; d = b; } else { m = b; d = a; }
  } else if (s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    y = four(s, 0); m = two(s, 5); d = two(s, 8);
  } else return -1;
  const h = two(s, 11), mi = two(s, 14), sec = n === 19 ? two(s, 17) : 0;
  if (y < 0 || h < 0 || mi < 0 || sec < 0 || h > 23 || mi > 59 || sec > 59 || valid(y, m, d) === null) return -1;
  return Date.UTC(y, m - 1, d, h, mi, sec);
}

export function parseTimestampText(text: string, order: DateOrder, zoneOffset: (localMs: number) => number): number | FieldFail {
  const fast = fastLocalTimestamp(text, order);
  // Whole seconds are multiples of 1000, so -1 is never a real instant here.
  if (fast !== -1) return fast - zoneOffset(fast) * 60_000;
  const s = text.trim();
  if (SERIAL.test(s)) return serialTimestamp(Number(s), zoneOffset);
  const [datePart, timePart] = splitDateTime(s);
  const date = parseDateText(datePart, order);
  if (date instanceof FieldFail) return new FieldFail('type-error', 'is not a timestamp (expected e.g. 21/11/2026 10:30 or 2026-11-21T10:30:00+07:00)');
  let h = 0, mi = 0, sec = 0, ms = 0, offset: number | null = null;
  const len = timePart.length;
  if ((len === 5 || (len === 8 && timePart.charCodeAt(5) === 58)) && timePart.charCodeAt(2) === 58) {
    // HH:MM or HH:MM:SS without a zone: the shape nearly every row has.
    h = two(timePart, 0); mi = two(timePart, 3); sec = len === 8 ? two(timePart, 6) : 0;
    if (h < 0 || mi < 0 || sec < 0 || h > 23 || mi > 59 || sec > 59) return new FieldFail('type-error', 'has an impossible time');
  } else if (timePart) {
    const m = TIME.exec(timePart.trim());
    if (!m) return new FieldFail('type-error', 'has a time that cannot be read (expected HH:MM or HH:MM:SS)');
    h = +m[1]; mi = +m[2]; sec = m[3] ? +m[3] : 0;
    ms = m[4] ? Math.round(Number('0.' + m[4]) * 1000) : 0;
    if (h > 23 || mi > 59 || sec > 59) return new FieldFail('type-error', 'has an impossible time');
    if (m[5]) {
      const z = m[5].toUpperCase();
      if (z in NAMED_ZONES) offset = NAMED_ZONES[z];
      else {
        const sign = z.charCodeAt(0) === 45 ? -1 : 1;
        const digits = z.slice(1).replace(':', '');
        offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
      }
    }
  }
  const local = Date.UTC(date.y, date.m - 1, date.d, h, mi, sec, ms);
  return local - (offset ?? zoneOffset(local)) * 60_000;
}

export function serialTimestamp(serial: number, zoneOffset: (localMs: number) => number): number | FieldFail {
  if (!(serial >= 1 && serial < 2958466)) return INVALID;
  const local = excelSerialToMs(serial);
  return local - zoneOffset(local) * 60_000;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : '' + n;
}

/**
 * 2026-11-21T03:30:00Z (milliseconds only when present), by arithmetic: a Date and its
 * toISOString per row were a visible share of the validate profile.
 */
export function formatInstant(ms: number): string {
  if (!(ms >= -62135596800000 && ms <= 253402300799999)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const h = Math.floor(rest / 3_600_000); rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000); rest -= mi * 60_000;
  const sec = Math.floor(rest / 1000);
  const milli = rest - sec * 1000;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const frac = milli === 0 ? '' : '.' + String(milli).padStart(3, '0');
  return `${y}-${pad2(m)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(sec)}${frac}Z`;
}

const FIXED: Record<string, number> = {
  'Asia/Jakarta': 420, 'Asia/Pontianak': 420, 'Asia/Makassar': 480, 'Asia/Jayapura': 540, UTC: 0, 'Etc/UTC': 0,
};

/**
 * A function from local wall-clock ms to the zone's offset in minutes. Indonesia has no
 * daylight saving, so its zones are fixed; any other IANA zone is looked up with Intl
 * (cached per 15 minutes, the finest step any zone's offset takes, so a file of timestamps
 * costs a few lookups, not one per row).
 */
export function zoneOffsetFn(zone: string): (localMs: number) => number {
  if (zone in FIXED) { const off = FIXED[zone]; return () => off; }
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (m) { const off = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])); return () => off; }
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const cache = new Map<number, number>();
  const offsetAt = (utcMs: number): number => {
    const key = Math.floor(utcMs / 900_000);
    let off = cache.get(key);
    if (off === undefined) {
      const p: Record<string, number> = {};
      for (const part of fmt.formatToParts(new Date(key * 900_000))) if (part.type !== 'literal') p[part.type] = Number(part.value);
      off = Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - key * 900_000) / 60_000);
      cache.set(key, off);
    }
    return off;
  };
  // Two steps settle the offset; inside a DST gap or overlap the result is one of the two
  // readings (which one depends on the zone). Indonesia's zones have neither.
  return (localMs) => offsetAt(localMs - offsetAt(localMs) * 60_000);
}

export function isValidZone(zone: string): boolean {
  if (zone in FIXED || /^[+-]\d{2}:?\d{2}$/.test(zone)) return true;
  try { new Intl.DateTimeFormat('en-US', { timeZone: zone }); return true; } catch { return false; }
}
