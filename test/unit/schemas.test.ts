import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compileField, cellText, isEmptyCell, dateOrderFor, type FieldNormalizer } from '../../src/schemas/normalize-field.js';
import { headerKey, aliasIndex, headerScore, HEADER_MIN_SCORE } from '../../src/schemas/headers.js';
import { LocaleState } from '../../src/schemas/fields/number.js';
import { FieldFail, type Cell } from '../../src/schemas/fields/fail.js';
import { merchantInventory } from '../../src/schemas/builtin/merchant-inventory.js';
import { insuranceClaim } from '../../src/schemas/builtin/insurance-claim.js';
import type { Profile, SchemaSpec } from '../../src/schemas/types.js';
import { mulberry32, int } from '../support/prng.js';

/*
 * The built-in schemas at work: src/schemas/normalize-field.ts (compileField on the fields of
 * src/schemas/builtin/*.ts) and src/schemas/headers.ts (which header names which field).
 */
const ID: Profile = { locale: 'id-ID', timezone: 'Asia/Jakarta' };
const EN: Profile = { locale: 'en-US', timezone: 'Asia/Jakarta' };
const AUTO: Profile = { locale: 'auto', timezone: 'Asia/Jakarta' };

function field(schema: SchemaSpec, name: string, profile: Profile = ID, state = new LocaleState(profile.locale)): FieldNormalizer {
  const spec = schema.fields.find((f) => f.name === name);
  assert.ok(spec, `no field ${name} in ${schema.name}`);
  return compileField(spec, profile, state);
}

function okValue(norm: FieldNormalizer, cell: Cell, expected: string | null): void {
  const r = norm(cell);
  assert.ok(!(r instanceof FieldFail), `${JSON.stringify(cell)} failed: ${r instanceof FieldFail ? `${r.code} ${r.message}` : ''}`);
  assert.equal(r, expected, JSON.stringify(cell));
}

function failValue(norm: FieldNormalizer, cell: Cell, code: FieldFail['code']): FieldFail {
  const r = norm(cell);
  assert.ok(r instanceof FieldFail, `${JSON.stringify(cell)} should fail, got ${JSON.stringify(r)}`);
  assert.equal(r.code, code, `${JSON.stringify(cell)}: ${r.message}`);
  return r;
}

describe('decimal: merchant_inventory.selling_price decimal(14,2) >= 0', () => {
  const price = field(merchantInventory, 'selling_price');
  const cases: Array<[Cell, string]> = [
    ['12500', '12500.00'],
    ['12.500', '12500.00'],
    ['12.500,00', '12500.00'],
    ['12.500,5', '12500.50'],
    ['12.500,50', '12500.50'],
    ['Rp 12.500', '12500.00'],
    ['Rp12.500,00', '12500.00'],
    ['Rp 12.500,-', '12500.00'],
    [' Rp 1.234.567,89 ', '1234567.89'],
    ['12.500,000', '12500.00'],
    ['12.500,0000', '12500.00'],
    ['12,5', '12.50'],
    ['0', '0.00'],
    ['0,00', '0.00'],
    ['-0', '0.00'],
    ['(0)', '0.00'],
    ['007.500', '7500.00'],
    ['999.999.999.999,99', '999999999999.99'],
  ];
  for (const [cell, expected] of cases) test(`${JSON.stringify(cell)} -> ${expected}`, () => okValue(price, cell, expected));

  test('more than 2 significant decimals is a type-error (never rounded from text)', () => {
    for (const t of ['12.500,005', '12.500,001', '0,125', '1,999']) assert.match(failValue(price, t, 'type-error').message, /decimal places/);
  });
  test('negative prices are constraint-errors', () => {
    failValue(price, '-1', 'constraint-error');
    failValue(price, '(12.500)', 'constraint-error');
    failValue(price, 'Rp -12.500', 'constraint-error');
    failValue(price, -5, 'constraint-error');
  });
  test('more than 12 integer digits is a constraint-error', () => {
    failValue(price, '1.000.000.000.000', 'constraint-error');
    failValue(price, 1e12, 'constraint-error');
    failValue(price, 1e20, 'constraint-error');
    okValue(price, '100.000.000.000', '100000000000.00');
  });
  test('values that contradict id-ID are type-errors', () => {
    failValue(price, '12,500.00', 'type-error');
    failValue(price, '12.5', 'type-error');
    failValue(price, '1,5.00', 'type-error');
  });
  test('non-numbers', () => {
    for (const c of ['abc', '12a', 'Rp', '1..2', '']) failValue(price, c, 'type-error');
    failValue(price, true, 'type-error');
    failValue(price, NaN, 'type-error');
    failValue(price, Infinity, 'type-error');
  });
  test('spreadsheet numbers are rounded to 2 decimals', () => {
    okValue(price, 12500, '12500.00');
    okValue(price, 12500.5, '12500.50');
    okValue(price, 0.1 + 0.2, '0.30');
    okValue(price, 12500.004, '12500.00');
    okValue(price, 12500.006, '12500.01');
    okValue(price, 12499.999, '12500.00');
    okValue(price, 999999999999.99, '999999999999.99');
    // 12500.005 is stored as 12500.004999999999 in binary: either neighbour is a rounding.
    const r = price(12500.005);
    assert.ok(r === '12500.00' || r === '12500.01', String(r));
  });
  test('spreadsheet numbers round half away from zero as the sheet shows them', () => {
    okValue(price, 12500.005, '12500.01');
    okValue(price, 1.005, '1.01');
    okValue(price, 2.675, '2.68');
  });
  test('en-US profile: IDR 12,500.00 and 12.5', () => {
    const p = field(merchantInventory, 'selling_price', EN);
    okValue(p, 'IDR 12,500.00', '12500.00');
    okValue(p, '12.5', '12.50');
    okValue(p, '12,500', '12500.00');
    okValue(p, '1,234,567.89', '1234567.89');
    failValue(p, '12.500,00', 'type-error');
    failValue(p, '1.234', 'type-error'); // 1.234 in en-US has 3 decimals
  });
  test('auto locale: ambiguous until a value settles the file', () => {
    const state = new LocaleState('auto');
    const p = field(merchantInventory, 'selling_price', AUTO, state);
    failValue(p, '1.234', 'ambiguous-value');
    okValue(p, '12,5', '12.50');
    assert.equal(state.settled, 'id-ID');
    okValue(p, '1.234', '1234.00');
    // The same state is shared by every numeric field of the file.
    const stock = field(merchantInventory, 'stock_qty', AUTO, state);
    okValue(stock, '1.200', '1200');
  });
  test('property: canonical text round-trips through id-ID formatting for 3,000 random cents', () => {
    const rng = mulberry32(14_2);
    for (let i = 0; i < 3000; i++) {
      const cents = BigInt(int(rng, 0, 2 ** 31)) * BigInt(int(rng, 1, 400));
      const intPart = (cents / 100n).toString();
      const frac = String(cents % 100n).padStart(2, '0');
      const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
      okValue(price, `Rp ${grouped},${frac}`, `${intPart}.${frac}`);
    }
  });
});

describe('decimal: insurance_claim amounts', () => {
  const claimed = field(insuranceClaim, 'claimed_amount');
  const approved = field(insuranceClaim, 'approved_amount');
  test('claimed_amount > 0', () => {
    okValue(claimed, '1', '1.00');
    okValue(claimed, '12.500.000,00', '12500000.00');
    okValue(claimed, '99.999.999.999.999,99', '99999999999999.99');
    failValue(claimed, '0', 'constraint-error');
    failValue(claimed, '0,00', 'constraint-error');
    failValue(claimed, '-1', 'constraint-error');
    failValue(claimed, 0, 'constraint-error');
    failValue(claimed, 0.001, 'constraint-error');
    failValue(claimed, '100.000.000.000.000', 'constraint-error');
  });
  test('approved_amount >= 0', () => {
    okValue(approved, '0', '0.00');
    okValue(approved, '-0,00', '0.00');
    okValue(approved, 0, '0.00');
    failValue(approved, '-1', 'constraint-error');
    failValue(approved, -0.01, 'constraint-error');
  });
});

describe('integer: merchant_inventory.stock_qty >= 0', () => {
  const stock = field(merchantInventory, 'stock_qty');
  test('whole numbers in partner spellings', () => {
    okValue(stock, '12', '12');
    okValue(stock, '0', '0');
    okValue(stock, '-0', '0');
    okValue(stock, '1.200', '1200');
    okValue(stock, '1.200,00', '1200');
    okValue(stock, '12,0', '12');
    okValue(stock, ' 007 ', '7');
    okValue(stock, '2147483647', '2147483647');
    okValue(stock, 12, '12');
    okValue(stock, 0, '0');
  });
  test('12,5 is not a whole number', () => {
    failValue(stock, '12,5', 'type-error');
    failValue(stock, '0,5', 'type-error');
    failValue(stock, 12.5, 'type-error');
  });
  test('-3 is a constraint-error', () => {
    failValue(stock, '-3', 'constraint-error');
    failValue(stock, '(3)', 'constraint-error');
    failValue(stock, -3, 'constraint-error');
  });
  test('larger than a 32-bit int is a constraint-error', () => {
    failValue(stock, '2147483648', 'constraint-error');
    failValue(stock, '3.000.000.000', 'constraint-error');
    failValue(stock, '99999999999', 'constraint-error');
  });
  test('non-numbers and contradictions', () => {
    for (const c of ['abc', '', '12 pcs', '1,200.00']) failValue(stock, c, 'type-error');
    failValue(stock, false, 'type-error');
  });
});

describe('enum: insurance_claim.claim_type', () => {
  const ct = field(insuranceClaim, 'claim_type');
  const cases: Array<[string, string]> = [
    ['Rawat Inap', 'inpatient'],
    ['RAWAT INAP', 'inpatient'],
    ['rawat_inap', 'inpatient'],
    [' rawat-inap ', 'inpatient'],
    ['rawat  inap', 'inpatient'],
    ['RI', 'inpatient'],
    ['ri', 'inpatient'],
    ['Inpatient', 'inpatient'],
    ['Rawat Jalan', 'outpatient'],
    ['RAWAT_JALAN', 'outpatient'],
    ['rj', 'outpatient'],
    ['OUTPATIENT', 'outpatient'],
  ];
  for (const [cell, expected] of cases) test(`${JSON.stringify(cell)} -> ${expected}`, () => okValue(ct, cell, expected));
  test('unknown spellings are type-errors that list the allowed values', () => {
    for (const c of ['rawatinap', 'inap', 'IGD', '', 'in patient']) {
      assert.match(failValue(ct, c, 'type-error').message, /inpatient, outpatient/);
    }
  });
});

describe('string[]: insurance_claim.diagnosis_codes (ICD-10)', () => {
  const dx = field(insuranceClaim, 'diagnosis_codes');
  test('J18.9, A09;K35.8|I10 -> ["J18.9","A09","K35.8","I10"]', () => {
    okValue(dx, 'J18.9, A09;K35.8|I10', '["J18.9","A09","K35.8","I10"]');
  });
  test('spaces, tabs and newlines separate too; codes are normalised', () => {
    okValue(dx, 'j18.9 a09', '["J18.9","A09"]');
    okValue(dx, 'J189\tA09', '["J18.9","A09"]');
    okValue(dx, 'J18.9\nA09', '["J18.9","A09"]');
    okValue(dx, '  J18.9 ;; , A09 | ', '["J18.9","A09"]');
    okValue(dx, 'A09', '["A09"]');
  });
  test('duplicates are removed after normalisation, first order kept', () => {
    okValue(dx, 'j18.9, J18.9; J189, A09, j18.9', '["J18.9","A09"]');
    okValue(dx, 'A09, J18.9, A09', '["A09","J18.9"]');
  });
  test('one invalid item fails the whole cell', () => {
    for (const c of ['J18.9, XX', 'J18.9, 18.9', 'J1', 'JJ8.9;A09', 'J18.9/A09', 'K3O', 'J18.9, A09.', 'S72.001A']) {
      assert.match(failValue(dx, c, 'type-error').message, /ICD-10/);
    }
  });
  test('nothing but separators is no value (null)', () => {
    okValue(dx, '', null);
    okValue(dx, ' , ; | ', null);
  });
});

describe('string fields', () => {
  const name = field(merchantInventory, 'product_name');
  const sku = field(merchantInventory, 'merchant_sku');
  const unit = field(merchantInventory, 'unit');
  const currency = field(insuranceClaim, 'currency');
  test('whitespace is trimmed and collapsed', () => {
    okValue(name, '  Paracetamol   500 mg  ', 'Paracetamol 500 mg');
    okValue(name, 'Amoxicillin\t500mg', 'Amoxicillin 500mg');
    okValue(name, 'Amoxicillin\r\n500mg', 'Amoxicillin 500mg');
    okValue(name, 'OBH\u00a0Combi', 'OBH Combi');
    okValue(name, 'Bodrex', 'Bodrex');
    okValue(name, 'Tolak Angin Cair 15ml', 'Tolak Angin Cair 15ml');
    okValue(sku, ' SKU-001 ', 'SKU-001');
  });
  test('spreadsheet numbers and booleans become text', () => {
    okValue(sku, 10023, '10023');
    okValue(name, true, 'TRUE');
  });
  test('unit is lower-cased, currency upper-cased', () => {
    okValue(unit, 'STRIP', 'strip');
    okValue(unit, '  TaBLet ', 'tablet');
    okValue(unit, 'Botol  60 ML', 'botol 60 ml');
    okValue(currency, 'idr', 'IDR');
    okValue(currency, ' usd ', 'USD');
  });
});

describe('barcode: warnings, never row errors', () => {
  const bc = field(merchantInventory, 'barcode');
  test('valid codes, leading zeros kept, numbers padded', () => {
    okValue(bc, '8992761111113', '8992761111113');
    okValue(bc, '036000291452', '036000291452');
    okValue(bc, ' 8992761111113 ', '8992761111113');
    okValue(bc, 36000291452, '036000291452');
    okValue(bc, 8992761111113, '8992761111113');
  });
  test('bad codes give constraint-error saying the barcode is left empty', () => {
    for (const c of ['8992761111114', '899276', 'abc', '8992761-111113', 12.5, -1]) {
      assert.match(failValue(bc, c, 'constraint-error').message, /left empty/);
    }
  });
});

describe('date and timestamp fields', () => {
  test('expiry_date: text, serial text and spreadsheet numbers', () => {
    const ed = field(merchantInventory, 'expiry_date');
    okValue(ed, '21/11/2026', '2026-11-21');
    okValue(ed, '2026-11-21', '2026-11-21');
    okValue(ed, '21 Agustus 2026', '2026-08-21');
    okValue(ed, '46347', '2026-11-21');
    okValue(ed, 46347, '2026-11-21');
    okValue(ed, 46347.75, '2026-11-21');
    failValue(ed, '31/02/2026', 'type-error');
    failValue(ed, '2026', 'type-error');
    failValue(ed, 0, 'type-error');
  });
  test('an en-US profile reads dates month first, unless its dateOrder says otherwise', () => {
    okValue(field(merchantInventory, 'expiry_date', EN), '11/21/2026', '2026-11-21');
    failValue(field(merchantInventory, 'expiry_date', EN), '21/11/2026', 'type-error');
    okValue(field(merchantInventory, 'expiry_date', { ...EN, dateOrder: 'DMY' }), '21/11/2026', '2026-11-21');
    assert.equal(dateOrderFor(ID), 'DMY');
    assert.equal(dateOrderFor(EN), 'MDY');
    assert.equal(dateOrderFor({ ...ID, dateOrder: 'MDY' }), 'MDY');
  });
  test('updated_at: naive times are the profile zone, stored in UTC', () => {
    const up = field(merchantInventory, 'updated_at');
    okValue(up, '21/11/2026 10:30', '2026-11-21T03:30:00Z');
    okValue(up, '2026-11-21T10:30:00Z', '2026-11-21T10:30:00Z');
    okValue(up, '21/11/2026 10:30 WITA', '2026-11-21T02:30:00Z');
    okValue(up, 46347.4375, '2026-11-21T03:30:00Z');
    failValue(up, '21/11/2026 25:10', 'type-error');
    const makassar = field(merchantInventory, 'updated_at', { ...ID, timezone: 'Asia/Makassar' });
    okValue(makassar, '21/11/2026 10:30', '2026-11-21T02:30:00Z');
  });
  test('patient_dob is a date', () => {
    okValue(field(insuranceClaim, 'patient_dob'), '01/02/1985', '1985-02-01');
  });
});

describe('cellText and isEmptyCell', () => {
  test('cellText', () => {
    assert.equal(cellText('x'), 'x');
    assert.equal(cellText(null), '');
    assert.equal(cellText(undefined), '');
    assert.equal(cellText(12.5), '12.5');
    assert.equal(cellText(false), 'FALSE');
  });
  test('isEmptyCell: spaces, tabs and NBSP are empty; 0 and false are not', () => {
    for (const c of [null, undefined, '', ' ', '\t', '\u00a0', ' \u00a0\t ']) assert.equal(isEmptyCell(c), true, JSON.stringify(c));
    for (const c of ['0', 'x', 0, false, ' - ']) assert.equal(isEmptyCell(c), false, JSON.stringify(c));
  });
});

// ---------------------------------------------------------------- headers.ts

describe('headerKey', () => {
  test('Harga Jual (Rp), HARGA_JUAL and harga jual are one header', () => {
    const k = headerKey('harga_jual');
    assert.equal(k, 'hargajual');
    for (const h of ['Harga Jual (Rp)', 'HARGA_JUAL', 'harga jual', 'Harga-Jual', '  Harga  Jual  ', 'Harga.Jual', 'HargaJual', 'Harga Jual (IDR) ']) {
      assert.equal(headerKey(h), k, h);
    }
  });
  test('punctuation is dropped: No. Klaim, Tgl. Kadaluarsa, Kode-Barang', () => {
    assert.equal(headerKey('No. Klaim'), headerKey('no_klaim'));
    assert.equal(headerKey('Tgl. Kadaluarsa'), headerKey('tgl_kadaluarsa'));
    assert.equal(headerKey('  Kode-Barang '), headerKey('kode_barang'));
    assert.equal(headerKey('Mata Uang:'), headerKey('mata_uang'));
  });
  test('only a trailing parenthesis is a unit; one in the middle stays', () => {
    assert.equal(headerKey('Stok (pcs)'), 'stok');
    assert.equal(headerKey('Harga (Rp) Jual'), 'hargarpjual');
  });
  test('a header that is only a parenthesis keeps its text', () => {
    assert.equal(headerKey('(Rp)'), 'rp');
  });
  test('accents and full-width letters fold to ASCII letters', () => {
    assert.equal(headerKey('Café'), 'cafe');
    assert.equal(headerKey('ＨＡＲＧＡ'), 'harga');
  });
  test('digits are kept', () => {
    assert.equal(headerKey('ICD-10'), 'icd10');
  });
});

describe('aliasIndex', () => {
  test('merchant_inventory: canonical names and aliases map to fields', () => {
    const idx = aliasIndex(merchantInventory);
    const cases: Array<[string, string]> = [
      ['Harga Jual (Rp)', 'selling_price'], ['HJA', 'selling_price'], ['Price', 'selling_price'],
      ['Kode Barang', 'merchant_sku'], ['PLU', 'merchant_sku'], ['SKU', 'merchant_sku'],
      ['Nama Produk', 'product_name'], ['Deskripsi', 'product_name'],
      ['Sisa Stok', 'stock_qty'], ['QTY', 'stock_qty'], ['Jumlah', 'stock_qty'],
      ['Satuan', 'unit'], ['UOM', 'unit'],
      ['ED', 'expiry_date'], ['Tgl. Kadaluarsa', 'expiry_date'],
      ['Kode Apotek', 'merchant_id'], ['Outlet ID', 'merchant_id'],
      ['EAN', 'barcode'], ['GTIN', 'barcode'],
      ['Last Update', 'updated_at'], ['tgl_update', 'updated_at'],
      ['merchant_sku', 'merchant_sku'], ['selling_price', 'selling_price'],
    ];
    for (const [h, f] of cases) assert.equal(idx.get(headerKey(h)), f, h);
    assert.equal(idx.get(headerKey('No. Klaim')), undefined);
    assert.equal(idx.get(headerKey('Keterangan')), undefined);
  });
  test('insurance_claim: No. Klaim, Jenis Rawat, Diagnosa, Total Tagihan', () => {
    const idx = aliasIndex(insuranceClaim);
    const cases: Array<[string, string]> = [
      ['No. Klaim', 'claim_id'], ['Nomor Klaim', 'claim_id'], ['Claim No', 'claim_id'],
      ['No Polis', 'policy_number'], ['No. Peserta', 'member_id'], ['Nama Pasien', 'patient_name'],
      ['Tgl Lahir', 'patient_dob'], ['Kode RS', 'provider_id'], ['Rumah Sakit', 'provider_name'],
      ['Jenis Rawat', 'claim_type'], ['Tgl Masuk', 'admission_date'], ['Tgl Pulang', 'discharge_date'],
      ['Diagnosa', 'diagnosis_codes'], ['ICD10', 'diagnosis_codes'], ['Total Tagihan (Rp)', 'claimed_amount'],
      ['Nominal Disetujui', 'approved_amount'], ['Mata Uang', 'currency'],
    ];
    for (const [h, f] of cases) assert.equal(idx.get(headerKey(h)), f, h);
  });
  test('profile aliases add spellings and override built-in ones', () => {
    const profile: Profile = { ...ID, aliases: { stock_qty: ['Qty Gudang'], unit: ['Kode'] } };
    const idx = aliasIndex(merchantInventory, profile);
    assert.equal(idx.get(headerKey('QTY_GUDANG')), 'stock_qty');
    assert.equal(idx.get(headerKey('Kode')), 'unit', 'the merchant says its "Kode" column is the unit');
    assert.equal(aliasIndex(merchantInventory).get(headerKey('Kode')), 'merchant_sku', 'without the profile it is the SKU');
    assert.equal(idx.get(headerKey('Kode Barang')), 'merchant_sku', 'other aliases are untouched');
  });
  test('a profile without aliases changes nothing', () => {
    assert.deepEqual([...aliasIndex(merchantInventory, ID)], [...aliasIndex(merchantInventory)]);
  });
});

describe('headerScore', () => {
  const idx = aliasIndex(merchantInventory);
  test('counts distinct fields named by a row', () => {
    assert.equal(headerScore(['Kode Barang', 'Nama Barang', 'Harga Jual (Rp)', 'Stok'], idx), 4);
    assert.equal(headerScore(['Harga', 'Harga Jual', 'HJA'], idx), 1, 'three spellings of one field count once');
  });
  test('title rows and data rows score low', () => {
    assert.equal(headerScore(['Laporan Stok Apotek Sehat', '', 'Tanggal: 21/11/2026'], idx), 0);
    assert.equal(headerScore(['A001', 'Paracetamol 500mg', '12.500', '40'], idx), 0);
    assert.ok(headerScore(['Kode', 'Nama'], idx) >= HEADER_MIN_SCORE);
  });
  test('numbers, nulls, empty and over-long cells are ignored', () => {
    assert.equal(headerScore([null, undefined, 12, true, '', 'x'.repeat(81), 'Stok'], idx), 1);
    assert.equal(headerScore(['Stok' + ' '.repeat(77)], idx), 0, 'an 81-character cell is not a header even when it trims to one');
  });
});
