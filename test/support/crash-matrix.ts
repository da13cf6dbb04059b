/**
 * The crash matrix (README's "What it guarantees", under kill -9): `halo-data run` over three
 * local sources is killed with SIGKILL at every point in CRASHPOINTS that a run reaches (and
 * at the Nth time for a few: the second file, a later lake object, the second batch's
 * commit), on a real PostgreSQL server and (from the first load on) on the embedded PGlite
 * warehouse; then run again. Each time
 * the warehouse must equal, table by table, what one uninterrupted run gives: no duplicate,
 * no lost row, no incomplete batch loaded, nothing left in the landing folder, no lock left.
 *
 * One test file per engine (crash-matrix-pglite.test.ts, crash-matrix-postgres.test.ts), so
 * that the test runner runs the two side by side; each makes its own uninterrupted run to
 * compare with, as each engine did before.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { runCliAsync, ROOT } from './cli.js';
import { tempDir } from './tmp.js';
import { SNAPSHOT } from './warehouse.js';
import { seedPglite } from './pglite-template.js';
import { startPostgres, postgresAvailable, TEST_PGPASSWORD, type TestPostgres } from './postgres.js';
import { loadConfig } from '../../src/config/load.js';
import { openWarehouse } from '../../src/warehouse/open.js';
import { openLake } from '../../src/lake/open.js';
import { listBatches } from '../../src/batch/catalog.js';

const ENV = { HALO_DATA_MEMBER_KEY: 'crash-test-member-key', PGPASSWORD: TEST_PGPASSWORD };

const SOURCES = [
  { name: 'inventory', schema: 'merchant_inventory', glob: '*.csv', files: ['inventory/clean-comma.csv', 'inventory/pipe-delimited.csv', 'inventory/utf8-bom.csv'] },
  { name: 'claims', schema: 'insurance_claim', glob: '*.csv', files: ['claims/claims-clean.csv'] },
  { name: 'pdfs', schema: 'claim_pdf', glob: '*.pdf', files: ['claims-pdf/rs-harapan-sehat-1.pdf', 'claims-pdf/klinik-medika-1.pdf'] },
];

/** Where the run dies: every point a run reaches, and a few later occurrences (`#N`). */
export const POINTS = [
  'fetch:after-list', 'fetch:before-rename', 'fetch:before-rename#2', 'fetch:before-state', 'fetch:before-record',
  'run:before-stage', 'stage:part-written', 'stage:before-publish', 'stage:after-raw', 'lake:before-rename', 'lake:before-rename#5',
  'stage:before-manifest', 'stage:before-manifest#2', 'run:before-stage-record', 'run:after-stage-record',
  'load:before-copy', 'load:during-copy', 'load:before-merge', 'load:before-commit', 'load:before-commit#3',
  'load:after-commit', 'run:before-retire', 'run:after-retire', 'run:before-unlock',
];

/**
 * The points a run reaches after it first opened the warehouse (it opens it lazily, for the
 * first source's load): from the first load on, and the second batch's stage (the claims
 * source, staged while the embedded warehouse is open). The points before are the same code
 * whatever the engine, with no warehouse open yet, so the embedded PGlite file runs only
 * these; the PostgreSQL file runs every point.
 */
export const WAREHOUSE_OPEN_POINTS = POINTS.filter((p) => p.startsWith('load:') || p === 'stage:before-manifest#2'
  || ['run:before-retire', 'run:after-retire', 'run:before-unlock'].includes(p));

/** A project folder with the three sources' files in its drop folders, and its config. */
function project(root: string, seq: number, warehouseYaml: string): { dir: string; cfg: string } {
  const dir = join(root, `p${seq}`);
  const lines = ['sources:'];
  for (const s of SOURCES) {
    mkdirSync(join(dir, 'drop', s.name), { recursive: true });
    for (const f of s.files) copyFileSync(join(ROOT, 'fixtures', f), join(dir, 'drop', s.name, f.split('/')[1]));
    lines.push(`  - { name: ${s.name}, type: local, path: ./drop/${s.name}, paths: ["${s.glob}"], schema: ${s.schema}, stableAfterSeconds: 0 }`);
  }
  lines.push(warehouseYaml);
  const cfg = join(dir, 'halo-data.config.yaml');
  writeFileSync(cfg, lines.join('\n') + '\n');
  return { dir, cfg };
}

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;
const DAY = 24 * 3600_000;

/**
 * The star schema's content, rows as a sorted set, batch ids (they hold the fetch time)
 * replaced, and so are times of this run (a merchant's observed time is its batch's time when
 * its rows have no updated_at): the fixtures' own times are weeks old.
 */
async function content(cfg: string): Promise<string[]> {
  const config = loadConfig({ configFile: cfg, env: ENV });
  const wh = await openWarehouse(config);
  try {
    const out: string[] = [];
    for (const q of SNAPSHOT) {
      const r = await wh.query<Record<string, unknown>>(q);
      out.push(JSON.stringify(r.rows.map((row) => JSON.stringify(row, (_k, v) => (v instanceof Date ? v.toISOString() : v))
        .replace(/[0-9A-HJKMNP-TV-Z]{26}/g, '<batch>').replace(ISO_TIME, (t) => (Math.abs(Date.parse(t) - Date.now()) < DAY ? '<run time>' : t))).sort()));
    }
    // Every batch the ledger has is complete in the lake: an incomplete one is never loaded.
    const ledger = await wh.query<{ batch_id: string; status: string }>('SELECT batch_id, status FROM halo.etl_batch');
    const complete = new Set((await listBatches(await openLake(config))).filter((b) => b.status === 'complete').map((b) => b.batchId));
    for (const row of ledger.rows) assert.ok(complete.has(row.batch_id), `ledger batch ${row.batch_id} (${row.status}) is complete in the lake`);
    return out;
  } finally {
    await wh.close();
  }
}

function assertNothingLeft(dir: string): void {
  for (const s of SOURCES) {
    const landing = join(dir, '.halo-data/landing', s.name);
    assert.deepEqual(existsSync(landing) ? readdirSync(landing) : [], [], `landing/${s.name} is empty`);
  }
  assert.ok(!existsSync(join(dir, '.halo-data/run.lock')), 'no lock left');
}

/**
 * One engine's matrix: the uninterrupted run, then each of `points` killed and run again.
 * `warehouse.yaml` gives a project its warehouse config; `warehouse.prepare`, if any, readies
 * a killed case's warehouse before its first run (the uninterrupted run always starts from
 * nothing, so every case also checks that a prepared warehouse changes nothing).
 */
function matrix(engine: string, points: string[], warehouse: Engine, root: string): void {
  let seq = 0;
  describe(`crash matrix on ${engine}`, () => {
    let expected: string[];
    test('an uninterrupted run', async () => {
      const p = project(root, seq++, await warehouse.yaml());
      const r = await runCliAsync(['run', '--config', p.cfg], { cwd: p.dir, env: ENV });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      expected = await content(p.cfg);
      assert.ok(expected.every((t) => t !== '[]'), 'every table has rows');
      assertNothingLeft(p.dir);
    });
    for (const point of points) {
      test(`killed at ${point}, run again: the same warehouse`, async () => {
        const p = project(root, seq++, await warehouse.yaml());
        await warehouse.prepare?.(p.dir);
        const killed = await runCliAsync(['run', '--config', p.cfg], { cwd: p.dir, env: { ...ENV, HALO_DATA_CRASHPOINT: point } });
        assert.equal(killed.code, 128, `the run was to die at ${point} (exit ${killed.code}): ${killed.stderr.slice(-500)}`);
        const again = await runCliAsync(['run', '--config', p.cfg], { cwd: p.dir, env: ENV });
        assert.equal(again.code, 0, again.stdout + again.stderr);
        assert.match(again.stderr, /took over a lock/, 'the killed run\'s lock is taken over');
        assert.deepEqual(await content(p.cfg), expected);
        assertNothingLeft(p.dir);
      });
    }
  });
}

interface Engine { yaml: () => Promise<string>; prepare?: (dir: string) => Promise<void> }

/**
 * The matrix on the embedded warehouse. A killed case starts from a copy of an empty PGlite
 * cluster (pglite-template.ts) instead of paying PGlite's initdb in the run: no point of the
 * matrix is inside that initdb, and the run still creates halo-data's schema itself.
 */
export function pgliteCrashMatrix(points: string[]): void {
  const tmp = tempDir('halo-crash-');
  after(() => tmp.cleanup());
  matrix('the embedded PGlite', points, { yaml: async () => '', prepare: (dir) => seedPglite(dir) }, tmp.path);
}

/** The matrix on a real PostgreSQL server started for the file, a database of its own per case. */
export function postgresCrashMatrix(points: string[]): void {
  if (!postgresAvailable()) {
    test('crash matrix on PostgreSQL', { skip: 'PostgreSQL is not installed (.ci/run installs it)' }, () => {});
    return;
  }
  const tmp = tempDir('halo-crash-');
  process.env.PGPASSWORD = TEST_PGPASSWORD; // content() reads the warehouse from this process, as the CLI would
  let server: TestPostgres | null = null;
  let dbs = 0;
  before(async () => { server = await startPostgres(); });
  after(async () => {
    await server?.stop();
    tmp.cleanup();
  });
  matrix('PostgreSQL', points, {
    yaml: async () => {
      const name = `crash_${dbs++}`;
      const admin = new pg.Client({ connectionString: server!.url.replace('//halo@', `//halo:${TEST_PGPASSWORD}@`) });
      await admin.connect();
      try { await admin.query(`CREATE DATABASE ${name}`); } finally { await admin.end(); }
      return `warehouse:\n  engine: postgres\n  url: ${server!.url.replace(/\/postgres$/, `/${name}`)}`;
    },
  }, tmp.path);
}
