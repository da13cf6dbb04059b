/**
 * `halo-data run` on local sources and the embedded warehouse: fetch → stage → load → merge;
 * a second run with nothing new moves 0 bytes and loads nothing; a file that cannot be read
 * is left out, named and kept (exit 1) while the rest loads; one run at a time (a second
 * exits 1 naming the holder; a dead holder's lock is taken over); --metrics-file writes
 * Prometheus text; JSON-lines logs off a terminal; and a run killed at any of its steps,
 * then run again, leaves the same warehouse as a run that was never interrupted.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { runCli, spawnCli, assertNoPersonalData, ROOT, type CliRun } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir();
after(() => tmp.cleanup());
const ENV = { HALO_DATA_MEMBER_KEY: 'test-member-key' };
const FIXTURES = {
  inventory: ['inventory/clean-comma.csv', 'inventory/pipe-delimited.csv'],
  claims: ['claims/claims-clean.csv', 'claims-pdf/rs-harapan-sehat-1.pdf'],
};

/** A project folder: a config with two local sources (one with a schema, one guessed), and their drop folders. */
function project(name: string, withBad = false): { dir: string; cfg: string; run: (...a: string[]) => CliRun } {
  const dir = join(tmp.path, name);
  for (const [src, files] of Object.entries(FIXTURES)) {
    mkdirSync(join(dir, 'drop', src), { recursive: true });
    for (const f of files) copyFileSync(join(ROOT, 'fixtures', f), join(dir, 'drop', src, f.split('/')[1]));
  }
  if (withBad) copyFileSync(join(ROOT, 'fixtures/inventory/binary-renamed.csv'), join(dir, 'drop/inventory/binary-renamed.csv'));
  const cfg = join(dir, 'halo-data.config.yaml');
  writeFileSync(cfg, [
    'sources:',
    '  - { name: inventory, type: local, path: ./drop/inventory, paths: ["*.csv"], schema: merchant_inventory, stableAfterSeconds: 0 }',
    '  - { name: claims, type: local, path: ./drop/claims, stableAfterSeconds: 0 }',
    '',
  ].join('\n'));
  return { dir, cfg, run: (...a) => runCli(['run', '--config', cfg, ...a], { env: ENV, cwd: dir }) };
}

describe('halo-data run on local sources', () => {
  const p = project('main');
  let first: { sources: any[] };

  test('fetches, stages one batch per schema, loads and merges; JSON-lines logs off a terminal', () => {
    const r = p.run('--json');
    assert.equal(r.code, 0, r.stderr);
    assertNoPersonalData(r.stdout + r.stderr, 'run output');
    first = JSON.parse(r.stdout);
    const [inv, claims] = first.sources;
    assert.equal(inv.fetch.files, 2);
    assert.deepEqual(inv.staged.map((b: any) => b.schema), ['merchant_inventory']);
    assert.deepEqual(claims.staged.map((b: any) => b.schema).sort(), ['claim_pdf', 'insurance_claim']);
    for (const s of first.sources) {
      assert.equal(s.exitCode, 0);
      assert.deepEqual(s.loaded.map((l: any) => l.batchId).sort(), s.staged.map((b: any) => b.batchId).sort());
      assert.ok(s.loaded.every((l: any) => l.status === 'loaded' && l.rows > 0));
    }
    for (const line of r.stderr.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), `a log line is not JSON: ${line}`);
    // Loaded fetches leave the landing folder (the lake keeps the raw files).
    assert.deepEqual(readdirSync(join(p.dir, '.halo-data/landing/inventory')), []);
    const q = runCli(['warehouse', 'query', 'SELECT COUNT(*) AS n FROM halo.etl_batch WHERE status = \'loaded\'', '--json', '--config', p.cfg]);
    assert.equal(JSON.parse(q.stdout)[0].n, 3);
  });

  test('a second run with nothing new downloads 0 bytes and loads nothing', () => {
    const r = p.run('--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    for (const s of out.sources) {
      assert.equal(s.fetch.bytes, 0);
      assert.equal(s.fetch.files, 0);
      assert.deepEqual(s.staged, []);
      assert.deepEqual(s.loaded, []);
    }
    const text = p.run();
    assert.match(text.stdout, /nothing new to load/);
  });

  test('a changed file is fetched and loaded again; an unchanged one is not', () => {
    const f = join(p.dir, 'drop/inventory/clean-comma.csv');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/\n$/, '') + '\n');
    writeFileSync(f, readFileSync(f, 'utf8') + readFileSync(f, 'utf8').split('\n')[1] + '\n'); // one more (duplicate) row
    const r = p.run('--json', '--source', 'inventory', '--max-reject-rate', '1');
    assert.equal(r.code, 0, r.stderr);
    const [inv] = JSON.parse(r.stdout).sources;
    assert.equal(inv.fetch.files, 1);
    assert.equal(inv.loaded.length, 1);
  });

  test('--metrics-file writes the figures in Prometheus text format', () => {
    const m = join(p.dir, 'metrics/halo.prom');
    const r = p.run('--metrics-file', m);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(m, 'utf8');
    assert.match(text, /^# TYPE halo_data_run_last_success_timestamp_seconds gauge$/m);
    const last = Number(/^halo_data_run_last_success_timestamp_seconds\{source="inventory"\} (\d+(\.\d+)?)$/m.exec(text)?.[1]);
    assert.ok(Math.abs(last - Date.now() / 1000) < 600, 'last success is recent');
    assert.match(text, /^halo_data_run_rows_loaded\{source="claims"\} 0$/m);
    assert.match(text, /^halo_data_run_success\{source="inventory"\} 1$/m);
    // Every sample line is `name{labels} value`.
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) assert.match(line, /^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$/);
    assert.ok(!readdirSync(join(p.dir, 'metrics')).some((n) => n.includes('.tmp')));
  });
});

describe('a file that cannot be read', () => {
  test('is left out and kept for inspection (exit 1); the rest loads; the next run does not retry it', () => {
    const p = project('bad', true);
    const r = p.run('--log-format', 'text');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /left out binary-renamed\.csv \(/);
    assert.match(r.stdout, /loaded .*: \d+ rows/);
    const refused = join(p.dir, '.halo-data/landing/inventory/refused');
    const [fetchId] = readdirSync(refused);
    assert.deepEqual(readdirSync(join(refused, fetchId)).filter((n) => !n.startsWith('.')), ['binary-renamed.csv']);
    const again = p.run();
    assert.equal(again.code, 0, again.stdout + again.stderr);
  });

  test('is still left out and kept when the run died after writing the batch, before recording it', () => {
    const p = project('bad-crash', true);
    const killed = runCli(['run', '--config', p.cfg], { env: { ...ENV, HALO_DATA_CRASHPOINT: 'run:before-stage-record' }, cwd: p.dir });
    assert.equal(killed.code, 128);
    const r = p.run();
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /left out binary-renamed\.csv \(/);
    const refused = join(p.dir, '.halo-data/landing/inventory/refused');
    const [fetchId] = readdirSync(refused);
    assert.deepEqual(readdirSync(join(refused, fetchId)).filter((n) => !n.startsWith('.')), ['binary-renamed.csv']);
  });
});

describe('privacy of what run leaves behind', () => {
  test('rejects files, metrics, state and landing records hold no personal value', () => {
    const p = project('privacy');
    copyFileSync(join(ROOT, 'fixtures/claims/claims-errors.csv'), join(p.dir, 'drop/claims/claims-errors.csv'));
    const r = p.run('--max-reject-rate', '1', '--metrics-file', 'halo.prom');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const files = (readdirSync(join(p.dir, '.halo-data'), { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; parentPath: string; name: string }>)
      .filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    const rejects = files.filter((f) => /rejects[^/]*\.gz$/.test(f));
    assert.ok(rejects.length > 0, 'a rejects file was written');
    for (const f of rejects) assertNoPersonalData(gunzipSync(readFileSync(f)).toString('utf8'), f);
    for (const f of files.filter((f) => f.includes('/state/') || f.endsWith('.json') && f.includes('/landing/'))) assertNoPersonalData(readFileSync(f, 'utf8'), f);
    assertNoPersonalData(readFileSync(join(p.dir, 'halo.prom'), 'utf8'), 'metrics');
  });
});

describe('one run at a time', () => {
  test('a second run while the first holds the lock exits 1 at once, naming the holder', async () => {
    const p = project('lock');
    const firstRun = spawnCli(['run', '--config', p.cfg], { env: ENV, cwd: p.dir });
    const lock = join(p.dir, '.halo-data/run.lock');
    const deadline = Date.now() + 30_000;
    while (!existsSync(lock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(existsSync(lock), 'the first run took the lock');
    const second = runCli(['run', '--config', p.cfg], { env: ENV, cwd: p.dir });
    const holder = JSON.parse(readFileSync(lock, 'utf8'));
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`pid ${firstRun.child.pid}\\b.*started ${holder.startedAt.replace(/[.]/g, '\\.')}`));
    assert.match(second.stderr, /nothing was done/);
    const done = await firstRun.done;
    assert.equal(done.code, 0, done.stderr);
    assert.ok(!existsSync(lock), 'the lock goes when the run ends');
  });

  test('a lock left by a process that died is taken over', () => {
    const p = project('stale');
    const dead = spawnSync(process.execPath, ['-e', 'process.pid'], { stdio: 'ignore' }).pid!;
    mkdirSync(join(p.dir, '.halo-data'), { recursive: true });
    writeFileSync(join(p.dir, '.halo-data/run.lock'), JSON.stringify({ pid: dead, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', procStart: null }));
    const r = p.run('--log-format', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /took over a lock/);
  });
});

// A run killed at any step and run again: the crash matrix (crash-matrix-postgres.test.ts, every
// point; crash-matrix-pglite.test.ts, the points with the warehouse open) covers the six points
// this file once killed a run at, and every other point a run reaches.
