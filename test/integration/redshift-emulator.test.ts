/**
 * The Redshift Data API emulator, through the real @aws-sdk/client-redshift-data: statements
 * run asynchronously on a real PostgreSQL, batches are one transaction, COPY reads gzip parts
 * from a real S3 server (s3rver) through a manifest, bad rows land in sys_load_error_detail
 * and stl_load_errors (raw values kept, as Redshift keeps them), sessions keep temporary
 * tables, cancel stops a running statement, and errors arrive as the SDK's own exception
 * classes.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import {
  RedshiftDataClient, ExecuteStatementCommand, BatchExecuteStatementCommand, DescribeStatementCommand,
  GetStatementResultCommand, CancelStatementCommand, ListStatementsCommand,
  ValidationException, ResourceNotFoundException, ActiveStatementsExceededException,
  type DescribeStatementResponse, type ExecuteStatementCommandInput, type Field,
} from '@aws-sdk/client-redshift-data';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { startPostgres, postgresAvailable, TEST_PGPASSWORD, type TestPostgres } from '../support/postgres.js';
import { startS3, type TestS3 } from '../support/s3.js';
import { startRedshiftDataEmulator, type RedshiftEmulator } from '../support/redshift-data-emulator.js';

const TARGET = { ClusterIdentifier: 'halo-test', Database: 'dev', DbUser: 'halo' };
const ROLE = `IAM_ROLE 'arn:aws:iam::123456789012:role/halo-copy'`;
const TERMINAL = new Set(['FINISHED', 'FAILED', 'ABORTED']);

let postgres: TestPostgres;
let s3: TestS3;
let emulator: RedshiftEmulator;
let client: RedshiftDataClient;
let s3Client: S3Client;
let db: pg.Client;
let postgresUrl: string;
let s3Options: Parameters<typeof startRedshiftDataEmulator>[0]['s3'];

function sdkClient(endpoint: string): RedshiftDataClient {
  return new RedshiftDataClient({ endpoint, region: 'ap-southeast-3', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
}

async function execute(Sql: string, extra: Partial<ExecuteStatementCommandInput> = {}): Promise<string> {
  const r = await client.send(new ExecuteStatementCommand({ ...TARGET, Sql, ...extra }));
  return r.Id!;
}

/** DescribeStatement until the statement ends. */
async function waitDone(Id: string, timeoutMs = 20_000): Promise<DescribeStatementResponse> {
  const started = Date.now();
  for (;;) {
    const d = await client.send(new DescribeStatementCommand({ Id }));
    if (TERMINAL.has(d.Status!)) return d;
    if (Date.now() - started > timeoutMs) throw new Error(`statement still ${d.Status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function waitStatus(Id: string, status: string): Promise<void> {
  await waitStatusOn(client, Id, status);
}

async function waitStatusOn(c: RedshiftDataClient, Id: string, status: string): Promise<void> {
  const started = Date.now();
  while ((await c.send(new DescribeStatementCommand({ Id }))).Status !== status) {
    if (Date.now() - started > 10_000) throw new Error(`statement never ${status}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function run(Sql: string, extra: Partial<ExecuteStatementCommandInput> = {}): Promise<DescribeStatementResponse> {
  return waitDone(await execute(Sql, extra));
}

async function runOk(Sql: string, extra: Partial<ExecuteStatementCommandInput> = {}): Promise<DescribeStatementResponse> {
  const d = await run(Sql, extra);
  assert.equal(d.Status, 'FINISHED', d.Error);
  return d;
}

async function batch(Sqls: string[], extra: Record<string, unknown> = {}): Promise<DescribeStatementResponse> {
  const r = await client.send(new BatchExecuteStatementCommand({ ...TARGET, Sqls, ...extra }));
  return waitDone(r.Id!);
}

/** Every record of a statement, through all its pages. */
async function records(Id: string): Promise<{ rows: Field[][]; pages: number; columns: string[]; types: string[] }> {
  const rows: Field[][] = [];
  let NextToken: string | undefined;
  let pages = 0;
  let columns: string[] = [];
  let types: string[] = [];
  do {
    const r = await client.send(new GetStatementResultCommand({ Id, NextToken }));
    rows.push(...r.Records!);
    columns = r.ColumnMetadata!.map((c) => c.name!);
    types = r.ColumnMetadata!.map((c) => c.typeName!);
    NextToken = r.NextToken;
    pages++;
  } while (NextToken);
  return { rows, pages, columns, types };
}

async function query(sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  return (await db.query(sql, params)).rows;
}

async function putObject(key: string, body: string | Buffer): Promise<string> {
  await s3Client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
  return `s3://${s3.bucket}/${key}`;
}

async function putManifest(key: string, urls: Array<{ url: string; size?: number }>): Promise<string> {
  const entries = urls.map((u) => ({ url: u.url, mandatory: true, meta: { content_length: u.size ?? 0 } }));
  return putObject(key, JSON.stringify({ entries }));
}

async function rejects<T extends Error>(p: Promise<unknown>, type: new (...args: never[]) => T, message?: RegExp): Promise<T> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof type, `expected ${type.name}, got ${(e as Error).name}: ${(e as Error).message}`);
    if (message) assert.match((e as Error).message, message);
    return e as T;
  }
  assert.fail(`expected ${type.name}`);
}

describe('Redshift Data API emulator', { skip: postgresAvailable() ? false : 'PostgreSQL is not installed' }, () => {
  before(async () => {
    postgres = await startPostgres();
    s3 = await startS3();
    postgresUrl = postgres.url.replace('//halo@', `//halo:${TEST_PGPASSWORD}@`);
    s3Options = { endpoint: s3.endpoint, region: s3.env.AWS_REGION, credentials: { accessKeyId: s3.env.AWS_ACCESS_KEY_ID, secretAccessKey: s3.env.AWS_SECRET_ACCESS_KEY } };
    emulator = await startRedshiftDataEmulator({ postgresUrl, s3: s3Options });
    client = sdkClient(emulator.endpoint);
    s3Client = new S3Client({ endpoint: s3.endpoint, region: s3Options.region, credentials: s3Options.credentials, forcePathStyle: true });
    db = new pg.Client({ connectionString: postgresUrl });
    await db.connect();
  });

  after(async () => {
    client?.destroy();
    s3Client?.destroy();
    await db?.end().catch(() => {});
    await emulator?.stop();
    await s3?.stop();
    await postgres?.stop();
  });

  test('a statement runs asynchronously; describe and results carry Redshift types', async () => {
    await runOk(`CREATE TABLE typed (id INT, big BIGINT, price NUMERIC(10,2), ratio DOUBLE PRECISION, ok BOOLEAN,
      name VARCHAR(20), day DATE, at TIMESTAMP, note TEXT)`);
    const insert = await runOk(`INSERT INTO typed VALUES
      (1, 9007199254740991, 12.50, 0.25, true, 'Apotek', '2026-11-21', '2026-11-21 10:00:00', NULL),
      (2, -5, 0.00, 1e10, false, 'Café ✓', '2026-01-02', '2026-01-02 23:59:59.5', 'x')`);
    assert.equal(insert.ResultRows, 2);
    assert.equal(insert.HasResultSet, false);

    const id = await execute('SELECT * FROM typed ORDER BY id');
    const d = await waitDone(id);
    assert.equal(d.Status, 'FINISHED');
    assert.equal(d.Id, id);
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(d.HasResultSet, true);
    assert.equal(d.ResultRows, 2);
    assert.equal(d.QueryString, 'SELECT * FROM typed ORDER BY id');
    assert.equal(typeof d.RedshiftQueryId, 'number');
    assert.ok(d.Duration! > 0);
    assert.ok(d.CreatedAt instanceof Date && d.UpdatedAt instanceof Date);
    assert.equal(d.ClusterIdentifier, 'halo-test');
    assert.equal(d.Database, 'dev');

    const r = await records(id);
    assert.deepEqual(r.columns, ['id', 'big', 'price', 'ratio', 'ok', 'name', 'day', 'at', 'note']);
    assert.deepEqual(r.types, ['int4', 'int8', 'numeric', 'float8', 'bool', 'varchar', 'date', 'timestamp', 'text']);
    assert.deepEqual(r.rows[0], [
      { longValue: 1 }, { longValue: 9007199254740991 }, { stringValue: '12.50' }, { doubleValue: 0.25 }, { booleanValue: true },
      { stringValue: 'Apotek' }, { stringValue: '2026-11-21' }, { stringValue: '2026-11-21 10:00:00' }, { isNull: true },
    ]);
    assert.deepEqual(r.rows[1].slice(1, 8), [
      { longValue: -5 }, { stringValue: '0.00' }, { doubleValue: 1e10 }, { booleanValue: false }, { stringValue: 'Café ✓' },
      { stringValue: '2026-01-02' }, { stringValue: '2026-01-02 23:59:59.5' },
    ]);
  });

  test('results are paged with NextToken', async () => {
    const id = (await runOk('SELECT g AS n FROM generate_series(1, 2500) g')).Id!;
    const first = await client.send(new GetStatementResultCommand({ Id: id }));
    assert.equal(first.TotalNumRows, 2500);
    assert.equal(first.Records!.length, 1000);
    assert.ok(first.NextToken);
    const all = await records(id);
    assert.equal(all.pages, 3);
    assert.deepEqual(all.rows.map((f) => f[0].longValue), Array.from({ length: 2500 }, (_, i) => i + 1));
  });

  test('named parameters bind as values; casts, literals and quoted names are left alone', async () => {
    // A parameter used twice is one value: its type comes from its first use (here the cast).
    const d = await runOk(`SELECT :qty::int + 1 AS next, ':qty' AS literal, 1 AS ":qty", :name AS name, :qty AS again`, {
      Parameters: [{ name: 'qty', value: '41' }, { name: 'name', value: "O'Brien; DROP TABLE typed" }],
    });
    const r = await records(d.Id!);
    assert.deepEqual(r.columns, ['next', 'literal', ':qty', 'name', 'again']);
    assert.deepEqual(r.rows[0], [{ longValue: 42 }, { stringValue: ':qty' }, { longValue: 1 }, { stringValue: "O'Brien; DROP TABLE typed" }, { longValue: 41 }]);
    await rejects(execute('SELECT :missing', { Parameters: [{ name: 'other', value: '1' }] }), ValidationException, /missing/);
    await rejects(execute('SELECT 1', { Parameters: [{ name: 'unused', value: '1' }] }), ValidationException, /unused/);
  });

  test('a batch runs in order in one transaction; sub-statements are described and read by id', async () => {
    const d = await batch([
      'CREATE TABLE batch_ok (id INT, label VARCHAR(10))',
      `INSERT INTO batch_ok VALUES (1, 'a'), (2, 'b')`,
      'SELECT count(*) AS n FROM batch_ok',
    ], { StatementName: 'batch-ok' });
    assert.equal(d.Status, 'FINISHED');
    assert.equal(d.HasResultSet, true);
    assert.deepEqual(d.SubStatements!.map((s) => [s.Id, s.Status, s.ResultRows]), [
      [`${d.Id}:1`, 'FINISHED', -1], [`${d.Id}:2`, 'FINISHED', 2], [`${d.Id}:3`, 'FINISHED', 1],
    ]);
    assert.equal(d.SubStatements![1].QueryString, `INSERT INTO batch_ok VALUES (1, 'a'), (2, 'b')`);
    assert.equal(new Set(d.SubStatements!.map((s) => s.RedshiftQueryId)).size, 3);
    assert.deepEqual((await records(`${d.Id}:3`)).rows, [[{ longValue: 2 }]]);
    const sub = await client.send(new DescribeStatementCommand({ Id: `${d.Id}:2` }));
    assert.equal(sub.Status, 'FINISHED');
    assert.equal(sub.ResultRows, 2);
    // A batch's results are read per sub-statement.
    await rejects(client.send(new GetStatementResultCommand({ Id: d.Id })), ResourceNotFoundException);
  });

  test('a failing batch statement rolls the whole batch back: FAILED, then ABORTED', async () => {
    await runOk('CREATE TABLE batch_target (id INT)');
    const d = await batch([
      'INSERT INTO batch_target VALUES (1)',
      'INSERT INTO no_such_table VALUES (2)',
      'INSERT INTO batch_target VALUES (3)',
    ]);
    assert.equal(d.Status, 'FAILED');
    assert.match(d.Error!, /^Query #2 failed with ERROR: relation "no_such_table" does not exist/);
    assert.deepEqual(d.SubStatements!.map((s) => s.Status), ['FINISHED', 'FAILED', 'ABORTED']);
    assert.equal(d.SubStatements![1].Error, 'ERROR: relation "no_such_table" does not exist');
    assert.deepEqual(await query('SELECT * FROM batch_target'), []);
  });

  test('COPY from a gzip manifest loads every part; ResultRows is the rows loaded', async () => {
    await runOk(`CREATE TABLE stg_inventory (merchant_id VARCHAR(20), sku VARCHAR(20), product_name VARCHAR(100),
      selling_price NUMERIC(12,2), stock_qty INT, observed_at TIMESTAMP)`);
    const part1 = gzipSync('m1,sku-1,Paracetamol 500mg,12500.00,10,2026-11-21 10:00:00\nm1,sku-2,"Vitamin C, 1000mg",,3,2026-11-21 10:00:00\n');
    const part2 = gzipSync('m1,sku-3,"",99.5,0,2026-11-21T10:00:00\n');
    const manifest = await putManifest('copy-ok/manifest.json', [
      { url: await putObject('copy-ok/part-0001.csv.gz', part1), size: part1.length },
      { url: await putObject('copy-ok/part-0002.csv.gz', part2), size: part2.length },
    ]);
    const d = await runOk(`COPY stg_inventory (merchant_id, sku, product_name, selling_price, stock_qty, observed_at)
      FROM '${manifest}'
      ${ROLE}
      MANIFEST GZIP CSV TIMEFORMAT 'auto' DATEFORMAT 'auto' ACCEPTINVCHARS COMPUPDATE OFF STATUPDATE OFF REGION 'ap-southeast-3'`);
    assert.equal(d.ResultRows, 3);
    assert.equal(d.HasResultSet, false);
    const rows = await query('SELECT sku, product_name, selling_price::text AS price, stock_qty FROM stg_inventory ORDER BY sku');
    assert.deepEqual(rows, [
      { sku: 'sku-1', product_name: 'Paracetamol 500mg', price: '12500.00', stock_qty: 10 },
      { sku: 'sku-2', product_name: 'Vitamin C, 1000mg', price: null, stock_qty: 3 },
      { sku: 'sku-3', product_name: '', price: '99.50', stock_qty: 0 },
    ]);
  });

  test('COPY applies EMPTYASNULL and IGNOREHEADER like Redshift', async () => {
    await runOk('CREATE TABLE stg_empty (a VARCHAR(5), b VARCHAR(5), n INT)');
    const url = await putObject('copy-empty/data.csv', 'a,b,n\n,"",\n');
    await runOk(`COPY stg_empty FROM '${url}' ${ROLE} CSV IGNOREHEADER 1`);
    await runOk(`COPY stg_empty FROM '${url}' ${ROLE} CSV IGNOREHEADER AS 1 EMPTYASNULL`);
    // Without EMPTYASNULL an empty text field loads as ''; with it, as NULL (quoted or not).
    assert.deepEqual(await query('SELECT a, b, n FROM stg_empty'), [{ a: '', b: '', n: null }, { a: null, b: null, n: null }]);
  });

  test('a bad row fails the COPY, loads nothing, and is recorded in sys_load_error_detail and stl_load_errors with its raw value', async () => {
    await runOk('TRUNCATE stg_inventory');
    const good = gzipSync('m2,sku-1,Amoxicillin,5000,1,2026-11-21 10:00:00\n');
    const bad = gzipSync('m2,sku-2,Ibuprofen,7000,1,2026-11-21 10:00:00\nm2,sku-3,Cetirizine,8000,1,2026-11-21 10:00:00\nm2,sku-4,Secret Name,abc-123-secret,1,2026-11-21 10:00:00\n');
    const badUrl = await putObject('copy-bad/part-0002.csv.gz', bad);
    const manifest = await putManifest('copy-bad/manifest.json', [{ url: await putObject('copy-bad/part-0001.csv.gz', good) }, { url: badUrl }]);
    const d = await run(`COPY stg_inventory FROM '${manifest}' ${ROLE} MANIFEST GZIP CSV EMPTYASNULL BLANKSASNULL MAXERROR 0`);
    assert.equal(d.Status, 'FAILED');
    assert.equal(d.Error, `ERROR: Load into table 'stg_inventory' failed. Check 'sys_load_error_detail' system table for details.`);
    assert.deepEqual(await query('SELECT * FROM stg_inventory'), []);
    const errors = await query('SELECT * FROM sys_load_error_detail WHERE query_id = $1', [d.RedshiftQueryId]);
    assert.equal(errors.length, 1);
    const e = errors[0];
    assert.equal(e.file_name, badUrl);
    assert.equal(Number(e.line_number), 3);
    assert.equal(e.column_name, 'selling_price');
    assert.equal(e.error_code, 1209);
    assert.match(String(e.error_message), /invalid input syntax for type numeric/);
    assert.equal(e.column_type, 'numeric');
    assert.ok(e.start_time instanceof Date);
    // Redshift keeps what it could not load, raw line and field, readable long after the load.
    const stl = await query('SELECT * FROM stl_load_errors WHERE query = $1', [d.RedshiftQueryId]);
    assert.equal(stl.length, 1);
    assert.equal(stl[0].raw_line, 'm2,sku-4,Secret Name,abc-123-secret,1,2026-11-21 10:00:00');
    assert.equal(stl[0].raw_field_value, 'abc-123-secret');
    assert.equal(stl[0].err_code, 1209);
  });

  test('COPY without credentials, or with a missing mandatory part, FAILS', async () => {
    const url = await putObject('copy-cred/data.csv', 'x,y\n');
    const noCredentials = await run(`COPY stg_inventory (merchant_id, sku) FROM '${url}' CSV`);
    assert.equal(noCredentials.Status, 'FAILED');
    assert.match(noCredentials.Error!, /credentials/i);
    const manifest = await putManifest('copy-missing/manifest.json', [{ url: `s3://${s3.bucket}/copy-missing/nope.csv.gz` }]);
    const missing = await run(`COPY stg_inventory FROM '${manifest}' ${ROLE} MANIFEST GZIP CSV`);
    assert.equal(missing.Status, 'FAILED');
    assert.match(missing.Error!, /copy-missing\/nope\.csv\.gz.*The specified key does not exist/);
    const noManifest = await run(`COPY stg_inventory FROM 's3://${s3.bucket}/copy-missing/none.json' ${ROLE} MANIFEST`);
    assert.match(noManifest.Error!, /Problem reading manifest file/);
  });

  test('Redshift-only CREATE TABLE clauses are dropped; IDENTITY becomes an identity column', async () => {
    await runOk(`CREATE TABLE dim_thing (
        thing_sk BIGINT IDENTITY(1,1),
        merchant_id VARCHAR(20) NOT NULL ENCODE zstd DISTKEY,
        name VARCHAR(50) ENCODE lzo,
        note VARCHAR(30) DEFAULT 'DISTKEY(x) SORTKEY(y)'
      ) DISTSTYLE KEY DISTKEY(merchant_id) COMPOUND SORTKEY(merchant_id, name) BACKUP NO`);
    await runOk(`INSERT INTO dim_thing (merchant_id, name) VALUES ('m1', 'a'), ('m1', 'b')`);
    assert.deepEqual(await query('SELECT thing_sk::int AS sk, note FROM dim_thing ORDER BY 1'), [
      { sk: 1, note: 'DISTKEY(x) SORTKEY(y)' }, { sk: 2, note: 'DISTKEY(x) SORTKEY(y)' },
    ]);
    await runOk(`CREATE TEMP TABLE t_sort (a INT SORTKEY, b INT) DISTSTYLE EVEN INTERLEAVED SORTKEY (a, b)`);
  });

  test('sha2 and getdate exist as in Redshift', async () => {
    const d = await runOk(`SELECT sha2('halo-member-0042', 256) AS h, sha2('x', 0) AS h0, getdate() AS now`);
    const [row] = (await records(d.Id!)).rows;
    assert.equal(row[0].stringValue, createHash('sha256').update('halo-member-0042').digest('hex'));
    assert.equal(row[1].stringValue, createHash('sha256').update('x').digest('hex'));
    assert.match(row[2].stringValue!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  test('a session keeps its connection (and temp tables); a call without one does not', async () => {
    const first = await client.send(new ExecuteStatementCommand({ ...TARGET, Sql: 'CREATE TEMP TABLE tmp_s (n INT)', SessionKeepAliveSeconds: 60 }));
    assert.ok(first.SessionId);
    assert.equal((await waitDone(first.Id!)).Status, 'FINISHED');
    const second = await client.send(new ExecuteStatementCommand({ Sql: 'INSERT INTO tmp_s VALUES (1), (2)', SessionId: first.SessionId }));
    assert.equal(second.SessionId, first.SessionId);
    assert.equal((await waitDone(second.Id!)).ResultRows, 2);
    const b = await client.send(new BatchExecuteStatementCommand({ Sqls: ['INSERT INTO tmp_s VALUES (3)', 'SELECT sum(n) AS s FROM tmp_s'], SessionId: first.SessionId }));
    assert.equal((await waitDone(b.Id!)).Status, 'FINISHED');
    assert.deepEqual((await records(`${b.Id}:2`)).rows, [[{ longValue: 6 }]]);

    // A session runs one statement at a time.
    emulator.delayMs = 300;
    try {
      const slow = await client.send(new ExecuteStatementCommand({ Sql: 'SELECT 1', SessionId: first.SessionId }));
      await rejects(client.send(new ExecuteStatementCommand({ Sql: 'SELECT 2', SessionId: first.SessionId })), ValidationException, /Session is not available/);
      await waitDone(slow.Id!);
    } finally {
      emulator.delayMs = 0;
    }
    await rejects(client.send(new ExecuteStatementCommand({ Sql: 'SELECT 1', SessionId: '00000000-0000-0000-0000-000000000000' })), ValidationException);

    await runOk('CREATE TEMP TABLE tmp_n (n INT)');
    const gone = await run('SELECT * FROM tmp_n');
    assert.equal(gone.Status, 'FAILED');
    assert.equal(gone.Error, 'ERROR: relation "tmp_n" does not exist');
  });

  test('the artificial delay makes STARTED observable; cancel stops a running statement', async () => {
    emulator.delayMs = 400;
    try {
      const id = await execute('SELECT 1');
      await waitStatus(id, 'STARTED');
      assert.equal((await waitDone(id)).Status, 'FINISHED');
    } finally {
      emulator.delayMs = 0;
    }
    const id = await execute('SELECT pg_sleep(5)');
    await waitStatus(id, 'STARTED');
    const started = Date.now();
    const c = await client.send(new CancelStatementCommand({ Id: id }));
    assert.equal(c.Status, true);
    const d = await waitDone(id);
    assert.equal(d.Status, 'ABORTED');
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    await rejects(client.send(new CancelStatementCommand({ Id: id })), ValidationException, /ABORTED/);

    // A cancelled batch rolls back and aborts its remaining statements.
    await runOk('CREATE TABLE cancel_target (n INT)');
    const b = await client.send(new BatchExecuteStatementCommand({ ...TARGET, Sqls: ['INSERT INTO cancel_target VALUES (1)', 'SELECT pg_sleep(5)', 'INSERT INTO cancel_target VALUES (2)'] }));
    await waitStatus(`${b.Id}:2`, 'STARTED');
    await client.send(new CancelStatementCommand({ Id: b.Id }));
    const bd = await waitDone(b.Id!);
    assert.equal(bd.Status, 'ABORTED');
    assert.deepEqual(bd.SubStatements!.map((s) => s.Status), ['FINISHED', 'ABORTED', 'ABORTED']);
    assert.deepEqual(await query('SELECT * FROM cancel_target'), []);
  });

  test('failOn hooks make a statement FAIL as Redshift would', async () => {
    const hook = (sql: string) => (/MERGE_MARKER/.test(sql) ? 'could not complete because of conflict with concurrent transaction' : undefined);
    emulator.failOn.push(hook);
    try {
      const d = await run('SELECT 1 AS MERGE_MARKER');
      assert.equal(d.Status, 'FAILED');
      assert.equal(d.Error, 'ERROR: could not complete because of conflict with concurrent transaction');
      const b = await batch(['CREATE TABLE hooked (n INT)', 'SELECT 2 AS MERGE_MARKER']);
      assert.deepEqual(b.SubStatements!.map((s) => s.Status), ['FINISHED', 'FAILED']);
      assert.deepEqual(await query(`SELECT to_regclass('hooked') AS t`), [{ t: null }]);
    } finally {
      emulator.failOn.splice(emulator.failOn.indexOf(hook), 1);
    }
    await runOk('SELECT 1 AS MERGE_MARKER');
  });

  test('ListStatements finds statements by name, newest first', async () => {
    const a = await execute('SELECT 1', { StatementName: 'halo-load-42' });
    const b = await execute('SELECT 2', { StatementName: 'halo-load-42' });
    await execute('SELECT 3', { StatementName: 'other' });
    await waitDone(b);
    const r = await client.send(new ListStatementsCommand({ StatementName: 'halo-load', Status: 'ALL' }));
    assert.deepEqual(r.Statements!.map((s) => s.Id), [b, a]);
    assert.equal(r.Statements![0].QueryString, 'SELECT 2');
    assert.equal(r.Statements![0].IsBatchStatement, false);
    const batches = await client.send(new ListStatementsCommand({ StatementName: 'batch-ok' }));
    assert.deepEqual(batches.Statements![0].QueryStrings!.length, 3);
  });

  test('errors arrive as the SDK exception classes; calls are counted per operation', async () => {
    const before = { ...emulator.calls };
    const sqls = Array.from({ length: 41 }, (_, i) => `SELECT ${i}`);
    await rejects(client.send(new BatchExecuteStatementCommand({ ...TARGET, Sqls: sqls })), ValidationException, /40/);
    await rejects(client.send(new DescribeStatementCommand({ Id: '3f1e2a4b-0000-4000-8000-000000000000' })), ResourceNotFoundException);
    await rejects(client.send(new DescribeStatementCommand({ Id: 'not-an-id' })), ValidationException);
    await rejects(client.send(new ExecuteStatementCommand({ ClusterIdentifier: 'c', Sql: 'SELECT 1' })), ValidationException, /Database/);
    await rejects(client.send(new ExecuteStatementCommand({ ...TARGET, WorkgroupName: 'w', Sql: 'SELECT 1' })), ValidationException);
    const insert = await runOk('CREATE TEMP TABLE no_result (n INT)');
    const e = await rejects(client.send(new GetStatementResultCommand({ Id: insert.Id })), ResourceNotFoundException,
      /Query does not have result/);
    assert.equal(e.ResourceId, insert.Id);
    const delta = (op: string) => (emulator.calls[op] ?? 0) - (before[op] ?? 0);
    assert.equal(delta('BatchExecuteStatement'), 1);
    assert.equal(delta('ExecuteStatement'), 3);
    assert.equal(delta('GetStatementResult'), 1);
    assert.ok(delta('DescribeStatement') >= 3);
  });

  test('too many active statements is ActiveStatementsExceededException; stop() leaves no connection behind', async () => {
    const emulatorConnections = async () =>
      Number((await query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'redshift-data-emulator'`))[0].n);
    const connectionsBefore = await emulatorConnections();
    const small = await startRedshiftDataEmulator({ postgresUrl, s3: s3Options, maxActiveStatements: 1 });
    const smallClient = sdkClient(small.endpoint);
    try {
      const slow = await smallClient.send(new ExecuteStatementCommand({ ...TARGET, Sql: 'SELECT pg_sleep(10)' }));
      await rejects(smallClient.send(new ExecuteStatementCommand({ ...TARGET, Sql: 'SELECT 1' })), ActiveStatementsExceededException);
      const kept = await smallClient.send(new ExecuteStatementCommand({ ...TARGET, Sql: 'SELECT 1', SessionKeepAliveSeconds: 600 }))
        .catch((e: Error) => e);
      assert.ok(kept instanceof ActiveStatementsExceededException);
      await waitStatusOn(smallClient, slow.Id!, 'STARTED');
      assert.ok(await emulatorConnections() > connectionsBefore);
    } finally {
      smallClient.destroy();
    }
    const stopping = Date.now();
    await small.stop();
    assert.ok(Date.now() - stopping < 3000, 'stop() cancels running statements');
    assert.equal(await emulatorConnections(), connectionsBefore);
  });
});
