/**
 * Issue 16 item 4: two loaders at once. The run lock is per host, so two bastions loading
 * into one warehouse meet only there, as serialization conflicts (Redshift: ERROR: 1023;
 * PostgreSQL: SQLSTATE 40001, or a deadlock). Two CLI processes with folders of their own
 * (two "hosts") load two batches that share merchants and products, then two claim batches
 * that share members, providers and diagnoses, into PostgreSQL and into the Redshift
 * emulator (which runs each batch SERIALIZABLE, as Redshift does). Then two more inventory
 * batches that both bring a pharmacy new to the warehouse.
 *
 * The overlap is made, not hoped for: the test holds an ACCESS EXCLUSIVE lock on the first
 * star table the merges write (dim_merchant, dim_member), which nothing reads before a
 * load's transaction. Both transactions take their snapshot at their first statement (the
 * plan guard), then wait on that lock; released, they run side by side on snapshots that do
 * not see each other, and both add the same new keys. Without SERIALIZABLE both commit
 * (PostgreSQL: dim_merchant and dim_date doubled; the emulator, which declares keys without
 * enforcing them like Redshift: every dimension doubled). With it one is cancelled, and is
 * loaded again whole: both batches end loaded, nothing doubled, and the retry is in the log.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { runCliAsync, type CliRun } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { startPostgres, postgresAvailable, createTestDatabase, TEST_PGPASSWORD, type TestPostgres } from '../support/postgres.js';
import { startS3, type TestS3, s3Access, s3LakeYaml } from '../support/s3.js';
import { startRedshiftDataEmulator, type RedshiftEmulator } from '../support/redshift-data-emulator.js';
import { assertNoDuplicates } from '../support/uniqueness.js';

const KEY = { HALO_DATA_MEMBER_KEY: 'test-member-key-not-a-secret' };
const ROLE = 'arn:aws:iam::123456789012:role/halo-data-copy';
const RETRIED = /another loader was writing to the warehouse: the batch is loaded again/;

const INV_HEADER = 'Kode Apotek,Kode Barang,Nama Barang,Satuan,Harga Jual,Stok';
/** Two pharmacies' stock, the second batch a day later: the same merchants and products, and one new product each. */
const inventory = (extra: string, price: string) => [
  INV_HEADER,
  `APT-1,SKU-1,Paracetamol 500 mg,strip,${price},10`,
  `APT-1,SKU-2,Amoxicillin 500 mg,strip,${price},5`,
  `APT-2,SKU-1,Paracetamol 500 mg,strip,${price},7`,
  `APT-2,${extra},Vitamin C,botol,${price},3`,
].join('\n') + '\n';

/** Later stock: a pharmacy new to the warehouse (APT-3), its product in both batches. */
const newcomer = (extra: string) => [
  INV_HEADER,
  'APT-3,SKU-9,Ibuprofen 400 mg,strip,9000,4',
  'APT-1,SKU-1,Paracetamol 500 mg,strip,4800,9',
  ...(extra ? [`APT-3,${extra},Antasida,botol,12000,2`] : []),
].join('\n') + '\n';

const CLAIM_HEADER = 'no_klaim,no_polis,no_peserta,nama_pasien,kode_rs,nama_rs,jenis_rawat,tgl_masuk,diagnosa,nominal_klaim,mata_uang';
/** Claims of the same two members at the same hospital, with the same diagnoses. */
const claims = (a: string, b: string) => [
  CLAIM_HEADER,
  `${a},P-1,MB-1,Budi,R1,RS Harapan,rawat inap,01/11/2026,"J18.9,A09",100000,IDR`,
  `${b},P-2,MB-2,Sari,R1,RS Harapan,rawat inap,02/11/2026,J18.9,50000,IDR`,
].join('\n') + '\n';

describe('two loaders at once (two hosts) into one warehouse', { skip: postgresAvailable() ? false : 'PostgreSQL not installed (.ci/run installs it)' }, () => {
  const tmp = tempDir('halo-concurrent-');
  let s3: TestS3;
  let server: TestPostgres;
  let emu: RedshiftEmulator;
  let lakeYaml = '';
  let emulatedDb = '';
  const inv: string[] = [];
  const clm: string[] = [];
  const later: string[] = [];
  const another: string[] = [];
  /** Each engine's two hosts, from the first test (the later tests use its warehouse). */
  const hostsOf = new Map<string, [string, string]>();
  const dbOf = new Map<string, string>();
  const run = (args: string[], env: Record<string, string> = {}) => runCliAsync(args, { env: { ...s3.env, ...KEY, PGPASSWORD: TEST_PGPASSWORD, ...env } });

  /** A host of its own: a folder with its config (its statement store, state and lock live there). */
  const host = (name: string, warehouse: string): string => {
    const dir = join(tmp.path, name);
    mkdirSync(dir, { recursive: true });
    const f = join(dir, 'halo-data.config.yaml');
    // Short pauses keep the test quick; the retry itself is what is tested.
    writeFileSync(f, `${lakeYaml}warehouse:\n${warehouse}  conflictBackoffSeconds: 0.2\n`);
    return f;
  };
  const createDatabase = (name: string) => createTestDatabase(server, name);

  before(async () => {
    s3 = await startS3();
    server = await startPostgres();
    emulatedDb = await createDatabase('emulated_concurrent');
    emu = await startRedshiftDataEmulator({
      postgresUrl: emulatedDb,
      s3: s3Access(s3),
    });
    lakeYaml = s3LakeYaml(s3);
    const stageCfg = host('stager', '  engine: pglite\n');
    const stage = async (name: string, content: string, schema: string, source: string, into: string[]) => {
      const f = join(tmp.path, name);
      writeFileSync(f, content);
      const r = await run(['stage', f, '--schema', schema, '--config', stageCfg, '--source', source, '--json']);
      assert.equal(r.code, 0, r.stderr);
      into.push(JSON.parse(r.stdout).batchId);
    };
    await stage('apt-a.csv', inventory('SKU-7', '4500'), 'merchant_inventory', 'merchants', inv);
    await stage('apt-b.csv', inventory('SKU-8', '4700'), 'merchant_inventory', 'merchants', inv);
    await stage('claims-a.csv', claims('K-1', 'K-2'), 'insurance_claim', 'claims', clm);
    await stage('claims-b.csv', claims('K-3', 'K-4'), 'insurance_claim', 'claims', clm);
    await stage('apt-c.csv', newcomer(''), 'merchant_inventory', 'merchants', later);
    await stage('apt-d.csv', newcomer('SKU-10'), 'merchant_inventory', 'merchants', later);
    await stage('apt-e.csv', newcomer('SKU-11'), 'merchant_inventory', 'merchants', another);
    await stage('apt-f.csv', newcomer('SKU-12'), 'merchant_inventory', 'merchants', another);
    await stage('apt-g.csv', newcomer('SKU-13'), 'merchant_inventory', 'merchants', another);
  });
  after(async () => {
    await emu?.stop();
    await server?.stop();
    await s3?.stop();
    tmp.cleanup();
  });

  /**
   * Starts the commands while the test holds `table` (ACCESS EXCLUSIVE), and lets go once each
   * of them waits for it: their transactions are open, their snapshots taken, and they go on
   * side by side. Returns their runs.
   */
  async function heldAt(db: string, table: string, start: () => Array<Promise<CliRun>>): Promise<CliRun[]> {
    const holder = new pg.Client({ connectionString: db });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      const runs = start();
      const end = Date.now() + 60_000;
      for (;;) {
        // Each waits: for the held table, or for a lock the other one took on its way there.
        const r = await holder.query<{ n: number }>(`SELECT COUNT(DISTINCT pid)::int AS n FROM pg_locks
          WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
        if (r.rows[0].n >= runs.length) break;
        assert.ok(Date.now() < end, `all ${runs.length} commands wait (at ${table})`);
        await new Promise((r2) => setTimeout(r2, 50));
      }
      await holder.query('COMMIT');
      return await Promise.all(runs);
    } finally {
      await holder.end();
    }
  }

  /** Loads batch ids[0] from host 1 and ids[1] from host 2 at once, held at `table`. */
  const loadTogether = (db: string, hosts: [string, string], ids: string[], table: string) =>
    heldAt(db, table, () => [run(['load', ids[0], '--config', hosts[0]]), run(['load', ids[1], '--config', hosts[1]])]);

  const engines: Array<[string, () => Promise<{ db: string; yaml: string }>]> = [
    ['PostgreSQL', async () => {
      const db = await createDatabase('concurrent_pg');
      return { db, yaml: `  engine: postgres\n  url: ${db.replace(`:${TEST_PGPASSWORD}@`, '@')}\n` };
    }],
    ['Redshift (Data API emulator)', async () => ({
      db: emulatedDb,
      yaml: `  engine: redshift-data\n  clusterIdentifier: halo-test\n  database: dev\n  dbUser: halo_etl\n  iamRole: ${ROLE}\n  endpoint: ${emu.endpoint}\n  region: ap-southeast-3\n`,
    })],
  ];
  for (const [name, open] of engines) {
    test(`${name}: both batches load, one of them again after a conflict, and nothing is doubled`, async (t) => {
      const { db, yaml } = await open();
      const slug = name.replace(/\W+/g, '-');
      const hosts: [string, string] = [host(`${slug}-1`, yaml), host(`${slug}-2`, yaml)];
      hostsOf.set(name, hosts);
      dbOf.set(name, db);
      assert.equal((await run(['warehouse', 'init', '--config', hosts[0]])).code, 0);
      const query = async (sql: string) => {
        const r = await run(['warehouse', 'query', sql, '--json', '--config', hosts[0]]);
        assert.equal(r.code, 0, r.stderr);
        return JSON.parse(r.stdout) as Array<Record<string, unknown>>;
      };

      // The first inventory pair meets an empty warehouse (PostgreSQL's bulk first load of
      // dim_product); the later pair adds a merchant and products to a warehouse that has some.
      for (const [what, ids, table] of [['inventory', inv, 'halo.dim_merchant'], ['claims', clm, 'halo.dim_member'], ['later inventory', later, 'halo.dim_merchant']] as const) {
        const [a, b] = await loadTogether(db, hosts, ids, table);
        assert.equal(a.code, 0, `${what}, host 1: ${a.stderr}`);
        assert.equal(b.code, 0, `${what}, host 2: ${b.stderr}`);
        const retried = [a, b].filter((r) => RETRIED.test(r.stderr)).length;
        t.diagnostic(`${what}: ${retried} of the two loads met the other and loaded again`);
        assert.ok(retried >= 1, `${what}: the loads overlapped, so one must have met the other's transaction\n${a.stderr}\n${b.stderr}`);
        // What the engine said: Redshift's (the emulator's) 1023 text, PostgreSQL's SQLSTATE.
        const said = /ERROR: 1023 DETAIL: Serializable isolation violation on table|deadlock detected|SQLSTATE 40001|SQLSTATE 40P01/.exec(a.stderr + b.stderr)?.[0];
        t.diagnostic(`${what}: ${said}`);
        assert.ok(said && (name.startsWith('Redshift') ? !said.startsWith('SQLSTATE') : said.startsWith('SQLSTATE')), `${what}: ${a.stderr}\n${b.stderr}`);
      }

      await assertNoDuplicates(run, hosts[0], name);
      const n = async (sql: string) => Number(Object.values((await query(sql))[0])[0]);
      assert.equal(await n(`SELECT COUNT(*) FROM halo.etl_batch WHERE status = 'loaded'`), 6);
      assert.equal(await n('SELECT COUNT(*) FROM halo.dim_merchant'), 3);
      assert.equal(await n('SELECT COUNT(*) FROM halo.dim_product'), 7);
      assert.equal(await n('SELECT COUNT(*) FROM halo.fact_inventory_current'), 7, 'one current row per product');
      assert.equal(await n('SELECT COUNT(*) FROM halo.fact_claim'), 4);
      assert.equal(await n('SELECT COUNT(*) FROM halo.dim_member'), 2);
      assert.equal(await n('SELECT COUNT(*) FROM halo.dim_provider'), 1);
      assert.equal(await n('SELECT COUNT(*) FROM halo.dim_diagnosis'), 2);
      assert.equal(await n('SELECT COUNT(*) FROM halo.fact_claim_diagnosis'), 6);
    });
  }

  /** Host 1 plans the load of `id` (the ledger lacks it) and stalls; host 2 loads it whole; host 1 goes on. */
  async function loadedBehindItsBack(name: string, id: string, env: Record<string, string> = {}): Promise<CliRun> {
    const hosts = hostsOf.get(name);
    assert.ok(hosts, 'the first test ran');
    const release = join(tmp.path, `release-${name.replace(/\W+/g, '-')}-${id}`);
    const first = run(['load', id, '--config', hosts[0]], { HALO_DATA_STALLPOINT: `load:planned:60000:${release}`, ...env });
    const end = Date.now() + 60_000;
    while (!existsSync(`${release}.reached`)) {
      assert.ok(Date.now() < end, 'host 1 reaches load:planned');
      await new Promise((r2) => setTimeout(r2, 50));
    }
    const second = await run(['load', id, '--config', hosts[1]]);
    assert.equal(second.code, 0, second.stderr);
    writeFileSync(release, '');
    return first;
  }

  for (const [name] of engines) {
    test(`${name}: a batch another host loaded after this one read the ledger is not loaded twice (the plan guard)`, async () => {
      const hosts = hostsOf.get(name)!;
      const r = await loadedBehindItsBack(name, another[0]);
      assert.equal(r.code, 0, r.stderr);
      // Its plan (no snapshot rows to replace) was stale: the guard stopped it, and planned
      // again it found the batch loaded. Without the guard its snapshot rows were in twice.
      assert.match(r.stderr, RETRIED);
      assert.match(r.stdout, new RegExp(`${another[0]} skipped`));
      await assertNoDuplicates(run, hosts[0], `${name}, after the stale plan`);
    });

    test(`${name}: a load that gives up never marks failed a batch another host loaded`, async () => {
      const hosts = hostsOf.get(name)!;
      // No retry: the stale plan ends the load (exit 3), and its trace must not replace the
      // other host's `loaded` row (the next run would load the batch again as new: doubled).
      const r = await loadedBehindItsBack(name, another[1], { HALO_DATA_WAREHOUSE_CONFLICT_RETRIES: '0' });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /another loader was writing to the warehouse at the same time/);
      const ledger = await run(['warehouse', 'query', `SELECT status FROM halo.etl_batch WHERE batch_id = '${another[1]}'`, '--json', '--config', hosts[0]]);
      assert.deepEqual(JSON.parse(ledger.stdout), [{ status: 'loaded' }]);
    });
  }

  for (const [name] of engines) {
    test(`${name}: two hosts merging one staged batch at once merge it once`, async (t) => {
      const hosts = hostsOf.get(name);
      assert.ok(hosts, 'the first test ran');
      const staged = await run(['load', another[2], '--no-merge', '--config', hosts[0]]);
      assert.equal(staged.code, 0, staged.stderr);
      const [a, b] = await heldAt(dbOf.get(name)!, 'halo.dim_merchant', () => hosts.map((h) => run(['merge', '--config', h])));
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      t.diagnostic(`${[a, b].filter((r) => RETRIED.test(r.stderr)).length} of the two merges met the other`);
      assert.equal([a, b].filter((r) => new RegExp(`${another[2]} loaded`).test(r.stdout)).length, 1, `merged once\n${a.stdout}\n${b.stdout}`);
      const ledger = await run(['warehouse', 'query', `SELECT status FROM halo.etl_batch WHERE batch_id = '${another[2]}'`, '--json', '--config', hosts[0]]);
      assert.deepEqual(JSON.parse(ledger.stdout), [{ status: 'loaded' }]);
      await assertNoDuplicates(run, hosts[0], `${name}, after two merges`);
    });
  }

  test('two hosts initialise one new warehouse at once: each schema version is applied once, both succeed', async () => {
    const pgDb = await createDatabase('concurrent_init_pg');
    const emuDb = await createDatabase('concurrent_init_emulated');
    const emu2 = await startRedshiftDataEmulator({
      postgresUrl: emuDb, s3: s3Access(s3),
    });
    try {
      for (const [name, db, yaml] of [
        ['PostgreSQL', pgDb, `  engine: postgres\n  url: ${pgDb.replace(`:${TEST_PGPASSWORD}@`, '@')}\n`],
        ['Redshift (Data API emulator)', emuDb, `  engine: redshift-data\n  clusterIdentifier: halo-test\n  database: dev\n  dbUser: halo_etl\n  iamRole: ${ROLE}\n  endpoint: ${emu2.endpoint}\n  region: ap-southeast-3\n`],
      ] as const) {
        const slug = `init-${name.replace(/\W+/g, '-')}`;
        const hosts = [host(`${slug}-1`, yaml), host(`${slug}-2`, yaml)];
        // The ledger of versions exists, empty (as initSchema makes it first); both hosts read it
        // only once the test lets go of it, so both find version 0 and apply every version.
        const holder = new pg.Client({ connectionString: db });
        await holder.connect();
        try {
          await holder.query('CREATE SCHEMA halo');
          await holder.query('CREATE TABLE halo.schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TIMESTAMP NOT NULL)');
        } finally {
          await holder.end();
        }
        const inits = await heldAt(db, 'halo.schema_version', () => hosts.map((h) => run(['warehouse', 'init', '--config', h])));
        for (const r of inits) assert.equal(r.code, 0, `${name}: ${r.stderr}`);
        const versions = await run(['warehouse', 'query', 'SELECT version FROM halo.schema_version ORDER BY 1', '--json', '--config', hosts[0]]);
        assert.deepEqual(JSON.parse(versions.stdout).map((r: { version: unknown }) => Number(r.version)), [1, 2, 3], name);
        await assertNoDuplicates(run, hosts[0], `${name}, after two inits`);
      }
    } finally {
      await emu2.stop();
    }
  });

  test('Redshift: a conflict that never clears ends with exit 3 and says another loader was writing', async () => {
    const cfg = host('always-conflict', `  engine: redshift-data\n  clusterIdentifier: halo-test\n  database: dev\n  dbUser: halo_etl\n  iamRole: ${ROLE}\n  endpoint: ${emu.endpoint}\n  region: ap-southeast-3\n  conflictRetries: 2\n`);
    const before = emu.calls.BatchExecuteStatement ?? 0;
    const hook = (sql: string) => (/INSERT INTO halo\.dim_product/.test(sql)
      ? 'ERROR: 1023 DETAIL: Serializable isolation violation on table - 155173, transactions forming the cycle are: 9761, 9760 (pid:1073963378)' : undefined);
    emu.failOn.push(hook);
    try {
      const r = await run(['load', inv[0], '--force', '--config', cfg]);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /another loader was writing to the warehouse at the same time, and the load met it 3 times/);
      assert.equal((r.stderr.match(new RegExp(RETRIED.source, 'g')) ?? []).length, 2, 'two retries logged');
      assert.equal((emu.calls.BatchExecuteStatement ?? 0) - before, 3 + 1, 'three attempts, then the reload-failed note');
    } finally {
      emu.failOn.splice(emu.failOn.indexOf(hook), 1);
    }
  });
});
