/**
 * Issue 17 item 3 on every engine: the fixed scenarios of test/support/inventory-cases.ts (a
 * price going A→B→A out of order, a delisting and a relisting arriving late, a failed batch
 * loaded later, replays, two files of one pharmacy in one batch, delta after full), staged
 * once into one S3 lake (s3rver) and loaded by the real loadBatch into PGlite, PostgreSQL and
 * Redshift through the Data API (the emulator), in the scenarios' orders. After each
 * scenario, each engine's fact_inventory_current, fact_inventory_history and
 * etl_batch_merchant must be what the reference model says for every batch loaded so far
 * (the scenarios share one warehouse per engine: their pharmacies differ, and a later
 * scenario's batches make the earlier ones late).
 */
import { test, describe, before, after, type TestContext } from 'node:test';
import { join } from 'node:path';
import { tempDir } from '../support/tmp.js';
import { startPostgres, postgresAvailable, createTestDatabase, type TestPostgres } from '../support/postgres.js';
import { startS3, s3Access, type TestS3 } from '../support/s3.js';
import { startRedshiftDataEmulator, type RedshiftEmulator } from '../support/redshift-data-emulator.js';
import { inventoryModel } from '../support/inventory-model.js';
import { stageModelBatch, applyOps, readFacts, assertFactsMatch, ofMerchants } from '../support/inventory-scenarios.js';
import { inventoryCases } from '../support/inventory-cases.js';
import { loadConfig } from '../../src/config/load.js';
import { openLake } from '../../src/lake/open.js';
import { openWarehouse } from '../../src/warehouse/open.js';
import { initSchema } from '../../src/warehouse/schema.js';
import type { BatchEntry } from '../../src/batch/catalog.js';
import type { HaloConfig, WarehouseConfig } from '../../src/config/types.js';
import type { Lake } from '../../src/lake/lake.js';

const ROLE = 'arn:aws:iam::123456789012:role/halo-data-copy';

describe('inventory scenarios on PGlite, PostgreSQL and Redshift (Data API emulator), each against the model', { skip: postgresAvailable() ? false : 'PostgreSQL not installed (.ci/run installs it)' }, () => {
  const tmp = tempDir('halo-inventory-engines-');
  const cases = inventoryCases();
  const entries: BatchEntry[][] = [];
  let s3: TestS3;
  let server: TestPostgres;
  let emu: RedshiftEmulator;
  let config: HaloConfig;
  let lake: Lake;
  const savedEnv = { ...process.env };

  /** The config of one engine over the shared lake (this process's: the loads run here). */
  const on = (warehouse: WarehouseConfig): HaloConfig => ({ ...config, warehouse });

  before(async () => {
    s3 = await startS3();
    // The lake's and the Data API's credentials, for this process (s3rver's fixed ones).
    Object.assign(process.env, s3.env);
    server = await startPostgres();
    emu = await startRedshiftDataEmulator({ postgresUrl: await createTestDatabase(server, 'emulated_inventory'), s3: s3Access(s3) });
    config = loadConfig({ cwd: tmp.path, env: { HALO_DATA_LAKE_URL: `s3://${s3.bucket}/lake`, HALO_DATA_LAKE_ENDPOINT: s3.endpoint, HALO_DATA_LAKE_REGION: 'ap-southeast-3' } });
    lake = await openLake(config);
    for (const c of cases) {
      const staged: BatchEntry[] = [];
      for (const b of c.batches) staged.push(await stageModelBatch(config, join(tmp.path, 'files'), b));
      entries.push(staged);
    }
  });
  after(async () => {
    await emu?.stop();
    await server?.stop();
    await s3?.stop();
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    tmp.cleanup();
  });

  /** Each scenario a subtest of its own (one failing does not hide the next): its pharmacies' facts against the model of its batches. */
  const runCases = async (t: TestContext, warehouse: WarehouseConfig, engine: string) => {
    const wh = await openWarehouse(on(warehouse));
    try {
      await initSchema(wh);
      for (const [i, c] of cases.entries()) {
        await t.test(c.name, async () => {
          await applyOps(wh, lake, entries[i], c.ops);
          const merchants = new Set(c.batches.flatMap((b) => b.files.flatMap((f) => f.rows.map((r) => r.merchant))));
          assertFactsMatch(ofMerchants(await readFacts(wh), merchants), inventoryModel(c.batches), `${engine}, "${c.name}"`);
        });
      }
    } finally {
      await wh.close();
    }
  };

  test('PGlite', (t) => runCases(t, { engine: 'pglite', path: join(tmp.path, 'pglite') }, 'PGlite'));

  test('PostgreSQL', async (t) => runCases(t, { engine: 'postgres', url: await createTestDatabase(server, 'inventory_cases') }, 'PostgreSQL'));

  test('Redshift through the Data API', (t) => runCases(t, {
    engine: 'redshift-data', clusterIdentifier: 'halo-test', database: 'dev', dbUser: 'halo_etl', iamRole: ROLE, endpoint: emu.endpoint, region: 'ap-southeast-3',
  }, 'Redshift'));
});
