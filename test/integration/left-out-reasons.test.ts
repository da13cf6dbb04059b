/**
 * Issue 15 items 3 and 4. Item 3, the reported case: a binary file named `.csv` beside a file
 * with 83 % bad rows (and a clean one). `run` once said both were left out for `reject-rate`;
 * each must carry its own reason — the binary one `validate`'s own parse-error — in run's
 * text, run --json, the logs, refused/'s record, refused list, status, and stage's refusal.
 * The mechanism, in-process: for any mix of clean, bad and binary files, every file left out
 * carries the verdict it gets when validated alone. Item 4: the next run, with nothing new,
 * still names the files waiting in refused/ with reason and age, and so does status.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync, readdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { runCli, ROOT, type CliRun } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { inventoryCsv as inventory } from '../support/inventory.js';
import { loadConfig } from '../../src/config/load.js';
import { stage, NothingStagedError } from '../../src/pipeline/stage.js';
import { validate } from '../../src/files/validate.js';
import { isUnreadable, rejectRateVerdict, unreadableVerdict } from '../../src/files/file-verdict.js';

const tmp = tempDir();
after(() => tmp.cleanup());

const BINARY = join(ROOT, 'fixtures/inventory/binary-renamed.csv');
// A JPEG named .csv: known by its bytes for an image, which no inventory schema reads.
const BINARY_REASON = /an image file cannot hold merchant_inventory \(merchant_inventory reads CSV, XLS and XLSX\)/;
const RATE_REASON = /5 of 6 rows were rejected \(83\.33%\), more than the max reject rate 0\.01/;

/** The reported case: binary.csv, bad-M0300.csv (1 good row, 5 bad: 83 %), M0301.csv (clean). */
function project(name: string): { dir: string; cli: (...a: string[]) => CliRun } {
  const dir = join(tmp.path, name);
  mkdirSync(join(dir, 'drop'), { recursive: true });
  copyFileSync(BINARY, join(dir, 'drop/binary.csv'));
  writeFileSync(join(dir, 'drop/bad-M0300.csv'), inventory('M0300', 1, 5));
  writeFileSync(join(dir, 'drop/M0301.csv'), inventory('M0301', 4, 0));
  const cfg = join(dir, 'halo-data.config.yaml');
  writeFileSync(cfg, 'sources:\n  - { name: inventory, type: local, path: ./drop, paths: ["*.csv"], schema: merchant_inventory, stableAfterSeconds: 0 }\n');
  return { dir, cli: (...a) => runCli([...a, '--config', cfg], { cwd: dir }) };
}

describe('a binary .csv beside a file with 83 % bad rows: each left out for its own reason', () => {
  const p = project('text');

  test('run (text): parse-error for the binary file, reject-rate for the other; the clean one loads', () => {
    const r = p.cli('run'); // stderr is not a terminal: JSON log lines; stdout the text summary
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /left out binary\.csv \(parse-error\): an image file cannot hold merchant_inventory/);
    assert.match(r.stdout, /left out bad-M0300\.csv \(reject-rate\): 5 of 6 rows were rejected \(83\.33%\)/);
    assert.match(r.stdout, /staged [0-9A-Z]{26} merchant_inventory: 1 file, 4 rows/);
    assert.doesNotMatch(r.stdout, /binary\.csv \(reject-rate/);
    const logs = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    const left = Object.fromEntries(logs.filter((l) => l.msg === 'file left out').map((l) => [l.file, l.code]));
    assert.deepEqual(left, { 'binary.csv': 'parse-error', 'bad-M0300.csv': 'reject-rate' });
  });

  test("refused/'s record and refused list keep each reason; it is the one validate gives the landed copy", () => {
    const refused = join(p.dir, '.halo-data/landing/inventory/refused');
    const [fetchId] = readdirSync(refused);
    const rec = JSON.parse(readFileSync(join(refused, fetchId, '.refused.json'), 'utf8'));
    const byPath = Object.fromEntries(rec.files.map((f: { path: string; code: string }) => [f.path, f.code]));
    assert.deepEqual(byPath, { 'binary.csv': 'parse-error', 'bad-M0300.csv': 'reject-rate' });
    const v = JSON.parse(p.cli('validate', join(refused, fetchId, 'binary.csv'), '--schema', 'merchant_inventory', '--json').stdout);
    assert.equal(v.files[0].errors[0].code, 'parse-error');
    const list = JSON.parse(p.cli('refused', 'list', '--json').stdout);
    assert.deepEqual(Object.fromEntries(list.files.map((f: { path: string; code: string }) => [f.path, f.code])), byPath);
  });

  test('item 4: the next run (nothing new, exit 0) and status still name both, with reason and age', () => {
    const r = p.cli('run');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /fetched 0 files \(0 B\); 3 unchanged/);
    assert.match(r.stdout, /2 files waiting in refused\//);
    assert.match(r.stdout, /^ {4}bad-M0300\.csv \(reject-rate, \d+ s\): 5 of 6 rows/m);
    assert.match(r.stdout, /^ {4}binary\.csv \(parse-error, \d+ s\): an image file cannot hold merchant_inventory/m);
    const s = p.cli('status');
    assert.equal(s.code, 0, s.stdout + s.stderr);
    assert.match(s.stdout, /^inventory \(local\): no expectEvery set; last run [0-9hms]+ ago$/m);
    assert.match(s.stdout, /^ {4}bad-M0300\.csv \(reject-rate, \d+ s\): 5 of 6 rows/m);
    assert.match(s.stdout, /^ {4}binary\.csv \(parse-error, \d+ s\): an image file cannot hold merchant_inventory/m);
    const j = JSON.parse(p.cli('status', '--json').stdout);
    assert.equal(j.sources[0].refused.count, 2);
    assert.deepEqual(j.sources[0].refused.files.map((f: { code: string }) => f.code).sort(), ['parse-error', 'reject-rate']);
  });

  test('stage (the whole batch is refused) names each file with its own reason', () => {
    const r = p.cli('stage', join(p.dir, 'drop/binary.csv'), join(p.dir, 'drop/bad-M0300.csv'), join(p.dir, 'drop/M0301.csv'), '--schema', 'merchant_inventory');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /could not be read, so no batch was written: binary\.csv \(parse-error\); over the reject rate on their own: bad-M0300\.csv \(reject-rate: 5 of 6 rows were rejected \(83\.33%\)\)/);
  });
});

describe('the same case, run --json', () => {
  test('left and refusedWaiting carry each file\'s own code and message', () => {
    const p = project('json');
    const r = p.cli('run', '--json');
    assert.equal(r.code, 1, r.stderr);
    const [inv] = JSON.parse(r.stdout).sources;
    const left = Object.fromEntries(inv.left.map((l: { path: string }) => [l.path, l]));
    assert.equal(left['binary.csv'].code, 'parse-error');
    assert.match(left['binary.csv'].message, BINARY_REASON);
    assert.equal(left['bad-M0300.csv'].code, 'reject-rate');
    assert.match(left['bad-M0300.csv'].message, RATE_REASON);
    const waiting = Object.fromEntries(inv.refusedWaiting.files.map((f: { path: string; code: string }) => [f.path, f.code]));
    assert.deepEqual(waiting, { 'binary.csv': 'parse-error', 'bad-M0300.csv': 'reject-rate' });
  });
});

describe('the mechanism: a file left out carries the verdict it gets alone', () => {
  test('property over mixes of clean, bad and binary files', async () => {
    const dir = join(tmp.path, 'prop');
    mkdirSync(dir, { recursive: true });
    const config = loadConfig({ cwd: dir, env: {} });
    let n = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.oneof(fc.constant({ binary: true, good: 0, bad: 0 }), fc.record({ binary: fc.constant(false), good: fc.integer({ min: 0, max: 8 }), bad: fc.integer({ min: 0, max: 6 }) })), { minLength: 1, maxLength: 5 }),
      fc.constantFrom(0, 0.25, 0.5),
      async (files, rate) => {
        const run = n++;
        const paths = files.map((f, i) => {
          const path = join(dir, `r${run}-f${i}.csv`);
          if (f.binary) copyFileSync(BINARY, path);
          else writeFileSync(path, inventory(`M${String(600 + i).padStart(4, '0')}`, f.good, f.bad));
          return path;
        });
        // Each file alone: its verdict (or none: it belongs in the batch).
        const alone = new Map<string, string | null>();
        for (const o of (await validate({ inputs: paths, schema: 'merchant_inventory', config, maxErrors: 1, threads: 1 })).files) {
          alone.set(o.path, isUnreadable(o) ? unreadableVerdict(o).code : rejectRateVerdict(o, rate)?.code ?? null);
        }
        let left;
        try {
          const r = await stage({ inputs: paths, schema: 'merchant_inventory', source: 'prop', config, maxRejectRate: rate, skipUnreadable: true, perFileRejectRate: true, cwd: dir });
          left = [...r.skipped, ...r.refused];
          assert.equal(r.manifest.counts.files, [...alone.values()].filter((v) => v === null).length);
        } catch (e) {
          if (!(e instanceof NothingStagedError)) throw e;
          left = e.files;
        }
        assert.deepEqual(new Map(left.map((v) => [v.path, v.code])), new Map([...alone].filter(([, v]) => v !== null)));
      },
    ), { numRuns: 20 });
  });
});
