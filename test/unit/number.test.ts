import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseNumberText, LocaleState, compareDecimal, type ParsedNumber } from '../../src/schemas/fields/number.js';
import { FieldFail } from '../../src/schemas/fields/fail.js';
import type { Locale } from '../../src/schemas/types.js';
import { mulberry32, int } from '../support/prng.js';

function ok(raw: string, locale: Locale, expected: ParsedNumber, state?: LocaleState): void {
  const r = parseNumberText(raw, locale, state);
  assert.ok(!(r instanceof FieldFail), `${JSON.stringify(raw)} (${locale}) failed: ${r instanceof FieldFail ? r.message : ''}`);
  assert.deepEqual(r, expected, `${JSON.stringify(raw)} (${locale})`);
}

function fails(raw: string, locale: Locale, code: FieldFail['code'], state?: LocaleState): FieldFail {
  const r = parseNumberText(raw, locale, state);
  assert.ok(r instanceof FieldFail, `${JSON.stringify(raw)} (${locale}) should fail, got ${JSON.stringify(r)}`);
  assert.equal(r.code, code, `${JSON.stringify(raw)} (${locale}): ${r.message}`);
  // Messages never carry the value (the caller adds it only for non-personal fields).
  if (raw.trim().length >= 3) assert.ok(!r.message.includes(raw.trim()), `message leaks the value: ${r.message}`);
  return r;
}

const n = (int: string, frac = '', negative = false): ParsedNumber => ({ negative, int, frac });

describe('parseNumberText: id-ID (default for Indonesian merchants)', () => {
  const cases: Array<[string, ParsedNumber]> = [
    ['12500', n('12500')],
    ['12.500', n('12500')],
    ['12.500,00', n('12500', '00')],
    ['12.500,50', n('12500', '50')],
    ['Rp 12.500', n('12500')],
    ['Rp12.500,00', n('12500', '00')],
    ['Rp. 12.500', n('12500')],
    ['rp 12.500', n('12500')],
    ['RP12.500', n('12500')],
    ['IDR 12.500', n('12500')],
    ['12.500 IDR', n('12500')],
    ['12.500 Rp', n('12500')],
    ['Rp 12.500,-', n('12500')],
    ['12.500,-', n('12500')],
    ['1.234.567,89', n('1234567', '89')],
    ['1.000.000', n('1000000')],
    ['(12.500)', n('12500', '', true)],
    ['( 12.500 )', n('12500', '', true)],
    ['-1.500', n('1500', '', true)],
    ['- 1.500', n('1500', '', true)],
    ['Rp -12.500', n('12500', '', true)],
    ['-Rp 12.500', n('12500', '', true)],
    ['+12.500', n('12500')],
    [' 12.500 ', n('12500')],
    ['\t12.500\t', n('12500')],
    ['0', n('0')],
    ['000', n('0')],
    ['0012', n('12')],
    ['0,5', n('0', '5')],
    ['12,5', n('12', '5')],
    ['1234,56', n('1234', '56')],
    ['12.500,000', n('12500', '000')],
    ['999', n('999')],
  ];
  for (const [raw, expected] of cases) {
    test(`${JSON.stringify(raw)} -> ${expected.negative ? '-' : ''}${expected.int}${expected.frac ? ',' + expected.frac : ''}`, () => {
      ok(raw, 'id-ID', expected);
    });
  }

  test('the fraction keeps its digits exactly as written (no float on the way)', () => {
    ok('99.999.999.999.999,99', 'id-ID', n('99999999999999', '99'));
    ok('123.456.789.012.345.678,12345', 'id-ID', n('123456789012345678', '12345'));
  });
});

describe('parseNumberText: en-US', () => {
  const cases: Array<[string, ParsedNumber]> = [
    ['IDR 12,500.00', n('12500', '00')],
    ['12,500', n('12500')],
    ['12.5', n('12', '5')],
    ['1,234,567.89', n('1234567', '89')],
    ['1,234', n('1234')],
    ['(1,234.50)', n('1234', '50', true)],
    ['-0.75', n('0', '75', true)],
    ['12,500.-', n('12500')],
    ['Rp12.500', n('12', '500')], // en-US reads the dot as decimals: a profile mistake, not a guess
  ];
  for (const [raw, expected] of cases) {
    test(`${JSON.stringify(raw)} -> ${expected.negative ? '-' : ''}${expected.int}${expected.frac ? '.' + expected.frac : ''}`, () => {
      ok(raw, 'en-US', expected);
    });
  }
});

describe('parseNumberText: values that contradict the profile are type-errors, never guesses', () => {
  const idBad = ['12,500.00', '12.5', '12.50', '1,5.00', '1..2', '1.2345', '1234.567', '1.23.456', '12,5,0', '5,', '1.234,5,6', '1.234.56'];
  for (const raw of idBad) test(`id-ID ${JSON.stringify(raw)} -> type-error`, () => { fails(raw, 'id-ID', 'type-error'); });
  const enBad = ['12.500,00', '12,5', '1,23', '1,5.00', '1..2', '1.2.3', '1,2345'];
  for (const raw of enBad) test(`en-US ${JSON.stringify(raw)} -> type-error`, () => { fails(raw, 'en-US', 'type-error'); });

  test('the mismatch message names the profile format', () => {
    const r = fails('12,500.00', 'id-ID', 'type-error');
    assert.match(r.message, /id-ID/);
    const r2 = fails('12.500,00', 'en-US', 'type-error');
    assert.match(r2.message, /en-US/);
  });
});

describe('parseNumberText: not numbers', () => {
  for (const raw of ['abc', '12a', 'a12', '', '   ', 'Rp', 'Rp ', 'IDR', '1..2', '.5', ',5', '()', '1 234', '12 500', '1e5', '0x1F', '12%', 'Rp 12.500,00-', '-(12.500)', '½', '١٢']) {
    test(`${JSON.stringify(raw)} is a type-error in every locale`, () => {
      fails(raw, 'id-ID', 'type-error');
      fails(raw, 'en-US', 'type-error');
      const r = parseNumberText(raw, 'auto', new LocaleState('auto'));
      assert.ok(r instanceof FieldFail && r.code === 'type-error', `auto ${JSON.stringify(raw)} -> ${JSON.stringify(r)}`);
    });
  }

  test('a double sign is not silently read as positive', () => {
    fails('--5', 'id-ID', 'type-error');
    fails('(-12.500)', 'id-ID', 'type-error');
  });
});

describe('parseNumberText: locale auto and LocaleState', () => {
  test('LocaleState: auto starts unsettled, a fixed locale is settled', () => {
    const a = new LocaleState('auto');
    assert.equal(a.settled, null);
    assert.equal(a.auto, true);
    const id = new LocaleState('id-ID');
    assert.equal(id.settled, 'id-ID');
    assert.equal(id.auto, false);
    assert.equal(new LocaleState('en-US').settled, 'en-US');
  });

  test('1.234 alone is ambiguous (thousands or decimals)', () => {
    const st = new LocaleState('auto');
    fails('1.234', 'auto', 'ambiguous-value', st);
    fails('1,234', 'auto', 'ambiguous-value', st);
    fails('Rp 12.500', 'auto', 'ambiguous-value', st);
    assert.equal(st.settled, null, 'an ambiguous value settles nothing');
    // Without a state each call is judged alone.
    fails('1.234', 'auto', 'ambiguous-value');
  });

  test('12,5 settles id-ID; then 1.234 reads 1234', () => {
    const st = new LocaleState('auto');
    fails('1.234', 'auto', 'ambiguous-value', st);
    ok('12,5', 'auto', n('12', '5'), st);
    assert.equal(st.settled, 'id-ID');
    assert.equal(st.auto, false);
    ok('1.234', 'auto', n('1234'), st);
    ok('2,000', 'auto', n('2', '000'), st);
    fails('12.5', 'auto', 'type-error', st);
  });

  test('12.5 settles en-US; then 1.234 reads 1.234', () => {
    const st = new LocaleState('auto');
    ok('12.5', 'auto', n('12', '5'), st);
    assert.equal(st.settled, 'en-US');
    ok('1.234', 'auto', n('1', '234'), st);
    ok('1,234', 'auto', n('1234'), st);
    fails('12,5', 'auto', 'type-error', st);
  });

  test('both separators settle the style: 1.234,5 -> id-ID, 1,234.5 -> en-US', () => {
    const a = new LocaleState('auto');
    ok('1.234,5', 'auto', n('1234', '5'), a);
    assert.equal(a.settled, 'id-ID');
    const b = new LocaleState('auto');
    ok('1,234.5', 'auto', n('1234', '5'), b);
    assert.equal(b.settled, 'en-US');
    ok('2.000', 'auto', n('2', '000'), b);
  });

  test('a repeated separator settles the style: 1.000.000 -> id-ID, 1,000,000 -> en-US', () => {
    const a = new LocaleState('auto');
    ok('1.000.000', 'auto', n('1000000'), a);
    assert.equal(a.settled, 'id-ID');
    const b = new LocaleState('auto');
    ok('1,000,000', 'auto', n('1000000'), b);
    assert.equal(b.settled, 'en-US');
  });

  test('plain integers never settle anything', () => {
    const st = new LocaleState('auto');
    ok('12500', 'auto', n('12500'), st);
    ok('Rp 7500', 'auto', n('7500'), st);
    assert.equal(st.settled, null);
  });

  test('a fixed locale wins over a state settled the other way', () => {
    const st = new LocaleState('auto');
    st.settled = 'en-US';
    ok('12.500', 'id-ID', n('12500'), st);
  });

  test('a malformed value does not settle the file\'s style', () => {
    const st = new LocaleState('auto');
    fails('1..2', 'auto', 'type-error', st);
    assert.equal(st.settled, null);
    ok('12.5', 'auto', n('12', '5'), st);
  });
});

describe('parseNumberText: property: formatted integers and decimals round-trip', () => {
  function group(digits: string, sep: string): string {
    let out = '';
    for (let i = 0; i < digits.length; i++) {
      if (i > 0 && (digits.length - i) % 3 === 0) out += sep;
      out += digits[i];
    }
    return out;
  }
  test('3,000 random values in id-ID and en-US, with and without grouping and currency', () => {
    const rng = mulberry32(0x1d1d);
    for (let k = 0; k < 3000; k++) {
      const intDigits = String(int(rng, 0, 10 ** int(rng, 1, 9)));
      const frac = rng() < 0.5 ? '' : String(int(rng, 0, 99)).padStart(int(rng, 1, 2), '0').slice(-2);
      const negative = rng() < 0.2 && (intDigits !== '0' || /[1-9]/.test(frac));
      const grouped = rng() < 0.7;
      for (const locale of ['id-ID', 'en-US'] as const) {
        const [g, d] = locale === 'id-ID' ? ['.', ','] : [',', '.'];
        let body = (grouped ? group(intDigits, g) : intDigits) + (frac ? d + frac : '');
        const prefix = rng() < 0.3 ? (locale === 'id-ID' ? 'Rp ' : 'IDR ') : '';
        body = prefix + body;
        const text = negative ? (rng() < 0.5 ? `-${body}` : `(${body})`) : body;
        ok(text, locale, n(intDigits, frac, negative));
      }
    }
  });
});

describe('compareDecimal', () => {
  const cases: Array<[string, string, -1 | 0 | 1]> = [
    ['1.00', '1', 0],
    ['12500.00', '12500', 0],
    ['0.5', '0.50', 0],
    ['10', '9', 1],
    ['9.99', '10.00', -1],
    ['100.00', '99.99', 1],
    ['0.05', '0.5', -1],
    ['-1', '-2', 1],
    ['-1', '1', -1],
    ['1', '-1', 1],
    ['-0.5', '-0.05', -1],
    ['-10.00', '-9.99', -1],
    ['12500.01', '12500.00', 1],
    ['99999999999999.99', '99999999999999.98', 1],
  ];
  for (const [a, b, sign] of cases) {
    test(`${a} vs ${b} -> ${sign}`, () => {
      assert.equal(Math.sign(compareDecimal(a, b)), sign);
      assert.equal(Math.sign(compareDecimal(b, a)), -sign || 0);
    });
  }

  test('property: agrees with integer arithmetic on 5,000 random canonical decimals', () => {
    const rng = mulberry32(42);
    const canon = (cents: bigint) => {
      const neg = cents < 0n;
      const abs = neg ? -cents : cents;
      return `${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
    };
    for (let i = 0; i < 5000; i++) {
      const a = BigInt(int(rng, -2_000_000, 2_000_000)) * BigInt(int(rng, 1, 1000));
      const b = rng() < 0.1 ? a : BigInt(int(rng, -2_000_000, 2_000_000)) * BigInt(int(rng, 1, 1000));
      if (a === 0n || b === 0n) continue; // canonical text never carries '-0'
      const expected = a === b ? 0 : a < b ? -1 : 1;
      assert.equal(Math.sign(compareDecimal(canon(a), canon(b))), expected, `${canon(a)} vs ${canon(b)}`);
    }
  });
});
