/**
 * Issue 15 item 2, the arithmetic: durations as written in the config, the lateness rule
 * (on time → late → past the bound, never back while no file comes), the freshness record's
 * bookkeeping, and the config keys' errors (key and line).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseDuration, formatDuration } from '../../src/util/duration.js';
import { lateness, expectationOf, RANK } from '../../src/freshness/lateness.js';
import { newRecord, noteLoaded, noteReceived, merchantOf } from '../../src/freshness/record.js';
import { judgeSource, overdueNames, boundedList } from '../../src/freshness/judge.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import type { Manifest } from '../../src/batch/manifest.js';
import type { SourceConfig } from '../../src/config/types.js';

describe('durations', () => {
  test('as written in the config', () => {
    assert.equal(parseDuration('15m'), 900);
    assert.equal(parseDuration('1h'), 3600);
    assert.equal(parseDuration('1d'), 86400);
    assert.equal(parseDuration('1h30m'), 5400);
    assert.equal(parseDuration('2w'), 1_209_600);
    assert.equal(parseDuration('45s'), 45);
    for (const bad of ['', '15', 'm', '1.5h', '-1h', '1 h', '1H', '0m', '1y', 'h1', '1h 30m', '99999999999999999999d']) assert.equal(parseDuration(bad), null, bad);
  });
  test('property: formatDuration is read back to the same seconds', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 * 365 * 86400 }), (s) => parseDuration(formatDuration(s)) === s));
  });
});

describe('lateness', () => {
  const exp = { expectEvery: 3600, lateAfter: 7200 };
  const T = Date.parse('2026-12-07T00:00:00Z');
  test('on time, late, past the bound; unwatched without expectEvery', () => {
    assert.equal(lateness(T, T, T + 3600_000, exp).state, 'on-time');
    assert.equal(lateness(T, T, T + 3601_000, exp).state, 'late');
    assert.equal(lateness(T, T, T + 7201_000, exp).state, 'overdue');
    assert.equal(lateness(T, T, T + 99e9, null).state, 'unwatched');
  });
  test('never received: measured from when first watched; no record at all is past the bound', () => {
    assert.deepEqual(lateness(null, T, T + 3 * 3600_000, exp), { state: 'overdue', ageSeconds: 10800, never: true });
    assert.equal(lateness(null, T, T + 60_000, exp).state, 'on-time');
    assert.equal(lateness(null, null, T, exp).state, 'overdue');
  });
  test('lateAfter defaults to twice expectEvery', () => {
    assert.deepEqual(expectationOf({ name: 's', type: 'local', expectEvery: 900 }), { expectEvery: 900, lateAfter: 1800 });
    assert.deepEqual(expectationOf({ name: 's', type: 'local', expectEvery: 900, lateAfter: 3600 }), { expectEvery: 900, lateAfter: 3600 });
    assert.equal(expectationOf({ name: 's', type: 'local' }), null);
  });
  test('property: with no new file, lateness only grows with time; a later file is never later', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 86400 }), fc.integer({ min: 0, max: 86400 }),
      fc.option(fc.integer({ min: 0, max: 1e6 }), { nil: null }), fc.integer({ min: 0, max: 1e6 }),
      fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 1e6 }),
      (every, extra, last, since, t1, dt) => {
        const e = { expectEvery: every, lateAfter: every + extra };
        const a = lateness(last === null ? null : last * 1000, since * 1000, t1 * 1000, e);
        const b = lateness(last === null ? null : last * 1000, since * 1000, (t1 + dt) * 1000, e);
        assert.ok(RANK[b.state] >= RANK[a.state], `${a.state} then ${b.state}`);
        if (last !== null) {
          const newer = lateness((last + dt) * 1000, since * 1000, t1 * 1000, e);
          assert.ok(RANK[newer.state] <= RANK[a.state]);
        }
      },
    ));
  });
});

describe('the freshness record', () => {
  const s: SourceConfig = { name: 'inv', type: 'local', merchantIdFrom: '/{merchant_id}/stok.csv', expectEvery: 3600 };
  const manifest = (batchId: string, files: Array<[string, number]>): Manifest => ({
    batchId, files: files.map(([original, validRows]) => ({ name: 'stok.csv', original, validRows })),
    counts: { validRows: files.reduce((n, [, v]) => n + v, 0) },
  }) as unknown as Manifest;
  const t = (h: number) => new Date(Date.UTC(2026, 11, 7, h));

  test('merchants come from the source\'s own merchantIdFrom only', () => {
    assert.equal(merchantOf(s, 'M0101/stok.csv'), 'M0101');
    assert.equal(merchantOf(s, '/srv/M0102/stok.csv'), 'M0102');
    assert.equal(merchantOf({ ...s, merchantIdFrom: undefined }, 'M0101/stok.csv'), undefined);
  });

  test('received and loaded, per merchant; an older batch or file changes nothing; one fetch\'s batches add up', () => {
    const rec = newRecord('inv', t(0));
    noteReceived(rec, 'M0101', 'M0101/stok.csv', t(2));
    noteReceived(rec, 'M0101', 'M0101/old.csv', t(1));
    assert.equal(rec.merchants.M0101.lastFile, 'M0101/stok.csv');
    assert.equal(rec.lastFileAt, t(2).toISOString());
    noteLoaded(rec, s, manifest('01M97738W0AAAAAAAAAAAAAAAA', [['M0101/stok.csv', 5], ['M0102/stok.csv', 2]]), t(2));
    noteLoaded(rec, s, manifest('01M97738W0BBBBBBBBBBBBBBBB', [['M0101/stok.csv', 1]]), t(2));
    assert.equal(rec.merchants.M0101.rows, 6);
    assert.equal(rec.rows, 8);
    noteLoaded(rec, s, manifest('01M9000000CCCCCCCCCCCCCCCC', [['M0101/stok.csv', 99]]), t(3));
    assert.equal(rec.merchants.M0101.rows, 6, 'an older batch (reconciled late) is not the last load');
    assert.equal(rec.merchants.M0102.lastLoadAt, t(2).toISOString());
  });

  test('judged: the merchant without a file past the bound is named, late ones first; lists are bounded', () => {
    const rec = newRecord('inv', t(0));
    noteReceived(rec, 'M0101', 'M0101/stok.csv', t(3));
    noteReceived(rec, 'M0102', 'M0102/stok.csv', t(0));
    noteReceived(rec, 'M0103', 'M0103/stok.csv', t(1) );
    const j = judgeSource(s, rec, t(3).getTime());
    assert.deepEqual(j.merchants.map((m) => [m.merchant, m.lateness.state]), [['M0102', 'overdue'], ['M0103', 'late'], ['M0101', 'on-time']]);
    assert.equal(j.late, 2);
    assert.deepEqual(overdueNames(j), ['inv/M0102']);
    assert.deepEqual(overdueNames(judgeSource({ ...s, name: 'claims' }, newRecord('claims', t(0)), t(3).getTime())), ['claims']);
    assert.equal(boundedList(['a', 'b', 'c'], 2), 'a, b and 1 more');
    assert.equal(boundedList(['a', 'b'], 2), 'a, b');
  });
});

describe('config: expectEvery and lateAfter', () => {
  let dir = '';
  before(() => { dir = mkdtempSync(join(tmpdir(), 'halo-freshness-config-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const load = (text: string) => { const f = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`); writeFileSync(f, text); return loadConfig({ configFile: f, env: {}, cwd: dir }); };
  const err = (text: string): ConfigError => { try { load(text); } catch (e) { assert.ok(e instanceof ConfigError, String(e)); return e; } return assert.fail('should not load'); };
  const src = (extra: string) => `sources:\n  - name: inv\n    type: local\n${extra}`;

  test('durations are read as seconds', () => {
    const c = load(src('    expectEvery: 15m\n    lateAfter: 1h\n'));
    assert.equal(c.sources[0].expectEvery, 900);
    assert.equal(c.sources[0].lateAfter, 3600);
  });
  test('a bad duration names the key and its line', () => {
    const e = err(src('    path: ./drop\n    expectEvery: 15 minutes\n'));
    assert.equal(e.line, 5);
    assert.match(e.message, /:5: sources\[0\]\.expectEvery: must be a duration/);
    assert.equal(err(src('    expectEvery: 60\n')).line, 4);
  });
  test('lateAfter needs expectEvery and is not below it', () => {
    const e = err(src('    expectEvery: 1h\n    lateAfter: 30m\n'));
    assert.equal(e.line, 5);
    assert.match(e.message, /sources\[0\]\.lateAfter: must be at least expectEvery \(1h\)/);
    assert.match(err(src('    lateAfter: 30m\n')).message, /has no expectEvery/);
  });
});

describe("init's written config", () => {
  test('says how to ask for freshness, and still loads', async () => {
    const { renderConfigYaml } = await import('../../src/commands/init-config.js');
    const text = renderConfigYaml({ sources: [{ name: 'inv', type: 'local', path: './drop' }], lake: { url: './lake' }, warehouse: { engine: 'pglite', path: './wh' } }, new Date('2026-12-07T00:00:00Z'));
    assert.match(text, /^# Freshness: give a source `expectEvery: 1h`/m);
    const dir = mkdtempSync(join(tmpdir(), 'halo-freshness-init-'));
    try {
      writeFileSync(join(dir, 'c.yaml'), text.replace('path: ./drop', 'path: ./drop\n    expectEvery: 1h'));
      assert.equal(loadConfig({ configFile: join(dir, 'c.yaml'), env: {}, cwd: dir }).sources[0].expectEvery, 3600);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
