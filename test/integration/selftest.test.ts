/**
 * `halo-data warehouse selftest` on the three engines (issue 16 item 6): every check passes
 * against a warehouse that already holds real data, which is exactly as it was afterwards;
 * a selftest killed midway leaves a scratch schema that the next one drops (embedded: at once;
 * a server: named while it may be another host's, dropped once old); on the Redshift
 * emulator it reports the Data API features, and a merge that fails there is the named
 * failed check (exit 1) with the scratch schema dropped all the same.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { runCliAsync, spawnCli, ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { startPostgres, postgresAvailable, createTestDatabase, withTestPassword, TEST_PGPASSWORD, type TestPostgres } from '../support/postgres.js';
import { startS3, type TestS3, s3Access, s3LakeYaml } from '../support/s3.js';
import { startRedshiftDataEmulator, type RedshiftEmulator } from '../support/redshift-data-emulator.js';
import { snapshot, type Run } from '../support/warehouse.js';

const KEY = { HALO_DATA_MEMBER_KEY: 'test-member-key-not-a-secret' };
const ROLE = 'arn:aws:iam::123456789012:role/halo-data-copy';

interface Report { ok: boolean; schema: string; checks: Array<{ check: string; ok: boolean; detail: string; warn?: boolean }> }

const ALL = ['connect', 'leftovers', 'scratch schema', 'init', 'stage', 'load --no-merge', 'merge', 'load again', 'replay', 'ledger', 'uniqueness', 'status', 'drop scratch schema'];

describe('warehouse selftest on PGlite, PostgreSQL and Redshift (Data API emulator)', { skip: postgresAvailable() ? false : 'PostgreSQL not installed (.ci/run installs it)' }, () => {
  const tmp = tempDir();
  let s3: TestS3;
  let server: TestPostgres;
  let emu: RedshiftEmulator;
  let emuUrl = '';
  let lakeYaml = '';
  let batch = '';

  const cfgFile = (name: string, warehouse: string) => {
    const f = join(tmp.path, `${name}.yaml`);
    writeFileSync(f, `${lakeYaml}warehouse:\n${warehouse}`);
    return f;
  };
  const run: Run = (args, env) => runCliAsync(args, { env: { ...s3.env, ...KEY, PGPASSWORD: TEST_PGPASSWORD, ...env } });
  const selftest = async (cfg: string, env?: Record<string, string>): Promise<{ code: number; report: Report; stderr: string }> => {
    const r = await run(['warehouse', 'selftest', '--json', '--config', cfg], env);
    return { code: r.code, report: r.stdout ? JSON.parse(r.stdout) as Report : { ok: false, schema: '', checks: [] }, stderr: r.stderr };
  };
  const scratchSchemas = async (url: string): Promise<string[]> => {
    const c = new pg.Client({ connectionString: withTestPassword(url) });
    await c.connect();
    try {
      return (await c.query<{ n: string }>(`SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'halo\\_selftest\\_%' ORDER BY 1`)).rows.map((r) => r.n);
    } finally {
      await c.end();
    }
  };
  /** A real batch loaded into the real schema first: the selftest must leave it as it is. */
  const withRealData = async (cfg: string, view = cfg) => {
    const load = await run(['load', batch, '--config', cfg]);
    assert.equal(load.code, 0, load.stderr);
    return snapshot(run, view);
  };
  const passed = (r: { code: number; report: Report; stderr: string }, extra: string[] = []) => {
    assert.equal(r.code, 0, `${JSON.stringify(r.report, null, 2)}\n${r.stderr}`);
    assert.equal(r.report.ok, true);
    assert.deepEqual(r.report.checks.map((c) => c.check), [ALL[0], ...extra, ...ALL.slice(1)]);
    assert.ok(r.report.checks.every((c) => c.ok));
    assert.match(r.report.schema, /^halo_selftest_[0-9a-z]+_[0-9a-f]+$/);
  };

  before(async () => {
    s3 = await startS3();
    server = await startPostgres();
    emuUrl = await createTestDatabase(server, 'emulated_redshift');
    emu = await startRedshiftDataEmulator({
      postgresUrl: emuUrl,
      s3: s3Access(s3),
    });
    lakeYaml = s3LakeYaml(s3);
    const r = await run(['stage', join(ROOT, 'fixtures/inventory/clean-comma.csv'), '--schema', 'merchant_inventory', '--source', 'merchants',
      '--max-reject-rate', '1', '--json', '--config', cfgFile('stage', '  engine: pglite\n')]);
    assert.equal(r.code, 0, r.stderr);
    batch = JSON.parse(r.stdout).batchId;
  });
  after(async () => {
    await emu?.stop();
    await server?.stop();
    await s3?.stop();
    tmp.cleanup();
  });

  test('PGlite: no embedded warehouse yet: it runs in a temporary one and creates none where the config says', async () => {
    const folder = join(tmp.path, 'never-made');
    const r = await selftest(cfgFile('pglite-none', `  engine: pglite\n  path: ${JSON.stringify(folder)}\n`));
    passed(r);
    assert.match(r.report.checks[0].detail, /a temporary embedded warehouse/);
    assert.equal(existsSync(folder), false);
    assert.equal(existsSync(`${folder}.lock`), false);
  });

  test('PGlite: every check passes, the real schema is unchanged, and a selftest killed midway is cleaned up by the next', async () => {
    const cfg = cfgFile('pglite', `  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh'))}\n`);
    const before = await withRealData(cfg);
    passed(await selftest(cfg));
    assert.deepEqual(await snapshot(run, cfg), before);
    // Killed (kill -9) after its first batch committed in the scratch schema.
    const killed = await selftest(cfg, { HALO_DATA_CRASHPOINT: 'load:after-commit' });
    assert.notEqual(killed.code, 0);
    // The embedded warehouse's lock says no selftest is using it: the leftover goes at once.
    const next = await selftest(cfg);
    passed(next);
    assert.match(next.report.checks[1].detail, /dropped halo_selftest_\w+ \(left by a selftest that did not finish\)/);
    const left = await run(['warehouse', 'query', `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'halo_selftest%'`, '--json', '--config', cfg]);
    assert.deepEqual(JSON.parse(left.stdout), []);
    assert.deepEqual(await snapshot(run, cfg), before);
  });

  test('PGlite: the embedded warehouse\'s lock holds for the selftest too: while a load holds it, the selftest waits, then gives up naming the holder', async () => {
    const cfg = cfgFile('pglite', `  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh'))}\n`);
    const release = join(tmp.path, 'release-load');
    const env = { ...s3.env, ...KEY };
    const load = spawnCli(['load', batch, '--force', '--config', cfg], { env: { ...env, HALO_DATA_STALLPOINT: `load:before-commit:60000:${release}` } });
    try {
      const deadline = Date.now() + 60_000;
      while (!existsSync(join(tmp.path, 'wh.lock'))) {
        if (Date.now() > deadline) throw new Error('the load never opened the warehouse');
        await new Promise((r) => setTimeout(r, 20));
      }
      const r = await selftest(cfg, { HALO_DATA_WAREHOUSE_LOCK_WAIT_SECONDS: '1' });
      assert.equal(r.code, 1, JSON.stringify(r.report, null, 2));
      assert.deepEqual(r.report.checks.map((c) => [c.check, c.ok]), [['connect', false]]);
      assert.match(r.report.checks[0].detail, new RegExp(`is held by pid ${load.child.pid} .*\\(halo-data load\\).*waited 1 s`));
    } finally {
      writeFileSync(release, '');
    }
    assert.equal((await load.done).code, 0);
  });

  test('PostgreSQL: every check passes, the real schema is unchanged; a leftover is named while young and dropped once old', async () => {
    const cfg = cfgFile('postgres', `  engine: postgres\n  url: ${server.url}\n`);
    const before = await withRealData(cfg);
    passed(await selftest(cfg));
    assert.deepEqual(await snapshot(run, cfg), before);
    assert.deepEqual(await scratchSchemas(server.url), []);
    const killed = await selftest(cfg, { HALO_DATA_CRASHPOINT: 'load:after-commit' });
    assert.notEqual(killed.code, 0);
    const leftover = await scratchSchemas(server.url);
    assert.equal(leftover.length, 2, 'the killed selftest left its pair');
    // Young: perhaps another host's selftest at work. Named (a warning), left alone.
    const young = await selftest(cfg);
    passed(young);
    assert.equal(young.report.checks[1].warn, true);
    assert.ok(young.report.checks[1].detail.includes(leftover[0].replace(/_staging$/, '')), young.report.checks[1].detail);
    assert.deepEqual(await scratchSchemas(server.url), leftover);
    // Three hours on, it is dropped.
    const later = await selftest(cfg, { HALO_DATA_NOW: new Date(Date.now() + 3 * 3_600_000).toISOString() });
    passed(later);
    assert.match(later.report.checks[1].detail, /^dropped /);
    assert.deepEqual(await scratchSchemas(server.url), []);
    assert.deepEqual(await snapshot(run, cfg), before);
  });

  test('Redshift (emulator): every check passes, the Data API features answer, the real schema is unchanged', async () => {
    const cfg = cfgFile('redshift', `  engine: redshift-data\n  clusterIdentifier: halo-test\n  database: dev\n  dbUser: halo_etl\n  iamRole: ${ROLE}\n  endpoint: ${emu.endpoint}\n  region: ap-southeast-3\n`);
    // The emulated cluster's tables read in this process, from its PostgreSQL (a CLI per query is slow).
    const u = new URL(emuUrl);
    u.password = '';
    const view = cfgFile('redshift-view', `  engine: postgres\n  url: ${u.toString()}\n`);
    const before = await withRealData(cfg, view);
    const r = await selftest(cfg);
    passed(r, ['data api: batch parameters', 'data api: long poll']);
    assert.match(r.report.checks[1].detail, /BatchExecuteStatement took a named parameter/);
    assert.match(r.report.checks[2].detail, /WaitTimeSeconds=5 and answered FINISHED/);
    // The built-in batches were COPYed from the lake, under the tool's own area.
    assert.match(r.report.checks.find((c) => c.check === 'stage')!.detail, new RegExp(`s3://${s3.bucket}/lake/_halo-data/selftest`));
    assert.deepEqual(await snapshot(run, view), before);
    assert.deepEqual(await scratchSchemas(emuUrl), []);
    // The lake's batch list (replay, batches list) never shows the selftest's batches.
    const list = await run(['batches', 'list', '--json', '--config', cfg]);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(!list.stdout.includes('selftest'), list.stdout);

    // A merge that fails on the server: the failed check is named, exit 1, the pair dropped.
    const hook = (sql: string) => (/INSERT INTO halo_selftest_\w+\.fact_inventory_history[\s\S]*FROM inv_new/.test(sql) ? 'simulated failure of the merge' : undefined);
    emu.failOn.push(hook);
    try {
      const failed = await selftest(cfg);
      assert.equal(failed.code, 1, failed.stderr);
      assert.equal(failed.report.ok, false);
      const bad = failed.report.checks.filter((c) => !c.ok);
      assert.deepEqual(bad.map((c) => c.check), ['merge']);
      assert.match(bad[0].detail, /simulated failure of the merge/);
      const last = failed.report.checks[failed.report.checks.length - 1];
      assert.deepEqual([last.check, last.ok], ['drop scratch schema', true]);
    } finally {
      emu.failOn.splice(emu.failOn.indexOf(hook), 1);
    }
    assert.deepEqual(await scratchSchemas(emuUrl), []);
    assert.deepEqual(await snapshot(run, view), before);
  });

  test('text output: a line per check like doctor, and the tally', async () => {
    const cfg = cfgFile('postgres-text', `  engine: postgres\n  url: ${server.url}\n`);
    const r = await run(['warehouse', 'selftest', '--config', cfg]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const name of ALL) assert.match(r.stdout, new RegExp(`^✓ ${name.replace(/[-]/g, '\\-')}\\s{2,}\\S`, 'm'));
    assert.match(r.stdout, /^all checks passed$/m);
  });

  test('a warehouse out of reach is exit 3, with the connect check failed', async () => {
    const cfg = cfgFile('postgres-gone', '  engine: postgres\n  url: postgres://halo@127.0.0.1:1/halo\n');
    const r = await selftest(cfg);
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(r.report.checks.map((c) => [c.check, c.ok]), [['connect', false]]);
  });
});
