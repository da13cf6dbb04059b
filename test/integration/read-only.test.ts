/**
 * Commands that only read never create a warehouse (issue 15, item 6): in an empty folder
 * each says there is none yet and what to run, with its exit code, and leaves the folder as
 * empty as it found it (no embedded database, lock file, inbox, landing or lake folder). A
 * warehouse that exists is still read as before; on a PostgreSQL server without the star
 * schema the same answer is given and no schema is created.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import pg from 'pg';
import { runCli, runCliAsync } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { startPostgres, postgresAvailable, TEST_PGPASSWORD, type TestPostgres } from '../support/postgres.js';

const tmp = tempDir('halo-read-only-');
after(() => tmp.cleanup());

/** Every path below `dir`, so a test sees anything a command left (dot files included). */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

const BATCH = '01JD3Q7W0Y5R4M8Z2K6F9X1B3C';
const NONE = /no warehouse yet: embedded PostgreSQL in .*\.halo-data\/warehouse has not been created/;
const KEY = { HALO_DATA_MEMBER_KEY: 'test-member-key-not-a-secret-0123456789' };

/** [args, exit code, what stdout+stderr must say]: every command that only reads. */
const READERS: Array<[string[], number, RegExp]> = [
  [['warehouse', 'status'], 0, new RegExp(`${NONE.source}\\n.*halo-data warehouse init`)],
  [['warehouse', 'query', 'SELECT 1'], 2, /no warehouse yet[^]*halo-data warehouse init/],
  [['batches', 'list'], 0, /no batches in /],
  [['batches', 'show', BATCH], 2, /no batch /],
  [['merge'], 0, /nothing to merge \(no warehouse yet/],
  [['replay', '--dry-run'], 0, /nothing to replay/],
  [['doctor'], 0, /warehouse .*not created yet \(the first load or halo-data warehouse init creates it\)/],
  [['fetch', '--dry-run'], 0, /would fetch 0 files/],
  [['refused', 'list'], 0, /no file is waiting/],
];

describe('an empty folder: read-only commands answer, and create nothing', () => {
  for (const [args, code, says] of READERS) {
    test(`halo-data ${args.join(' ')}`, () => {
      const dir = join(tmp.path, `empty-${args.join('-').replace(/\W+/g, '-')}`);
      mkdirSync(dir);
      const r = runCli(args, { cwd: dir, env: KEY });
      assert.equal(r.code, code, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, says);
      assert.deepEqual(listing(dir), [], `halo-data ${args.join(' ')} left files behind`);
    });
  }

  test('warehouse status --json: exists false, and what to run', () => {
    const dir = join(tmp.path, 'empty-json');
    mkdirSync(dir);
    const r = runCli(['warehouse', 'status', '--json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.exists, false);
    assert.equal(j.schemaVersion, 0);
    assert.equal(j.next, 'halo-data warehouse init');
    assert.deepEqual(listing(dir), []);
  });

  test('a warehouse folder that exists but holds no database is no warehouse either, and stays empty', () => {
    const dir = join(tmp.path, 'empty-folder');
    mkdirSync(join(dir, '.halo-data', 'warehouse'), { recursive: true });
    for (const args of [['warehouse', 'status'], ['batches', 'list'], ['doctor']]) {
      const r = runCli(args, { cwd: dir, env: KEY });
      assert.equal(r.code, 0, r.stdout + r.stderr);
    }
    assert.equal(runCli(['warehouse', 'query', 'SELECT 1'], { cwd: dir }).code, 2);
    assert.deepEqual(listing(dir), ['.halo-data', '.halo-data/warehouse']);
  });
});

describe('an existing embedded warehouse is read as before', () => {
  const dir = join(tmp.path, 'existing');
  before(() => {
    mkdirSync(dir);
    const r = runCli(['warehouse', 'init'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
  });

  test('status, query, batches list and doctor read it', async () => {
    const status = JSON.parse(runCli(['warehouse', 'status', '--json'], { cwd: dir }).stdout);
    assert.equal(status.exists, true);
    assert.ok(status.schemaVersion > 0);
    assert.equal(status.tables.etl_batch, 0);
    const q = runCli(['warehouse', 'query', 'SELECT COUNT(*) AS n FROM halo.etl_batch', '--json'], { cwd: dir });
    assert.equal(q.code, 0, q.stderr);
    assert.deepEqual(JSON.parse(q.stdout), [{ n: 0 }]);
    assert.equal(runCli(['batches', 'list'], { cwd: dir }).code, 0);
    const doctor = await runCliAsync(['doctor'], { cwd: dir, env: KEY });
    assert.equal(doctor.code, 0, doctor.stdout);
    assert.match(doctor.stdout, /✓ warehouse +embedded PostgreSQL in .*: connected/);
    assert.match(doctor.stdout, /✓ star schema +version \d+ \(current\)/);
    // Nothing but the warehouse init made (doctor's probes and the inbox it listed are gone).
    assert.deepEqual(listing(dir).filter((p) => !p.startsWith('.halo-data/warehouse/')), ['.halo-data', '.halo-data/warehouse']);
  });
});

describe('PostgreSQL without the star schema', { skip: postgresAvailable() ? false : 'PostgreSQL not installed (.ci/run installs it)' }, () => {
  let server: TestPostgres;
  before(async () => { server = await startPostgres(); });
  after(async () => { await server?.stop(); });

  test('status says there is none yet (exit 0), query exit 2, doctor passes; no schema is created', async () => {
    const cfg = join(tmp.path, 'pg.yaml');
    writeFileSync(cfg, `lake: { url: ${JSON.stringify(join(tmp.path, 'pg-lake'))} }\nwarehouse:\n  engine: postgres\n  url: ${server.url}\n`);
    const env = { PGPASSWORD: TEST_PGPASSWORD, ...KEY };
    const status = await runCliAsync(['warehouse', 'status', '--config', cfg], { env });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /no warehouse yet: PostgreSQL at postgresql:\/\/halo@127\.0\.0\.1:\d+\/postgres has no star schema\n.*halo-data warehouse init/);
    const query = await runCliAsync(['warehouse', 'query', 'SELECT 1', '--config', cfg], { env });
    assert.equal(query.code, 2);
    assert.match(query.stderr, /no star schema/);
    const doctor = await runCliAsync(['doctor', '--config', cfg], { env });
    assert.match(doctor.stdout, /✓ warehouse +PostgreSQL at .*: connected; no star schema yet/);
    const client = new pg.Client({ connectionString: server.url.replace('//halo@', `//halo:${TEST_PGPASSWORD}@`) });
    await client.connect();
    try {
      const r = await client.query(`SELECT COUNT(*)::int AS n FROM information_schema.schemata WHERE schema_name = 'halo'`);
      assert.equal(r.rows[0].n, 0);
    } finally {
      await client.end();
    }
  });
});
