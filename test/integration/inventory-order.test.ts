/**
 * Issue 17 item 3, as a property on PGlite: loading any permutation of a set of inventory
 * batches, with some loaded twice, replayed (--force) or failing first and loaded later,
 * gives the same fact_inventory_current, fact_inventory_history and etl_batch_merchant as
 * loading them once in batch order (some loaded with --no-merge and merged after), and both are what the reference model
 * (test/support/inventory-model.ts) says. Batch sets are small and random: 2–4 pharmacies,
 * up to 6 SKUs, 2–5 batches, full and delta, prices, stocks and expiry dates from small sets
 * so equal values recur, products absent, a pharmacy's rows split over two files. They are
 * staged by the real stage pipeline (in this process) into a local lake and loaded by the
 * real loadBatch into one embedded warehouse, emptied between cases.
 *
 * A failure prints fast-check's seed and path: HALO_ORDER_SEED=<seed> HALO_ORDER_PATH=<path>
 * replays it. HALO_PROPERTY_SCALE multiplies the runs.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { tempDir } from '../support/tmp.js';
import { SCALE } from '../support/prng.js';
import { inventoryModel, type ModelBatch, type ModelRow, type InventoryMode } from '../support/inventory-model.js';
import { stageModelBatch, applyOps, inOrder, readFacts, modelPart, assertFactsMatch, resetWarehouse, batchIdAt, type LoadOp } from '../support/inventory-scenarios.js';
import { loadConfig } from '../../src/config/load.js';
import { openLake } from '../../src/lake/open.js';
import { PgliteWarehouse } from '../../src/warehouse/pglite.js';
import { initSchema } from '../../src/warehouse/schema.js';
import type { Lake } from '../../src/lake/lake.js';
import type { HaloConfig } from '../../src/config/types.js';

const RUNS = 20 * SCALE;
const PRICES = ['1000', '2500', '4500'];
const STOCKS = [0, 3, 10];
const EXPIRIES = [null, '2027-01-31', '2027-06-30'];
const T0 = Date.UTC(2026, 10, 1);
const HOUR = 3_600_000;

/** One pharmacy's rows in one batch: one file, or two (the second one's rows win for a SKU both carry). */
const merchantRows = (merchant: string, skus: number) => {
  const row = fc.record({
    sku: fc.integer({ min: 1, max: skus }).map((n) => `SKU-${n}`),
    price: fc.constantFrom(...PRICES), stock: fc.constantFrom(...STOCKS), expiry: fc.constantFrom(...EXPIRIES),
    at: fc.constantFrom(null, 10, 20),
  });
  const file = fc.uniqueArray(row, { selector: (r) => r.sku, minLength: 1, maxLength: skus });
  return fc.record({ merchant: fc.constant(merchant), files: fc.oneof({ weight: 3, arbitrary: file.map((f) => [f]) }, { weight: 1, arbitrary: fc.tuple(file, file) }) });
};

/** A batch set and a load plan for it. */
const scenario = fc.record({ merchants: fc.integer({ min: 2, max: 4 }), skus: fc.integer({ min: 1, max: 6 }), batches: fc.integer({ min: 2, max: 5 }) })
  .chain(({ merchants, skus, batches }) => {
    const ids = Array.from({ length: merchants }, (_, i) => `APT-${i + 1}`);
    const batch = fc.record({
      mode: fc.constantFrom<InventoryMode>('full', 'full', 'delta'),
      merchants: fc.subarray(ids, { minLength: 1 }).chain((ms) => fc.tuple(...ms.map((m) => merchantRows(m, skus)))),
    });
    const n = batches;
    const plan = fc.record({
      order: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
      extras: fc.array(fc.record({ batch: fc.nat(n - 1), kind: fc.constantFrom<LoadOp['kind']>('load', 'force', 'fail', 'staged'), at: fc.nat(n) }), { maxLength: 3 }),
    }).map(({ order, extras }) => {
      const ops: LoadOp[] = order.map((batch) => ({ batch, kind: 'load' }));
      for (const x of extras) ops.splice(Math.min(x.at, ops.length), 0, { batch: x.batch, kind: x.kind });
      return ops;
    });
    return fc.record({ batches: fc.array(batch, { minLength: n, maxLength: n }), ops: plan });
  });

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The generated batches as the model takes them: batch k at hour k, rows' updated_at minutes into it (or none). */
function modelBatches(s: Scenario, base: number): ModelBatch[] {
  return s.batches.map((b, k) => {
    const time = new Date(base + k * HOUR + 50 * 60_000).toISOString();
    const files = b.merchants.flatMap(({ merchant, files: fs }) => fs.map((rows, i) => ({
      name: `${merchant}-${i + 1}.csv`,
      rows: rows.map((r): ModelRow => ({ merchant, sku: r.sku, price: r.price, stock: r.stock, expiry: r.expiry, updatedAt: r.at === null ? null : new Date(base + k * HOUR + r.at * 60_000).toISOString() })),
    })));
    return { batchId: batchIdAt(time), mode: b.mode, time, files };
  });
}

describe('inventory: any load order, with repeats, replays and failed loads, gives the model\'s facts (PGlite)', () => {
  const tmp = tempDir('halo-inventory-order-');
  let wh: PgliteWarehouse;
  let config: HaloConfig;
  let lake: Lake;
  let cases = 0;

  before(async () => {
    config = loadConfig({ cwd: tmp.path, env: { HALO_DATA_LAKE_URL: join(tmp.path, 'lake') } });
    lake = await openLake(config);
    wh = await PgliteWarehouse.open(join(tmp.path, 'warehouse'));
    await initSchema(wh);
  });
  after(async () => {
    await wh?.close();
    tmp.cleanup();
  });

  test('property: a random order with repeats equals batch order, and both equal the model', async () => {
    const seed = process.env.HALO_ORDER_SEED ? Number(process.env.HALO_ORDER_SEED) : 0x17017;
    await fc.assert(fc.asyncProperty(scenario, async (s) => {
      const base = T0 + (cases++) * 24 * HOUR;
      const batches = modelBatches(s, base);
      const entries = [];
      for (const b of batches) entries.push(await stageModelBatch(config, join(tmp.path, 'files'), b));
      const want = inventoryModel(batches);
      await resetWarehouse(wh);
      await applyOps(wh, lake, entries, s.ops);
      const shuffled = await readFacts(wh);
      assertFactsMatch(shuffled, want, `order ${s.ops.map((o) => `${o.kind}:${o.batch}`).join(' ')}`);
      await resetWarehouse(wh);
      await applyOps(wh, lake, entries, inOrder(entries));
      const ordered = await readFacts(wh);
      assertFactsMatch(ordered, want, 'batch order');
      assert.deepEqual(modelPart(shuffled), modelPart(ordered));
    }), { numRuns: RUNS, seed, path: process.env.HALO_ORDER_PATH, endOnFailure: !process.env.HALO_ORDER_SHRINK, includeErrorInReport: true });
  });

  // The shrink guard must not make the result depend on the load order: a batch that loads in
  // batch order loads late too. Here the pharmacy's first catalogue (1 product) arrives after
  // its next one (4 products): in order nothing is refused (the first has nothing to shrink
  // from); late, it delists nothing listed now. It was refused (judged against today's 4).
  test('the shrink guard judges a late full catalogue at its place, not against what is listed now', async () => {
    const r = (sku: string): ModelRow => ({ merchant: 'APT-9', sku, price: '1000', stock: 1, expiry: null, updatedAt: null });
    const base = T0 + (cases++) * 24 * HOUR;
    const at = (k: number) => new Date(base + k * HOUR).toISOString();
    const batches: ModelBatch[] = [
      { batchId: batchIdAt(at(0)), mode: 'full', time: at(0), files: [{ name: 'a.csv', rows: [r('SKU-1')] }] },
      { batchId: batchIdAt(at(1)), mode: 'full', time: at(1), files: [{ name: 'a.csv', rows: ['SKU-1', 'SKU-2', 'SKU-3', 'SKU-4'].map(r) }] },
    ];
    const entries = [];
    for (const b of batches) entries.push(await stageModelBatch(config, join(tmp.path, 'files'), b));
    await resetWarehouse(wh);
    await applyOps(wh, lake, entries, [{ batch: 1, kind: 'load' }, { batch: 0, kind: 'load' }], { allowShrink: false });
    assertFactsMatch(await readFacts(wh), inventoryModel(batches), 'guarded, late first catalogue');
  });
});
