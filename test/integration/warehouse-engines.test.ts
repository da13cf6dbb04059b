/**
 * The three engines on one S3 lake (s3rver): embedded PostgreSQL (PGlite), a real PostgreSQL
 * server, and Amazon Redshift through the real Data API SDK against the emulator in
 * test/support (SQL on real PostgreSQL; COPY from the lake's S3 manifests). The same fixture
 * batches must give the same star schema, table by table. Then the Redshift path's own
 * promises: one BatchExecuteStatement per batch, failures explained and leaving only a
 * `failed` ledger row, Ctrl-C cancelling the statement on the server, and a run killed while
 * waiting re-attaching to its statement instead of sending it again.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { S3Client, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { runCliAsync, spawnCli, ROOT, assertNoPersonalData } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { startPostgres, postgresAvailable, createTestDatabase, TEST_PGPASSWORD, type TestPostgres } from '../support/postgres.js';
import { startS3, type TestS3, s3Access, s3LakeYaml } from '../support/s3.js';
import { startRedshiftDataEmulator, type RedshiftEmulator } from '../support/redshift-data-emulator.js';
import { snapshot, exercise, type Run } from '../support/warehouse.js';
import { migrations } from '../../src/warehouse/sql/ddl.js';
import { REDSHIFT_DIALECT } from '../../src/warehouse/redshift/dialect.js';
import { assertNoDuplicates } from '../support/uniqueness.js';

const KEY = { HALO_DATA_MEMBER_KEY: 'test-member-key-not-a-secret' };
const ROLE = 'arn:aws:iam::123456789012:role/halo-data-copy';

describe('the same star schema on PGlite, PostgreSQL and Redshift (Data API emulator)', { skip: postgresAvailable() ? false : 'PostgreSQL not installed (.ci/run installs it)' }, () => {
  const tmp = tempDir();
  let s3: TestS3;
  let server: TestPostgres;
  let emu: RedshiftEmulator;
  let s3client: S3Client;
  const batches: string[] = [];
  const prefixes = new Map<string, string>();
  const snapshots: Record<string, string[]> = {};
  let lakeYaml = '';

  const cfgFile = (name: string, warehouse: string) => {
    const f = join(tmp.path, `${name}.yaml`);
    writeFileSync(f, `${lakeYaml}warehouse:\n${warehouse}`);
    return f;
  };
  const redshiftYaml = () => `  engine: redshift-data\n  clusterIdentifier: halo-test\n  database: dev\n  dbUser: halo_etl\n  iamRole: ${ROLE}\n  endpoint: ${emu.endpoint}\n  region: ap-southeast-3\n`;
  const run: Run = (args, env) => runCliAsync(args, { env: { ...s3.env, ...KEY, PGPASSWORD: TEST_PGPASSWORD, ...env } });
  const lakeKey = (batchId: string, name: string) => `lake/${prefixes.get(batchId)}/${name}`;
  const getObject = async (key: string) => Buffer.from(await (await s3client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body!.transformToByteArray());
  const putObject = (key: string, body: Buffer | string) => s3client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));

  const createDatabase = (name: string) => createTestDatabase(server, name);
  /** An emulated Redshift of its own: the emulator on a new database of the same server. */
  const emulatedRedshift = async (db: string) => startRedshiftDataEmulator({
    postgresUrl: await createDatabase(db),
    s3: s3Access(s3),
  });

  /** Tampers with a batch's manifest so it promises one row more than its parts hold; returns the undo. */
  const promiseOneRowMore = async (id: string): Promise<() => Promise<unknown>> => {
    const key = lakeKey(id, 'manifest.json');
    const original = await getObject(key);
    const m = JSON.parse(original.toString('utf8'));
    m.counts.validRows += 1;
    await putObject(key, JSON.stringify(m));
    return () => putObject(key, original);
  };

  before(async () => {
    s3 = await startS3();
    server = await startPostgres();
    s3client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'ap-southeast-3', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    emu = await emulatedRedshift('emulated_redshift');
    lakeYaml = s3LakeYaml(s3);
    const stageCfg = cfgFile('stage', '  engine: pglite\n');
    const stage = async (files: string[], schema: string, source: string) => {
      const r = await run(['stage', ...files.map((f) => join(ROOT, f)), '--schema', schema, '--config', stageCfg, '--max-reject-rate', '1', '--source', source, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      batches.push(out.batchId);
      prefixes.set(out.batchId, out.prefix);
    };
    await stage(['fixtures/inventory/clean-comma.csv', 'fixtures/inventory/duplicate-sku.csv'], 'merchant_inventory', 'merchants');
    await stage(['fixtures/inventory/pipe-delimited.csv'], 'merchant_inventory', 'merchants');
    await stage(['fixtures/claims/claims-clean.csv', 'fixtures/claims/claims-listing.xlsx'], 'insurance_claim', 'claims');
    await stage(['fixtures/claims-pdf/rs-harapan-sehat-1.pdf', 'fixtures/claims-pdf/klinik-medika-1.pdf', 'fixtures/claims-pdf/rsu-bunda-mulia-2.pdf'], 'claim_pdf', 'claim-pdfs');
  });
  after(async () => {
    await emu?.stop();
    await server?.stop();
    await s3?.stop();
    tmp.cleanup();
  });

  test('embedded PostgreSQL (PGlite)', async () => {
    const cfg = cfgFile('pglite', `  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh'))}\n`);
    snapshots.pglite = await exercise(run, cfg, batches);
    await assertNoDuplicates(run, cfg, 'PGlite');
  });

  test('PostgreSQL', async () => {
    const cfg = cfgFile('postgres', `  engine: postgres\n  url: ${server.url}\n`);
    snapshots.postgres = await exercise(run, cfg, batches);
    assert.deepEqual(snapshots.postgres, snapshots.pglite);
    await assertNoDuplicates(run, cfg, 'PostgreSQL');
  });

  test('Redshift through the Data API', async () => {
    const cfg = cfgFile('redshift', redshiftYaml());
    snapshots.redshift = await exercise(run, cfg, batches);
    // Redshift enforces no key: only the loads keep them unique.
    await assertNoDuplicates(run, cfg, 'Redshift');
    // Table by table, so a difference names its table.
    snapshots.redshift.forEach((table, i) => assert.deepEqual(table, snapshots.pglite[i], `star-schema query #${i + 1} differs on Redshift`));
  });

  // Issue 15 item 8: `warehouse query 'SELEC 1'` said `syntax error at or near ***`.
  test("on each engine, a refused query's message keeps the user's own SQL and masks a value read from a row", async () => {
    const engines = {
      pglite: cfgFile('pglite', `  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh'))}\n`),
      postgres: cfgFile('postgres', `  engine: postgres\n  url: ${server.url}\n`),
      redshift: cfgFile('redshift', redshiftYaml()),
    };
    for (const [engine, cfg] of Object.entries(engines)) {
      const typo = await run(['warehouse', 'query', 'SELEC 1', '--config', cfg]);
      assert.equal(typo.code, 1, `${engine}: ${typo.stderr}`);
      assert.match(typo.stderr, /halo-data: error: the query failed: .*syntax error at or near "SELEC"/, engine);
      // product_name is read from the rows: the value the cast choked on is not the user's text.
      const cast = await run(['warehouse', 'query', 'SELECT product_name::int FROM halo.dim_product', '--config', cfg]);
      assert.equal(cast.code, 1, `${engine}: ${cast.stderr}`);
      assert.match(cast.stderr, /the query failed: .*invalid input syntax for type integer: \*\*\*/, engine);
    }
  });

  test('on each engine, a load failing between COPY and merge leaves nothing but a failed ledger row', async () => {
    const pgFail = await createDatabase('pg_fail');
    const fresh = await emulatedRedshift('emulated_redshift_guard');
    // The manifest promises one row more than its parts hold: COPY succeeds, the count check fails.
    const id = batches[0];
    const restore = await promiseOneRowMore(id);
    try {
      const engines: Record<string, string> = {
        pglite: `  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh-fail'))}\n`,
        postgres: `  engine: postgres\n  url: ${pgFail.replace(`:${TEST_PGPASSWORD}@`, '@')}\n`,
        redshift: redshiftYaml().replace(emu.endpoint, fresh.endpoint),
      };
      for (const [name, yaml] of Object.entries(engines)) {
        const cfg = cfgFile(`fail-${name}`, yaml);
        const r = await run(['load', id, '--config', cfg]);
        assert.equal(r.code, 1, `${name}: ${r.stderr}`);
        assert.match(r.stderr, /COPY loaded \d+ rows but the manifest has \d+/, name);
        const { etl_batch: ledgerRows, ...star } = JSON.parse((await run(['warehouse', 'status', '--json', '--config', cfg])).stdout).tables as Record<string, number>;
        assert.equal(ledgerRows, 1, name);
        assert.deepEqual(Object.entries(star).filter(([, n]) => n !== 0), [], `${name}: no star-schema row after the failed load`);
        const ledger = JSON.parse((await run(['warehouse', 'query', 'SELECT status FROM halo.etl_batch', '--json', '--config', cfg])).stdout);
        assert.deepEqual(ledger, [{ status: 'failed' }], name);
      }
    } finally {
      await restore();
      await fresh.stop();
    }
  });

  test('Redshift: one BatchExecuteStatement per batch, plus polls', async (t) => {
    const cfg = cfgFile('redshift', redshiftYaml());
    const before = { ...emu.calls };
    const r = await run(['load', batches[0], batches[1], '--force', '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    const delta = (op: string) => (emu.calls[op] ?? 0) - (before[op] ?? 0);
    assert.equal(delta('BatchExecuteStatement'), 2);
    // Per run, not per batch: the schema version and the ledger, each one statement.
    assert.ok(delta('ExecuteStatement') <= 2, `ExecuteStatement calls: ${delta('ExecuteStatement')}`);
    t.diagnostic(`Data API calls for 2 batches: ${JSON.stringify(Object.fromEntries(Object.keys(emu.calls).map((k) => [k, delta(k)]).filter(([, n]) => n)))}`);
  });

  test('Redshift: a statement failing mid-batch leaves only a failed ledger row, named and explained', async () => {
    // A warehouse of its own: a second emulated Redshift on a fresh database.
    const fresh = await emulatedRedshift('emulated_redshift_fail');
    try {
      const cfg = cfgFile('redshift-fail', redshiftYaml().replace(emu.endpoint, fresh.endpoint));
      fresh.failOn.push((sql) => (/INSERT INTO halo\.fact_inventory_history[\s\S]*FROM inv_new/.test(sql) ? 'ERROR: disk full (injected)' : undefined));
      const r = await run(['load', batches[1], '--config', cfg]);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /rejected statement \d+ of \d+: ERROR: disk full \(injected\)/);
      fresh.failOn.length = 0;
      const counts = JSON.parse((await run(['warehouse', 'status', '--json', '--config', cfg])).stdout).tables;
      const { etl_batch: ledgerRows, ...star } = counts as Record<string, number>;
      assert.equal(ledgerRows, 1);
      assert.deepEqual(Object.values(star).filter((n) => n !== 0), [], 'no star-schema row after the failed load');
      const ledger = JSON.parse((await run(['warehouse', 'query', 'SELECT status, error FROM halo.etl_batch', '--json', '--config', cfg])).stdout);
      assert.equal(ledger[0].status, 'failed');
      assert.match(ledger[0].error, /disk full/);
      // A later load completes.
      assert.equal((await run(['load', batches[1], '--config', cfg])).code, 0);
    } finally {
      await fresh.stop();
    }
  });

  test('Redshift: a bad row in a part is explained from SYS_LOAD_ERROR_DETAIL (file, line, column), without its value', async () => {
    const cfg = cfgFile('redshift', redshiftYaml());
    const id = batches[2];
    const m = JSON.parse((await getObject(lakeKey(id, 'manifest.json'))).toString('utf8'));
    const partKey = lakeKey(id, m.parts[0].key);
    const original = await getObject(partKey);
    const { gunzipSync } = await import('node:zlib');
    const lines = gunzipSync(original).toString('utf8').split('\n');
    // claimed_amount of the second row becomes text that no DECIMAL takes.
    const cols = m.columns as string[];
    const at = cols.indexOf('claimed_amount');
    const fields = lines[1].split(',');
    fields[at] = 'Rp-not-a-number';
    lines[1] = fields.join(',');
    await putObject(partKey, gzipSync(Buffer.from(lines.join('\n'))));
    try {
      const r = await run(['load', id, '--force', '--config', cfg]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /COPY into stg_claim failed: s3:\/\/halo-lake\/lake\/.+part-00000\.csv\.gz line 2, column claimed_amount/);
      assert.doesNotMatch(r.stderr, /Rp-not-a-number/);
      assertNoPersonalData(r.stdout + r.stderr, 'COPY failure output');
    } finally {
      await putObject(partKey, original);
    }
  });

  test('Redshift: a COPY that loads other than the manifest promises fails the batch (row-count guard)', async () => {
    const cfg = cfgFile('redshift', redshiftYaml());
    const id = batches[1];
    const restore = await promiseOneRowMore(id);
    try {
      const r = await run(['load', id, '--force', '--config', cfg]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /COPY loaded \d+ rows but the manifest has \d+/);
    } finally {
      await restore();
    }
  });

  test('Redshift: Ctrl-C cancels the running statement on the server', async () => {
    const cfg = cfgFile('redshift', redshiftYaml());
    const before = emu.calls.BatchExecuteStatement ?? 0;
    const cancels = emu.calls.CancelStatement ?? 0;
    emu.delayMs = 4000;
    try {
      const p = spawnCli(['load', batches[1], '--force', '--config', cfg], { env: { ...s3.env, ...KEY } });
      await waitFor(() => (emu.calls.BatchExecuteStatement ?? 0) > before);
      await new Promise((r) => setTimeout(r, 300));
      p.child.kill('SIGINT');
      const r = await p.done;
      assert.equal(r.code, 130, r.stderr);
      assert.match(r.stderr, /cancelling the running warehouse statement/);
      assert.ok((emu.calls.CancelStatement ?? 0) > cancels, 'CancelStatement was called');
    } finally {
      emu.delayMs = 0;
    }
  });

  test('Redshift: a run killed while waiting re-attaches to its statement instead of sending it again', async () => {
    const cfg = cfgFile('redshift', redshiftYaml());
    emu.delayMs = 400; // per statement: the batch runs ~8 s, long enough to be killed mid-way and re-attached to
    try {
      const first = spawnCli(['load', batches[0], '--force', '--config', cfg], { env: { ...s3.env, ...KEY } });
      const before = emu.calls.BatchExecuteStatement ?? 0;
      await waitFor(() => (emu.calls.BatchExecuteStatement ?? 0) > before);
      await new Promise((r) => setTimeout(r, 300));
      first.child.kill('SIGKILL');
      await first.done;
      const sent = emu.calls.BatchExecuteStatement ?? 0;
      const again = await run(['load', batches[0], '--force', '--config', cfg]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(emu.calls.BatchExecuteStatement ?? 0, sent, 'the retried run sent no second batch');
    } finally {
      emu.delayMs = 0;
    }
    // And the warehouse is as one clean load leaves it.
    assert.deepEqual(await snapshot(run, cfg), snapshots.pglite);
    await assertNoDuplicates(run, cfg, 'Redshift after the re-attach');
  });

  test('Redshift: load --no-merge then merge', async () => {
    const cfg = cfgFile('redshift-staged', redshiftYaml());
    const staged = await run(['load', batches[1], '--no-merge', '--force', '--config', cfg]);
    assert.equal(staged.code, 0, staged.stderr);
    assert.match(staged.stdout, / staged \d+ rows/);
    const merged = await run(['merge', '--config', cfg]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.match(merged.stdout, new RegExp(`${batches[1]} loaded`));
    assert.deepEqual(await snapshot(run, cfg), snapshots.pglite);
    await assertNoDuplicates(run, cfg, 'Redshift after merge');
  });

  // Issue 16 item 2: every kind of statement the Redshift engine sends ran through the strict
  // emulator above (each of them FINISHED, or its test would have failed).
  test('Redshift: every schema version, merge kind, the ledger, status and query went through the strict emulator', async () => {
    const cfg = cfgFile('redshift', redshiftYaml());
    const status = await run(['warehouse', 'status', '--json', '--config', cfg]);
    assert.equal(status.code, 0, status.stderr);
    // Per source, through the Data API (timestamps come back as text there): the last observed time as a UTC ISO time.
    const sources: Array<{ source: string; lastObservedAt: string | null }> = JSON.parse(status.stdout).sources;
    assert.ok(sources.some((x) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(x.lastObservedAt ?? '')), JSON.stringify(sources));
    const ran = [...emu.statements];
    const calls = emu.batches;
    const some = (what: string, found: boolean) => assert.ok(found, `no statement of the emulated Redshift was ${what}`);
    for (const m of migrations(REDSHIFT_DIALECT)) for (const sql of m.statements) some(`schema version ${m.version}: ${sql.slice(0, 60)}`, ran.includes(sql));
    const merges = calls.filter((b) => b.some((s) => /^COPY stg_inventory /.test(s)));
    some('an inventory merge of several files', merges.some((b) => b.some((s) => s.startsWith('CREATE TEMP TABLE stg_inventory_d AS'))));
    some('an inventory merge of one file', merges.some((b) => !b.some((s) => s.includes('stg_inventory_d')) && b.some((s) => s.startsWith('INSERT INTO halo.fact_inventory_history'))));
    // A late inventory merge (an older batch after a newer one) runs through the strict emulator
    // in inventory-engines.test.ts, in every late scenario there.
    some('an inventory reload (dimensions only: its state is in)', merges.some((b) => !b.some((s) => s.includes('inv_m'))));
    const claims = calls.filter((b) => b.some((s) => s.startsWith('INSERT INTO halo.fact_claim (')));
    some('a claim merge with lines', claims.some((b) => b.some((s) => s.startsWith('INSERT INTO halo.fact_claim_line'))));
    some('a claim merge without lines', claims.some((b) => !b.some((s) => s.includes('fact_claim_line'))));
    some('a --no-merge load', calls.some((b) => b.some((s) => s.startsWith('CREATE TABLE halo_staging.stg_inventory_'))));
    some('a merge of a --no-merge batch', calls.some((b) => b.some((s) => s.startsWith('DROP TABLE halo_staging.stg_inventory_'))
      && b.some((s) => s.includes('FROM halo_staging.stg_inventory_'))));
    some('a ledger write', ran.some((s) => s.startsWith('INSERT INTO halo.etl_batch')));
    some('warehouse status', ran.some((s) => s.startsWith('SELECT COUNT(*) AS n FROM halo.')));
    some('warehouse status per source', ran.some((s) => s.includes('FROM halo.etl_batch_merchant GROUP BY source')));
    some('warehouse query', ran.some((s) => s.includes('FROM halo.v_product_best_price')));
  });
});

async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
