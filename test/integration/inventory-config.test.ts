/**
 * Issue 17 items 5 and 6 through the CLI: a source's `inventory: full | delta` reaches the
 * batch manifest (stage, stage --inventory, batches show) and is read from there on every load
 * and replay, never from the config of the day; --allow-shrink on load, merge, replay and
 * run; doctor names each inventory source's mode; warehouse status shows current and history
 * rows and per source the last observed time, and on a warehouse still at version 2 says to
 * upgrade instead of failing.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliRun } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { INVENTORY_HEADER, inventoryCsv } from '../support/inventory.js';
import { seedPglite } from '../support/pglite-template.js';
import { loadConfig } from '../../src/config/load.js';
import { openWarehouse } from '../../src/warehouse/open.js';
import { migrations, SCHEMA } from '../../src/warehouse/sql/ddl.js';

const tmp = tempDir('halo-inventory-config-');
after(() => tmp.cleanup());

let n = 0;
/** A project folder with its own config (lake and embedded warehouse inside it). */
function project(sources: string, extra = ''): { dir: string; cfg: string; cli: (...args: string[]) => CliRun; write: (sources: string, extra?: string) => void } {
  const dir = join(tmp.path, `p${n++}`);
  mkdirSync(dir, { recursive: true });
  const cfg = join(dir, 'halo-data.config.yaml');
  const write = (s: string, e = '') => writeFileSync(cfg, `${s}lake: { url: ./lake }\nwarehouse: { engine: pglite, path: ./wh${e} }\n`);
  write(sources, extra);
  return { dir, cfg, write, cli: (...args: string[]) => runCli([...args, '--config', cfg], { cwd: dir }) };
}

/** The same with an empty embedded warehouse copied in (PGlite's initdb paid once per test process, not per case). */
async function projectWithWarehouse(sources: string, extra = ''): Promise<ReturnType<typeof project>> {
  const p = project(sources, extra);
  await seedPglite(p.dir, join(p.dir, 'wh'));
  return p;
}

const source = (name: string, mode?: string) =>
  `  - name: ${name}\n    type: local\n    path: ./drop/${name}\n    schema: merchant_inventory\n${mode ? `    inventory: ${mode}\n` : ''}`;

/** One merchant's catalogue file: `skus` product numbers, each at `price`. */
function catalogue(dir: string, name: string, merchant: string, skus: number[], price = 4500): string {
  const path = join(dir, name);
  writeFileSync(path, INVENTORY_HEADER + skus.map((i) => `${merchant},BRG-${String(i).padStart(5, '0')},Produk ${i},,Strip,${price},${i + 1},21/11/2027,21/11/2026 10:30\n`).join(''));
  return path;
}

const manifestOf = (p: ReturnType<typeof project>, id: string) => {
  const r = p.cli('batches', 'show', id, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
};

describe('the inventory mode goes into the manifest', () => {
  test('stage --inventory delta writes delta; default full; batches show says which; claims record none', () => {
    const p = project('sources:\n' + source('pharmacies', 'delta') + source('plain'));
    const file = catalogue(p.dir, 'm1.csv', 'M1', [0, 1, 2]);
    const stage = (...args: string[]) => p.cli('stage', file, '--schema', 'merchant_inventory', ...args);

    const delta = stage('--inventory', 'delta', '--source', 'oneoff');
    assert.equal(delta.code, 0, delta.stderr);
    const shown = manifestOf(p, delta.stdout.trim());
    assert.equal(shown.manifest.inventory, 'delta');
    assert.equal(shown.inventory, 'delta');
    const text = p.cli('batches', 'show', delta.stdout.trim());
    assert.match(text.stdout, /\n {2}inventory: delta \(only what changed: products it lacks are kept\)\n/);

    const plain = stage('--source', 'oneoff');
    assert.equal(manifestOf(p, plain.stdout.trim()).manifest.inventory, 'full', 'every inventory batch says its mode outright');
    // A configured source's own mode: the flag is not needed, and may not contradict it.
    assert.equal(manifestOf(p, stage('--source', 'pharmacies').stdout.trim()).manifest.inventory, 'delta');
    assert.equal(manifestOf(p, stage('--source', 'plain').stdout.trim()).manifest.inventory, 'full');
    const contra = stage('--source', 'plain', '--inventory', 'delta');
    assert.equal(contra.code, 2, contra.stderr);
    assert.match(contra.stderr, /--inventory delta contradicts source 'plain', whose config says inventory: full \(the default\)/);

    const unknown = stage('--inventory', 'partial');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--inventory/);
    const claims = p.cli('stage', file, '--schema', 'insurance_claim', '--inventory', 'full');
    assert.equal(claims.code, 2, claims.stderr);
    assert.match(claims.stderr, /--inventory is only for merchant_inventory batches/);
  });

  test('a config error names the key and its line (exit 2): an unknown mode, or a mode on a claims source', () => {
    const bad = project('sources:\n' + source('pharmacies', 'sometimes'));
    const r = bad.cli('batches', 'list');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /halo-data\.config\.yaml:6: sources\[0\]\.inventory: must be one of full, delta/);
    const claims = project('sources:\n  - name: claims\n    type: local\n    schema: insurance_claim\n    inventory: full\n');
    const c = claims.cli('batches', 'list');
    assert.equal(c.code, 2, c.stderr);
    assert.match(c.stderr, /:5: sources\[0\]\.inventory: source 'claims' has schema insurance_claim: inventory \(full \| delta\) is only for merchant_inventory sources/);
  });
});

describe('--allow-shrink and doctor', () => {
  test('load, merge, replay and run list --allow-shrink in their help', () => {
    for (const cmd of ['load', 'merge', 'replay', 'run']) {
      const r = runCli([cmd, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.replace(/\s+/g, ' '), /--allow-shrink apply a full catalogue even when it lists under half of a merchant's current products/, cmd);
    }
  });

  test('doctor shows each inventory source\'s mode in its line, the default said as such', () => {
    const p = project('sources:\n' + source('pharmacies', 'delta') + source('plain') + '  - name: pdfs\n    type: local\n    path: ./drop/pdfs\n    schema: claim_pdf\n');
    for (const name of ['pharmacies', 'plain', 'pdfs']) mkdirSync(join(p.dir, 'drop', name), { recursive: true });
    const r = p.cli('doctor', '--json');
    const checks: Array<{ check: string; detail: string }> = JSON.parse(r.stdout).checks;
    const line = (name: string) => checks.find((c) => c.check === `source ${name}`)?.detail ?? '';
    assert.match(line('pharmacies'), /: 0 files match its paths; inventory: delta \(each file holds only what changed: a product missing from it is kept\)$/);
    assert.match(line('plain'), /; inventory: full \(each file is a merchant's whole catalogue: a product missing from it is delisted\), the default$/);
    assert.doesNotMatch(line('pdfs'), /; inventory:/);
  });
});

/** Applies the star schema's versions up to 2 only: a warehouse as the release before issue 17 left it. */
async function versionTwoWarehouse(dir: string): Promise<void> {
  const config = loadConfig({ cwd: dir, env: { HALO_DATA_WAREHOUSE_PATH: join(dir, 'wh') } });
  const wh = await openWarehouse(config);
  try {
    await wh.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await wh.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`);
    for (const m of migrations(wh.dialect).filter((x) => x.version <= 2)) {
      await wh.execute([...m.statements.map((sql) => ({ kind: 'sql' as const, sql })),
        { kind: 'sql', sql: `INSERT INTO ${SCHEMA}.schema_version (version, applied_at) VALUES ($1, CAST($2 AS TIMESTAMP))`, params: [m.version, new Date().toISOString()] }]);
    }
  } finally {
    await wh.close();
  }
}

describe('warehouse status', () => {
  test('a warehouse still at version 2: its own tables counted, and "run warehouse init to upgrade" instead of per-source times', async () => {
    const p = await projectWithWarehouse('');
    await versionTwoWarehouse(p.dir);
    const r = p.cli('warehouse', 'status', '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.schemaVersion, 2);
    assert.equal(s.tables.fact_inventory_snapshot, 0);
    assert.equal(s.sources, null);
    assert.match(s.note, /run halo-data warehouse init to upgrade/);
    const text = p.cli('warehouse', 'status');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /per-source observed times need schema version 3: run halo-data warehouse init to upgrade/);
    assert.equal(JSON.parse(p.cli('warehouse', 'status', '--json').stdout).schemaVersion, 2, 'status upgrades nothing');
  });

  test('current and history rows, and per source the last observed time and last load', async () => {
    const p = await projectWithWarehouse('sources:\n' + source('pharmacies'));
    const a = p.cli('stage', catalogue(p.dir, 'a.csv', 'M1', [0, 1, 2, 3]), '--schema', 'merchant_inventory', '--source', 'pharmacies');
    const b = p.cli('stage', catalogue(p.dir, 'b.csv', 'M2', [0, 1]), '--schema', 'merchant_inventory', '--source', 'others');
    for (const x of [a, b]) assert.equal(x.code, 0, x.stderr);
    const load = p.cli('load', a.stdout.trim(), b.stdout.trim());
    assert.equal(load.code, 0, load.stderr);
    const s = JSON.parse(p.cli('warehouse', 'status', '--json').stdout);
    assert.equal(s.schemaVersion, 3);
    assert.equal(s.tables.fact_inventory_current, 6);
    assert.equal(s.tables.fact_inventory_history, 6, 'every product new: one version each');
    assert.equal(s.tables.etl_batch_merchant, 2);
    assert.equal(s.tables.fact_inventory_snapshot, undefined);
    assert.deepEqual(s.sources.map((x: { source: string; merchants: number; lastLoadedBatch: string }) => [x.source, x.merchants, x.lastLoadedBatch]),
      [['others', 1, b.stdout.trim()], ['pharmacies', 1, a.stdout.trim()]]);
    for (const x of s.sources) assert.match(x.lastObservedAt, /^2026-11-21T\d\d:30:00\.000Z$/, 'the rows\' updated_at');
    const text = p.cli('warehouse', 'status').stdout;
    assert.match(text, /fact_inventory_current +6\n/);
    assert.match(text, /fact_inventory_history +6\n/);
    assert.match(text, new RegExp(`\\n  pharmacies  last observed 2026-11-21T\\d\\d:30:00\\.000Z \\(1 merchant\\); last load ${a.stdout.trim()} at `));
  });
});

describe('a batch loads as its manifest says, forever; the shrink guard and --allow-shrink', () => {
  const listed = (p: ReturnType<typeof project>) => JSON.parse(p.cli('warehouse', 'query',
    'SELECT p.merchant_sku AS sku, c.is_listed AS listed, CAST(c.selling_price AS VARCHAR) AS price FROM halo.fact_inventory_current c JOIN halo.dim_product p USING (product_sk) ORDER BY 1', '--json').stdout)
    .map((x: { sku: string; listed: boolean; price: string }) => `${x.sku}:${x.listed ? 'listed' : 'delisted'}:${Number(x.price)}`);

  test('replay reads the manifest\'s mode, not the config of the day; a full shrink fails unless --allow-shrink (load, merge, replay)', async () => {
    const p = await projectWithWarehouse('sources:\n' + source('pharmacies', 'full'));
    const stage = (file: string) => { const r = p.cli('stage', file, '--schema', 'merchant_inventory', '--source', 'pharmacies'); assert.equal(r.code, 0, r.stderr); return r.stdout.trim(); };
    const a = stage(catalogue(p.dir, 'a.csv', 'M1', [0, 1, 2, 3]));
    p.write('sources:\n' + source('pharmacies', 'delta'));
    const b = stage(catalogue(p.dir, 'b.csv', 'M1', [0], 5000));
    assert.equal(manifestOf(p, b).manifest.inventory, 'delta');
    assert.equal(p.cli('load', a, b).code, 0);
    const afterDelta = ['BRG-00000:listed:5000', 'BRG-00001:listed:4500', 'BRG-00002:listed:4500', 'BRG-00003:listed:4500'];
    assert.deepEqual(listed(p), afterDelta);
    // The source is full again: B (1 product of 4) replayed as full would be a shrink (exit 1). It is a delta forever.
    p.write('sources:\n' + source('pharmacies', 'full'));
    const replay = p.cli('replay', b, '--yes');
    assert.equal(replay.code, 0, replay.stderr);
    assert.deepEqual(listed(p), afterDelta);

    // A full catalogue of 1 product where 4 are listed: refused, naming the merchant and both counts.
    const c = stage(catalogue(p.dir, 'c.csv', 'M1', [0], 5000));
    const refused = p.cli('load', c);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /inventory-shrink|under 50 %/);
    assert.match(refused.stderr, /merchant M1 lists 1 product in it, 4 now/);
    assert.deepEqual(listed(p), afterDelta, 'nothing delisted');
    // merge: staged with --no-merge, the guard holds at merge time too.
    assert.equal(p.cli('load', c, '--no-merge', '--force').code, 0);
    const unmerged = p.cli('merge', '--batch', c);
    assert.equal(unmerged.code, 1, unmerged.stderr);
    assert.match(unmerged.stderr, /merchant M1 lists 1 product in it, 4 now/);
    const merged = p.cli('merge', '--batch', c, '--allow-shrink');
    assert.equal(merged.code, 0, merged.stderr);
    assert.deepEqual(listed(p), ['BRG-00000:listed:5000', 'BRG-00001:delisted:4500', 'BRG-00002:delisted:4500', 'BRG-00003:delisted:4500']);
    // replay takes the flag too (here it is not needed: 1 product listed of 1).
    assert.equal(p.cli('replay', c, '--yes', '--allow-shrink').code, 0);
  });

  test('warehouse.shrinkGuardPercent: 0 turns the guard off', async () => {
    const p = await projectWithWarehouse('sources:\n' + source('pharmacies'), ', shrinkGuardPercent: 0');
    const stage = (file: string) => p.cli('stage', file, '--schema', 'merchant_inventory', '--source', 'pharmacies').stdout.trim();
    const a = stage(catalogue(p.dir, 'a.csv', 'M1', [0, 1, 2, 3]));
    const c = stage(catalogue(p.dir, 'c.csv', 'M1', [0]));
    const r = p.cli('load', a, c);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(listed(p).filter((x: string) => x.endsWith(':4500') && x.includes(':listed')).length, 1);
  });

  test('run --allow-shrink loads the fetch a plain run left failed', async () => {
    // Taken at the first listing (a fresh file otherwise waits for a second one).
    const p = await projectWithWarehouse('sources:\n' + source('pharmacies') + '    stableAfterSeconds: 0\n');
    const drop = join(p.dir, 'drop', 'pharmacies');
    mkdirSync(drop, { recursive: true });
    writeFileSync(join(drop, 'stok.csv'), inventoryCsv('M1', 4));
    const first = runCli(['run', '--config', p.cfg], { cwd: p.dir });
    assert.equal(first.code, 0, first.stderr);
    writeFileSync(join(drop, 'stok.csv'), readFileSync(join(drop, 'stok.csv'), 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
    const shrunk = runCli(['run', '--config', p.cfg], { cwd: p.dir });
    assert.equal(shrunk.code, 1, shrunk.stderr);
    assert.equal(listed(p).filter((x: string) => x.includes(':listed')).length, 4);
    const allowed = runCli(['run', '--allow-shrink', '--config', p.cfg], { cwd: p.dir });
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(listed(p).filter((x: string) => x.includes(':listed')).length, 1);
  });
});
