/**
 * The warehouse on embedded PostgreSQL (PGlite) and on a real PostgreSQL server: the same
 * fixture batches give the same star schema on both; loading twice and forcing a reload
 * change nothing; a failed load leaves only a `failed` ledger row; members are only hashes.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { runCli, runCliAsync, ROOT, assertNoPersonalData } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { snapshot, exercise, type Run } from '../support/warehouse.js';
import { startPostgres, postgresAvailable, TEST_PGPASSWORD, type TestPostgres } from '../support/postgres.js';

const tmp = tempDir();
const KEY = { HALO_DATA_MEMBER_KEY: 'test-member-key-not-a-secret' };
const lake = join(tmp.path, 'lake');
const batches: string[] = [];

before(() => {
  const cfg = join(tmp.path, 'stage.yaml');
  writeFileSync(cfg, `lake: { url: ${JSON.stringify(lake)} }\n`);
  const stage = (files: string[], schema: string, extra: string[] = []) => {
    const r = runCli(['stage', ...files.map((f) => join(ROOT, f)), '--schema', schema, '--config', cfg, '--max-reject-rate', '1', ...extra], { env: KEY });
    assert.equal(r.code, 0, r.stderr);
    batches.push(r.stdout.trim());
  };
  stage(['fixtures/inventory/clean-comma.csv', 'fixtures/inventory/duplicate-sku.csv'], 'merchant_inventory', ['--source', 'merchants']);
  stage(['fixtures/inventory/pipe-delimited.csv'], 'merchant_inventory', ['--source', 'merchants']);
  stage(['fixtures/claims/claims-clean.csv', 'fixtures/claims/claims-listing.xlsx'], 'insurance_claim', ['--source', 'claims']);
  stage(['fixtures/claims-pdf/rs-harapan-sehat-1.pdf', 'fixtures/claims-pdf/klinik-medika-1.pdf', 'fixtures/claims-pdf/rsu-bunda-mulia-2.pdf'], 'claim_pdf', ['--source', 'claim-pdfs']);
});
after(() => tmp.cleanup());

function engineConfig(name: string, warehouse: string): string {
  const cfg = join(tmp.path, `${name}.yaml`);
  writeFileSync(cfg, `lake: { url: ${JSON.stringify(lake)} }\nwarehouse:\n${warehouse}`);
  return cfg;
}

describe('a part changed in the lake after staging', () => {
  test('fails its batch (part-checksum-mismatch), loads nothing of it', () => {
    const own = join(tmp.path, 'lake-tampered');
    const cfg = join(tmp.path, 'tampered.yaml');
    writeFileSync(cfg, `lake: { url: ${JSON.stringify(own)} }\nwarehouse:\n  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh-tampered'))}\n`);
    const staged = runCli(['stage', join(ROOT, 'fixtures/inventory/clean-comma.csv'), '--schema', 'merchant_inventory', '--config', cfg, '--json']);
    assert.equal(staged.code, 0, staged.stderr);
    const { batchId, prefix, manifest } = JSON.parse(staged.stdout);
    const part = join(own, prefix, manifest.parts[0].key);
    // Same rows, recompressed: valid gzip and CSV, but not the bytes that were staged.
    writeFileSync(part, gzipSync(gunzipSync(readFileSync(part)), { level: 1 }));
    const r = runCli(['load', batchId, '--config', cfg], { env: KEY });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /part-checksum-mismatch|not what was staged/);
    const q = runCli(['warehouse', 'query', 'SELECT status FROM halo.etl_batch UNION ALL SELECT CAST(COUNT(*) AS TEXT) FROM halo.fact_inventory_history', '--json', '--config', cfg]);
    assert.deepEqual(JSON.parse(q.stdout).map((x: { status: string }) => x.status), ['failed', '0']);
  });
});

describe('warehouse', () => {
  let pglite: string[] = [];
  test('embedded PostgreSQL (PGlite)', async () => {
    const cfg = engineConfig('pglite', `  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh'))}\n`);
    pglite = await exercise(async (args, env) => runCli(args, { env: { ...KEY, ...env } }), cfg, batches);
    const counts = JSON.parse(runCli(['warehouse', 'status', '--json', '--config', cfg]).stdout).tables;
    assert.equal(counts.fact_claim_line, 6 + 5 + 34);
    assert.equal(counts.etl_batch, batches.length);
  });

  test('load --no-merge stages in tables of its own; merge finishes: the same star schema', async () => {
    const cfg = engineConfig('staged', `  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh-staged'))}\n`);
    const run: Run = async (args, env) => runCli(args, { env: { ...KEY, ...env } });
    const staged = await run(['load', ...batches, '--no-merge', '--config', cfg]);
    assert.equal(staged.code, 0, staged.stderr);
    assert.equal(staged.stdout.split('\n').filter((l) => / staged \d+ rows/.test(l)).length, batches.length);
    const counts = JSON.parse((await run(['warehouse', 'status', '--json', '--config', cfg])).stdout).tables;
    assert.equal(counts.fact_inventory_history + counts.fact_claim + counts.dim_product, 0);
    const tables = JSON.parse((await run(['warehouse', 'query', `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'halo_staging'`, '--json', '--config', cfg])).stdout);
    assert.equal(Number(tables[0].n), batches.length + 1); // the PDF batch keeps its claim lines too
    // The lake listing says what the ledger says.
    const listed = JSON.parse((await run(['batches', 'list', '--json', '--status', 'staged', '--config', cfg])).stdout).batches;
    assert.deepEqual(listed.map((b: { batchId: string }) => b.batchId).sort(), [...batches].sort());
    assert.match((await run(['batches', 'show', batches[0], '--config', cfg])).stdout, /warehouse: staged/);
    // Staging again skips; merging a batch that is not staged is refused.
    assert.equal((await run(['load', batches[0], '--no-merge', '--config', cfg])).stdout.trim(), `${batches[0]} skipped`);
    const one = await run(['merge', '--batch', batches[0], '--config', cfg]);
    assert.equal(one.code, 0, one.stderr);
    const notStaged = await run(['merge', '--batch', batches[0], '--config', cfg]);
    assert.equal(notStaged.code, 1);
    assert.match(notStaged.stderr, /not staged/);
    const rest = await run(['merge', '--config', cfg]);
    assert.equal(rest.code, 0, rest.stderr);
    assert.equal(rest.stdout.split('\n').filter((l) => / loaded \d+ rows/.test(l)).length, batches.length - 1);
    assert.match((await run(['merge', '--config', cfg])).stdout, /nothing to merge/);
    const left = JSON.parse((await run(['warehouse', 'query', `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'halo_staging'`, '--json', '--config', cfg])).stdout);
    assert.equal(Number(left[0].n), 0);
    assert.deepEqual(await snapshot(run, cfg), pglite);
    // A loaded batch staged again and merged replaces its snapshot rows: no duplicates.
    assert.equal((await run(['load', batches[1], '--no-merge', '--force', '--config', cfg])).code, 0);
    assert.equal((await run(['merge', '--config', cfg])).code, 0);
    assert.deepEqual(await snapshot(run, cfg), pglite);
    const loaded = JSON.parse((await run(['batches', 'list', '--json', '--config', cfg])).stdout).batches;
    assert.deepEqual(loaded.map((b: { warehouse: string }) => b.warehouse), batches.map(() => 'loaded'));
  });

  test('type 1 holds when a late (older, never loaded) batch arrives after a newer one', async () => {
    const cfg = engineConfig('late', `  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh-late'))}\n`);
    const run: Run = async (args, env) => runCli(args, { env: { ...KEY, ...env } });
    const head = 'Kode Apotek,Kode Barang,Nama Barang,Barcode,Satuan,Harga Jual,Stok,Tgl Kadaluarsa,Tgl Update\n';
    const ids: string[] = [];
    // X and Z call the product "Obat A"; Y, staged between them, calls it "Obat B".
    for (const [i, name] of ['Obat A', 'Obat B', 'Obat A'].entries()) {
      const f = join(tmp.path, `late-${i}.csv`);
      writeFileSync(f, `${head}M0900,SKU-1,${name},,Strip,1000,${i + 1},,\nM0900,SKU-2,Obat C,,Strip,2000,5,,\n`);
      const r = await run(['stage', f, '--schema', 'merchant_inventory', '--source', 'late', '--config', cfg]);
      assert.equal(r.code, 0, r.stderr);
      ids.push(r.stdout.trim());
    }
    const name = async () => JSON.parse((await run(['warehouse', 'query', `SELECT product_name FROM halo.dim_product WHERE merchant_sku = 'SKU-1'`, '--json', '--config', cfg])).stdout)[0].product_name;
    assert.equal((await run(['load', ids[0], '--config', cfg])).code, 0);
    assert.equal((await run(['load', ids[2], '--config', cfg])).code, 0);
    assert.equal(await name(), 'Obat A');
    // Y is late: older than Z, which carried the product unchanged. Z's name stays.
    assert.equal((await run(['load', ids[1], '--config', cfg])).code, 0);
    assert.equal(await name(), 'Obat A');
    // Replaying everything in order changes nothing either.
    assert.equal((await run(['load', ...ids, '--force', '--config', cfg])).code, 0);
    assert.equal(await name(), 'Obat A');
    // SKU-1's stock changed in each batch (three versions), SKU-2's never (one).
    const facts = JSON.parse((await run(['warehouse', 'query', 'SELECT COUNT(*) AS n FROM halo.fact_inventory_history', '--json', '--config', cfg])).stdout);
    assert.equal(Number(facts[0].n), 4);
  });

  test('a load that fails leaves only a failed ledger row; a load killed anywhere leaves nothing', async () => {
    const cfg = engineConfig('failing', `  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh-fail'))}\n`);
    // Tamper with a manifest's count: COPY then loads fewer rows than it promises.
    const list = JSON.parse(runCli(['batches', 'list', '--json', '--config', cfg]).stdout).batches;
    const b = list.find((x: { batchId: string }) => x.batchId === batches[1]);
    const file = join(lake, b.prefix, 'manifest.json');
    const original = readFileSync(file, 'utf8');
    const m = JSON.parse(original);
    m.counts.validRows += 1;
    writeFileSync(file, JSON.stringify(m));
    try {
      const r = runCli(['load', batches[1], '--config', cfg], { env: KEY });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /row-count|COPY loaded \d+ rows but the manifest has/);
      const status = JSON.parse(runCli(['warehouse', 'status', '--json', '--config', cfg]).stdout).tables;
      assert.equal(status.fact_inventory_history, 0);
      assert.equal(status.dim_product, 0);
      const ledger = JSON.parse(runCli(['warehouse', 'query', 'SELECT status FROM halo.etl_batch', '--json', '--config', cfg]).stdout);
      assert.deepEqual(ledger, [{ status: 'failed' }]);
      // Killed between COPY and merge: nothing at all, and the next load completes.
      writeFileSync(file, original);
      // So is a kill after the merges and the ledger row, before COMMIT, and one during `merge`.
      for (const [point, args] of [['load:before-merge', []], ['load:before-commit', []], ['merge:before-merge', ['--no-merge']]] as const) {
        const killed = runCli(['load', batches[0], ...args, '--config', cfg], { env: { ...KEY, HALO_DATA_CRASHPOINT: point } });
        if (point === 'merge:before-merge') {
          assert.equal(killed.code, 0, killed.stderr);
          assert.equal(runCli(['merge', '--config', cfg], { env: { ...KEY, HALO_DATA_CRASHPOINT: point } }).code, 128);
        } else {
          assert.equal(killed.code, 128, point);
        }
        const counts = JSON.parse(runCli(['warehouse', 'status', '--json', '--config', cfg]).stdout).tables;
        assert.equal(counts.fact_inventory_history + counts.dim_product, 0, point);
      }
      // The staged batch merges; the other loads; as one clean load would leave them.
      assert.equal(runCli(['merge', '--config', cfg], { env: KEY }).code, 0);
      assert.equal(runCli(['load', batches[0], batches[1], '--config', cfg], { env: KEY }).code, 0);
      const clean = engineConfig('clean', `  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh-clean'))}\n`);
      assert.equal(runCli(['load', batches[0], batches[1], '--config', clean], { env: KEY }).code, 0);
      const run: Run = async (args, env) => runCli(args, { env: { ...KEY, ...env } });
      assert.deepEqual(await snapshot(run, cfg), await snapshot(run, clean));
    } finally {
      writeFileSync(file, original);
    }
  });

  test('warehouse init upgrades a version-1 warehouse in place, and loads still work', async () => {
    const dir = join(tmp.path, 'wh-v1');
    // A warehouse as version 1 left it: its tables, with a batch loaded the version-1 way.
    const { PGlite } = await import('@electric-sql/pglite');
    const { migrations } = await import('../../src/warehouse/sql/ddl.js');
    const { POSTGRES_DIALECT } = await import('../../src/warehouse/warehouse.js');
    const db = await PGlite.create(dir);
    await db.exec('CREATE SCHEMA halo; CREATE TABLE halo.schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TIMESTAMP NOT NULL)');
    for (const s of migrations(POSTGRES_DIALECT)[0].statements) await db.exec(s);
    await db.exec(`INSERT INTO halo.schema_version VALUES (1, now())`);
    await db.close();
    const cfg = engineConfig('v1', `  engine: pglite\n  path: ${JSON.stringify(dir)}\n`);
    const init = runCli(['warehouse', 'init', '--config', cfg]);
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /version 3 .*applied 2, 3/);
    assert.equal(runCli(['load', batches[0], batches[1], '--config', cfg], { env: KEY }).code, 0);
    assert.equal(runCli(['load', batches[0], '--force', '--config', cfg], { env: KEY }).code, 0);
    const run: Run = async (args, env) => runCli(args, { env: { ...KEY, ...env } });
    const [products, , snapshots] = await snapshot(run, cfg);
    assert.equal(products, pglite[0]);
    assert.equal(snapshots, pglite[2]);
    assert.ok(JSON.parse(snapshots).length > 0);
  });

  // Members were hashed when the batch was staged (manifest version 2): loading needs no key,
  // and gives the same members as loading with one. (Version 1 batches still need it:
  // privacy-warehouse.test.ts.)
  test('claims staged by this version load without the member key', () => {
    const cfg = engineConfig('nokey', `  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh-nokey'))}\n`);
    const r = runCli(['load', batches[2], '--config', cfg], { env: { HALO_DATA_MEMBER_KEY: '' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, / loaded \d+ rows/);
  });

  describe('real PostgreSQL', { skip: postgresAvailable() ? false : 'PostgreSQL not installed (.ci/run installs it)' }, () => {
    let server: TestPostgres;
    before(async () => { server = await startPostgres(); });
    after(async () => { await server?.stop(); });
    test('the same star schema as PGlite', async () => {
      const cfg = engineConfig('postgres', `  engine: postgres\n  url: ${server.url}\n`);
      const pgSnapshot = await exercise(async (args, env) => runCliAsync(args, { env: { ...KEY, PGPASSWORD: TEST_PGPASSWORD, ...env } }), cfg, batches);
      // Batch ids differ by nothing: the same lake, the same batches.
      assert.deepEqual(pgSnapshot, pglite);
    });
    test('warehouse query is read-only: a write, and COMMIT followed by a write, are refused', async () => {
      const cfg = engineConfig('postgres', `  engine: postgres\n  url: ${server.url}\n`);
      const q = (sql: string) => runCliAsync(['warehouse', 'query', sql, '--config', cfg], { env: { PGPASSWORD: TEST_PGPASSWORD } });
      const before = await q('SELECT COUNT(*) AS n FROM halo.etl_batch');
      assert.equal(before.code, 0, before.stderr);
      for (const sql of ['DELETE FROM halo.etl_batch', 'COMMIT; DELETE FROM halo.etl_batch', 'SELECT 1; DELETE FROM halo.etl_batch']) {
        const r = await q(sql);
        assert.equal(r.code, 1, `${sql}: ${r.stdout}`);
      }
      assert.equal((await q('SELECT COUNT(*) AS n FROM halo.etl_batch')).stdout, before.stdout);
    });
    test('a wrong password is exit 3 with the fix named, and no password echoed', async () => {
      const cfg = engineConfig('badpw', `  engine: postgres\n  url: ${server.url}\n`);
      const r = await runCliAsync(['warehouse', 'status', '--config', cfg], { env: { PGPASSWORD: 'wrong-secret' } });
      assert.equal(r.code, 3);
      assert.match(r.stderr, /PGPASSWORD/);
      assert.doesNotMatch(r.stderr + r.stdout, /wrong-secret/);
    });
  });
});
