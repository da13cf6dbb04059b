/**
 * Issue 17 item 7, below the CLI: `--since` parsing, the lines the feed prints (NDJSON, RFC
 * 4180 CSV read back by csv-parse), the page query's SQL (Redshift-valid: no row-value
 * comparison, passes the emulator's checker), and the mechanism: keyset pages of any size
 * give exactly the feed computed from the history by hand, resuming from any load's batch
 * gives exactly the rest, and old values come from the previous version by batch order even
 * when an earlier load wrote it (on the star schema as `warehouse init` makes it, rows by SQL).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { PGlite } from '@electric-sql/pglite';
import { parseSince, isoUtc, changesPageQuery, feedBounds, readChanges, CHANGE_COLUMNS, type Change, type FeedBounds } from '../../src/warehouse/changes.js';
import { ndjsonChange, csvChange, CSV_CHANGES_HEADER, ndjsonResume } from '../../src/output/change-lines.js';
import { redshiftRefusal } from '../support/redshift-emulator/strict.js';
import { POSTGRES_DIALECT, plainParams, type Warehouse } from '../../src/warehouse/warehouse.js';
import { UsageError } from '../../src/errors.js';
import { migrations } from '../../src/warehouse/sql/ddl.js';

fc.configureGlobal({ seed: 0xc4a9e5 });

describe('--since', () => {
  test('a batch id (any case) is a batch; dates and date-times are UTC instants', () => {
    assert.deepEqual(parseSince('01JD3Q7W0Y5R4M8Z2K6F9X1B3C'), { kind: 'batch', batchId: '01JD3Q7W0Y5R4M8Z2K6F9X1B3C' });
    assert.deepEqual(parseSince('01jd3q7w0y5r4m8z2k6f9x1b3c'), { kind: 'batch', batchId: '01JD3Q7W0Y5R4M8Z2K6F9X1B3C' });
    assert.deepEqual(parseSince('2026-12-07'), { kind: 'time', at: '2026-12-07 00:00:00.000' });
    assert.deepEqual(parseSince('2026-12-07T08:30'), { kind: 'time', at: '2026-12-07 08:30:00.000' });
    assert.deepEqual(parseSince('2026-12-07 08:30:15.1234'), { kind: 'time', at: '2026-12-07 08:30:15.123' });
    assert.deepEqual(parseSince('2026-12-07T08:30:00Z'), { kind: 'time', at: '2026-12-07 08:30:00.000' });
    assert.deepEqual(parseSince('2026-12-07T08:30:00+07:00'), { kind: 'time', at: '2026-12-07 01:30:00.000' });
    assert.deepEqual(parseSince('2026-12-07T01:30:00-0230'), { kind: 'time', at: '2026-12-07 04:00:00.000' });
  });

  test('anything else is a usage error naming the value', () => {
    for (const bad of ['yesterday', '2026-02-30', '2026-12-07T25:00', '01JD3Q7W0Y5R4M8Z2K6F9X1B3', '01JD3Q7W0Y5R4M8Z2K6F9X1B3U', '']) {
      assert.throws(() => parseSince(bad), (e: unknown) => e instanceof UsageError && e.message.includes(`'${bad}'`), bad);
    }
  });
});

test('warehouse TIMESTAMP text becomes ISO 8601 UTC with milliseconds', () => {
  assert.equal(isoUtc('2026-12-07 08:00:00'), '2026-12-07T08:00:00.000Z');
  assert.equal(isoUtc('2026-12-07 08:00:00.5'), '2026-12-07T08:00:00.500Z');
  assert.equal(isoUtc('2026-12-07 08:00:00.123456'), '2026-12-07T08:00:00.123Z');
  assert.equal(isoUtc(new Date('2026-12-07T08:00:00.250Z')), '2026-12-07T08:00:00.250Z');
});

const text = fc.string({ unit: fc.constantFrom('a', 'Z', '9', ',', '"', '\n', '\r', ' ', 'é', '\\', '{'), maxLength: 8 });
const price = fc.tuple(fc.nat(99_999_999), fc.nat(99)).map(([a, b]) => `${a}.${String(b).padStart(2, '0')}`);
const change: fc.Arbitrary<Change> = fc.record({
  kind: fc.constantFrom('new', 'changed', 'delisted', 'relisted'),
  merchant_id: text, merchant_sku: text, barcode: fc.option(text, { nil: null }),
  old_price: fc.option(price, { nil: null }), old_stock: fc.option(fc.nat(100_000), { nil: null }),
  new_price: price, new_stock: fc.nat(100_000), is_listed: fc.boolean(),
  observed_at: fc.constant('2026-12-07T08:00:00.000Z'), batch: fc.constant('01JD3Q7W0Y5R4M8Z2K6F9X1B3C'),
}) as fc.Arbitrary<Change>;

describe('the printed lines', () => {
  test('property: an NDJSON line is one JSON object with every value, prices exact as written', () => {
    fc.assert(fc.property(change, (c) => {
      const line = ndjsonChange(c);
      assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
      const o = JSON.parse(line);
      assert.deepEqual(Object.keys(o), [...CHANGE_COLUMNS]);
      assert.deepEqual({ ...o, old_price: c.old_price, new_price: c.new_price }, { ...c });
      // The decimal's text itself is in the line (no float round trip).
      assert.ok(line.includes(`"new_price":${c.new_price},`));
      assert.equal(o.new_price, Number(c.new_price));
    }));
  });

  test('property: CSV rows read back by csv-parse give every value (empty = none)', () => {
    fc.assert(fc.property(fc.array(change, { maxLength: 5 }), (cs) => {
      const rows = parse(CSV_CHANGES_HEADER + cs.map(csvChange).join(''), { columns: true, relax_column_count: false }) as Record<string, string>[];
      assert.equal(rows.length, cs.length);
      rows.forEach((r, i) => {
        const want = Object.fromEntries(CHANGE_COLUMNS.map((k) => [k, cs[i][k] === null ? '' : String(cs[i][k])]));
        assert.deepEqual(r, want);
      });
    }));
  });

  test('the resume line', () => {
    assert.deepEqual(JSON.parse(ndjsonResume('01JD3Q7W0Y5R4M8Z2K6F9X1B3C', 3)), { next: { since: '01JD3Q7W0Y5R4M8Z2K6F9X1B3C' }, changes: 3 });
  });
});

describe('the page query', () => {
  const bounds: FeedBounds = { afterSeq: '3', upToSeq: '9', upToBatch: 'B' };
  const shapes = [
    changesPageQuery(bounds, null, undefined),
    changesPageQuery(bounds, null, 'merchants'),
    changesPageQuery(bounds, { loadSeq: '4', batchId: 'X', productSk: '17' }, undefined),
    changesPageQuery(bounds, { loadSeq: '4', batchId: 'X', productSk: '17' }, 'merchants'),
  ];

  test('Redshift would run it: the emulator\'s checker passes it, and no row-value comparison', () => {
    for (const q of shapes) {
      assert.equal(redshiftRefusal(q.sql), undefined, q.sql);
      assert.doesNotMatch(q.sql, /\)\s*[<>]=?\s*\(/, 'a row-value comparison');
      assert.match(q.sql, /LAG\(x\.selling_price\) OVER \(PARTITION BY x\.product_sk ORDER BY x\.batch_id\)/);
    }
  });

  test('it binds exactly the parameters it uses, values never in the text', () => {
    for (const q of shapes) {
      const used = new Set([...q.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
      assert.deepEqual([...used].sort((a, b) => a - b), q.params.map((_p, i) => i + 1));
      assert.doesNotMatch(q.sql, /merchants|'X'/);
    }
  });
});

/** A Warehouse over an in-memory PGlite: the feed only queries. */
function asWarehouse(db: PGlite): Warehouse {
  return {
    engine: 'pglite', dialect: POSTGRES_DIALECT, describe: 'in-memory PGlite',
    query: async <T>(sql: string, params: Parameters<Warehouse['query']>[1] = []) => {
      const r = await db.query<T>(sql, plainParams(params));
      return { rows: r.rows, fields: r.fields.map((f) => f.name) };
    },
    readOnlyQuery: () => { throw new Error('not used'); },
    execute: () => { throw new Error('not used'); },
    close: async () => {},
  };
}

/** A generated warehouse: loads in commit order, each of one batch (some late: an older batch id), each writing versions of some products. */
interface Scenario {
  products: Array<{ merchant: string; sku: string; barcode: string | null }>;
  loads: Array<{ batch: string; source: string; versions: Array<{ product: number; price: number; stock: number; listed: boolean }> }>;
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  products: fc.uniqueArray(fc.record({ merchant: fc.constantFrom('M1', 'M2', 'M3'), sku: fc.constantFrom('A', 'B', 'C', 'D'), barcode: fc.option(fc.constantFrom('8991', '8992'), { nil: null }) }),
    { minLength: 1, maxLength: 8, selector: (p) => `${p.merchant}/${p.sku}` }),
  // Batch ids: distinct, loaded in an order that may differ from theirs (late batches).
  loads: fc.uniqueArray(fc.integer({ min: 10, max: 99 }), { minLength: 1, maxLength: 7 }).chain((ids) => fc.tuple(...ids.map((id) => fc.record({
    batch: fc.constant(`01JD3Q7W0Y5R4M8Z2K6F9X1B${id}`), source: fc.constantFrom('merchants', 'other'),
    versions: fc.uniqueArray(fc.record({ product: fc.nat(7), price: fc.integer({ min: 100, max: 999 }), stock: fc.nat(5), listed: fc.boolean() }), { maxLength: 6, selector: (v) => v.product }),
  })))),
}).map((s) => ({ ...s, loads: s.loads.map((l) => ({ ...l, versions: l.versions.filter((v) => v.product < s.products.length) })) }));

/** The feed after load `afterSeq` by hand: every version written by a later load, with the previous version by batch id. */
function expectedFeed(s: Scenario, afterSeq: number, source?: string): Array<Pick<Change, 'merchant_sku' | 'merchant_id' | 'batch' | 'old_price' | 'new_price' | 'old_stock' | 'new_stock'>> {
  const out: ReturnType<typeof expectedFeed> = [];
  s.loads.forEach((l, i) => {
    const seq = i + 1;
    if (seq <= afterSeq || (source && l.source !== source)) return;
    for (const v of [...l.versions].sort((a, b) => a.product - b.product)) {
      const earlier = s.loads.flatMap((o) => o.versions.filter((w) => w.product === v.product && o.batch < l.batch).map((w) => ({ batch: o.batch, w })))
        .sort((a, b) => (a.batch < b.batch ? -1 : 1)).at(-1);
      const p = s.products[v.product];
      out.push({ merchant_id: p.merchant, merchant_sku: p.sku, batch: l.batch, old_price: earlier ? `${earlier.w.price}.00` : null, old_stock: earlier ? earlier.w.stock : null, new_price: `${v.price}.00`, new_stock: v.stock });
    }
  });
  return out;
}

describe('the feed over a history (in-memory PGlite)', () => {
  let db: PGlite;
  let wh: Warehouse;
  before(async () => {
    db = await PGlite.create();
    // The star schema as `warehouse init` makes it (each version in a transaction, as the engine runs it).
    await db.exec('CREATE SCHEMA halo; CREATE TABLE halo.schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TIMESTAMP NOT NULL)');
    for (const m of migrations(POSTGRES_DIALECT)) {
      await db.exec('BEGIN');
      for (const s of m.statements) await db.exec(s);
      await db.exec('COMMIT');
    }
    wh = asWarehouse(db);
  });
  after(async () => { await db.close(); });

  async function fill(s: Scenario): Promise<void> {
    await db.exec('TRUNCATE halo.etl_batch, halo.dim_product, halo.fact_inventory_history');
    for (const [i, p] of s.products.entries()) {
      await db.query(`INSERT INTO halo.dim_product (product_sk, merchant_id, merchant_sku, product_name, barcode, batch_id) VALUES ($1, $2, $3, 'Produk', $4, 'B')`, [i, p.merchant, p.sku, p.barcode]);
    }
    for (const [i, l] of s.loads.entries()) {
      const seq = i + 1;
      await db.query(`INSERT INTO halo.etl_batch (batch_id, source, schema_name, schema_version, status, finished_at, load_seq)
        VALUES ($1, $2, 'merchant_inventory', 1, 'loaded', TIMESTAMP '2026-12-07 08:00:00' + $3 * INTERVAL '1 minute', $3)`, [l.batch, l.source, seq]);
      for (const v of l.versions) {
        await db.query(`INSERT INTO halo.fact_inventory_history (product_sk, merchant_sk, batch_id, change_kind, selling_price, stock_qty, is_listed, valid_from, is_current, load_seq)
          VALUES ($1, 1, $2, 'changed', $3, $4, $5, TIMESTAMP '2026-12-07 07:00:00', TRUE, $6)`, [v.product, l.batch, v.price, v.stock, v.listed, seq]);
      }
    }
  }

  async function read(bounds: FeedBounds | null, pageRows: number, source?: string): Promise<Change[]> {
    const got: Change[] = [];
    if (!bounds) return got;
    for await (const page of readChanges(wh, bounds, { pageRows, source })) {
      assert.ok(page.length <= pageRows);
      got.push(...page);
    }
    return got;
  }
  const pick = (c: Change) => ({ merchant_id: c.merchant_id, merchant_sku: c.merchant_sku, batch: c.batch, old_price: c.old_price, new_price: c.new_price, old_stock: c.old_stock, new_stock: c.new_stock });

  test('property: pages of any size give exactly the feed; from any load\'s batch, exactly the rest; --source keeps only its batches', async () => {
    await fc.assert(fc.asyncProperty(scenario, fc.integer({ min: 1, max: 4 }), async (s, pageRows) => {
      await fill(s);
      // By product_sk within a batch: the scenario's product index is its product_sk.
      const all = await read(await feedBounds(wh, { kind: 'time', at: '2000-01-01 00:00:00.000' }), pageRows);
      assert.deepEqual(all.map(pick), expectedFeed(s, 0));
      for (const [i, l] of s.loads.entries()) {
        const bounds = await feedBounds(wh, { kind: 'batch', batchId: l.batch });
        if (i === s.loads.length - 1) assert.equal(bounds, null, 'nothing after the newest load');
        else assert.equal(bounds?.upToBatch, s.loads.at(-1)!.batch, 'the position handed back is the newest load');
        assert.deepEqual((await read(bounds, pageRows)).map(pick), expectedFeed(s, i + 1));
        // After the loads finished by the time load i+1 finished: the same rest.
        const at = new Date(Date.UTC(2026, 11, 7, 8, i + 1)).toISOString().replace('T', ' ').slice(0, 23);
        assert.deepEqual((await read(await feedBounds(wh, { kind: 'time', at }), pageRows)).map(pick), expectedFeed(s, i + 1));
      }
      assert.deepEqual((await read(await feedBounds(wh, { kind: 'time', at: '2000-01-01 00:00:00.000' }), pageRows, 'other')).map(pick), expectedFeed(s, 0, 'other'));
    }), { numRuns: 25 });
  });

  test('a batch the ledger lacks or never loaded is a usage error naming it', async () => {
    await fill({ products: [{ merchant: 'M1', sku: 'A', barcode: null }], loads: [{ batch: '01JD3Q7W0Y5R4M8Z2K6F9X1B10', source: 'merchants', versions: [{ product: 0, price: 100, stock: 1, listed: true }] }] });
    await db.query(`INSERT INTO halo.etl_batch (batch_id, source, schema_name, schema_version, status) VALUES ('01JD3Q7W0Y5R4M8Z2K6F9X1B11', 'merchants', 'merchant_inventory', 1, 'failed')`);
    for (const id of ['01JD3Q7W0Y5R4M8Z2K6F9X1B11', '01JD3Q7W0Y5R4M8Z2K6F9X1B12']) {
      await assert.rejects(feedBounds(wh, { kind: 'batch', batchId: id }), (e: unknown) => e instanceof UsageError && e.code === 'unknown-batch' && e.message.includes(id));
    }
  });

  test('a row as printed: barcode, kind, listed, observed time in UTC', async () => {
    await fill({ products: [{ merchant: 'M1', sku: 'A', barcode: '8991' }], loads: [{ batch: '01JD3Q7W0Y5R4M8Z2K6F9X1B10', source: 'merchants', versions: [{ product: 0, price: 100, stock: 1, listed: false }] }] });
    const [c] = await read(await feedBounds(wh, { kind: 'time', at: '2000-01-01 00:00:00.000' }), 10);
    assert.deepEqual(c, { kind: 'changed', merchant_id: 'M1', merchant_sku: 'A', barcode: '8991', old_price: null, old_stock: null, new_price: '100.00', new_stock: 1, is_listed: false, observed_at: '2026-12-07T07:00:00.000Z', batch: '01JD3Q7W0Y5R4M8Z2K6F9X1B10' });
  });
});
