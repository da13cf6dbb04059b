import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonical, codeList, compare, parseExpected } from '../../src/documents/expected.js';
import { fakeClaimResult, FAKE_PERSONAL } from '../support/claim-result.js';

const FILE = 'cases/x.expected.json';
const good = {
  description: 'a made-up inpatient bill',
  verdict: 'valid',
  problems: [],
  claim: { claim_id: 'HS-2026-00999', policy_number: 'POL-77', diagnosis_codes: ['J18.9', 'E11.9'], claimed_amount: '1250000.00', discharge_date: null },
  personalFields: ['member_id', 'patient_name', 'patient_dob'],
  lines: [
    { line_no: 1, description: 'Kamar Rawat Inap', quantity: '2', unit_price: '500000.00', amount: '1000000.00' },
    { line_no: 2, description: 'Obat dan bahan habis pakai', quantity: 1, amount: '250000' },
  ],
};
const parse = (o: unknown) => parseExpected(JSON.stringify(o), FILE);

test('parseExpected: a good file, numbers taken as their text', () => {
  const e = parse(good);
  assert.equal(e.verdict, 'valid');
  assert.deepEqual(e.lines![1], { line_no: 2, values: { description: 'Obat dan bahan habis pakai', quantity: '1', amount: '250000' } });
  assert.deepEqual(e.claim.diagnosis_codes, ['J18.9', 'E11.9']);
});

test('parseExpected: errors name the file and the key', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...good, verdikt: 'valid' }, /x\.expected\.json: verdikt: unknown key/],
    [{ ...good, verdict: 'ok' }, /x\.expected\.json: verdict: must be one of valid, invalid, needs-review/],
    [{ ...good, claim: { claim_no: 'A' } }, /claim\.claim_no: not an insurance_claim field/],
    [{ ...good, claim: { diagnosis_codes: 'J18.9' } }, /claim\.diagnosis_codes: must be an array/],
    [{ ...good, claim: { claim_id: 5 > 4 } }, /claim\.claim_id: must be a string/],
    [{ ...good, personalFields: ['claim_id'] }, /personalFields: "claim_id" is not a personal field/],
    [{ ...good, lines: [{ description: 'x' }] }, /lines\[0\]\.line_no: must be a whole number/],
    [{ ...good, lines: [{ line_no: 1 }, { line_no: 1 }] }, /lines\[1\]\.line_no: 1 is given twice/],
    [{ ...good, lines: [{ line_no: 1, qty: '1' }] }, /lines\[0\]\.qty: unknown column/],
    [[1], /\(top level\): must be a JSON object/],
  ];
  for (const [o, re] of cases) assert.throws(() => parse(o), (e: Error & { code?: string }) => re.test(e.message) && e.code === 'bad-expected-file', String(re));
  assert.throws(() => parseExpected('{ "verdict": ', FILE), /x\.expected\.json: not JSON/);
});

test('canonical and codeList: decimals without insignificant zeros, codes from JSON or a list', () => {
  assert.equal(canonical('4375000.00'), '4375000');
  assert.equal(canonical('4.50'), '4.5');
  assert.equal(canonical('007'), '7');
  assert.equal(canonical(' Kamar  Rawat '), 'Kamar Rawat');
  assert.equal(canonical('J18.90'), 'J18.90');
  assert.deepEqual(codeList('["J18.9","E11.9"]'), ['J18.9', 'E11.9']);
  assert.deepEqual(codeList('k29.7; r10.1'), ['K29.7', 'R10.1']);
  assert.equal(codeList(null), null);
});

test('compare: everything right', () => {
  const c = compare(parse(good), fakeClaimResult());
  assert.deepEqual(c, { fields: { right: 8, expected: 8 }, lines: { right: 2, expected: 2 }, verdictOk: true, differences: [] });
});

test('compare: a wrong field, a wrong line column, a missing line, the verdict and the problems', () => {
  const e = parse({
    ...good, verdict: 'invalid', problems: ['total-mismatch'],
    claim: { ...good.claim, claimed_amount: '1300000.00', diagnosis_codes: ['E11.9', 'J18.9'] },
    lines: [...good.lines.slice(0, 1), { line_no: 2, amount: '260000.00' }, { line_no: 3, amount: '50000' }],
  });
  const c = compare(e, fakeClaimResult());
  assert.equal(c.verdictOk, false);
  assert.deepEqual(c.fields, { right: 6, expected: 8 });
  assert.deepEqual(c.lines, { right: 1, expected: 3 });
  assert.deepEqual(c.differences, [
    { what: 'verdict', expected: 'invalid', got: 'valid' },
    { what: 'problems', expected: 'total-mismatch', got: '(none)' },
    { what: 'claim.diagnosis_codes', expected: 'E11.9, J18.9', got: 'J18.9, E11.9' },
    { what: 'claim.claimed_amount', expected: '1300000.00', got: '1250000.00' },
    { what: 'line 2.amount', expected: '260000.00', got: '250000.00' },
    { what: 'line 3', expected: '50000', got: '(no such line read)' },
    { what: 'lines', expected: '3 line(s)', got: '2 line(s)' },
  ]);
});

test('compare: a personal field is right when read, and a wrong one says only its lengths', () => {
  const e = parse({ ...good, claim: { ...good.claim, patient_name: 'Someone Else' } });
  const c = compare(e, fakeClaimResult());
  assert.deepEqual(c.differences, [{ what: 'claim.patient_name', expected: '***(12)', got: `***(${FAKE_PERSONAL.patient_name.length})` }]);
  const r = fakeClaimResult();
  r.judgement!.claim.member_id = null;
  r.reading!.fields.member_id = { ...r.reading!.fields.member_id, value: null };
  const c2 = compare(parse(good), r);
  assert.deepEqual(c2.differences, [{ what: 'claim.member_id', expected: 'a value', got: 'not read' }]);
  assert.deepEqual(c2.fields, { right: 7, expected: 8 });
});

test('compare (the probe): a non-personal field that read a personal value never shows it', () => {
  const c = compare(parse(good), fakeClaimResult({ claimIdFromName: true }));
  assert.deepEqual(c.differences, [{ what: 'claim.claim_id', expected: 'HS-2026-00999', got: `***(${FAKE_PERSONAL.patient_name.length})` }]);
});

test('compare: an unreadable document', () => {
  const c = compare(parse(good), fakeClaimResult({ unreadable: true }));
  assert.equal(c.verdictOk, false);
  assert.deepEqual(c.differences[0], { what: 'verdict', expected: 'valid', got: 'unreadable (encrypted-file)' });
  assert.deepEqual(c.fields, { right: 0, expected: 8 });
  assert.deepEqual(c.lines, { right: 0, expected: 2 });
});
