/**
 * Issue 17 item 5: a full catalogue much smaller than what a merchant lists now is refused,
 * not applied as a mass delisting (a truncated upload must not empty a pharmacy): exit 1,
 * the merchant and both counts named, nothing loaded; `--allow-shrink` applies it; the same
 * through `load --no-merge` + `merge`. A delta source's small file delists nothing.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir();
after(() => tmp.cleanup());

const HEAD = 'merchant_id,merchant_sku,product_name,barcode,selling_price,stock_qty,unit,expiry_date,updated_at';
const rows = (merchant: string, skus: number[], price = 1000) => skus.map((i) => `${merchant},SKU-${i},Obat ${i},,${price + i},5,strip,,`);
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

function project(name: string) {
  const dir = join(tmp.path, name);
  const cfg = join(tmp.path, `${name}.yaml`);
  writeFileSync(cfg, `lake: { url: ${JSON.stringify(join(dir, 'lake'))} }\nwarehouse: { engine: pglite, path: ${JSON.stringify(join(dir, 'wh'))} }\n`);
  const cli = (...args: string[]) => runCli([...args, '--config', cfg]);
  let n = 0;
  const stage = (lines: string[], ...extra: string[]) => {
    const f = join(tmp.path, `${name}-${n++}.csv`);
    writeFileSync(f, [HEAD, ...lines].join('\n') + '\n');
    const r = cli('stage', f, '--schema', 'merchant_inventory', '--source', 'shop', ...extra);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const q = (sql: string) => JSON.parse(cli('warehouse', 'query', sql, '--json').stdout) as Array<Record<string, unknown>>;
  const listed = (merchant: string) => Number(q(`SELECT COUNT(*) AS n FROM halo.fact_inventory_current WHERE is_listed AND merchant_id = '${merchant}'`)[0].n);
  return { cli, stage, q, listed };
}

describe('the shrink guard', () => {
  test('a full catalogue under half of what a merchant lists is refused, named, nothing loaded; --allow-shrink applies it', () => {
    const p = project('shrink');
    const first = p.stage([...rows('M1', range(10)), ...rows('M2', range(4))]);
    assert.equal(p.cli('load', first).code, 0);
    // M1 sends 4 of its 10 (40 %); M2 all of its 4, one price changed.
    const small = p.stage([...rows('M1', range(4)), ...rows('M2', [1, 2, 3]), 'M2,SKU-4,Obat 4,,9999,5,strip,,']);
    const history = Number(p.q('SELECT COUNT(*) AS n FROM halo.fact_inventory_history')[0].n);
    const r = p.cli('load', small);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`batch ${small}: a full catalogue under 50 % .* merchant M1 lists 4 products in it, 10 now; nothing of the batch was loaded`));
    assert.match(r.stderr, /--allow-shrink/);
    assert.doesNotMatch(r.stderr, /M2 lists/, 'M2 sent its whole catalogue');
    assert.equal(p.listed('M1'), 10);
    assert.equal(Number(p.q('SELECT COUNT(*) AS n FROM halo.fact_inventory_history')[0].n), history, 'nothing of the batch was written');
    assert.deepEqual(p.q(`SELECT status FROM halo.etl_batch WHERE batch_id = '${small}'`), [{ status: 'failed' }]);
    // The operator says the catalogue really shrank.
    const ok = p.cli('load', small, '--allow-shrink');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(p.listed('M1'), 4);
    assert.deepEqual(p.q(`SELECT COUNT(*) AS n FROM halo.fact_inventory_history WHERE batch_id = '${small}' AND change_kind = 'delisted'`).map((x) => Number(x.n)), [6]);
    assert.deepEqual(p.q(`SELECT selling_price FROM halo.fact_inventory_current WHERE merchant_id = 'M2' AND merchant_sku = 'SKU-4'`).map((x) => Number(x.selling_price)), [9999]);
  });

  test('at exactly half it applies; through load --no-merge and merge the refusal names the merchant too', () => {
    const p = project('half');
    assert.equal(p.cli('load', p.stage(rows('M1', range(10)))).code, 0);
    // 5 of 10: not under half.
    assert.equal(p.cli('load', p.stage(rows('M1', range(5)))).code, 0);
    assert.equal(p.listed('M1'), 5);
    const tiny = p.stage(rows('M1', [1]));
    assert.equal(p.cli('load', tiny, '--no-merge').code, 0);
    const m = p.cli('merge');
    assert.equal(m.code, 1, m.stderr);
    assert.match(m.stderr, /merchant M1 lists 1 product in it, 5 now/);
    assert.equal(p.listed('M1'), 5);
    assert.equal(p.cli('merge', '--allow-shrink').code, 0);
    assert.equal(p.listed('M1'), 1);
  });

  test('a delta source\'s small file changes what it lists and delists nothing', () => {
    const p = project('delta');
    assert.equal(p.cli('load', p.stage(rows('M1', range(10)))).code, 0);
    const d = p.stage(['M1,SKU-3,Obat 3,,5000,0,strip,,'], '--inventory', 'delta');
    const r = p.cli('load', d);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(p.listed('M1'), 10);
    assert.deepEqual(p.q(`SELECT p.merchant_sku, h.change_kind, h.selling_price, h.stock_qty FROM halo.fact_inventory_history h JOIN halo.dim_product p USING (product_sk) WHERE h.batch_id = '${d}'`)
      .map((x) => [x.merchant_sku, x.change_kind, Number(x.selling_price), Number(x.stock_qty)]), [['SKU-3', 'changed', 5000, 0]]);
  });
});
