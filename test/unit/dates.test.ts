import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseDateText, serialToYMD, parseTimestampText, formatInstant, zoneOffsetFn, formatYMD, excelSerialToMs,
  serialTimestamp, daysInMonth, isValidZone, type YMD,
} from '../../src/schemas/fields/dates.js';
import { FieldFail } from '../../src/schemas/fields/fail.js';
import type { DateOrder } from '../../src/schemas/types.js';
import { mulberry32 } from '../support/prng.js';

function date(text: string, order: DateOrder = 'DMY'): string {
  const r = parseDateText(text, order);
  assert.ok(!(r instanceof FieldFail), `${JSON.stringify(text)} (${order}) failed: ${r instanceof FieldFail ? r.message : ''}`);
  return formatYMD(r);
}

function badDate(text: string, order: DateOrder = 'DMY'): FieldFail {
  const r = parseDateText(text, order);
  assert.ok(r instanceof FieldFail, `${JSON.stringify(text)} (${order}) should fail, got ${JSON.stringify(r)}`);
  assert.equal(r.code, 'type-error');
  return r;
}

const JAKARTA = zoneOffsetFn('Asia/Jakarta');

function ts(text: string, zone: (ms: number) => number = JAKARTA, order: DateOrder = 'DMY'): string {
  const r = parseTimestampText(text, order, zone);
  assert.ok(typeof r === 'number', `${JSON.stringify(text)} failed: ${r instanceof FieldFail ? r.message : ''}`);
  return formatInstant(r);
}

function badTs(text: string, zone: (ms: number) => number = JAKARTA, order: DateOrder = 'DMY'): FieldFail {
  const r = parseTimestampText(text, order, zone);
  assert.ok(r instanceof FieldFail, `${JSON.stringify(text)} should fail, got ${typeof r === 'number' ? formatInstant(r) : r}`);
  assert.equal(r.code, 'type-error');
  return r;
}

describe('parseDateText: day-month-year (id-ID default)', () => {
  const cases: Array<[string, string]> = [
    ['21/11/2026', '2026-11-21'],
    ['21-11-2026', '2026-11-21'],
    ['21.11.2026', '2026-11-21'],
    ['01/02/2026', '2026-02-01'],
    ['1/2/2026', '2026-02-01'],
    ['1/12/2026', '2026-12-01'],
    [' 21/11/2026 ', '2026-11-21'],
    ['2026-11-21', '2026-11-21'],
    ['2026-2-3', '2026-02-03'],
    ['2026/11/21', '2026-11-21'],
    ['2026.11.21', '2026-11-21'],
    ['21 Nov 2026', '2026-11-21'],
    ['21 nov. 2026', '2026-11-21'],
    ['21-Nov-26', '2026-11-21'],
    ['21 November, 2026', '2026-11-21'],
    ['21 Agustus 2026', '2026-08-21'],
    ['17-Agu-2026', '2026-08-17'],
    ['17 Agt 2026', '2026-08-17'],
    ['5 Mei 2026', '2026-05-05'],
    ['1 Pebruari 2026', '2026-02-01'],
    ['1 Februari 2026', '2026-02-01'],
    ['10 Okt 2026', '2026-10-10'],
    ['10 Nop 2026', '2026-11-10'],
    ['25 Des 2026', '2026-12-25'],
    ['25 DESEMBER 2026', '2026-12-25'],
    ['3 Maret 2026', '2026-03-03'],
    ['3/Jun/2026', '2026-06-03'],
  ];
  for (const [text, expected] of cases) test(`${JSON.stringify(text)} -> ${expected}`, () => assert.equal(date(text), expected));

  test('two-digit years pivot like strptime %y: 00-68 -> 20xx, 69-99 -> 19xx', () => {
    assert.equal(date('21/11/26'), '2026-11-21');
    assert.equal(date('01/02/00'), '2000-02-01');
    assert.equal(date('21/11/68'), '2068-11-21');
    assert.equal(date('21/11/69'), '1969-11-21');
    assert.equal(date('21/11/99'), '1999-11-21');
    assert.equal(date('21 Nov 26'), '2026-11-21');
  });

  test('impossible dates are type-errors', () => {
    for (const t of ['31/02/2026', '30/02/2024', '31/04/2026', '31/06/2026', '31/09/2026', '31/11/2026', '00/01/2026',
      '21/13/2026', '21/00/2026', '32/01/2026', '2026-02-30', '2026-13-01', '2026-00-10', '2026/02/29', '21/11/0999']) {
      const r = badDate(t);
      assert.match(r.message, /not a valid date/, t);
    }
  });

  test('leap years: 29/02/2024 and 29/02/2000 ok; 29/02/2025 and 29/02/1900 invalid', () => {
    assert.equal(date('29/02/2024'), '2024-02-29');
    assert.equal(date('29/02/2000'), '2000-02-29');
    assert.equal(date('2028-02-29'), '2028-02-29');
    badDate('29/02/2025');
    badDate('29/02/1900');
    badDate('2100-02-29');
  });

  test('unreadable texts', () => {
    for (const t of ['', 'abc', '21 Foo 2026', '21/11-2026', '21/11/2026/1', '2026', '9999', '2026-11', '11/2026', 'Nov 2026',
      '21112026', '2026-11-21T00:00', '21//11/2026', '21/11/202']) {
      badDate(t);
    }
  });

  test('a bare year (4 digits) is never read as an Excel serial', () => {
    for (const y of ['2024', '2025', '2026', '1999']) {
      const r = badDate(y);
      assert.match(r.message, /not a date/);
    }
  });
});

describe('parseDateText: month-day-year (en-US) and YMD', () => {
  test('MDY reads 11/21/2026 as 21 November', () => {
    assert.equal(date('11/21/2026', 'MDY'), '2026-11-21');
    assert.equal(date('11-21-2026', 'MDY'), '2026-11-21');
    assert.equal(date('1/2/2026', 'MDY'), '2026-01-02');
    assert.equal(date('11/21/26', 'MDY'), '2026-11-21');
    assert.equal(date('02/29/2024', 'MDY'), '2024-02-29');
  });
  test('MDY: 21/11/2026 has no month 21', () => {
    badDate('21/11/2026', 'MDY');
    badDate('02/29/2025', 'MDY');
  });
  test('the same text reads differently under DMY and MDY', () => {
    assert.equal(date('03/04/2026', 'DMY'), '2026-04-03');
    assert.equal(date('03/04/2026', 'MDY'), '2026-03-04');
  });
  test('ISO and year-first texts read the same under every order', () => {
    for (const order of ['DMY', 'MDY', 'YMD'] as const) {
      assert.equal(date('2026-11-21', order), '2026-11-21');
      assert.equal(date('2026/11/21', order), '2026-11-21');
      assert.equal(date('21 Nov 2026', order), '2026-11-21');
    }
  });
});

describe('Excel serials', () => {
  test('serial text 46347 is 2026-11-21; 45658 is 2025-01-01', () => {
    assert.equal(date('46347'), '2026-11-21');
    assert.equal(date('45658'), '2025-01-01');
    assert.equal(date('45658.75'), '2025-01-01', 'a time of day does not change the date');
  });
  test('serialToYMD on known values (Excel 1900 system)', () => {
    const ymd = (s: number) => { const r = serialToYMD(s); assert.ok(!(r instanceof FieldFail), String(s)); return formatYMD(r as YMD); };
    assert.equal(ymd(45658), '2025-01-01');
    assert.equal(ymd(25569), '1970-01-01');
    assert.equal(ymd(36526), '2000-01-01');
    assert.equal(ymd(61), '1900-03-01');
    assert.equal(ymd(45351), '2024-02-29');
    assert.equal(ymd(46347), '2026-11-21');
    assert.equal(ymd(2958465), '9999-12-31');
    assert.equal(ymd(46347.999), '2026-11-21');
  });
  test('serialToYMD agrees with day arithmetic from 1970-01-01 (=25569) for every day 1900-03-01..2200', () => {
    for (let serial = 61; serial < 110_000; serial += 7) {
      const expected = new Date(Date.UTC(1970, 0, 1) + (serial - 25569) * 86_400_000).toISOString().slice(0, 10);
      assert.equal(formatYMD(serialToYMD(serial) as YMD), expected, String(serial));
    }
  });
  test('out-of-range serials are invalid', () => {
    for (const s of [0, -1, 0.5, 2958466, NaN, Infinity]) assert.ok(serialToYMD(s) instanceof FieldFail, String(s));
    badDate('00000');
  });
  test('serials before 1900-03-01 follow Excel (serial 1 = 1900-01-01)', () => {
    assert.equal(formatYMD(serialToYMD(1) as YMD), '1900-01-01');
    assert.equal(formatYMD(serialToYMD(59) as YMD), '1900-02-28');
  });
  test('excelSerialToMs keeps the time of day', () => {
    assert.equal(new Date(excelSerialToMs(46347.4375)).toISOString(), '2026-11-21T10:30:00.000Z');
    assert.equal(new Date(excelSerialToMs(25569)).toISOString(), '1970-01-01T00:00:00.000Z');
  });
  test('daysInMonth', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2026, m)), [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    assert.equal(daysInMonth(2024, 2), 29);
    assert.equal(daysInMonth(1900, 2), 28);
    assert.equal(daysInMonth(2000, 2), 29);
  });
});

describe('parseTimestampText', () => {
  test('naive 21/11/2026 10:30 in Asia/Jakarta is 2026-11-21T03:30:00Z', () => {
    assert.equal(ts('21/11/2026 10:30'), '2026-11-21T03:30:00Z');
  });
  const cases: Array<[string, string]> = [
    ['21/11/2026 10:30:15', '2026-11-21T03:30:15Z'],
    ['21/11/2026 9:05', '2026-11-21T02:05:00Z'],
    ['21/11/2026 00:00', '2026-11-20T17:00:00Z'],
    ['21/11/2026', '2026-11-20T17:00:00Z'],
    ['21/11/2026  10:30', '2026-11-21T03:30:00Z'],
    ['21-11-2026 10:30', '2026-11-21T03:30:00Z'],
    ['21 Nov 2026 10:30', '2026-11-21T03:30:00Z'],
    ['21 Nov 2026 10.30', '2026-11-21T03:30:00Z'],
    ['17-Agu-2026 07:00', '2026-08-17T00:00:00Z'],
    ['21 September 2026 10:00', '2026-09-21T03:00:00Z'],
    ['2026-11-21 10:30:00', '2026-11-21T03:30:00Z'],
    ['2026-11-21T10:30', '2026-11-21T03:30:00Z'],
    ['2026-11-21T10:30:00', '2026-11-21T03:30:00Z'],
    ['2026-11-21T10:30:00+07:00', '2026-11-21T03:30:00Z'],
    ['2026-11-21T10:30:00+0700', '2026-11-21T03:30:00Z'],
    ['2026-11-21T10:30:00+07', '2026-11-21T03:30:00Z'],
    ['2026-11-21T10:30:00Z', '2026-11-21T10:30:00Z'],
    ['2026-11-21T10:30Z', '2026-11-21T10:30:00Z'],
    ['2026-11-21 10:30 UTC', '2026-11-21T10:30:00Z'],
    ['2026-11-21 10:30 GMT', '2026-11-21T10:30:00Z'],
    ['2026-11-21 10:30 -05:00', '2026-11-21T15:30:00Z'],
    ['2026-11-21 10:30 +05:30', '2026-11-21T05:00:00Z'],
    ['2026-11-21 10:30 WIB', '2026-11-21T03:30:00Z'],
    ['2026-11-21 10:30 WITA', '2026-11-21T02:30:00Z'],
    ['2026-11-21 10:30 WIT', '2026-11-21T01:30:00Z'],
    ['21/11/2026 10:30 wib', '2026-11-21T03:30:00Z'],
    ['21/11/2026 10:30:15.5', '2026-11-21T03:30:15.500Z'],
    ['21/11/2026 10:30:15,5', '2026-11-21T03:30:15.500Z'],
    ['21/11/2026 10:30:15.123', '2026-11-21T03:30:15.123Z'],
    ['2026-11-21T10:30:00.250Z', '2026-11-21T10:30:00.250Z'],
    ['21/11/2026 23:59:59.999', '2026-11-21T16:59:59.999Z'],
    ['01/01/2027 03:00', '2026-12-31T20:00:00Z'],
  ];
  for (const [text, expected] of cases) test(`${JSON.stringify(text)} -> ${expected}`, () => assert.equal(ts(text), expected));

  test('named-month dates whose "day month" part is 10 characters long', () => {
    assert.equal(ts('17 Agustus 2026 10:00'), '2026-08-17T03:00:00Z');
    assert.equal(ts('21 Januari 2026 08:00'), '2026-01-21T01:00:00Z');
    assert.equal(ts('12 Oktober 2026 10:00'), '2026-10-12T03:00:00Z');
    assert.equal(ts('1 Desember 2026 10:30'), '2026-12-01T03:30:00Z');
    assert.equal(ts('21 Agustus 2026'), '2026-08-20T17:00:00Z');
  });

  test('Excel serial text with a time of day is local time', () => {
    assert.equal(ts('46347.4375'), '2026-11-21T03:30:00Z');
    assert.equal(ts('46347'), '2026-11-20T17:00:00Z');
  });

  test('serialTimestamp: spreadsheet numbers', () => {
    assert.equal(formatInstant(serialTimestamp(46347.4375, JAKARTA) as number), '2026-11-21T03:30:00Z');
    assert.equal(formatInstant(serialTimestamp(46347.4375, zoneOffsetFn('UTC')) as number), '2026-11-21T10:30:00Z');
    assert.ok(serialTimestamp(0, JAKARTA) instanceof FieldFail);
    assert.ok(serialTimestamp(-5, JAKARTA) instanceof FieldFail);
  });

  test('MDY order for the date part', () => {
    assert.equal(ts('11/21/2026 10:30', JAKARTA, 'MDY'), '2026-11-21T03:30:00Z');
    badTs('21/11/2026 10:30', JAKARTA, 'MDY');
  });

  test('impossible times', () => {
    for (const t of ['21/11/2026 25:10', '21/11/2026 24:00', '21/11/2026 10:60', '21/11/2026 10:30:60', '2026-11-21T25:10:00Z']) {
      assert.match(badTs(t).message, /impossible time/, t);
    }
  });

  test('unreadable timestamps', () => {
    badTs('21/11/2026 abc');
    badTs('31/02/2026 10:30');
    badTs('10:30');
    badTs('');
    badTs('2026-11-21 10:30 PST');
  });

  test('other profile zones: Asia/Makassar (+08), Asia/Jayapura (+09), fixed offsets', () => {
    assert.equal(ts('21/11/2026 10:30', zoneOffsetFn('Asia/Makassar')), '2026-11-21T02:30:00Z');
    assert.equal(ts('21/11/2026 10:30', zoneOffsetFn('Asia/Jayapura')), '2026-11-21T01:30:00Z');
    assert.equal(ts('21/11/2026 10:30', zoneOffsetFn('UTC')), '2026-11-21T10:30:00Z');
    assert.equal(ts('21/11/2026 10:30', zoneOffsetFn('+05:30')), '2026-11-21T05:00:00Z');
    assert.equal(ts('21/11/2026 10:30', zoneOffsetFn('-0300')), '2026-11-21T13:30:00Z');
    // An explicit zone in the text wins over the profile's zone.
    assert.equal(ts('21/11/2026 10:30 WIB', zoneOffsetFn('Asia/Jayapura')), '2026-11-21T03:30:00Z');
  });
});

describe('zoneOffsetFn with a zone that has daylight saving (Europe/Amsterdam)', () => {
  const AMS = zoneOffsetFn('Europe/Amsterdam');
  test('winter is +01:00 and summer is +02:00', () => {
    assert.equal(ts('2026-01-15 12:00', AMS, 'YMD'), '2026-01-15T11:00:00Z');
    assert.equal(ts('2026-07-01 12:00', AMS, 'YMD'), '2026-07-01T10:00:00Z');
  });
  test('spring forward 2026-03-29 (02:00 -> 03:00 local)', () => {
    assert.equal(ts('2026-03-29 01:30', AMS, 'YMD'), '2026-03-29T00:30:00Z');
    assert.equal(ts('2026-03-29 01:59', AMS, 'YMD'), '2026-03-29T00:59:00Z');
    assert.equal(ts('2026-03-29 03:00', AMS, 'YMD'), '2026-03-29T01:00:00Z');
    assert.equal(ts('2026-03-29 03:30', AMS, 'YMD'), '2026-03-29T01:30:00Z');
    // 02:30 does not exist: read with the offset before the change, i.e. as 03:30 CEST.
    assert.equal(ts('2026-03-29 02:30', AMS, 'YMD'), '2026-03-29T01:30:00Z');
  });
  test('fall back 2026-10-25 (03:00 -> 02:00 local)', () => {
    assert.equal(ts('2026-10-25 01:30', AMS, 'YMD'), '2026-10-24T23:30:00Z');
    assert.equal(ts('2026-10-25 03:30', AMS, 'YMD'), '2026-10-25T02:30:00Z');
    // 02:30 happens twice: the later reading (CET) wins, as the source says.
    assert.equal(ts('2026-10-25 02:30', AMS, 'YMD'), '2026-10-25T01:30:00Z');
  });
  test('agrees with Intl every 3h17m through 2026 outside the repeated hour', () => {
    const fmt = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Amsterdam', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    for (let utc = Date.UTC(2026, 0, 1); utc < Date.UTC(2027, 0, 1); utc += 3 * 3_600_000 + 17 * 60_000) {
      const p: Record<string, number> = {};
      for (const part of fmt.formatToParts(new Date(utc))) if (part.type !== 'literal') p[part.type] = Number(part.value);
      const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
      // Skip local times that occur twice (the fall-back hour).
      if (p.month === 10 && p.day === 25 && p.hour === 2) continue;
      assert.equal(local - AMS(local) * 60_000, utc, new Date(utc).toISOString());
    }
  });
  test('the repeated hour in a zone west of UTC gives one of its two readings', () => {
    // Either reading of the repeated hour is a real instant; what matters is one of the two.
    assert.ok(['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z'].includes(ts('2026-11-01 01:30', zoneOffsetFn('America/New_York'), 'YMD')));
  });
  test('zones whose changes are not on a UTC hour (Australia/Lord_Howe, 30-minute DST)', () => {
    assert.equal(ts('2026-10-04 02:45', zoneOffsetFn('Australia/Lord_Howe'), 'YMD'), '2026-10-03T15:45:00Z');
  });
  test('isValidZone', () => {
    assert.equal(isValidZone('Asia/Jakarta'), true);
    assert.equal(isValidZone('Europe/Amsterdam'), true);
    assert.equal(isValidZone('+07:00'), true);
    assert.equal(isValidZone('Mars/Olympus_Mons'), false);
  });
});

describe('formatInstant', () => {
  test('known values', () => {
    assert.equal(formatInstant(0), '1970-01-01T00:00:00Z');
    assert.equal(formatInstant(-1), '1969-12-31T23:59:59.999Z');
    assert.equal(formatInstant(Date.UTC(1900, 0, 1)), '1900-01-01T00:00:00Z');
    assert.equal(formatInstant(Date.UTC(2000, 1, 29, 23, 59, 59, 5)), '2000-02-29T23:59:59.005Z');
    assert.equal(formatInstant(Date.UTC(2026, 10, 21, 3, 30)), '2026-11-21T03:30:00Z');
    assert.equal(formatInstant(Date.UTC(2200, 0, 1, 0, 0, 0, 120)), '2200-01-01T00:00:00.120Z');
  });

  test('property: equals toISOString minus ".000" for 20,000 random instants 1900..2200', () => {
    const rng = mulberry32(20261121);
    const lo = Date.UTC(1900, 0, 1), hi = Date.UTC(2200, 11, 31, 23, 59, 59, 999);
    const check = (ms: number) => {
      const iso = new Date(ms).toISOString();
      assert.equal(formatInstant(ms), iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso, String(ms));
    };
    for (let i = 0; i < 20_000; i++) {
      let ms = lo + Math.floor(rng() * (hi - lo));
      if (i % 2 === 0) ms -= ms % 1000; // half of them on a whole second
      check(ms);
    }
    // Day and year boundaries, leap days and century years.
    for (const y of [1900, 1904, 1969, 1970, 1999, 2000, 2024, 2100, 2199]) {
      for (const m of [0, 1, 2, 11]) {
        for (const d of [1, 28, 29]) {
          const base = Date.UTC(y, m, d);
          for (const off of [-1, 0, 1, 999, 1000, 86_399_999]) check(base + off);
        }
      }
    }
  });
});
