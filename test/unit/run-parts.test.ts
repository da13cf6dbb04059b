/**
 * The small parts of `run`: batch ids fixed by the fetch, the exit code that says more, and
 * the Prometheus text (the lock is test/unit/lock.test.ts).
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { isValid, ulid } from 'ulid';
import { batchIdFor, worse } from '../../src/pipeline/run.js';
import { renderMetrics, writeMetricsFile } from '../../src/output/metrics.js';
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

describe('renderMetrics', () => {
  test('HELP, TYPE and samples with escaped labels', () => {
    const text = renderMetrics([{ name: 'halo_data_x', help: 'a\nb', type: 'gauge', samples: [{ labels: { source: 'a"b\\c' }, value: 1.5 }, { value: NaN }] }]);
    assert.equal(text, '# HELP halo_data_x a\\nb\n# TYPE halo_data_x gauge\nhalo_data_x{source="a\\"b\\\\c"} 1.5\nhalo_data_x NaN\n');
  });
});

describe('writeMetricsFile', () => {
  test('folders it creates are 0755 and the file 0644, under the CLI\'s umask 077: node_exporter (another user) reads them', () => {
    const old = process.umask(0o077);
    try {
      const file = join(tmp.path, 'textfile', 'deeper', 'halo_data.prom');
      writeMetricsFile(file, [{ name: 'halo_data_x', help: 'x', type: 'gauge', samples: [{ value: 1 }] }]);
      const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
      assert.equal(mode(join(tmp.path, 'textfile')), '755');
      assert.equal(mode(join(tmp.path, 'textfile', 'deeper')), '755');
      assert.equal(mode(file), '644');
      assert.equal(mode(tmp.path), '700', 'a folder that was there already keeps its mode');
    } finally {
      process.umask(old);
    }
  });
});
