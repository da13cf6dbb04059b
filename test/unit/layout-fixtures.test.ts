/**
 * The new-layout claim fixtures (fixtures/claims-layouts/, made by
 * fixtures/generate-layouts.ts): every expected.json is well-formed and canonical, agrees with
 * the generator's data, adds up, holds no personal value, and the generator is deterministic.
 * The reader itself is judged on these files by `claims test` and the benchmark, not here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CASES, LAYOUTS, LAYOUTS_DIR, expectedOf, renderCase } from '../../fixtures/generate-layouts.js';
import { personalValues } from '../support/cli.js';

const expectedFiles = fs.readdirSync(LAYOUTS_DIR).filter((f) => f.endsWith('.expected.json')).sort();
const read = (f: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(LAYOUTS_DIR, f), 'utf8')) as Record<string, unknown>;

const CLAIM_KEYS = ['claim_id', 'policy_number', 'provider_id', 'provider_name', 'claim_type', 'admission_date', 'discharge_date', 'diagnosis_codes', 'claimed_amount', 'currency'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^\d+\.\d{2}$/;
const ICD10 = /^[A-Z]\d{2}(\.\d{1,2})?$/;
const cents = (s: string): number => Math.round(Number(s) * 100);

test('every case of the generator has its PDF and an expected.json equal to what its data implies', () => {
  assert.deepEqual(expectedFiles, CASES.map((k) => `${k.name}.expected.json`).sort());
  for (const k of CASES) {
    assert.ok(fs.existsSync(path.join(LAYOUTS_DIR, `${k.name}.pdf`)), `${k.name}.pdf is missing`);
    assert.deepEqual(read(`${k.name}.expected.json`), JSON.parse(JSON.stringify(expectedOf(k))), `${k.name}.expected.json differs from the generator: run npx tsx fixtures/generate-layouts.ts`);
  }
  // issue 18 item 7: at least six layouts, the six named ones with two or three documents each
  for (const name of ['two-column', 'bordered', 'multipage', 'english', 'wrapped', 'branch']) {
    const n = CASES.filter((k) => k.layout.name === name).length;
    assert.ok(n >= 2 && n <= 3, `${name}: ${n} documents`);
  }
  assert.ok(LAYOUTS.length >= 6);
  // the three problem cases, one each
  const problems = CASES.flatMap((k) => k.problems).sort();
  assert.deepEqual(problems, ['constraint-error', 'needs-review', 'total-mismatch']);
});

test('every expected.json is well-formed and canonical', () => {
  for (const f of expectedFiles) {
    const e = read(f);
    assert.deepEqual(Object.keys(e), ['description', 'verdict', 'problems', 'claim', 'personalFields', 'lines'], f);
    assert.equal(typeof e.description, 'string', f);
    assert.ok(!(e.description as string).includes('\n'), `${f}: description is one line`);
    assert.ok(['valid', 'invalid', 'needs-review'].includes(e.verdict as string), f);
    const problems = e.problems as string[];
    assert.ok(Array.isArray(problems) && problems.every((p) => typeof p === 'string'), f);
    assert.equal(problems.length === 0, e.verdict === 'valid', `${f}: problems are listed exactly when the verdict is not valid`);
    assert.deepEqual(e.personalFields, ['member_id', 'patient_name', 'patient_dob'], f);

    const c = e.claim as Record<string, unknown>;
    for (const k of Object.keys(c)) assert.ok(CLAIM_KEYS.includes(k), `${f}: claim.${k} is not an insurance_claim field`);
    assert.equal(typeof c.claim_id, 'string', f);
    assert.equal(typeof c.provider_name, 'string', f);
    assert.ok(c.claim_type === 'inpatient' || c.claim_type === 'outpatient', f);
    assert.match(c.admission_date as string, DATE, f);
    if (c.discharge_date != null) assert.match(c.discharge_date as string, DATE, f);
    if (c.claim_type === 'outpatient') assert.equal(c.discharge_date, null, `${f}: no discharge date for an outpatient claim`);
    const codes = c.diagnosis_codes as string[];
    assert.ok(codes.length >= 1 && codes.length <= 3, f);
    for (const code of codes) assert.match(code, ICD10, f);
    assert.match(c.claimed_amount as string, DECIMAL, f);
    assert.equal(c.currency, 'IDR', f);
    if (c.policy_number == null) assert.equal(e.verdict, 'needs-review', `${f}: a missing required field makes the verdict needs-review`);

    const lines = e.lines as Record<string, unknown>[];
    assert.ok(lines.length > 0, f);
    lines.forEach((l, i) => {
      assert.equal(l.line_no, i + 1, `${f}: line_no counts items from 1`);
      assert.equal(typeof l.description, 'string');
      assert.ok((l.description as string).length > 0 && !/\s{2}|^\s|\s$/.test(l.description as string), `${f}: line ${i + 1} description joined with single spaces`);
      assert.match(l.quantity as string, /^\d+$/, f);
      assert.match(l.amount as string, DECIMAL, f);
      if ('unit_price' in l) {
        assert.match(l.unit_price as string, DECIMAL, f);
        assert.equal(cents(l.amount as string), Number(l.quantity) * cents(l.unit_price as string), `${f}: line ${i + 1} is quantity x unit price`);
      }
    });
  }
});

test('the lines add up to the claimed amount, except in the total-mismatch case', () => {
  for (const f of expectedFiles) {
    const e = read(f);
    const sum = (e.lines as Array<{ amount: string }>).reduce((s, l) => s + cents(l.amount), 0);
    const claimed = cents((e.claim as { claimed_amount: string }).claimed_amount);
    const mismatch = e.verdict === 'invalid' && (e.problems as string[]).includes('total-mismatch');
    if (mismatch) assert.ok(Math.abs(sum - claimed) > 100, `${f}: a total mismatch must be more than 1 rupiah off`);
    else assert.ok(Math.abs(sum - claimed) <= 100, `${f}: lines add up to ${sum / 100}, claimed ${claimed / 100}`);
  }
});

test('no personal value appears in an expected.json or the README', () => {
  const values = personalValues();
  const files = [...expectedFiles, 'README.md'];
  for (const f of files) {
    const text = fs.readFileSync(path.join(LAYOUTS_DIR, f), 'utf8');
    for (const v of values) assert.ok(!text.includes(v), `${f} contains a personal value (length ${v.length})`);
  }
});

test('the generator is deterministic: one document built twice gives equal bytes, equal to the committed file', async () => {
  const k = CASES.find((x) => x.name === 'english-1')!;
  const a = await renderCase(k);
  const b = await renderCase(k);
  assert.ok(a.equals(b), 'two builds differ');
  assert.ok(a.equals(fs.readFileSync(path.join(LAYOUTS_DIR, 'english-1.pdf'))), 'english-1.pdf differs from the generator: run npx tsx fixtures/generate-layouts.ts');
});
