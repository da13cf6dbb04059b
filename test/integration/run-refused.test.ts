/**
 * Issue 14 item 6: one merchant's bad file must not block the others. `run` judges the
 * reject rate per file: a file over it is left out alone, with its own reason in every
 * output, kept in refused/ with that reason, counted in the metrics, listed by `refused
 * list`, named by later runs' summaries, and staged again on purpose by `refused retry`
 * (with `--max-reject-rate` for that retry only). Also the mechanism, in-process: for any
 * mix of files, the batch holds exactly the files whose own rate is within the limit.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { runCli, assertNoPersonalData, ROOT, type CliRun } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { inventoryCsv as inventory } from '../support/inventory.js';
import { loadConfig } from '../../src/config/load.js';
import { stage, NothingStagedError } from '../../src/pipeline/stage.js';

const tmp = tempDir();
after(() => tmp.cleanup());

function project(name: string): { dir: string; cfg: string; cli: (...a: string[]) => CliRun } {
  const dir = join(tmp.path, name);
  mkdirSync(join(dir, 'drop'), { recursive: true });
  writeFileSync(join(dir, 'drop/bad-M0300.csv'), inventory('M0300', 1, 99));
  for (let m = 1; m <= 5; m++) writeFileSync(join(dir, `drop/M030${m}.csv`), inventory(`M030${m}`, 10, 0));
  const cfg = join(dir, 'halo-data.config.yaml');
  writeFileSync(cfg, 'sources:\n  - { name: inventory, type: local, path: ./drop, paths: ["*.csv"], schema: merchant_inventory, stableAfterSeconds: 0 }\n');
  return { dir, cfg, cli: (...a) => runCli([...a, '--config', cfg], { cwd: dir }) };
}

const snapshotRows = (p: ReturnType<typeof project>) =>
  Number(JSON.parse(p.cli('warehouse', 'query', 'SELECT COUNT(*) AS n FROM halo.fact_inventory_current', '--json').stdout)[0].n);

describe('one merchant file over the reject rate, five clean ones', () => {
  const p = project('six');

  test('run loads the five, leaves the one out with its own counts (text, --json, logs), keeps it with its reason', () => {
    const r = p.cli('run', '--json', '--log-format', 'json', '--metrics-file', 'halo.prom');
    assert.equal(r.code, 1, r.stderr);
    const [inv] = JSON.parse(r.stdout).sources;
    assert.equal(inv.staged.length, 1);
    assert.equal(inv.staged[0].files, 5);
    assert.equal(inv.loaded[0].rows, 50);
    assert.equal(inv.left.length, 1);
    assert.equal(inv.left[0].path, 'bad-M0300.csv');
    assert.equal(inv.left[0].code, 'reject-rate');
    assert.match(inv.left[0].message, /99 of 100 rows were rejected \(99\.00%\), more than the max reject rate 0\.01/);
    assert.equal(inv.refusedWaiting.count, 1);
    assert.equal(inv.refusedWaiting.files[0].code, 'reject-rate');
    assert.equal(snapshotRows(p), 50);
    const logged = r.stderr.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.msg === 'file left out' || l.message === 'file left out');
    assert.ok(logged, `a log line names the file: ${r.stderr}`);
    assert.equal(logged.file, 'bad-M0300.csv');
    assert.equal(logged.code, 'reject-rate');
    assert.match(readFileSync(join(p.dir, 'halo.prom'), 'utf8'), /^halo_data_refused_files\{source="inventory"\} 1$/m);
    // Kept, with its reason beside it.
    const refused = join(p.dir, '.halo-data/landing/inventory/refused');
    const [fetchId] = readdirSync(refused);
    assert.deepEqual(readdirSync(join(refused, fetchId)).filter((n) => !n.startsWith('.')), ['bad-M0300.csv']);
    const rec = JSON.parse(readFileSync(join(refused, fetchId, '.refused.json'), 'utf8'));
    assert.equal(rec.files[0].code, 'reject-rate');
    assertNoPersonalData(r.stdout + r.stderr, 'run output');
  });

  test('a later run with nothing new still names the file waiting in refused/, with reason and age (exit 0)', () => {
    const r = p.cli('run');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 file waiting in refused\//);
    assert.match(r.stdout, /bad-M0300\.csv \(reject-rate, \d+ s\): 99 of 100 rows/);
  });

  test('refused list shows source, file, reason, message and age (text and --json)', () => {
    const j = p.cli('refused', 'list', '--json');
    assert.equal(j.code, 0, j.stderr);
    const out = JSON.parse(j.stdout);
    assert.equal(out.count, 1);
    assert.equal(out.files[0].source, 'inventory');
    assert.equal(out.files[0].path, 'bad-M0300.csv');
    assert.equal(out.files[0].code, 'reject-rate');
    assert.ok(out.files[0].ageSeconds >= 0);
    const t = p.cli('refused', 'list', '--source', 'inventory');
    assert.match(t.stdout, /inventory {2}bad-M0300\.csv {2}reject-rate {2}\d+ s ago/);
  });

  test('refused retry needs names or --all (exit 2), and a name that matches nothing is refused (exit 2)', () => {
    assert.equal(p.cli('refused', 'retry').code, 2);
    const r = p.cli('refused', 'retry', 'nothing-like-it.csv');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nothing waiting in refused\/ matches nothing-like-it\.csv/);
  });

  test('refused retry at the default rate refuses it again (exit 1); still waiting, once', () => {
    const r = p.cli('refused', 'retry', 'bad-M0300.csv', '--json');
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.retried[0].files[0], 'bad-M0300.csv');
    assert.equal(out.sources[0].left[0].code, 'reject-rate');
    const list = JSON.parse(p.cli('refused', 'list', '--json').stdout);
    assert.equal(list.count, 1);
    assert.equal(readdirSync(join(p.dir, '.halo-data/landing/inventory/refused')).length, 1, 'the old refused folder went');
  });

  test('refused retry --max-reject-rate 1 stages and loads it; nothing waits any more', () => {
    const r = p.cli('refused', 'retry', '--all', '--max-reject-rate', '1');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 file landed again as fetch/);
    assert.match(r.stdout, /loaded [0-9A-Z]{26}: 1 row/);
    assert.equal(snapshotRows(p), 51);
    assert.equal(JSON.parse(p.cli('refused', 'list', '--json').stdout).count, 0);
    const landing = join(p.dir, '.halo-data/landing/inventory');
    assert.deepEqual(readdirSync(landing).filter((n) => n !== 'refused'), []);
    assert.ok(!existsSync(join(landing, 'refused')) || readdirSync(join(landing, 'refused')).length === 0);
    // The rate was for that retry only: the next run is at the default again.
    assert.equal(p.cli('run').code, 0);
  });
});

describe('a refused file that the partner replaces with a fixed version', () => {
  test('loads on the next run, and its refused copy is no longer waiting', () => {
    const p = project('fixed');
    assert.equal(p.cli('run').code, 1);
    writeFileSync(join(p.dir, 'drop/bad-M0300.csv'), inventory('M0300', 3, 0));
    const r = p.cli('run', '--json');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const [inv] = JSON.parse(r.stdout).sources;
    assert.equal(inv.loaded[0].rows, 3);
    assert.equal(inv.refusedWaiting.count, 0);
    assert.equal(JSON.parse(p.cli('refused', 'list', '--json').stdout).count, 0);
  });
});

describe('a file that cannot be read is left out with its own first problem', () => {
  test('the reason is the file\'s problem, not a generic one', () => {
    const p = project('unreadable');
    writeFileSync(join(p.dir, 'drop/M0399.csv'), readFileSync(join(ROOT, 'fixtures/inventory/binary-renamed.csv')));
    const r = p.cli('run', '--json', '--max-reject-rate', '1');
    assert.equal(r.code, 1, r.stderr);
    const [inv] = JSON.parse(r.stdout).sources;
    const left = inv.left.find((l: { path: string }) => l.path === 'M0399.csv');
    assert.ok(left, JSON.stringify(inv.left));
    assert.doesNotMatch(left.message, /halo-data validate shows why/);
    assert.equal(inv.staged[0].files, 6);
  });
});

describe('the mechanism: the batch holds exactly the files within the rate, judged each alone', () => {
  test('property over random mixes of files', async () => {
    const dir = join(tmp.path, 'prop');
    mkdirSync(dir, { recursive: true });
    const config = loadConfig({ cwd: dir, env: {} });
    let n = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ good: fc.integer({ min: 0, max: 12 }), bad: fc.integer({ min: 0, max: 6 }) }), { minLength: 1, maxLength: 5 }),
      fc.constantFrom(0, 0.1, 0.25, 0.5),
      async (files, rate) => {
        const run = n++;
        const paths = files.map((f, i) => {
          const path = join(dir, `r${run}-f${i}.csv`);
          writeFileSync(path, inventory(`M${String(500 + i).padStart(4, '0')}`, f.good, f.bad));
          return path;
        });
        const within = files.map((f) => f.good + f.bad === 0 || f.bad / (f.good + f.bad) <= rate);
        try {
          const r = await stage({ inputs: paths, schema: 'merchant_inventory', source: 'prop', config, maxRejectRate: rate, skipUnreadable: true, perFileRejectRate: true, cwd: dir });
          assert.deepEqual(r.refused.map((x) => x.path).sort(), paths.filter((_, i) => !within[i]).sort());
          assert.equal(r.manifest.counts.files, within.filter(Boolean).length);
          assert.equal(r.manifest.counts.validRows, files.reduce((s, f, i) => s + (within[i] ? f.good : 0), 0));
          for (const v of r.refused) assert.equal(v.code, 'reject-rate');
        } catch (e) {
          if (!(e instanceof NothingStagedError)) throw e;
          assert.ok(within.every((w) => !w), 'nothing staged only when every file is over the rate');
          assert.equal(e.files.length, files.length);
        }
      },
    ), { numRuns: 25 });
  });
});
