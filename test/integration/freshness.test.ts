/**
 * Issue 15 item 2 through the real CLI, the clock moved with HALO_DATA_NOW: a source with two
 * merchants, one of which stops sending, and a source that never receives anything. `run`
 * exits 1 naming the late ones, `status` shows the table (text and JSON) and exits 1, the
 * metrics carry per-source figures and never a merchant, `status` creates nothing, and the
 * record lives in the lake: a new machine (no state, landing or warehouse) sees the same.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync, existsSync, rmSync, utimesSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliRun } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { inventoryCsv, inventoryRow } from '../support/inventory.js';

const tmp = tempDir();
after(() => tmp.cleanup());

const T0 = Date.parse('2026-12-07T00:00:00Z');
const H = 3600_000;

const dir = join(tmp.path, 'fresh');
const cfg = join(dir, 'halo-data.config.yaml');
function put(merchant: string, rows: number, mtime: number): void {
  const file = join(dir, 'drop', merchant, 'stok.csv');
  mkdirSync(join(dir, 'drop', merchant), { recursive: true });
  writeFileSync(file, inventoryCsv(merchant, rows));
  utimesSync(file, new Date(mtime), new Date(mtime));
}
const cli = (at: number, ...a: string[]): CliRun => runCli([...a, '--config', cfg], { cwd: dir, env: { HALO_DATA_NOW: new Date(at).toISOString() } });

mkdirSync(join(dir, 'claims'), { recursive: true });
put('M0101', 3, T0 - H);
put('M0102', 2, T0 - H);
writeFileSync(cfg, [
  'lake: { url: ./lake }',
  'sources:',
  '  - { name: inventory, type: local, path: ./drop, paths: ["*/*.csv"], merchantIdFrom: "/{merchant_id}/stok.csv", schema: merchant_inventory, stableAfterSeconds: 0, expectEvery: 1h }',
  '  - { name: claims, type: local, path: ./claims, paths: ["*.csv"], schema: insurance_claim, stableAfterSeconds: 0, expectEvery: 30m, lateAfter: 1h }',
  '',
].join('\n'));

describe('freshness per source and merchant', () => {
  test('status before any run: every watched source is reported as never run (exit 1), and nothing is created', () => {
    const r = cli(T0, 'status');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^inventory \(local\): a file expected every 1h, late past 2h; never run/m);
    assert.match(r.stdout, /late past the bound: inventory, claims/);
    assert.ok(!existsSync(join(dir, '.halo-data')), 'no warehouse, landing or state');
    assert.ok(!existsSync(join(dir, 'lake')), 'no lake');
  });

  test('first run: both merchants load; the source with nothing yet is named but not late (exit 0)', () => {
    const r = cli(T0, 'run');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^claims .*\n(?: {2}.*\n)*? {2}no file received yet \(watched for 0 s\)/m);
  });

  test('three hours later, only M0101 sent a file: run exits 1 naming M0102 and the silent source; metrics have no merchant', () => {
    appendFileSync(join(dir, 'drop/M0101/stok.csv'), inventoryRow('M0101', 7));
    utimesSync(join(dir, 'drop/M0101/stok.csv'), new Date(T0 + 2.8 * H), new Date(T0 + 2.8 * H));
    const r = cli(T0 + 3 * H, 'run', '--metrics-file', 'halo.prom');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /loaded [0-9A-Z]{26}: 4 rows/);
    assert.match(r.stdout, /late past 2h \(no file for longer; exit 1\): inventory\/M0102\n/);
    assert.match(r.stdout, /late past 1h \(no file for longer; exit 1\): claims\n/);
    const prom = readFileSync(join(dir, 'halo.prom'), 'utf8');
    assert.match(prom, /^halo_data_source_last_file_timestamp_seconds\{source="inventory"\} 1796612400$/m);
    assert.match(prom, /^halo_data_source_last_file_age_seconds\{source="inventory"\} 0$/m);
    assert.match(prom, /^halo_data_source_last_file_age_seconds\{source="claims"\} 10800$/m);
    assert.match(prom, /^halo_data_source_last_load_timestamp_seconds\{source="inventory"\} 1796612400$/m);
    assert.match(prom, /^halo_data_source_merchants_late\{source="inventory"\} 1$/m);
    assert.match(prom, /^halo_data_source_overdue\{source="inventory"\} 1$/m);
    assert.match(prom, /^halo_data_source_overdue\{source="claims"\} 1$/m);
    assert.doesNotMatch(prom, /merchant="|M010/, 'never a label (or a value) per merchant');
    for (const line of prom.split('\n').filter((l) => l && !l.startsWith('#'))) {
      assert.match(line, /^[a-z_]+(\{source="(inventory|claims)"\})? [-0-9.e+]+$/, line);
    }
  });

  test('status (text): the table, late ones first, and the bound line (exit 1)', () => {
    const r = cli(T0 + 3 * H, 'status');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = r.stdout.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    assert.match(r.stdout, /^ {2}MERCHANT {2}LAST FILE {2}LAST LOAD {2}ROWS {2}STATE$/m);
    assert.match(r.stdout, /^ {2}\(source\) +0s ago +0s ago +4 {2}on time$/m);
    assert.match(r.stdout, /^ {2}M0102 +3h ago +3h ago +2 {2}LATE past 2h \(3h\)$/m);
    assert.match(r.stdout, /^ {2}M0101 +0s ago +0s ago +4 {2}on time$/m);
    assert.ok(at(/^ {2}M0102/) < at(/^ {2}M0101/), 'late first');
    assert.match(r.stdout, /^ {2}\(source\) +never +never +- {2}LATE past 1h \(nothing in 3h\)$/m);
    assert.match(r.stdout, /^late past the bound: inventory\/M0102, claims$/m);
  });

  test('status --json: the same, machine-readable; --source narrows it', () => {
    const out = JSON.parse(cli(T0 + 3 * H, 'status', '--json').stdout);
    assert.equal(out.exitCode, 1);
    assert.deepEqual(out.overdue, ['inventory/M0102', 'claims']);
    const [inv, claims] = out.sources;
    assert.equal(inv.expectEvery, '1h');
    assert.equal(inv.lateAfter, '2h');
    assert.equal(inv.lastFileAt, new Date(T0 + 3 * H).toISOString());
    const m = Object.fromEntries(inv.merchants.map((x: { merchant: string }) => [x.merchant, x]));
    assert.equal(m.M0102.state, 'overdue');
    assert.equal(m.M0102.ageSeconds, 10800);
    assert.equal(m.M0102.lastFile, 'M0102/stok.csv');
    assert.equal(m.M0102.rows, 2);
    assert.equal(m.M0101.state, 'on-time');
    assert.equal(m.M0101.rows, 4);
    assert.equal(claims.never, true);
    assert.equal(claims.state, 'overdue');
    const one = cli(T0 + 3 * H, 'status', '--source', 'inventory', '--json');
    assert.equal(one.code, 1);
    assert.deepEqual(JSON.parse(one.stdout).sources.map((s: { source: string }) => s.source), ['inventory']);
    // For a cron line's .jsonl: with --log-format json every line on both streams is a JSON event.
    const lines = cli(T0 + 3 * H, 'status', '--log-format', 'json');
    assert.equal(lines.code, 1);
    const events = (lines.stdout + lines.stderr).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const result = events.find((e) => e.msg === 'status');
    assert.ok(result, lines.stdout);
    assert.deepEqual(result.overdue, ['inventory/M0102', 'claims']);
  });

  test('status --help has examples; an unknown source is a usage error (exit 2)', () => {
    const h = cli(T0, 'status', '--help');
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Examples:\n {2}\$ halo-data status\n/);
    const r = cli(T0, 'status', '--source', 'nosuch');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no source named nosuch/);
  });

  test('the record is in the lake: a new machine (no state, landing or warehouse) sees the same', () => {
    rmSync(join(dir, '.halo-data'), { recursive: true, force: true });
    const out = JSON.parse(cli(T0 + 3 * H, 'status', '--json').stdout);
    assert.deepEqual(out.overdue, ['inventory/M0102', 'claims']);
    assert.ok(!existsSync(join(dir, '.halo-data')), 'status created nothing');
  });
});
