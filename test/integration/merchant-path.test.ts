/**
 * merchantIdFrom is matched against a file's path as its source listed it, never against the
 * landing folder's absolute path. A short pattern such as "/{merchant_id}/" matched the landing
 * root's first folder ("tmp", "home"…) when staging in run, so every row of every merchant was
 * rejected as merchant-mismatch (the listing check, which used the listed paths, had passed).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { inventoryCsv } from '../support/inventory.js';

const tmp = tempDir('halo-merchant-path-');
after(() => tmp.cleanup());

test('a "/{merchant_id}/" pattern finds each merchant in its folder, wherever the landing folder is', () => {
  const dir = join(tmp.path, 'p');
  for (const [m, rows] of [['M0101', 3], ['M0102', 2]] as const) {
    mkdirSync(join(dir, 'inbox', m), { recursive: true });
    writeFileSync(join(dir, 'inbox', m, 'stok.csv'), inventoryCsv(m, rows));
  }
  const cfg = join(dir, 'halo-data.config.yaml');
  writeFileSync(cfg, [
    'sources:',
    '  - { name: merchants, type: local, path: ./inbox, paths: ["*/*.csv"], merchantIdFrom: "/{merchant_id}/", schema: merchant_inventory, stableAfterSeconds: 0, expectEvery: 1h }',
    '',
  ].join('\n'));
  const run = runCli(['run', '--json', '--config', cfg], { cwd: dir });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const src = JSON.parse(run.stdout).sources[0];
  assert.deepEqual(src.left, [], 'no file left out (merchant-mismatch on every row before)');
  assert.equal(src.rowsLoaded, 5);
  const status = JSON.parse(runCli(['status', '--json', '--config', cfg], { cwd: dir }).stdout);
  assert.deepEqual(status.sources[0].merchants.map((m: { merchant: string }) => m.merchant).sort(), ['M0101', 'M0102']);
  const q = runCli(['warehouse', 'query', 'SELECT DISTINCT m.merchant_id FROM halo.fact_inventory_current f JOIN halo.dim_merchant m USING (merchant_sk) ORDER BY 1', '--json', '--config', cfg], { cwd: dir });
  assert.equal(q.code, 0, q.stderr);
  assert.deepEqual(JSON.parse(q.stdout).map((r: { merchant_id: string }) => r.merchant_id), ['M0101', 'M0102']);
});
