/**
 * Issue 17 item 5: a full catalogue much smaller than what a merchant lists now is refused,
 * not applied as a mass delisting (a truncated upload must not empty a pharmacy): exit 1,
 * the merchant and both counts named, nothing loaded; exactly half applies; `--allow-shrink`
 * applies it.
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
  // One warehouse, one story (each CLI process costs a second; inventory-config.test.ts covers
  // the refusal through merge, replay, run and shrinkGuardPercent 0, and a delta batch).
  test('at exactly half a full catalogue applies; under half it is refused, named, nothing written; --allow-shrink applies it', () => {
    const p = project('shrink');
    assert.equal(p.cli('load', p.stage([...rows('M1', range(10)), ...rows('M2', range(4))])).code, 0);
    // 5 of 10: not under half.
    assert.equal(p.cli('load', p.stage([...rows('M1', range(5)), ...rows('M2', range(4))])).code, 0);
    assert.equal(p.listed('M1'), 5);
    // M1 sends 2 of its 5 (40 %); M2 all of its 4, one price changed.
    const small = p.stage([...rows('M1', range(2)), ...rows('M2', [1, 2, 3]), 'M2,SKU-4,Obat 4,,9999,5,strip,,']);
    const history = Number(p.q('SELECT COUNT(*) AS n FROM halo.fact_inventory_history')[0].n);
    const r = p.cli('load', small);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`batch ${small}: a full catalogue under 50 % .* merchant M1 lists 2 products in it, 5 now; nothing of the batch was loaded`));
    assert.match(r.stderr, /--allow-shrink/);
    assert.doesNotMatch(r.stderr, /M2 lists/, 'M2 sent its whole catalogue');
    assert.equal(p.listed('M1'), 5);
    assert.equal(Number(p.q('SELECT COUNT(*) AS n FROM halo.fact_inventory_history')[0].n), history, 'nothing of the batch was written');
    assert.deepEqual(p.q(`SELECT status FROM halo.etl_batch WHERE batch_id = '${small}'`), [{ status: 'failed' }]);
    // The operator says the catalogue really shrank.
    const ok = p.cli('load', small, '--allow-shrink');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(p.listed('M1'), 2);
    assert.deepEqual(p.q(`SELECT COUNT(*) AS n FROM halo.fact_inventory_history WHERE batch_id = '${small}' AND change_kind = 'delisted'`).map((x) => Number(x.n)), [3]);
    assert.deepEqual(p.q(`SELECT selling_price FROM halo.fact_inventory_current WHERE merchant_id = 'M2' AND merchant_sku = 'SKU-4'`).map((x) => Number(x.selling_price)), [9999]);
  });
});
