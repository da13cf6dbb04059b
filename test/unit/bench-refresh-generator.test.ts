/**
 * The refresh benchmark's generator (bench/generate/inventory-refresh.ts): the benchmark
 * checks that history grows by exactly changed + delisted + new rows, so the generator's
 * counts must be exactly what differs between the two files, whatever the size and seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { inventoryRows, type InventoryRow } from '../../bench/generate/inventory-model.js';
import { refreshedRows, refreshCounts, DEFAULT_MIX } from '../../bench/generate/inventory-refresh.js';
import { formatCsvLine } from '../../bench/generate/inventory-csv.js';

const key = (r: InventoryRow) => `${r.merchantId}/${r.sku}`;

test('the refreshed catalogue differs from the base by exactly the counted rows, and unchanged rows are the same CSV lines', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 50, max: 900 }), fc.constantFrom(7, 42, 2 ** 31 - 1) /* a catalogue costs ~0.1 s to build: a few seeds */, (rows, perMerchant, seed) => {
    // A larger mix than the default, so small catalogues see every kind of change.
    const mix = { changed: 0.1, delisted: 0.05, added: 0.05 };
    const before = new Map<string, InventoryRow>();
    for (const r of inventoryRows(rows, seed, perMerchant)) before.set(key(r), r);
    const after = new Map<string, InventoryRow>();
    for (const r of refreshedRows(rows, seed, perMerchant, mix)) {
      assert.ok(!after.has(key(r)), `duplicate key ${key(r)}`);
      after.set(key(r), r);
    }
    let changed = 0, unchanged = 0, added = 0, delisted = 0, price = 0, stock = 0;
    for (const [k, r] of after) {
      const b = before.get(k);
      if (!b) { added++; continue; }
      if (b.price !== r.price || b.stock !== r.stock) {
        changed++;
        if (b.price !== r.price) price++; else stock++;
        assert.ok(r.price >= 500 && r.price <= 2_000_000 && r.stock >= 0, 'a changed value stays in range');
      } else {
        unchanged++;
        assert.equal(formatCsvLine(r), formatCsvLine(b), 'an unchanged row is the same line');
      }
    }
    for (const k of before.keys()) if (!after.has(k)) delisted++;
    assert.deepEqual(refreshCounts(rows, seed, perMerchant, mix),
      { rows: after.size, unchanged, changed, changedPrice: price, changedStock: stock, delisted, added });
  }), { numRuns: 20 });
});

test('the default mix is the issue\'s: about 2 % changed, 0.5 % delisted, 0.5 % new', () => {
  const c = refreshCounts(100_000, 42, 1570, DEFAULT_MIX);
  assert.ok(Math.abs(c.changed / 100_000 - 0.02) < 0.002, `changed ${c.changed}`);
  assert.ok(Math.abs(c.delisted / 100_000 - 0.005) < 0.001, `delisted ${c.delisted}`);
  assert.ok(Math.abs(c.added / 100_000 - 0.005) < 0.001, `added ${c.added}`);
});

test('products are shared across merchants: one barcode, many pharmacies (a ~42,000-product catalogue)', () => {
  const rows = 100_000;
  const merchantsByBarcode = new Map<string, Set<string>>();
  for (const r of inventoryRows(rows, 42, 1570)) {
    if (!r.barcode) continue;
    let s = merchantsByBarcode.get(r.barcode);
    if (!s) merchantsByBarcode.set(r.barcode, (s = new Set()));
    s.add(r.merchantId);
  }
  assert.ok(merchantsByBarcode.size <= 42_000, `${merchantsByBarcode.size} distinct barcodes`);
  const mean = [...merchantsByBarcode.values()].reduce((a, s) => a + s.size, 0) / merchantsByBarcode.size;
  assert.ok(mean > 2, `${mean.toFixed(2)} merchants per barcode`);
});
