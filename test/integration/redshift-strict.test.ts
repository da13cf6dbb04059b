/**
 * The emulator is strict, as Redshift is (issue 16 item 1): every rule below sends SQL that
 * PostgreSQL would run but Redshift refuses through the real @aws-sdk/client-redshift-data
 * and sees it FAILED (or a ValidationException, where the real API answers one), and sends
 * the allowed neighbour and sees it FINISHED, so a rule that refused everything would fail
 * its own test. One emulator (one PostgreSQL, one s3rver) for the whole file.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import {
  RedshiftDataClient, ExecuteStatementCommand, BatchExecuteStatementCommand, DescribeStatementCommand, GetStatementResultCommand,
  ValidationException, type DescribeStatementResponse, type ExecuteStatementCommandInput, type Field,
} from '@aws-sdk/client-redshift-data';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { startPostgres, postgresAvailable, TEST_PGPASSWORD, type TestPostgres } from '../support/postgres.js';
import { startS3, type TestS3 } from '../support/s3.js';
import { startRedshiftDataEmulator, type RedshiftEmulator } from '../support/redshift-data-emulator.js';
import fc from 'fast-check';
import { redshiftRefusal } from '../support/redshift-emulator/strict.js';
import { rewriteRedshiftDdl } from '../support/redshift-emulator/ddl.js';
import { REDSHIFT_DIALECT } from '../../src/warehouse/redshift/dialect.js';
import { migrations } from '../../src/warehouse/sql/ddl.js';
import { inventoryMerge, claimMerge, createStaging, persistentStaging, columnsDdl, INVENTORY_STAGING, CLAIM_STAGING, CLAIM_LINE_STAGING } from '../../src/warehouse/sql/merge.js';

const TARGET = { ClusterIdentifier: 'halo-test', Database: 'dev', DbUser: 'halo' };
const ROLE = `IAM_ROLE 'arn:aws:iam::123456789012:role/halo-copy'`;
const TERMINAL = new Set(['FINISHED', 'FAILED', 'ABORTED']);
const LEADER_ONLY = 'ERROR: Specified types or functions (one per INFO message) not supported on Redshift tables.';

let postgres: TestPostgres;
let s3: TestS3;
let emulator: RedshiftEmulator;
let client: RedshiftDataClient;
let s3Client: S3Client;

async function waitDone(Id: string): Promise<DescribeStatementResponse> {
  const started = Date.now();
  for (;;) {
    const d = await client.send(new DescribeStatementCommand({ Id }));
    if (TERMINAL.has(d.Status!)) return d;
    if (Date.now() - started > 20_000) throw new Error(`statement still ${d.Status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function run(Sql: string, extra: Partial<ExecuteStatementCommandInput> = {}): Promise<DescribeStatementResponse> {
  const r = await client.send(new ExecuteStatementCommand({ ...TARGET, Sql, ...extra }));
  return waitDone(r.Id!);
}

async function batch(Sqls: string[]): Promise<DescribeStatementResponse> {
  const r = await client.send(new BatchExecuteStatementCommand({ ...TARGET, Sqls }));
  return waitDone(r.Id!);
}

async function finishes(sql: string, extra: Partial<ExecuteStatementCommandInput> = {}): Promise<DescribeStatementResponse> {
  const d = await run(sql, extra);
  assert.equal(d.Status, 'FINISHED', `${sql}\n→ ${d.Error}`);
  return d;
}

/** FAILED, with Redshift's `ERROR: …` text matching `message`. */
async function refused(sql: string, message: RegExp | string): Promise<void> {
  const d = await run(sql);
  assert.equal(d.Status, 'FAILED', `expected Redshift to refuse: ${sql}`);
  assert.match(d.Error!, /^ERROR: /);
  if (typeof message === 'string') assert.equal(d.Error, message, sql);
  else assert.match(d.Error!, message, sql);
}

async function rows(sql: string): Promise<Field[][]> {
  const d = await finishes(sql);
  return (await client.send(new GetStatementResultCommand({ Id: d.Id! }))).Records!;
}

async function validationError(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.ok(e instanceof ValidationException, `${e.name}: ${e.message}`);
    assert.match(e.message, message);
    return true;
  });
}

async function putObject(key: string, body: string | Buffer): Promise<string> {
  await s3Client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
  return `s3://${s3.bucket}/${key}`;
}

describe('the strict Redshift emulator', { skip: postgresAvailable() ? false : 'PostgreSQL is not installed' }, () => {
  before(async () => {
    postgres = await startPostgres();
    s3 = await startS3();
    const credentials = { accessKeyId: s3.env.AWS_ACCESS_KEY_ID, secretAccessKey: s3.env.AWS_SECRET_ACCESS_KEY };
    emulator = await startRedshiftDataEmulator({
      postgresUrl: postgres.url.replace('//halo@', `//halo:${TEST_PGPASSWORD}@`),
      s3: { endpoint: s3.endpoint, region: s3.env.AWS_REGION, credentials },
    });
    client = new RedshiftDataClient({ endpoint: emulator.endpoint, region: 'ap-southeast-3', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    s3Client = new S3Client({ endpoint: s3.endpoint, region: s3.env.AWS_REGION, credentials, forcePathStyle: true });
    await finishes('CREATE TABLE t (id INT, name VARCHAR(10))');
    await finishes('CREATE TABLE u (id INT, name VARCHAR(10))');
    await finishes('CREATE TABLE w (id INT)');
  });

  after(async () => {
    client?.destroy();
    s3Client?.destroy();
    await emulator?.stop();
    await s3?.stop();
    await postgres?.stop();
  });

  // --- Unsupported PostgreSQL features, functions and types ----------------------------

  test('INSERT … ON CONFLICT is refused; a plain INSERT finishes', async () => {
    await refused('INSERT INTO t (id) VALUES (1) ON CONFLICT DO NOTHING', 'ERROR: syntax error at or near "ON"');
    await finishes('INSERT INTO t (id) VALUES (1)');
  });

  test('RETURNING is refused; the word inside a literal, a quoted name or a comment is not', async () => {
    await refused('INSERT INTO t (id) VALUES (2) RETURNING id', 'ERROR: syntax error at or near "RETURNING"');
    await refused('DELETE FROM t WHERE id = 2 RETURNING *', /RETURNING/);
    await finishes(`INSERT INTO t (id, name) VALUES (2, 'RETURNING') -- RETURNING id`);
    await finishes(`SELECT 'ON CONFLICT ::json generate_series(' AS "RETURNING", 1 AS "LATERAL" /* FROM (VALUES (1)) */`);
  });

  test('CREATE INDEX is refused; a sort key is Redshift\'s way and finishes', async () => {
    await refused('CREATE INDEX t_id ON t (id)', /CREATE INDEX is not supported/);
    await refused('CREATE UNIQUE INDEX t_uid ON t (id)', /CREATE INDEX is not supported/);
    await finishes('CREATE TABLE sorted (id INT) SORTKEY (id)');
  });

  test('SERIAL, BIGSERIAL and SMALLSERIAL are refused; IDENTITY(seed, step) finishes', async () => {
    for (const type of ['SERIAL', 'BIGSERIAL', 'SMALLSERIAL']) {
      await refused(`CREATE TABLE s_${type} (id ${type}, name VARCHAR(5))`, `ERROR: Column "s_${type.toLowerCase()}.id" has unsupported type "${type.toLowerCase()}".`);
    }
    await finishes('CREATE TABLE s_ok (id BIGINT IDENTITY(1, 1), name VARCHAR(5))');
    await finishes(`INSERT INTO s_ok (name) VALUES ('a'), ('b')`);
    assert.deepEqual(await rows('SELECT id FROM s_ok ORDER BY id'), [[{ longValue: 1 }], [{ longValue: 2 }]]);
  });

  test('GENERATED … AS IDENTITY without (seed, step) is refused; GENERATED BY DEFAULT AS IDENTITY(1, 1) finishes', async () => {
    await refused('CREATE TABLE g1 (id BIGINT GENERATED ALWAYS AS IDENTITY)', /syntax error at or near "ALWAYS"/);
    await refused('CREATE TABLE g2 (id BIGINT GENERATED BY DEFAULT AS IDENTITY)', /syntax error/);
    await refused('CREATE TABLE g3 (id BIGINT GENERATED BY DEFAULT AS IDENTITY (START WITH 1 INCREMENT BY 1))', /syntax error/);
    await finishes('CREATE TABLE g_ok (id BIGINT GENERATED BY DEFAULT AS IDENTITY(1, 1), n INT)');
  });

  test('ON COMMIT DROP / DELETE ROWS are refused; a temporary table without it finishes', async () => {
    await refused('CREATE TEMP TABLE oc1 (id INT) ON COMMIT DROP', 'ERROR: syntax error at or near "ON"');
    await refused('CREATE TEMP TABLE oc2 (id INT) ON COMMIT DELETE ROWS', 'ERROR: syntax error at or near "ON"');
    await finishes('CREATE TEMP TABLE oc_ok (id INT)');
  });

  test('a VALUES list used as a table is refused; a multi-row INSERT … VALUES finishes', async () => {
    await refused('SELECT n FROM (VALUES (1), (2)) AS v(n)', 'ERROR: syntax error at or near "VALUES"');
    await refused('INSERT INTO w (id) SELECT n FROM (VALUES (1)) AS v(n)', 'ERROR: syntax error at or near "VALUES"');
    await refused('VALUES (1), (2)', 'ERROR: syntax error at or near "VALUES"');
    await finishes('INSERT INTO w (id) VALUES (1), (2), (3)');
  });

  test('::json, ::jsonb and CAST … AS JSON are refused; Redshift\'s own JSON functions finish', async () => {
    await refused(`SELECT '["a"]'::json`, 'ERROR: type "json" does not exist');
    await refused(`SELECT CAST('["a"]' AS JSONB)`, 'ERROR: type "jsonb" does not exist');
    await finishes(`SELECT json_extract_path_text('{"a": "b"}', 'a') AS a, json_array_length('[1, 2]') AS n, '::json' AS literal`);
  });

  test('JSON and JSONB columns are refused; a VARCHAR holding JSON text finishes', async () => {
    await refused('CREATE TABLE j1 (doc JSON)', 'ERROR: Column "j1.doc" has unsupported type "json".');
    await refused('CREATE TABLE j2 (doc JSONB)', 'ERROR: Column "j2.doc" has unsupported type "jsonb".');
    await finishes('CREATE TABLE j_ok (doc VARCHAR(1000))');
  });

  test('json_array_elements(_text) and other JSON/array table functions are refused; SPLIT_PART finishes', async () => {
    await refused(`SELECT e FROM json_array_elements_text('["a"]') AS e`, 'ERROR: function json_array_elements_text does not exist');
    await refused(`SELECT json_array_elements('[1]')`, 'ERROR: function json_array_elements does not exist');
    await refused(`SELECT * FROM json_each('{}')`, /function json_each does not exist/);
    await refused(`SELECT unnest(string_to_array('a,b', ','))`, /function unnest does not exist/);
    await finishes(`SELECT SPLIT_PART('a,b', ',', 2) AS second`);
  });

  test('generate_series feeding a table is refused; on its own (leader node) it finishes', async () => {
    await refused('INSERT INTO w (id) SELECT g FROM generate_series(1, 3) AS g', LEADER_ONLY);
    await refused('SELECT g, w.id FROM generate_series(1, 3) AS g CROSS JOIN w', LEADER_ONLY);
    await finishes('SELECT g FROM generate_series(1, 3) AS g');
  });

  test('UPDATE … FROM with a LEFT/RIGHT/FULL JOIN in its FROM list is refused; inner joins and outer joins in a subquery finish', async () => {
    for (const join of ['LEFT JOIN', 'RIGHT JOIN', 'FULL OUTER JOIN']) {
      await refused(`UPDATE t SET name = u.name FROM u ${join} w ON w.id = u.id WHERE t.id = u.id`, 'ERROR: Target table must be part of an equijoin predicate');
    }
    await finishes('UPDATE t SET name = u.name FROM u JOIN w ON w.id = u.id WHERE t.id = u.id');
    await finishes('UPDATE t SET name = s.name FROM (SELECT u.id, u.name FROM u LEFT JOIN w ON w.id = u.id) AS s WHERE t.id = s.id');
  });

  test('LATERAL is refused; a plain cross join finishes', async () => {
    await refused('SELECT * FROM t, LATERAL (SELECT t.id AS x) AS l', 'ERROR: syntax error at or near "LATERAL"');
    await finishes('SELECT * FROM t CROSS JOIN (SELECT 1 AS one) AS x');
  });

  test('IS [NOT] DISTINCT FROM is refused; the portable comparison the merges use finishes', async () => {
    await refused(`SELECT id FROM t WHERE name IS DISTINCT FROM 'a'`, 'ERROR: syntax error at or near "DISTINCT"');
    await refused(`SELECT id FROM t WHERE name IS NOT DISTINCT FROM 'a'`, 'ERROR: syntax error at or near "DISTINCT"');
    await finishes(`SELECT id FROM t WHERE (name <> 'a' OR (name IS NULL) <> ('a' IS NULL))`);
  });

  test('arrays (ARRAY[…], array types and casts) are refused; scalar columns finish', async () => {
    await refused('SELECT ARRAY[1, 2]', LEADER_ONLY);
    await refused(`SELECT '{1}'::int[]`, LEADER_ONLY);
    await refused('CREATE TABLE a1 (ids INT[])', 'ERROR: Column "a1.ids" has unsupported type "int[]".');
    await finishes('CREATE TABLE a_ok (ids VARCHAR(100))');
  });

  test('types Redshift lacks (BYTEA, UUID, INTERVAL, MONEY, XML, INET, BIT) are refused as columns; its own types finish', async () => {
    for (const type of ['BYTEA', 'UUID', 'INTERVAL', 'MONEY', 'XML', 'INET', 'BIT']) {
      await refused(`CREATE TABLE ty_${type} (a INT, b ${type})`, `ERROR: Column "ty_${type.toLowerCase()}.b" has unsupported type "${type.toLowerCase()}".`);
    }
    await refused('ALTER TABLE w ADD COLUMN token UUID', 'ERROR: Column "w.token" has unsupported type "uuid".');
    await refused(`SELECT CAST('00000000-0000-0000-0000-000000000000' AS UUID)`, LEADER_ONLY);
    await finishes(`CREATE TABLE ty_ok (a SMALLINT, b INTEGER, c BIGINT, d DECIMAL(10, 2), e REAL, f DOUBLE PRECISION, g BOOLEAN,
      h CHAR(2), i VARCHAR(10), j CHARACTER VARYING(10), k DATE, l TIMESTAMP, m TIMESTAMPTZ, n VARCHAR(MAX), o TEXT)`);
    await finishes('ALTER TABLE w ADD COLUMN note VARCHAR(20)');
  });

  test('CREATE TABLE … (LIKE …) finishes', async () => {
    await finishes('CREATE TABLE t_like (LIKE t)');
    await finishes(`INSERT INTO t_like (id, name) VALUES (1, 'x')`);
  });

  // --- Distribution and sort keys --------------------------------------------------------

  test('DISTKEY or SORTKEY naming a column the table lacks is refused; keys on its columns finish', async () => {
    await refused('CREATE TABLE d1 (a INT, b INT) DISTKEY (c)', 'ERROR: column "c" named in DISTKEY does not exist');
    await refused('CREATE TABLE d2 (a INT, b INT) SORTKEY (a, c)', 'ERROR: column "c" named in SORTKEY does not exist');
    await refused('CREATE TABLE d2b (a INT, b INT) COMPOUND SORTKEY (zz)', 'ERROR: column "zz" named in SORTKEY does not exist');
    await finishes('CREATE TABLE d_ok (a INT, b INT) DISTKEY (b) SORTKEY (a, b)');
  });

  test('DISTKEY with DISTSTYLE ALL (table or column attribute) is refused; DISTSTYLE ALL alone and DISTSTYLE KEY with a key finish', async () => {
    await refused('CREATE TABLE d3 (a INT) DISTSTYLE ALL DISTKEY (a)', 'ERROR: DISTSTYLE ALL is not compatible with DISTKEY');
    await refused('CREATE TABLE d4 (a INT DISTKEY) DISTSTYLE ALL', 'ERROR: DISTSTYLE ALL is not compatible with DISTKEY');
    await refused('CREATE TABLE d4e (a INT) DISTSTYLE EVEN DISTKEY (a)', 'ERROR: DISTSTYLE EVEN is not compatible with DISTKEY');
    await finishes('CREATE TABLE d5 (a INT) DISTSTYLE ALL SORTKEY (a)');
    await finishes('CREATE TABLE d6 (a INT DISTKEY, b INT) DISTSTYLE KEY');
  });

  test('more than one DISTKEY is refused; the same column named twice is one key', async () => {
    await refused('CREATE TABLE d7 (a INT DISTKEY, b INT DISTKEY)', 'ERROR: Only one column can be specified as DISTKEY');
    await refused('CREATE TABLE d8 (a INT DISTKEY, b INT) DISTKEY (b)', 'ERROR: Only one column can be specified as DISTKEY');
    await finishes('CREATE TABLE d9 (a INT DISTKEY, b INT) DISTKEY (a)');
  });

  // --- Data API limits -----------------------------------------------------------------

  test('a statement over 100 KB is a ValidationException; one just under finishes', async () => {
    const big = (bytes: number) => `SELECT '${'x'.repeat(bytes - "SELECT '' AS pad".length)}' AS pad`;
    await validationError(client.send(new ExecuteStatementCommand({ ...TARGET, Sql: big(100 * 1024 + 1) })), /larger than 100kB/);
    await validationError(client.send(new BatchExecuteStatementCommand({ ...TARGET, Sqls: ['SELECT 1', big(150 * 1024)] })), /larger than 100kB/);
    assert.equal(Buffer.byteLength(big(100 * 1024)), 100 * 1024);
    await finishes(big(100 * 1024));
  });

  test('more than 40 statements in a batch is a ValidationException; 40 finish', async () => {
    const sqls = (n: number) => Array.from({ length: n }, (_, i) => `SELECT ${i}`);
    await validationError(client.send(new BatchExecuteStatementCommand({ ...TARGET, Sqls: sqls(41) })), /length less than or equal to 40/);
    assert.equal((await batch(sqls(40))).Status, 'FINISHED');
  });

  test('an empty parameter value is a ValidationException; a non-empty one finishes', async () => {
    await validationError(client.send(new ExecuteStatementCommand({ ...TARGET, Sql: 'SELECT :v AS v', Parameters: [{ name: 'v', value: '' }] })),
      /Member must have length greater than or equal to 1/);
    await finishes('SELECT :v AS v', { Parameters: [{ name: 'v', value: 'x' }] });
  });

  // --- VARCHAR(n) in bytes ---------------------------------------------------------------

  test('INSERT and UPDATE store a value only when its UTF-8 bytes fit VARCHAR(n)/CHAR(n)', async () => {
    await finishes('CREATE TABLE bytes_t (v VARCHAR(4), c CHAR(2), x TEXT)');
    await finishes(`INSERT INTO bytes_t (v, c) VALUES ('abcd', 'ab'), ('ää', 'é')`); // 4 and 2 bytes: fit
    await refused(`INSERT INTO bytes_t (v) VALUES ('äbcd')`, 'ERROR: value too long for type character varying(4)'); // 4 characters, 5 bytes
    await refused(`INSERT INTO bytes_t (c) VALUES ('éa')`, 'ERROR: value too long for type character varying(2)');
    await refused(`UPDATE bytes_t SET v = 'ääa' WHERE v = 'ää'`, 'ERROR: value too long for type character varying(4)');
    // TEXT is VARCHAR(256) on Redshift.
    await finishes(`INSERT INTO bytes_t (x) VALUES ('${'é'.repeat(128)}')`);
    await refused(`INSERT INTO bytes_t (x) VALUES ('${'é'.repeat(128)}a')`, 'ERROR: value too long for type character varying(256)');
    // Added columns and temporary tables are counted in bytes too.
    await finishes('ALTER TABLE bytes_t ADD COLUMN added VARCHAR(3)');
    await refused(`INSERT INTO bytes_t (added) VALUES ('ää')`, 'ERROR: value too long for type character varying(3)');
    const temp = await batch(['CREATE TEMP TABLE bytes_tmp (v VARCHAR(2))', `INSERT INTO bytes_tmp (v) VALUES ('é')`, `INSERT INTO bytes_tmp (v) VALUES ('éa')`]);
    assert.equal(temp.Status, 'FAILED');
    assert.match(temp.Error!, /value too long for type character varying\(2\)/);
  });

  test('a COPY of a value whose bytes do not fit fails with error 1204 naming the column, recorded in sys_load_error_detail and stl_load_errors', async () => {
    await finishes('CREATE TABLE bytes_copy (id INT, v VARCHAR(4))');
    const fits = await putObject('bytes/fits.csv.gz', gzipSync('1,abcd\n2,ää\n'));
    await finishes(`COPY bytes_copy (id, v) FROM '${fits}' ${ROLE} GZIP CSV`);
    const bad = await putObject('bytes/bad.csv.gz', gzipSync('3,abc\n4,"äbcd"\n'));
    const d = await run(`COPY bytes_copy (id, v) FROM '${bad}' ${ROLE} GZIP CSV`);
    assert.equal(d.Status, 'FAILED');
    assert.equal(d.Error, `ERROR: Load into table 'bytes_copy' failed. Check 'sys_load_error_detail' system table for details.`);
    assert.deepEqual(await rows('SELECT COUNT(*) FROM bytes_copy'), [[{ longValue: 2 }]]);
    // Read back through the Data API, as the engine reads it.
    const detail = await rows(`SELECT query_id, file_name, line_number, TRIM(column_name), TRIM(column_type), column_length, error_code, TRIM(error_message)
      FROM sys_load_error_detail WHERE query_id = ${d.RedshiftQueryId}`);
    assert.deepEqual(detail, [[{ longValue: d.RedshiftQueryId }, { stringValue: bad }, { longValue: 2 }, { stringValue: 'v' }, { stringValue: 'varchar' },
      { stringValue: '4' }, { longValue: 1204 }, { stringValue: 'String length exceeds DDL length' }]]);
    const stl = await rows(`SELECT raw_line, raw_field_value, err_code, TRIM(colname) FROM stl_load_errors WHERE query = ${d.RedshiftQueryId}`);
    assert.deepEqual(stl, [[{ stringValue: '4,"äbcd"' }, { stringValue: 'äbcd' }, { longValue: 1204 }, { stringValue: 'v' }]]);
  });

  // --- Keys declared, not enforced -------------------------------------------------------

  test('PRIMARY KEY, UNIQUE and FOREIGN KEY are declared but never enforced; NOT NULL is', async () => {
    await finishes('CREATE TABLE parent (id INT NOT NULL PRIMARY KEY)');
    await finishes(`CREATE TABLE keyed (id INT NOT NULL PRIMARY KEY, code VARCHAR(5) UNIQUE, parent_id INT REFERENCES parent (id),
      a INT, b INT, CONSTRAINT keyed_ab UNIQUE (a, b), FOREIGN KEY (a) REFERENCES parent (id))`);
    await finishes('CREATE TABLE keyed2 (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (a, b), c INT)');
    // A duplicate key, twice, and a reference to a row that does not exist: all FINISH.
    await finishes(`INSERT INTO keyed (id, code, parent_id, a, b) VALUES (1, 'x', 99, 1, 1), (1, 'x', 99, 1, 1)`);
    await finishes(`INSERT INTO keyed (id, code, parent_id, a, b) VALUES (1, 'x', 42, 1, 1)`);
    await finishes('INSERT INTO keyed2 (a, b) VALUES (1, 1), (1, 1)');
    await finishes('ALTER TABLE keyed2 ADD CONSTRAINT keyed2_c UNIQUE (c)');
    assert.deepEqual(await rows('SELECT COUNT(*) FROM keyed WHERE id = 1'), [[{ longValue: 3 }]]);
    await refused('INSERT INTO keyed (id) VALUES (NULL)', /null value in column "id"/);
  });

  test('TRUNCATE runs inside a batch (Redshift commits there: documented, not emulated)', async () => {
    const d = await batch(['INSERT INTO w (id) VALUES (7)', 'TRUNCATE w', 'INSERT INTO w (id) VALUES (8)']);
    assert.equal(d.Status, 'FINISHED', d.Error);
  });

  test('every distinct SQL text that ran is listed in emulator.statements, and each call in emulator.batches', async () => {
    emulator.statements.clear();
    await batch(['SELECT 1 AS one', 'SELECT :v AS v'].map((s) => s.replace(':v', "'v'")));
    await run('SELECT 1 AS one');
    assert.deepEqual([...emulator.statements], ['SELECT 1 AS one', "SELECT 'v' AS v"]);
    assert.deepEqual(emulator.batches.slice(-2), [['SELECT 1 AS one', "SELECT 'v' AS v"], ['SELECT 1 AS one']]);
  });
});

// The checker reads tokens: no text inside a literal, a quoted name or a comment trips a rule,
// whatever it holds (rule words, quotes, comment markers, `$`).
test('no literal, quoted identifier or comment content ever makes the checker refuse a statement', () => {
  const words = fc.constantFrom('ON CONFLICT', 'RETURNING', '::json', 'FROM (VALUES (1))', 'LATERAL', 'IS DISTINCT FROM', 'ARRAY[1]',
    'generate_series(1, 2) FROM t', 'json_array_elements_text(', 'SERIAL', "'", '"', '--', '/*', '*/', '$$', '\n', ' ');
  const text = fc.array(fc.oneof(words, fc.string()), { maxLength: 8 }).map((parts) => parts.join(' '));
  fc.assert(fc.property(text, (t) => {
    const literal = `'${t.replace(/'/g, "''")}'`;
    const name = `"${t.replace(/"/g, '""')}"`;
    const line = t.replace(/\n/g, ' ');
    for (const sql of [`SELECT ${literal} AS x FROM t`, `SELECT 1 AS ${name}`, `INSERT INTO t (name) VALUES (${literal}) -- ${line}`,
      `SELECT 1 /* ${t.replace(/\/\*|\*\//g, '')} */`]) {
      assert.equal(redshiftRefusal(sql), undefined, sql);
    }
  }), { numRuns: 300 });
});

// Every variant of the SQL the Redshift engine builds, including combinations the end-to-end
// tests do not reach (a late single-file reload, …), passes the checker and the DDL rules.
test('every statement the Redshift dialect can build passes the strictness checker and the DDL rules', () => {
  const d = REDSHIFT_DIALECT;
  const id = '01KAAAAAAAAAAAAAAAAAAAAAAA';
  const all = migrations(d).flatMap((m) => m.statements);
  for (const singleFile of [true, false]) for (const late of [true, false]) for (const merged of [true, false]) for (const firstLoad of [true, false]) {
    for (const mode of ['full', 'delta'] as const) {
      for (const staging of [INVENTORY_STAGING.table, persistentStaging(INVENTORY_STAGING, id)]) {
        all.push(...inventoryMerge(d, { singleFile, late, merged, firstLoad, staging, mode, shrinkGuardPercent: 50 }).map((s) => (s.kind === 'sql' || s.kind === 'guard' ? s.sql : '')).filter(Boolean));
      }
    }
  }
  all.push(...claimMerge(d, false), ...claimMerge(d, true), ...claimMerge(d, true, persistentStaging(CLAIM_STAGING, id), persistentStaging(CLAIM_LINE_STAGING, id)));
  for (const st of [INVENTORY_STAGING, CLAIM_STAGING, CLAIM_LINE_STAGING]) all.push(createStaging(d, st), `CREATE TABLE ${persistentStaging(st, id)} (${columnsDdl(st)})`);
  for (const sql of new Set(all)) {
    assert.equal(redshiftRefusal(sql), undefined, sql);
    assert.equal(rewriteRedshiftDdl(sql).error, undefined, sql);
  }
});
