/**
 * Issue 14 item 9, the mechanism: a file whose merchant is known (its folder, or --merchant)
 * holds only rows of that merchant or of those its source speaks for; any other row is
 * `merchant-mismatch`. Checked in the row processor, so CSV, XLS and XLSX get it alike.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planFile } from '../../src/validation/plan.js';
import { RowProcessor } from '../../src/validation/rows.js';
import { merchantInventory } from '../../src/schemas/builtin/merchant-inventory.js';
import { DEFAULT_PROFILE } from '../../src/schemas/types.js';

const seedEnv = process.env.HALO_PROPERTY_SEED;
if (seedEnv !== 'random') fc.configureGlobal({ seed: seedEnv ? Number(seedEnv) : 0x14009 });

function rows(header: string[], data: string[][], scope: { merchantId?: string; speaksFor?: string[] }) {
  const { plan } = planFile({
    schema: merchantInventory, profile: DEFAULT_PROFILE, headerCells: header, headerRow: 1, ...scope,
    strictCellCount: true, maxProblems: 1000, emit: true, sourceFile: 'stok.csv',
  });
  const p = new RowProcessor(plan);
  data.forEach((cells, i) => p.process(cells, i + 2));
  return p.result();
}

const HEADER = ['kode_apotek', 'sku', 'nama', 'harga', 'stok'];
const row = (merchant: string, i: number) => [merchant, `A-${i}`, 'Obat', '100', '1'];

describe('merchant-mismatch', () => {
  test('property: a row is valid exactly when its merchant is the file\'s or one it speaks for', () => {
    const id = fc.constantFrom('M0401', 'M0101', 'M0102', 'm0401', 'M0401 ', 'X');
    fc.assert(fc.property(fc.array(id, { minLength: 1, maxLength: 30 }), fc.subarray(['M0101', 'M0102']), (ids, speaksFor) => {
      const r = rows(HEADER, ids.map(row), { merchantId: 'M0401', speaksFor });
      // Canonical ids are trimmed (M0401 with a space is M0401); case counts (m0401 is another merchant).
      const allowed = new Set(['M0401', ...speaksFor]);
      const bad = ids.map((m, i) => (allowed.has(m.trim()) ? -1 : i + 2)).filter((n) => n >= 0);
      assert.equal(r.validRows, ids.length - bad.length);
      assert.deepEqual(r.problems.map((p) => [p.code, p.row, p.field, p.column]), bad.map((n) => ['merchant-mismatch', n, 'merchant_id', 'kode_apotek']));
      const rejected = Buffer.from(r.rejects).toString('utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      assert.deepEqual(rejected.map((x) => x.codes), bad.map(() => ['merchant-mismatch']));
    }), { numRuns: 200 });
  });
  test('the message names both merchants (ids are not personal data)', () => {
    const r = rows(HEADER, [row('M0101', 1)], { merchantId: 'M0401', speaksFor: ['M0102'] });
    assert.equal(r.problems[0].message, "merchant_id 'M0101' is not the merchant this file comes from (M0401, or M0102 that its source's speaksFor lists)");
  });
  test('no merchant known (no folder pattern, no --merchant): any merchant', () => {
    assert.equal(rows(HEADER, [row('M0101', 1), row('M0401', 2)], {}).validRows, 2);
  });
  test('a file without a merchant column takes the folder\'s id: never a mismatch', () => {
    const r = rows(HEADER.slice(1), [row('x', 1).slice(1)], { merchantId: 'M0401' });
    assert.equal(r.validRows, 1);
    assert.match(Buffer.from(r.out).toString('utf8'), /^M0401,A-1,/);
  });
  test('a folder name over the column\'s 64 bytes is a width error, not a mismatch or a failed load', () => {
    const id = 'M'.repeat(65);
    const r = rows(HEADER.slice(1), [row('x', 1).slice(1)], { merchantId: id });
    assert.deepEqual(r.problems.map((p) => [p.code, p.message]), [['constraint-error', 'merchant_id is 65 bytes long (UTF-8); its warehouse column holds at most 64 bytes']]);
  });
});
