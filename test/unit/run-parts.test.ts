/**
 * The small parts of `run`: batch ids fixed by the fetch, the exit code that says more, the
 * lock (held, stale, pid reused), and the Prometheus text.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isValid, ulid } from 'ulid';
import { batchIdFor, worse } from '../../src/pipeline/run.js';
import { acquireRunLock, LockHeldError } from '../../src/util/run-lock.js';
import { renderMetrics } from '../../src/output/metrics.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir();
after(() => tmp.cleanup());

describe('batchIdFor', () => {
  test('is a valid ULID with the fetch time, the same for the same (fetch, schema), else different', () => {
    const f = ulid();
    const a = batchIdFor(f, 'merchant_inventory');
    assert.ok(isValid(a));
    assert.equal(a.slice(0, 10), f.slice(0, 10));
    assert.equal(batchIdFor(f, 'merchant_inventory'), a);
    assert.notEqual(batchIdFor(f, 'claim_pdf'), a);
    assert.notEqual(batchIdFor(ulid(), 'merchant_inventory'), a);
  });
});

describe('worse', () => {
  test('config (2) over service (3) over data (1) over ok', () => {
    assert.equal(worse(0, 1), 1);
    assert.equal(worse(1, 3), 3);
    assert.equal(worse(3, 1), 3);
    assert.equal(worse(3, 2), 2);
    assert.equal(worse(2, 3), 2);
    assert.equal(worse(1, 0), 1);
  });
});

describe('the run lock', () => {
  const file = join(tmp.path, 'run.lock');
  test('is taken, refused to a second taker while held, and released', () => {
    const a = acquireRunLock(file);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid);
    // Another process (a live one: this) holds it: the same pid, as a second run in this process would see.
    assert.throws(() => acquireRunLock(file), (e: unknown) => e instanceof LockHeldError && /pid \d+ on .*, started \d{4}-/.test((e as Error).message));
    a.release();
    assert.ok(!existsSync(file));
  });
  test('a dead holder\'s lock is taken over', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(file, JSON.stringify({ pid: dead, host: hostname(), startedAt: 'then', procStart: null }));
    const l = acquireRunLock(file);
    assert.equal(l.tookOverFrom?.pid, dead);
    l.release();
  });
  test('a live pid that started at another time (a reused pid) is not the holder', () => {
    writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: 'then', procStart: '1' }));
    const l = acquireRunLock(file);
    assert.equal(l.tookOverFrom?.procStart, '1');
    l.release();
  });
  test('a lock from another host is never taken over', () => {
    writeFileSync(file, JSON.stringify({ pid: 1, host: 'elsewhere.example', startedAt: 'then', procStart: null }));
    assert.throws(() => acquireRunLock(file), LockHeldError);
  });
  test('garbage in the lock file is stale', () => {
    writeFileSync(file, 'not json');
    acquireRunLock(file).release();
  });
});

describe('renderMetrics', () => {
  test('HELP, TYPE and samples with escaped labels', () => {
    const text = renderMetrics([{ name: 'halo_data_x', help: 'a\nb', type: 'gauge', samples: [{ labels: { source: 'a"b\\c' }, value: 1.5 }, { value: NaN }] }]);
    assert.equal(text, '# HELP halo_data_x a\\nb\n# TYPE halo_data_x gauge\nhalo_data_x{source="a\\"b\\\\c"} 1.5\nhalo_data_x NaN\n');
  });
});
