/**
 * Issue 14 item 8: a deleted or restored warehouse is noticed. `doctor` reports the lake's
 * complete batches that the ledger lacks, with the command that loads them; `run` creates
 * the star schema and loads those dated within `run.reconcileDays` (in load order), so the
 * warehouse holds every row again; an older one is left to the operator (doctor names it).
 * On the embedded PGlite (folder deleted) and on PostgreSQL (schema dropped).
 */
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { runCli, ROOT, type CliRun } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { twoSourceProject } from '../support/two-sources.js';
import { snapshot } from '../support/warehouse.js';
import { startPostgres, postgresAvailable, TEST_PGPASSWORD, type TestPostgres } from '../support/postgres.js';

const tmp = tempDir();
const ENV = { HALO_DATA_MEMBER_KEY: 'reconcile-test-member-key', PGPASSWORD: TEST_PGPASSWORD };
process.env.PGPASSWORD = TEST_PGPASSWORD;
let server: TestPostgres | null = null;
before(async () => { if (postgresAvailable()) server = await startPostgres(); });
after(async () => { await server?.stop(); tmp.cleanup(); });

function project(name: string, extra = ''): { dir: string; cfg: string; cli: (...a: string[]) => CliRun } {
  const { dir, cfg } = twoSourceProject(join(tmp.path, name), { 'clean-comma.csv': 'inventory/clean-comma.csv' }, extra);
  return { dir, cfg, cli: (...a) => runCli([...a, '--config', cfg], { env: ENV, cwd: dir }) };
}

const sync = (args: string[]) => Promise.resolve(runCli(args, { env: ENV }));
const ledgerChecks = (r: CliRun) => JSON.parse(r.stdout).checks.filter((k: { check: string }) => k.check.startsWith('ledger'));

async function deletedWarehouse(name: string, extra: string, wipe: (dir: string) => Promise<void>): Promise<void> {
  const p = project(name, extra);
  const first = p.cli('run', '--json');
  assert.equal(first.code, 0, first.stderr);
  const ids = JSON.parse(first.stdout).sources.flatMap((s: { loaded: Array<{ batchId: string }> }) => s.loaded.map((l) => l.batchId)).sort();
  assert.equal(ids.length, 2);
  const before = await snapshot(sync, p.cfg);
  await wipe(p.dir);

  // doctor, before the run: both batches missing from the ledger, each with the command that loads it.
  const d = p.cli('doctor', '--json');
  assert.equal(d.code, 1, d.stdout);
  const checks = ledgerChecks(d);
  assert.equal(checks.length, 2);
  for (const k of checks) {
    assert.equal(k.ok, false);
    assert.match(k.detail, /1 complete batch in the lake .* is not in the warehouse ledger; the next run loads the 1 dated within run\.reconcileDays/);
    const [, id] = /^halo-data load ([0-9A-Z]{26})$/.exec(k.fix) ?? [];
    assert.ok(ids.includes(id), k.fix);
  }
  const text = p.cli('doctor');
  assert.match(text.stdout, /fix: halo-data load [0-9A-Z]{26}/);

  // run: star schema made again, both batches loaded from the lake, the same warehouse.
  const r = p.cli('run', '--json');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).sources.flatMap((s: { reconciled: string[] }) => s.reconciled).sort(), ids);
  assert.deepEqual(await snapshot(sync, p.cfg), before);
  const again = p.cli('doctor', '--json');
  assert.ok(ledgerChecks(again).every((k: { ok: boolean }) => k.ok), again.stdout);
  // And nothing more the next time.
  const third = p.cli('run', '--json');
  assert.deepEqual(JSON.parse(third.stdout).sources.flatMap((s: { reconciled: string[] }) => s.reconciled), []);
}

describe('a deleted warehouse is noticed and loaded again from the lake', () => {
  test('PGlite: the warehouse folder removed after a run', async () => {
    await deletedWarehouse('pglite', '', async (dir) => rmSync(join(dir, '.halo-data/warehouse'), { recursive: true, force: true }));
  });

  test('PostgreSQL: the star schema dropped after a run', { skip: postgresAvailable() ? false : 'PostgreSQL is not installed (.ci/run installs it)' }, async () => {
    const admin = new pg.Client({ connectionString: server!.url.replace('//halo@', `//halo:${TEST_PGPASSWORD}@`) });
    await admin.connect();
    try { await admin.query('CREATE DATABASE reconcile_pg'); } finally { await admin.end(); }
    const url = server!.url.replace(/\/postgres$/, '/reconcile_pg');
    await deletedWarehouse('postgres', `warehouse:\n  engine: postgres\n  url: ${url}`, async () => {
      const c = new pg.Client({ connectionString: url.replace('//halo@', `//halo:${TEST_PGPASSWORD}@`) });
      await c.connect();
      try { await c.query('DROP SCHEMA halo CASCADE'); await c.query('DROP SCHEMA IF EXISTS halo_staging CASCADE'); } finally { await c.end(); }
    });
  });
});

describe('a batch older than run.reconcileDays', () => {
  test('is not loaded by run, is reported by doctor with its command, and loads with it', async () => {
    const p = project('window', 'run:\n  reconcileDays: 3');
    const first = p.cli('run', '--json', '--source', 'inventory');
    assert.equal(first.code, 0, first.stderr);
    const [old] = JSON.parse(first.stdout).sources[0].loaded.map((l: { batchId: string }) => l.batchId);
    // File it ten days back, as a batch staged then would be.
    const lake = join(p.dir, '.halo-data/lake/inventory');
    const [today] = readdirSync(lake);
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    mkdirSync(join(lake, `dt=${tenDaysAgo}`));
    renameSync(join(lake, today, old), join(lake, `dt=${tenDaysAgo}`, old));
    rmSync(join(p.dir, '.halo-data/warehouse'), { recursive: true, force: true });

    const r = p.cli('run', '--json', '--source', 'inventory');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).sources[0].reconciled, []);
    const n = () => Number(JSON.parse(p.cli('warehouse', 'query', 'SELECT COUNT(*) AS n FROM halo.etl_batch', '--json').stdout)[0].n);
    assert.equal(n(), 0, 'the star schema exists again, and the old batch was not loaded');

    const d = p.cli('doctor', '--json');
    assert.equal(d.code, 1);
    const [inv] = ledgerChecks(d).filter((k: { check: string }) => k.check === 'ledger inventory');
    assert.equal(inv.ok, false);
    assert.doesNotMatch(inv.detail, /the next run loads/);
    assert.equal(inv.fix, `halo-data load ${old}`);
    assert.equal(p.cli('load', old).code, 0);
    assert.equal(n(), 1);
    assert.ok(ledgerChecks(p.cli('doctor', '--json')).every((k: { ok: boolean }) => k.ok));
  });

  test('run.reconcileDays: 0 turns reloading off (the star schema is still made)', () => {
    const p = project('off', 'run:\n  reconcileDays: 0');
    assert.equal(p.cli('run', '--source', 'inventory').code, 0);
    rmSync(join(p.dir, '.halo-data/warehouse'), { recursive: true, force: true });
    const r = p.cli('run', '--json', '--source', 'inventory');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).sources[0].reconciled, []);
    const q = p.cli('warehouse', 'query', 'SELECT COUNT(*) AS n FROM halo.etl_batch', '--json');
    assert.equal(q.code, 0, q.stderr);
    assert.equal(Number(JSON.parse(q.stdout)[0].n), 0);
  });
});
