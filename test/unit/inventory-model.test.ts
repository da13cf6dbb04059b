/**
 * The reference model of the inventory facts (test/support/inventory-model.ts) that the
 * order tests compare every engine with: its rules on hand-made cases, and the shape of its
 * answer (change-only, chained validity, one current row per product) as properties.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { inventoryModel, merchantsOf, type ModelBatch, type ModelRow, type InventoryMode } from '../support/inventory-model.js';

fc.configureGlobal({ seed: 0x17a0de1 });

const row = (merchant: string, sku: string, price: string, stock: number, updatedAt: string | null = null, expiry: string | null = null): ModelRow =>
  ({ merchant, sku, price, stock, expiry, updatedAt });
const batch = (n: number, mode: InventoryMode, rows: ModelRow[], files?: Array<{ name: string; rows: ModelRow[] }>): ModelBatch =>
  ({ batchId: `01B${String(n).padStart(23, '0')}`, mode, time: new Date(Date.UTC(2026, 10, 1, n)).toISOString(), files: files ?? [{ name: 'a.csv', rows }] });
const t = (n: number, minutes = 0) => new Date(Date.UTC(2026, 10, 1, n, minutes)).toISOString();

describe('inventory model: the rules', () => {
  test('a price going A→B→A opens three versions; an unchanged batch opens none', () => {
    const r = inventoryModel([
      batch(1, 'full', [row('M1', 'S1', '100', 5)]),
      batch(2, 'full', [row('M1', 'S1', '200', 5)]),
      batch(3, 'full', [row('M1', 'S1', '200.00', 5)]),
      batch(4, 'full', [row('M1', 'S1', '100', 5)]),
    ]);
    assert.deepEqual(r.history.map((h) => [h.batchId.slice(-1), h.changeKind, h.price, h.validFrom, h.validTo, h.isCurrent]), [
      ['1', 'new', '100.00', t(1), t(2), false],
      ['2', 'changed', '200.00', t(2), t(4), false],
      ['4', 'changed', '100.00', t(4), null, true],
    ]);
    assert.deepEqual(r.current.map((c) => [c.price, c.batchId.slice(-1), c.observedAt, c.isListed]), [['100.00', '4', t(4), true]]);
  });

  test('full: an absent product is delisted once (stock 0, price and expiry kept), relisted when it comes back; delta leaves absent ones alone', () => {
    const r = inventoryModel([
      batch(1, 'full', [row('M1', 'S1', '100', 5, null, '2027-01-31'), row('M1', 'S2', '50', 1)]),
      batch(2, 'full', [row('M1', 'S2', '50', 1)]),
      batch(3, 'full', [row('M1', 'S2', '50', 1)]),
      batch(4, 'delta', [row('M1', 'S2', '60', 1)]),
      batch(5, 'delta', [row('M1', 'S1', '100', 5, null, '2027-01-31')]),
    ]);
    const s1 = r.history.filter((h) => h.sku === 'S1').map((h) => [h.batchId.slice(-1), h.changeKind, h.price, h.stock, h.expiry, h.isListed]);
    assert.deepEqual(s1, [
      ['1', 'new', '100.00', 5, '2027-01-31', true],
      ['2', 'delisted', '100.00', 0, '2027-01-31', false],
      ['5', 'relisted', '100.00', 5, '2027-01-31', true],
    ]);
    assert.deepEqual(r.history.filter((h) => h.sku === 'S2').map((h) => h.changeKind), ['new', 'changed']);
  });

  test("a delta row that restates the version in force opens a version (the warehouse's rule), or not under deltaOpens 'changes'", () => {
    const bs = [batch(1, 'full', [row('M1', 'S1', '100', 5)]), batch(2, 'delta', [row('M1', 'S1', '100', 5)]), batch(3, 'full', [row('M1', 'S1', '100', 5)])];
    assert.deepEqual(inventoryModel(bs).history.map((h) => [h.batchId.slice(-1), h.changeKind]), [['1', 'new'], ['2', 'changed']]);
    assert.deepEqual(inventoryModel(bs, { deltaOpens: 'changes' }).history.map((h) => [h.batchId.slice(-1), h.changeKind]), [['1', 'new']]);
  });

  test('a merchant not in a full batch is not touched by it; a product never seen is not delisted', () => {
    const r = inventoryModel([
      batch(1, 'full', [row('M1', 'S1', '100', 5), row('M2', 'S1', '100', 5)]),
      batch(2, 'full', [row('M2', 'S2', '100', 5)]),
    ]);
    assert.deepEqual(r.current.map((c) => [c.merchant, c.sku, c.isListed]), [['M1', 'S1', true], ['M2', 'S1', false], ['M2', 'S2', true]]);
    assert.deepEqual(r.batchMerchants.map((b) => [b.batchId.slice(-1), b.merchant, b.products]), [['1', 'M1', 1], ['1', 'M2', 1], ['2', 'M2', 1]]);
  });

  test('observed time: the latest updated_at of the merchant rows in the batch, else the batch time; a version starts there', () => {
    const r = inventoryModel([
      batch(1, 'full', [row('M1', 'S1', '100', 5, t(0, 10)), row('M1', 'S2', '100', 5, t(0, 20)), row('M2', 'S1', '1', 1)]),
      batch(2, 'full', [row('M1', 'S1', '100', 6, t(1, 5)), row('M1', 'S2', '100', 5, null)]),
    ]);
    assert.deepEqual(r.batchMerchants.map((b) => [b.merchant, b.observedAt]), [['M1', t(0, 20)], ['M1', t(1, 5)], ['M2', t(1)]]);
    assert.deepEqual(r.history.filter((h) => h.merchant === 'M1' && h.sku === 'S1').map((h) => [h.validFrom, h.validTo]), [[t(0, 20), t(1, 5)], [t(1, 5), null]]);
  });

  test('two files of one merchant in one batch: the union, the later file by name winning for a SKU', () => {
    const b = batch(1, 'full', [], [
      { name: 'm1-b.csv', rows: [row('M1', 'S1', '300', 1, t(0, 1)), row('M1', 'S3', '30', 3)] },
      { name: 'm1-a.csv', rows: [row('M1', 'S1', '100', 1, t(0, 9)), row('M1', 'S2', '20', 2)] },
    ]);
    const r = inventoryModel([b]);
    assert.deepEqual(r.current.map((c) => [c.sku, c.price]), [['S1', '300.00'], ['S2', '20.00'], ['S3', '30.00']]);
    // The row of m1-a.csv that lost carries the latest time: it counts only under the 'all' rule.
    assert.equal(merchantsOf(b).get('M1')!.observedAt, t(0, 1));
    assert.equal(merchantsOf(b, { observedFrom: 'all' }).get('M1')!.observedAt, t(0, 9));
  });

  test('two not-listed states are equal: a delisted product absent again stays one version', () => {
    const r = inventoryModel([
      batch(1, 'full', [row('M1', 'S1', '100', 5), row('M1', 'S2', '1', 1)]),
      batch(2, 'full', [row('M1', 'S2', '1', 1)]),
      batch(3, 'full', [row('M1', 'S2', '2', 1)]),
    ]);
    assert.deepEqual(r.history.filter((h) => h.sku === 'S1').map((h) => h.changeKind), ['new', 'delisted']);
  });
});

/** Small random batch sets, the shape the order property test generates. */
const modelBatches = fc.integer({ min: 2, max: 5 }).chain((n) => fc.array(fc.record({
  mode: fc.constantFrom<InventoryMode>('full', 'delta'),
  rows: fc.array(fc.record({
    merchant: fc.constantFrom('M1', 'M2', 'M3'), sku: fc.constantFrom('S1', 'S2', 'S3', 'S4'),
    price: fc.constantFrom('100', '200'), stock: fc.constantFrom(0, 5), expiry: fc.constantFrom(null, '2027-01-31'),
    updatedAt: fc.constantFrom(null, 'early', 'late'),
  }), { maxLength: 10 }),
}), { minLength: n, maxLength: n })).map((bs) => bs.map((b, i) => batch(i + 1, b.mode, [...new Map(b.rows.map((r) => [`${r.merchant}/${r.sku}`, {
  ...r, updatedAt: r.updatedAt === null ? null : t(i, r.updatedAt === 'early' ? 10 : 40),
}])).values()])));

describe('inventory model: properties', () => {
  test('change-only and chained: consecutive versions differ, valid_to is the next valid_from, one current row per product, the last version', () => {
    fc.assert(fc.property(modelBatches, (bs) => {
      const r = inventoryModel(bs);
      const byProduct = new Map<string, typeof r.history>();
      for (const h of r.history) byProduct.set(`${h.merchant}/${h.sku}`, [...(byProduct.get(`${h.merchant}/${h.sku}`) ?? []), h]);
      assert.equal(r.current.length, byProduct.size);
      for (const [k, list] of byProduct) {
        assert.equal(list[0].changeKind, 'new', k);
        assert.equal(list[0].isListed, true, k);
        for (let i = 1; i < list.length; i++) {
          const [a, b] = [list[i - 1], list[i]];
          assert.ok(a.batchId < b.batchId);
          assert.equal(a.validTo, b.validFrom);
          assert.equal(a.isCurrent, false);
          const restated = bs.find((x) => x.batchId === b.batchId)!.mode === 'delta';
          assert.ok(restated || a.isListed !== b.isListed || (b.isListed && (a.price !== b.price || a.stock !== b.stock || a.expiry !== b.expiry)), `${k}: a version equal to the one before`);
          assert.equal(b.changeKind, !b.isListed ? 'delisted' : !a.isListed ? 'relisted' : 'changed');
          if (!b.isListed) assert.deepEqual([b.stock, b.price, b.expiry], [0, a.price, a.expiry]);
        }
        const last = list.at(-1)!;
        assert.equal(last.validTo, null);
        assert.equal(last.isCurrent, true);
        const c = r.current.find((x) => `${x.merchant}/${x.sku}` === k)!;
        assert.deepEqual([c.price, c.stock, c.expiry, c.isListed, c.observedAt, c.batchId], [last.price, last.stock, last.expiry, last.isListed, last.validFrom, last.batchId]);
      }
    }));
  });

  test('order-free and idempotent: any order, with repeats, gives the same answer', () => {
    fc.assert(fc.property(modelBatches, fc.func(fc.integer()), (bs, f) => {
      const shuffled = [...bs, ...bs.slice(0, 1)].map((b, i) => [f(i), b] as const).sort((x, y) => x[0] - y[0]).map(([, b]) => b);
      assert.deepEqual(inventoryModel(shuffled), inventoryModel(bs));
    }));
  });

  test('after a full batch, the merchant lists exactly the products of that batch (until the next batch of it)', () => {
    fc.assert(fc.property(modelBatches, (bs) => {
      for (let i = 0; i < bs.length; i++) {
        if (bs[i].mode !== 'full') continue;
        const upTo = inventoryModel(bs.slice(0, i + 1));
        for (const [merchant, m] of merchantsOf(bs[i])) {
          const listed = upTo.current.filter((c) => c.merchant === merchant && c.isListed).map((c) => c.sku).sort();
          assert.deepEqual(listed, [...m.rows.keys()].sort());
        }
      }
    }));
  });
});
