/**
 * Issue 17 item 7: `halo-data changes` through the CLI. Loads of a small history (prices
 * changed, a product delisted, a new one, a source of its own, a late batch), then the feed:
 * order and values, --since a batch or a time, --source, CSV, resuming from the last line,
 * nothing printed when nothing is new, usage errors, and a feed longer than one page and one
 * pipe buffer read through `| head`.
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
import { loadConfig } from '../../src/config/load.js';
import { openWarehouse } from '../../src/warehouse/open.js';
import { initSchema } from '../../src/warehouse/schema.js';
import type { Warehouse, StepParam } from '../../src/warehouse/warehouse.js';

const tmp = tempDir('halo-changes-');
const cfg = join(tmp.path, 'halo-data.config.yaml');
const whFolder = join(tmp.path, 'wh');

/** Batch ids in their source's order; loaded in the order of LOADS (B15 late: after B30). */
const B = { b10: '01JD3Q7W0Y5R4M8Z2K6F9X1B10', b15: '01JD3Q7W0Y5R4M8Z2K6F9X1B15', b20: '01JD3Q7W0Y5R4M8Z2K6F9X1B20', b30: '01JD3Q7W0Y5R4M8Z2K6F9X1B30', o10: '01JD3Q7W0Y5R4M8Z2K6F9X1C10', b40: '01JD3Q7W0Y5R4M8Z2K6F9X1B40' };

type Exec = (sql: string, params?: unknown[]) => Promise<unknown>;

/** What the core adds to a v2 warehouse (etl_batch.load_seq, fact_inventory_history): not on this branch yet, so added by SQL. */
const V3_BY_HAND = [
  'ALTER TABLE halo.etl_batch ADD COLUMN load_seq BIGINT',
  `CREATE TABLE halo.fact_inventory_history (product_sk BIGINT NOT NULL, merchant_sk BIGINT NOT NULL, batch_id VARCHAR(26) NOT NULL,
    change_kind VARCHAR(8) NOT NULL, selling_price DECIMAL(14,2) NOT NULL, stock_qty INTEGER NOT NULL, expiry_date DATE, is_listed BOOLEAN NOT NULL,
    valid_from TIMESTAMP NOT NULL, valid_to TIMESTAMP, is_current BOOLEAN NOT NULL, load_seq BIGINT NOT NULL, PRIMARY KEY (product_sk, batch_id))`,
  `INSERT INTO halo.schema_version (version, applied_at) VALUES (3, CURRENT_TIMESTAMP)`,
];

/** One load (the `seq`th): a batch and the versions it wrote ([sku, kind, price, stock, listed]). */
async function load(exec: Exec, seq: number, batch: string, source: string, merchant: string, versions: Array<[string, string, string, number, boolean]>): Promise<void> {
  await exec(`INSERT INTO halo.etl_batch (batch_id, source, schema_name, schema_version, status, finished_at, load_seq)
    VALUES ($1, $2, 'merchant_inventory', 1, 'loaded', CAST($3 AS TIMESTAMP), CAST($4 AS BIGINT))`, [batch, source, `2026-12-07 08:0${seq}:00`, String(seq)]);
  for (const [sku, kind, price, stock, listed] of versions) {
    await exec(`INSERT INTO halo.dim_product (merchant_id, merchant_sku, product_name, barcode, batch_id)
      SELECT CAST($1 AS VARCHAR(64)), CAST($2 AS VARCHAR(64)), 'Produk', CAST($3 AS VARCHAR(64)), CAST($4 AS VARCHAR(26))
      WHERE NOT EXISTS (SELECT 1 FROM halo.dim_product WHERE merchant_id = CAST($1 AS VARCHAR(64)) AND merchant_sku = CAST($2 AS VARCHAR(64)))`, [merchant, sku, sku === 'A' ? '8991234567890' : null, batch]);
    await exec(`INSERT INTO halo.fact_inventory_history (product_sk, merchant_sk, batch_id, change_kind, selling_price, stock_qty, is_listed, valid_from, is_current, load_seq)
      SELECT product_sk, 1, $3, $4, CAST($5 AS DECIMAL(14,2)), $6, $7, CAST($8 AS TIMESTAMP), true, CAST($9 AS BIGINT) FROM halo.dim_product WHERE merchant_id = $1 AND merchant_sku = $2`,
    [merchant, sku, batch, kind, price, stock, listed, `2026-11-2${seq} 10:30:00`, String(seq)]);
  }
}

/** The history every engine is given: prices changed, a product delisted, a new one, a source of its own, a late batch (B15, loaded last). */
async function seed(exec: Exec): Promise<void> {
  for (const s of V3_BY_HAND) await exec(s);
  await load(exec, 1, B.b10, 'merchants', 'M1', [['A', 'new', '4500.00', 10, true], ['B', 'new', '5000.00', 5, true], ['C', 'new', '1000.00', 3, true]]);
  await load(exec, 2, B.b20, 'merchants', 'M1', [['A', 'changed', '4000.00', 10, true], ['C', 'delisted', '1000.00', 0, false]]);
  await load(exec, 3, B.b30, 'merchants', 'M1', [['D', 'new', '700.50', 2, true]]);
  await load(exec, 4, B.o10, 'other', 'M2', [['A', 'new', '4600.00', 1, true]]);
  // Late: a batch between b10 and b20, loaded last. Its old values are b10's.
  await load(exec, 5, B.b15, 'merchants', 'M1', [['A', 'changed', '4200.00', 9, true]]);
}

/** A warehouse opened in this process (the embedded one: closed again before a CLI opens it). */
async function withWarehouse(fn: (wh: Warehouse) => Promise<void>): Promise<void> {
  const wh = await openWarehouse(loadConfig({ configFile: cfg, env: {}, cwd: tmp.path }));
  try { await fn(wh); } finally { await wh.close(); }
}
const execOn = (wh: Warehouse): Exec => (sql, params) => wh.query(sql, params as StepParam[]);

before(async () => {
  writeFileSync(cfg, `lake: { url: ${JSON.stringify(join(tmp.path, 'lake'))} }\nwarehouse: { engine: pglite, path: ${JSON.stringify(whFolder)} }\n`);
  await withWarehouse(async (wh) => {
    await initSchema(wh);
    await seed(execOn(wh));
  });
});
after(() => tmp.cleanup());

const changes = (...args: string[]) => runCli(['changes', ...args, '--config', cfg]);
const lines = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
const brief = (c: { kind: string; merchant_id: string; merchant_sku: string; old_price: number | null; new_price: number; batch: string }) =>
  `${c.kind} ${c.merchant_id}/${c.merchant_sku} ${c.old_price ?? '-'}→${c.new_price} ${Object.entries(B).find(([, id]) => id === c.batch)?.[0]}`;

const ALL = [
  'new M1/A -→4500 b10', 'new M1/B -→5000 b10', 'new M1/C -→1000 b10',
  'changed M1/A 4200→4000 b20', 'delisted M1/C 1000→1000 b20',
  'new M1/D -→700.5 b30',
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

  test('every engine prints the embedded one\'s feed, line for line; --since a batch and --source too', async () => {
    for (const args of [['--since', '2026-12-01'], ['--since', B.b10, '--source', 'merchants']]) {
      const want = changes(...args).stdout.split('\n');
      for (const [name, file] of Object.entries(configs)) {
        const r = await runCliAsync(['changes', ...args, '--config', file], { env });
        assert.equal(r.code, 0, `${name}: ${r.stderr}`);
        assert.deepEqual(r.stdout.split('\n'), want, name);
      }
    }
    // The feed's statements went through the strict checks.
    assert.ok([...emu.statements].some((s) => /LAG\(x\.selling_price\)/.test(s)));
  });
});

describe('halo-data changes', () => {
  test('from a time before every load: every change in load order, then where to continue', () => {
    const r = changes('--since', '2026-12-01');
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    const last = out.pop();
    assert.deepEqual(out.map(brief), ALL);
    assert.deepEqual(last, { next: { since: B.b15 }, changes: ALL.length });
    assert.deepEqual(out[4], {
      kind: 'delisted', merchant_id: 'M1', merchant_sku: 'C', barcode: null, old_price: 1000, old_stock: 3, new_price: 1000, new_stock: 0,
      is_listed: false, observed_at: '2026-11-22T10:30:00.000Z', batch: B.b20,
    });
    assert.equal(out[0].barcode, '8991234567890');
    // Prices as the warehouse holds them (exact decimal text).
    assert.match(r.stdout, /"new_price":700\.50,/);
  });

  test('--since a batch: the loads after its load; a time: the loads finished after it (no zone = UTC)', () => {
    assert.deepEqual(lines(changes('--since', B.b10).stdout).slice(0, -1).map(brief), ALL.slice(3));
    assert.deepEqual(lines(changes('--since', '2026-12-07T15:02:30+07:00').stdout).slice(0, -1).map(brief), ALL.slice(5));
  });

  test('nothing loaded after --since: nothing printed, exit 0', () => {
    for (const since of ['2026-12-08']) {
      const r = changes('--since', since);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
    }
  });

  test('--source: only its batches\' changes; the position still covers every load read', () => {
    const out = lines(changes('--since', '2026-12-01', '--source', 'other').stdout);
    assert.deepEqual(out.map((c) => (c.next ? c : brief(c))), ['new M2/A -→4600 o10', { next: { since: B.b15 }, changes: 1 }]);
    assert.deepEqual(lines(changes('--since', B.b30, '--source', 'nobody').stdout), [{ next: { since: B.b15 }, changes: 0 }]);
  });

  test('--format csv: a header, RFC 4180 rows, and where to continue on stderr', () => {
    const r = changes('--since', B.b20, '--format', 'csv');
    assert.equal(r.code, 0, r.stderr);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    assert.equal(r.stdout.split('\n')[0], 'kind,merchant_id,merchant_sku,barcode,old_price,old_stock,new_price,new_stock,is_listed,observed_at,batch');
    assert.deepEqual(rows.map((x) => `${x.kind} ${x.merchant_id}/${x.merchant_sku} ${x.old_price}/${x.old_stock} ${x.new_price}/${x.new_stock} ${x.barcode} ${x.is_listed}`),
      ['new M1/D / 700.50/2  true', 'new M2/A / 4600.00/1 8991234567890 true', 'changed M1/A 4500.00/10 4200.00/9 8991234567890 true']);
    const hint = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.next);
    assert.deepEqual({ next: hint.next, changes: hint.changes, level: hint.level }, { next: { since: B.b15 }, changes: 3, level: 'info' });
    assert.match(hint.msg, new RegExp(`--since ${B.b15}`));
  });

  test('resuming from the last line gives exactly what was loaded since', async () => {
    const first = lines(changes('--since', B.b10).stdout);
    const since = first.at(-1).next.since;
    await withWarehouse((wh) => load(execOn(wh), 6, B.b40, 'merchants', 'M1', [['B', 'changed', '5100.00', 4, true], ['C', 'relisted', '1000.00', 6, true]]));
    const rest = lines(changes('--since', since).stdout);
    assert.deepEqual(rest.map((c) => (c.next ? c : brief(c))), ['changed M1/B 5000→5100 b40', 'relisted M1/C 1000→1000 b40', { next: { since: B.b40 }, changes: 2 }]);
    assert.equal(changes('--since', rest.at(-1).next.since).stdout, '');
  });

  test('usage errors (exit 2): a batch the warehouse never loaded, a --since that is neither, a missing --since, an unknown format', () => {
    const unknown = '01JD3Q7W0Y5R4M8Z2K6F9X1Z99';
    const r = changes('--since', unknown);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`no batch ${unknown}`));
    for (const args of [['--since', 'last tuesday'], [], ['--since', B.b10, '--format', 'xml']]) {
      const x = changes(...args);
      assert.equal(x.code, 2, `${args.join(' ')}: ${x.stderr}`);
    }
    assert.match(changes('--since', 'last tuesday').stderr, /'last tuesday'/);
  });
});

describe('a feed longer than a page and a pipe buffer', () => {
  before(async () => {
    await withWarehouse(async (wh) => {
      const seq = '7';
      await wh.query(`INSERT INTO halo.etl_batch (batch_id, source, schema_name, schema_version, status, finished_at, load_seq)
        VALUES ('01JD3Q7W0Y5R4M8Z2K6F9X1B50', 'merchants', 'merchant_inventory', 1, 'loaded', CAST('2026-12-07 09:00:00' AS TIMESTAMP), CAST($1 AS BIGINT))`, [seq]);
      await wh.query(`INSERT INTO halo.dim_product (merchant_id, merchant_sku, product_name, batch_id)
        SELECT 'M3', 'SKU-' || LPAD(CAST(i AS VARCHAR), 6, '0'), 'Produk', '01JD3Q7W0Y5R4M8Z2K6F9X1B50' FROM generate_series(1, 25000) AS g(i)`);
      await wh.query(`INSERT INTO halo.fact_inventory_history (product_sk, merchant_sk, batch_id, change_kind, selling_price, stock_qty, is_listed, valid_from, is_current, load_seq)
        SELECT product_sk, 3, '01JD3Q7W0Y5R4M8Z2K6F9X1B50', 'new', 100, 1, true, CAST('2026-12-07 08:59:00' AS TIMESTAMP), true, CAST($1 AS BIGINT)
        FROM halo.dim_product WHERE merchant_id = 'M3'`, [seq]);
    });
  });

  test('three pages, every row once, in order', () => {
    const r = changes('--since', B.b40);
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.deepEqual(out.at(-1), { next: { since: '01JD3Q7W0Y5R4M8Z2K6F9X1B50' }, changes: 25_000 });
    const skus = out.slice(0, -1).map((c) => c.merchant_sku);
    assert.equal(new Set(skus).size, 25_000);
    assert.deepEqual(skus, [...skus].sort());
  });

  test('| head: the reader leaving is not a failure (no EPIPE trace, exit 0)', () => {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `node "${BIN}" changes --since ${B.b40} --config "${cfg}" | head -c 100 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`], {
      encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000,
    });
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled 'error' event|at .*\.js:\d+/, r.stderr);
    assert.match(r.stderr, /exit=0/);
  });
});

