/**
 * Issue 17 item 7: `halo-data changes` through the CLI. Real loads of a small history into
 * the embedded warehouse (a price changed, a product delisted, a new one, a source of its
 * own, a late batch), then the feed:
 * order and values, --since a batch or a time, --source, CSV, resuming from the last line,
 * nothing printed when nothing is new, usage errors, and a feed longer than one page and one
 * pipe buffer read through `| head`. PostgreSQL and the Redshift emulator (strict) are given
 * one history by SQL and must print the same feed.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { runCli, runCliAsync, BIN } from '../support/cli.js';
import { startPostgres, postgresAvailable, createTestDatabase, TEST_PGPASSWORD, type TestPostgres } from '../support/postgres.js';
import { startRedshiftDataEmulator, type RedshiftEmulator } from '../support/redshift-data-emulator.js';
import { tempDir } from '../support/tmp.js';
import { INVENTORY_HEADER, inventoryCsv } from '../support/inventory.js';

const tmp = tempDir('halo-changes-');
const cfg = join(tmp.path, 'halo-data.config.yaml');
const whFolder = join(tmp.path, 'wh');

/** Ids of the SQL-seeded history (PostgreSQL, Redshift emulator): B15 is older than B20 and loaded last. */
const B = { b10: '01JD3Q7W0Y5R4M8Z2K6F9X1B10', b15: '01JD3Q7W0Y5R4M8Z2K6F9X1B15', b20: '01JD3Q7W0Y5R4M8Z2K6F9X1B20', b30: '01JD3Q7W0Y5R4M8Z2K6F9X1B30', o10: '01JD3Q7W0Y5R4M8Z2K6F9X1C10' };

type Exec = (sql: string, params?: unknown[]) => Promise<unknown>;

/** One load (the `seq`th) written by SQL: a batch and the versions it wrote ([sku, kind, price, stock, listed]). */
async function load(exec: Exec, seq: number, batch: string, source: string, merchant: string, versions: Array<[string, string, string, number, boolean]>): Promise<void> {
  await exec(`INSERT INTO halo.etl_batch (batch_id, source, schema_name, schema_version, status, finished_at, load_seq)
    VALUES ($1, $2, 'merchant_inventory', 1, 'loaded', CAST($3 AS TIMESTAMP), CAST($4 AS BIGINT))`, [batch, source, `2026-12-07 08:0${seq}:00`, String(seq)]);
  for (const [sku, kind, price, stock, listed] of versions) {
    await exec(`INSERT INTO halo.dim_product (merchant_id, merchant_sku, product_name, barcode, batch_id)
      SELECT CAST($1 AS VARCHAR(64)), CAST($2 AS VARCHAR(64)), 'Produk', CAST($3 AS VARCHAR(64)), CAST($4 AS VARCHAR(26))
      WHERE NOT EXISTS (SELECT 1 FROM halo.dim_product WHERE merchant_id = CAST($1 AS VARCHAR(64)) AND merchant_sku = CAST($2 AS VARCHAR(64)))`, [merchant, sku, sku === 'A' ? BARCODE : null, batch]);
    await exec(`INSERT INTO halo.fact_inventory_history (product_sk, merchant_sk, batch_id, change_kind, selling_price, stock_qty, is_listed, valid_from, is_current, load_seq)
      SELECT product_sk, 1, $3, $4, CAST($5 AS DECIMAL(14,2)), $6, $7, CAST($8 AS TIMESTAMP), true, CAST($9 AS BIGINT) FROM halo.dim_product WHERE merchant_id = $1 AND merchant_sku = $2`,
    [merchant, sku, batch, kind, price, stock, listed, `2026-11-2${seq} 10:30:00`, String(seq)]);
  }
}

/** The same history as the real loads below, by SQL (for engines the lake cannot load here: the emulator COPYs from S3 only). */
async function seed(exec: Exec): Promise<void> {
  await load(exec, 1, B.b10, 'merchants', 'M1', [['A', 'new', '4500.00', 10, true], ['B', 'new', '5000.00', 5, true], ['C', 'new', '1000.00', 3, true]]);
  await load(exec, 2, B.b20, 'merchants', 'M1', [['A', 'changed', '4000.00', 10, true], ['C', 'delisted', '1000.00', 0, false]]);
  await load(exec, 3, B.b30, 'merchants', 'M1', [['D', 'new', '750.00', 2, true]]);
  await load(exec, 4, B.o10, 'other', 'M2', [['A', 'new', '4600.00', 1, true]]);
  await load(exec, 5, B.b15, 'merchants', 'M1', [['A', 'changed', '4200.00', 9, true]]);
}

/** A valid EAN-13 (a barcode the schema keeps). */
const BARCODE = '8991234567891';

/** An inventory file of merchant `m`, observed at `at` (Tgl Update, dd/mm/yyyy hh:mm, Jakarta time: UTC+7 in the warehouse): [sku, price, stock] rows. */
function inventoryFile(name: string, m: string, at: string, rows: Array<[string, number, number]>): string {
  const file = join(tmp.path, name);
  writeFileSync(file, INVENTORY_HEADER + rows.map(([sku, price, stock]) => `${m},${sku},Produk ${sku},${sku === 'A' ? BARCODE : ''},Strip,${price},${stock},21/11/2027,${at}\n`).join(''));
  return file;
}

/** Batch ids of the real loads, by name; their load order is LOADS. */
const ids: Record<string, string> = {};

function stageFile(name: string, source: string, file: string): void {
  const r = runCli(['stage', file, '--schema', 'merchant_inventory', '--source', source, '--config', cfg]);
  assert.equal(r.code, 0, r.stderr);
  ids[name] = r.stdout.trim();
}

function loadIds(...names: string[]): void {
  const r = runCli(['load', ...names.map((n) => ids[n]), '--config', cfg]);
  assert.equal(r.code, 0, r.stderr);
}

before(() => {
  writeFileSync(cfg, `lake: { url: ${JSON.stringify(join(tmp.path, 'lake'))} }\nwarehouse: { engine: pglite, path: ${JSON.stringify(whFolder)} }\n`);
  // Staged in the source's order (b10 < b15 < b20 < b30; o10 after them): each batch id is later than the one before.
  stageFile('b10', 'merchants', inventoryFile('b10.csv', 'M1', '21/11/2026 10:30', [['A', 4500, 10], ['B', 5000, 5], ['C', 1000, 3]]));
  stageFile('b15', 'merchants', inventoryFile('b15.csv', 'M1', '21/11/2026 11:00', [['A', 4200, 9], ['B', 5000, 5], ['C', 1000, 3]]));
  stageFile('b20', 'merchants', inventoryFile('b20.csv', 'M1', '21/11/2026 11:30', [['A', 4000, 10], ['B', 5000, 5]]));
  stageFile('b30', 'merchants', inventoryFile('b30.csv', 'M1', '21/11/2026 12:00', [['A', 4000, 10], ['B', 5000, 5], ['D', 750, 2]]));
  stageFile('o10', 'other', inventoryFile('o10.csv', 'M2', '21/11/2026 12:30', [['A', 4600, 1]]));
  // One load command loads its batches in id order: b10, b20, b30, o10. Then b15, late.
  loadIds('b10', 'b20', 'b30', 'o10');
  loadIds('b15');
});
after(() => tmp.cleanup());

const changes = (...args: string[]) => runCli(['changes', ...args, '--config', cfg]);
const lines = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
const nameOf = (id: string) => [...Object.entries(B), ...Object.entries(ids)].find(([, v]) => v === id)?.[0] ?? id;
const brief = (c: { kind: string; merchant_id: string; merchant_sku: string; old_price: number | null; new_price: number; batch: string }) =>
  `${c.kind} ${c.merchant_id}/${c.merchant_sku} ${c.old_price ?? '-'}→${c.new_price} ${nameOf(c.batch)}`;

/**
 * The feed of the whole history, in load order: b20's A follows b15 in batch order once b15 is
 * loaded (old values are the previous version by batch id, as the history now stands).
 */
const ALL = [
  'new M1/A -→4500 b10', 'new M1/B -→5000 b10', 'new M1/C -→1000 b10',
  'changed M1/A 4200→4000 b20', 'delisted M1/C 1000→1000 b20',
  'new M1/D -→750 b30',
  'new M2/A -→4600 o10',
  'changed M1/A 4500→4200 b15',
];

describe('the same feed on PostgreSQL and through the Redshift Data API (emulator, strict)', { skip: postgresAvailable() ? false : 'PostgreSQL is not installed' }, () => {
  let server: TestPostgres;
  let emu: RedshiftEmulator;
  const configs: Record<string, string> = {};
  const env = { PGPASSWORD: TEST_PGPASSWORD, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_EC2_METADATA_DISABLED: 'true' };

  before(async () => {
    server = await startPostgres();
    const pgUrl = await createTestDatabase(server, 'changes_pg');
    const rsUrl = await createTestDatabase(server, 'changes_rs');
    // No COPY here: the emulator's S3 is never reached.
    emu = await startRedshiftDataEmulator({ postgresUrl: rsUrl, s3: { endpoint: 'http://127.0.0.1:9', region: 'ap-southeast-3', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } } });
    const lake = `lake: { url: ${JSON.stringify(join(tmp.path, 'lake'))} }\n`;
    configs.postgres = join(tmp.path, 'pg.yaml');
    writeFileSync(configs.postgres, `${lake}warehouse:\n  engine: postgres\n  url: ${server.url.replace(/\/postgres$/, '/changes_pg')}\n`);
    configs.redshift = join(tmp.path, 'rs.yaml');
    writeFileSync(configs.redshift, `${lake}warehouse:\n  engine: redshift-data\n  clusterIdentifier: halo-test\n  database: dev\n  dbUser: halo_etl\n  endpoint: ${emu.endpoint}\n  region: ap-southeast-3\n`);
    for (const [name, url] of [['postgres', pgUrl], ['redshift', rsUrl]] as const) {
      const init = await runCliAsync(['warehouse', 'init', '--config', configs[name]], { env });
      assert.equal(init.code, 0, init.stderr);
      // The history by SQL straight into the database under the engine (the feed only reads it).
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try { await seed((sql, params) => db.query(sql, params)); } finally { await db.end(); }
    }
  });
  after(async () => {
    await emu?.stop();
    await server?.stop();
  });

  test('both print the same feed (the embedded one\'s, for the same history), line for line; --since a batch and --source too', async () => {
    for (const args of [['--since', '2026-12-01'], ['--since', B.b10, '--source', 'merchants']]) {
      const outs = await Promise.all(Object.values(configs).map((file) => runCliAsync(['changes', ...args, '--config', file], { env })));
      for (const r of outs) assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(outs[1].stdout, outs[0].stdout, 'the emulator prints what PostgreSQL prints');
      const out = lines(outs[0].stdout);
      assert.deepEqual(out.slice(0, -1).map(brief), args[1] === B.b10 ? ALL.slice(3).filter((l) => !l.includes('o10')) : ALL);
      assert.deepEqual(out.at(-1), { next: { since: B.b15 }, changes: out.length - 1 });
    }
    // The feed's statements went through the strict checks.
    assert.ok([...emu.statements].some((s) => /LAG\(x\.selling_price\)/.test(s)));
  });
});

describe('halo-data changes (embedded warehouse, real loads)', () => {
  test('from a time before every load: every change in load order, then where to continue', () => {
    const r = changes('--since', '2026-01-01');
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    const last = out.pop();
    assert.deepEqual(out.map(brief), ALL);
    assert.deepEqual(last, { next: { since: ids.b15 }, changes: ALL.length });
    assert.deepEqual(out[4], {
      kind: 'delisted', merchant_id: 'M1', merchant_sku: 'C', barcode: null, old_price: 1000, old_stock: 3, new_price: 1000, new_stock: 0,
      is_listed: false, observed_at: '2026-11-21T04:30:00.000Z', batch: ids.b20,
    });
    assert.equal(out[0].barcode, BARCODE);
    // Prices as the warehouse holds them (exact decimal text).
    assert.match(r.stdout, /"new_price":750\.00,/);
  });

  test('--since a batch: the loads after its load; a time: the loads finished after it (no zone = UTC, or with one)', () => {
    assert.deepEqual(lines(changes('--since', ids.b20).stdout).slice(0, -1).map(brief), ALL.slice(5));
    const ledger = JSON.parse(runCli(['warehouse', 'query', 'SELECT CAST(finished_at AS VARCHAR(32)) AS t FROM halo.etl_batch ORDER BY load_seq', '--json', '--config', cfg]).stdout) as Array<{ t: string }>;
    // After the second load finished, given in UTC+7.
    const at = new Date(`${ledger[1].t.replace(' ', 'T')}Z`).getTime() + 7 * 3600_000;
    const local = `${new Date(at).toISOString().slice(0, 23)}+07:00`;
    assert.deepEqual(lines(changes('--since', local).stdout).slice(0, -1).map(brief), ALL.slice(5));
  });

  test('nothing loaded after --since: nothing printed, exit 0', () => {
    const r = changes('--since', '2099-01-01');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
  });

  test('--source: only its batches\' changes; the position still covers every load read', () => {
    const out = lines(changes('--since', '2026-01-01', '--source', 'other').stdout);
    assert.deepEqual(out.map((c) => (c.next ? c : brief(c))), ['new M2/A -→4600 o10', { next: { since: ids.b15 }, changes: 1 }]);
    assert.deepEqual(lines(changes('--since', ids.b30, '--source', 'nobody').stdout), [{ next: { since: ids.b15 }, changes: 0 }]);
  });

  test('--format csv: a header, RFC 4180 rows, and where to continue on stderr', () => {
    const r = changes('--since', ids.b20, '--format', 'csv');
    assert.equal(r.code, 0, r.stderr);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    assert.equal(r.stdout.split('\n')[0], 'kind,merchant_id,merchant_sku,barcode,old_price,old_stock,new_price,new_stock,is_listed,observed_at,batch');
    assert.deepEqual(rows.map((x) => `${x.kind} ${x.merchant_id}/${x.merchant_sku} ${x.old_price}/${x.old_stock} ${x.new_price}/${x.new_stock} ${x.barcode} ${x.is_listed} ${x.observed_at}`),
      ['new M1/D / 750.00/2  true 2026-11-21T05:00:00.000Z', `new M2/A / 4600.00/1 ${BARCODE} true 2026-11-21T05:30:00.000Z`, `changed M1/A 4500.00/10 4200.00/9 ${BARCODE} true 2026-11-21T04:00:00.000Z`]);
    const hint = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.next);
    assert.deepEqual({ next: hint.next, changes: hint.changes, level: hint.level }, { next: { since: ids.b15 }, changes: 3, level: 'info' });
    assert.match(hint.msg, new RegExp(`--since ${ids.b15}`));
  });

  test('resuming from the last line gives exactly what was loaded since, then nothing', () => {
    const since = lines(changes('--since', ids.b10).stdout).at(-1).next.since;
    stageFile('b40', 'merchants', inventoryFile('b40.csv', 'M1', '21/11/2026 13:00', [['A', 4000, 10], ['B', 5100, 4], ['C', 1000, 6], ['D', 750, 2]]));
    loadIds('b40');
    const rest = lines(changes('--since', since).stdout);
    assert.deepEqual(rest.map((c) => (c.next ? c : brief(c))), ['changed M1/B 5000→5100 b40', 'relisted M1/C 1000→1000 b40', { next: { since: ids.b40 }, changes: 2 }]);
    assert.equal(changes('--since', rest.at(-1).next.since).stdout, '');
  });

  // A replay gave the batch a new place in the load order (the ledger row is written again),
  // so a consumer holding it as its position skipped every load made between.
  test('loading again the batch a consumer holds moves nothing: resuming from it still gives what was loaded since', () => {
    const held = ids.b40;
    stageFile('b50', 'merchants', inventoryFile('b50.csv', 'M1', '21/11/2026 13:30', [['A', 4000, 10], ['B', 5200, 4], ['C', 1000, 6], ['D', 750, 2]]));
    loadIds('b50');
    // Loaded again whole, and staged again then merged (--no-merge --force, merge).
    for (const again of [['load', held, '--force'], ['load', held, '--force', '--no-merge'], ['merge', '--batch', held]]) {
      const r = runCli([...again, '--config', cfg]);
      assert.equal(r.code, 0, `${again.join(' ')}: ${r.stderr}`);
      const rest = lines(changes('--since', held).stdout);
      assert.deepEqual(rest.map((c) => (c.next ? c : brief(c))), ['changed M1/B 5100→5200 b50', { next: { since: ids.b50 }, changes: 1 }], again.join(' '));
    }
  });

  test('usage errors (exit 2): a batch the warehouse never loaded, a --since that is neither, a missing --since, an unknown format', () => {
    const unknown = '01JD3Q7W0Y5R4M8Z2K6F9X1Z99';
    const r = changes('--since', unknown);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`no batch ${unknown}`));
    for (const args of [['--since', 'last tuesday'], [], ['--since', ids.b10, '--format', 'xml']]) {
      const x = changes(...args);
      assert.equal(x.code, 2, `${args.join(' ')}: ${x.stderr}`);
    }
    assert.match(changes('--since', 'last tuesday').stderr, /'last tuesday'/);
  });
});

describe('a feed longer than a page and a pipe buffer', () => {
  /** Before the big load: the feed after it holds that load only. */
  let since = '';
  before(() => {
    since = new Date().toISOString();
    const file = join(tmp.path, 'm3.csv');
    writeFileSync(file, inventoryCsv('M3', 25_000));
    stageFile('m3', 'merchants', file);
    loadIds('m3');
  });

  test('three pages, every row once', () => {
    const r = changes('--since', since);
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.deepEqual(out.at(-1), { next: { since: ids.m3 }, changes: 25_000 });
    assert.equal(new Set(out.slice(0, -1).map((c) => `${c.merchant_id}/${c.merchant_sku}`)).size, 25_000);
  });

  test('| head: the reader leaving is not a failure (no EPIPE trace, exit 0)', () => {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `node "${BIN}" changes --since ${since} --config "${cfg}" | head -c 100 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`], {
      encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000,
    });
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled 'error' event|at .*\.js:\d+/, r.stderr);
    assert.match(r.stderr, /exit=0/);
  });
});
