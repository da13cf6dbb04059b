/**
 * Issue 17 item 1: a real schema-version-2 warehouse is upgraded in place by `warehouse init`.
 * The v2 warehouse is made with v2's own SQL (test/support/v2-warehouse.ts: f8a0333's
 * migrations and inventory merge) from several batches of two pharmacies, with a price
 * change, a delisted product, a relisted one, two files of one pharmacy in one batch and a
 * batch that covers only one pharmacy, on PGlite and on PostgreSQL. After `warehouse init`
 * (the CLI of today) every product's history and current row must be what the reference
 * model says for those batches, fact_inventory_snapshot must be gone and the schema at
 * version 3; then a new batch loads, old ones replay (the same batches are in the lake,
 * staged by today's stage), a batch v2 never loaded arrives late, and the facts still follow
 * the model.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/tmp.js';
import { runCliAsync } from '../support/cli.js';
import { startPostgres, postgresAvailable, createTestDatabase, TEST_PGPASSWORD, type TestPostgres } from '../support/postgres.js';
import { inventoryModel, type ModelBatch, type ModelRow, type ModelFile } from '../support/inventory-model.js';
import { initV2, loadV2 } from '../support/v2-warehouse.js';
import { stageModelBatch, applyOps, readFacts, assertFactsMatch, batchIdAt } from '../support/inventory-scenarios.js';
import { loadConfig } from '../../src/config/load.js';
import { openLake } from '../../src/lake/open.js';
import { openWarehouse } from '../../src/warehouse/open.js';
import type { BatchEntry } from '../../src/batch/catalog.js';
import type { HaloConfig, WarehouseConfig } from '../../src/config/types.js';
import type { Lake } from '../../src/lake/lake.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 8, 1);
const time = (k: number, m = 50) => new Date(BASE + k * HOUR + m * 60_000).toISOString();
const r = (merchant: string, sku: string, price: string, stock: number, updatedAt: string | null = null, expiry: string | null = null): ModelRow =>
  ({ merchant, sku, price, stock, expiry, updatedAt });
const file = (name: string, ...rows: ModelRow[]): ModelFile => ({ name, rows });
const batch = (k: number, files: ModelFile[]): ModelBatch => ({ batchId: batchIdAt(time(k)), mode: 'full', time: time(k), files });

const [A, B] = ['UPG-APT-1', 'UPG-APT-2'];
/** What v2 loaded: APT-1 with updated_at on its rows, APT-2 without (its observed time is the batch's). */
const V2_BATCHES: ModelBatch[] = [
  batch(0, [file('apt.csv', r(A, 'X', '1000', 3, time(0, 10), '2027-01-31'), r(A, 'Y', '2500', 1, time(0, 12)), r(A, 'Z', '4500', 2, time(0, 11), '2027-03-31'), r(B, 'X', '1000', 5))]),
  // X's price changes, Z is delisted; APT-2 unchanged.
  batch(1, [file('apt.csv', r(A, 'X', '2500', 3, time(1, 10), '2027-01-31'), r(A, 'Y', '2500', 1, time(1, 12)), r(B, 'X', '1000', 5))]),
  // Z relisted (from a second file); APT-2's stock changes and it lists W.
  batch(2, [
    file('apt-1.csv', r(A, 'X', '2500', 3, time(2, 10), '2027-01-31'), r(A, 'Y', '1000', 1, time(2, 12)), r(B, 'X', '1000', 4), r(B, 'W', '1000', 1)),
    file('apt-2.csv', r(A, 'Z', '4500', 2, time(2, 11), '2027-03-31'), r(A, 'Y', '2500', 1, time(2, 13))),
  ]),
  // Only APT-2: W delisted, APT-1 untouched.
  batch(3, [file('apt.csv', r(B, 'X', '1000', 4))]),
];
/**
 * The v2 batches as the model must see them: a v2 snapshot row kept no batch time, so the
 * upgrade takes a merchant's observed time from its rows' updated_at, else from the batch's
 * load (etl_batch.started_at: v2-warehouse.ts loads each five minutes after its time).
 */
const V2_AS_UPGRADED = V2_BATCHES.map((b) => ({ ...b, time: new Date(new Date(b.time).getTime() + 5 * 60_000).toISOString() }));
/** After the upgrade: a new batch (X changes again, Y delisted) and a replay of an old one. */
const NEW_BATCH = batch(4, [file('apt.csv', r(A, 'X', '1000', 3, time(4, 10), '2027-01-31'), r(A, 'Z', '4500', 2, time(4, 11), '2027-03-31'))]);
/**
 * A batch between v2's second and third that v2 never loaded (it failed then), loaded after
 * the upgrade: late, so it is put in its place using what the upgrade made of the snapshot
 * (etl_batch_merchant and the history). Z is relisted earlier (the third batch's relisting
 * becomes no change), Y changes price there (the third batch's unchanged Y becomes a change back).
 */
const LATE_BATCH: ModelBatch = { batchId: batchIdAt(time(2, 20)), mode: 'full', time: time(2, 20), files: [file('apt.csv',
  r(A, 'X', '2500', 3, time(2, 15), '2027-01-31'), r(A, 'Y', '1000', 1, time(2, 16)), r(A, 'Z', '4500', 2, time(2, 17), '2027-03-31'))] };

describe('warehouse init upgrades a schema-version-2 warehouse with inventory batches in place', { skip: postgresAvailable() ? false : 'PostgreSQL not installed (.ci/run installs it)' }, () => {
  const tmp = tempDir('halo-inventory-upgrade-');
  let server: TestPostgres;
  let config: HaloConfig;
  let lake: Lake;
  const entries: BatchEntry[] = [];

  before(async () => {
    server = await startPostgres();
    config = loadConfig({ cwd: tmp.path, env: { HALO_DATA_LAKE_URL: join(tmp.path, 'lake') } });
    lake = await openLake(config);
    for (const b of [...V2_BATCHES, NEW_BATCH, LATE_BATCH]) entries.push(await stageModelBatch(config, join(tmp.path, 'files'), b));
  });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  const withWarehouse = async <T>(w: WarehouseConfig, fn: (wh: Warehouse) => Promise<T>): Promise<T> => {
    const wh = await openWarehouse({ ...config, warehouse: w });
    try { return await fn(wh); } finally { await wh.close(); }
  };

  const upgrade = async (name: string, w: WarehouseConfig, yaml: string) => {
    // The v2 warehouse, as v2 made it.
    await withWarehouse(w, async (wh) => {
      await initV2(wh);
      await loadV2(wh, V2_BATCHES);
      const n = await wh.query<{ n: string | number }>('SELECT COUNT(*) AS n FROM halo.fact_inventory_snapshot');
      const rows = V2_BATCHES.reduce((s, b) => s + new Set(b.files.flatMap((f) => f.rows.map((x) => `${x.merchant}/${x.sku}`))).size, 0);
      assert.equal(Number(n.rows[0].n), rows, 'the v2 warehouse holds one snapshot row per product and batch');
    });
    const cfg = join(tmp.path, `${name}.yaml`);
    writeFileSync(cfg, `lake:\n  url: ${JSON.stringify(join(tmp.path, 'lake'))}\nwarehouse:\n${yaml}`);
    const init = await runCliAsync(['warehouse', 'init', '--config', cfg], { env: { PGPASSWORD: TEST_PGPASSWORD } });
    assert.equal(init.code, 0, init.stderr);
    await withWarehouse(w, async (wh) => {
      const v = await wh.query<{ v: number }>('SELECT MAX(version) AS v FROM halo.schema_version');
      assert.equal(Number(v.rows[0].v), 3);
      const snap = await wh.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'halo' AND table_name = 'fact_inventory_snapshot'`);
      assert.equal(snap.rows.length, 0, 'fact_inventory_snapshot is gone');
      assertFactsMatch(await readFacts(wh), inventoryModel(V2_AS_UPGRADED), `${name}, upgraded`);
      // v2 kept no commit order: the upgrade numbers its loads in batch order.
      const seqs = await wh.query<{ load_seq: unknown }>(`SELECT load_seq FROM halo.etl_batch ORDER BY batch_id`);
      assert.deepEqual(seqs.rows.map((x) => Number(x.load_seq)), [1, 2, 3, 4], 'the v2 loads numbered in batch order');
      // A new batch, then replays of an old one (forced) and of the new one: the model still holds.
      await applyOps(wh, lake, entries, [{ batch: 4, kind: 'load' }, { batch: 1, kind: 'force' }, { batch: 2, kind: 'load' }, { batch: 4, kind: 'force' }]);
      assertFactsMatch(await readFacts(wh), inventoryModel([...V2_AS_UPGRADED, NEW_BATCH]), `${name}, upgraded, then a new batch and replays`);
      // A batch v2 never loaded, older than its last ones: put in its place among the upgraded history.
      await applyOps(wh, lake, entries, [{ batch: 5, kind: 'load' }, { batch: 5, kind: 'force' }]);
      assertFactsMatch(await readFacts(wh), inventoryModel([...V2_AS_UPGRADED, NEW_BATCH, LATE_BATCH]), `${name}, upgraded, then a late batch v2 never loaded`);
    });
    // Upgraded once: init again changes nothing.
    const again = await runCliAsync(['warehouse', 'init', '--config', cfg], { env: { PGPASSWORD: TEST_PGPASSWORD } });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already at version 3/);
  };

  test('PGlite', async () => {
    const path = join(tmp.path, 'pglite');
    await upgrade('pglite', { engine: 'pglite', path }, `  engine: pglite\n  path: ${JSON.stringify(path)}\n`);
  });

  test('PostgreSQL', async () => {
    const url = await createTestDatabase(server, 'upgrade_v2');
    const bare = new URL(url);
    bare.password = '';
    await upgrade('postgres', { engine: 'postgres', url }, `  engine: postgres\n  url: ${bare.toString()}\n`);
  });
});
