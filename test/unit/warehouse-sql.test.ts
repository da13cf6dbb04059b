/**
 * The pieces of warehouse SQL that differ by engine or carry values: how steps become one
 * Redshift Data API batch (values only as parameters, COPY with the IAM role and a row-count
 * guard), how database messages lose quoted values, and that the Redshift dialect's
 * portable SQL really runs on PostgreSQL (PGlite) with the same answers.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { renderBatch } from '../../src/warehouse/redshift/render.js';
import { REDSHIFT_DIALECT } from '../../src/warehouse/redshift/dialect.js';
import { POSTGRES_DIALECT, SecretParam, type Step } from '../../src/warehouse/warehouse.js';
import { redactDbMessage } from '../../src/warehouse/redact.js';
import { bindUsed } from '../../src/warehouse/bind.js';
import { inventoryMerge, claimMerge } from '../../src/warehouse/sql/merge.js';
import { migrations } from '../../src/warehouse/sql/ddl.js';
import { ConfigError } from '../../src/errors.js';

const copyStep = (url = 's3://lake/b/copy.manifest'): Step => ({
  kind: 'copy', table: 'stg_inventory', columns: ['a', 'b'], manifestUrl: url, expectedRows: 42, label: 'batch X (rows)',
  parts: [{ url: 's3://lake/b/part-00000.csv.gz', open: async () => (async function* () {})() }],
});

describe('a Redshift Data API batch from steps', () => {
  test('values travel as named parameters, never in the SQL text; NULL and empty text as literals', () => {
    const b = renderBatch([
      { kind: 'sql', sql: 'INSERT INTO t (a, b, c, d) VALUES ($1, $2, $3, $4)', params: ['01ABC', null, '', 7] },
      { kind: 'sql', sql: 'SELECT SHA2($2 || $1, 256)', params: ['x', new SecretParam('the-hash-key')] },
      { kind: 'checkpoint', name: 'load:before-merge' },
    ], null);
    assert.deepEqual(b.sqls, ['INSERT INTO t (a, b, c, d) VALUES (:p1, NULL, \'\', :p2)', 'SELECT SHA2(:p3 || :p4, 256)']);
    assert.deepEqual(b.parameters, [{ name: 'p1', value: '01ABC' }, { name: 'p2', value: '7' }, { name: 'p3', value: 'the-hash-key' }, { name: 'p4', value: 'x' }]);
    assert.ok(!b.sqls.join('\n').includes('the-hash-key'));
  });

  test('the same position and value share one parameter across statements', () => {
    const b = renderBatch([
      { kind: 'sql', sql: 'DELETE FROM t WHERE id = $1', params: ['B1'] },
      { kind: 'sql', sql: 'UPDATE u SET x = 1 WHERE id = $1 AND n = $2', params: ['B1', 'B1'] },
    ], null);
    assert.deepEqual(b.parameters.map((p) => p.name), ['p1', 'p2']);
    assert.equal(b.sqls[1], 'UPDATE u SET x = 1 WHERE id = :p1 AND n = :p2');
  });

  test('COPY reads the manifest with the IAM role, and a guard fails the batch on another count', () => {
    const b = renderBatch([copyStep()], { iamRole: 'arn:aws:iam::123456789012:role/copy', region: 'ap-southeast-3' });
    assert.equal(b.sqls.length, 2);
    assert.match(b.sqls[0], /^COPY stg_inventory \(a, b\) FROM 's3:\/\/lake\/b\/copy\.manifest' IAM_ROLE 'arn:aws:iam::123456789012:role\/copy' MANIFEST GZIP CSV/);
    assert.match(b.sqls[0], /REGION 'ap-southeast-3'$/);
    assert.doesNotMatch(b.sqls[0], /ACCESS_KEY|SECRET|CREDENTIALS/i);
    assert.match(b.sqls[1], /COUNT\(\*\) = 42 THEN '0' ELSE 'row-count-mismatch' END AS INTEGER/);
    assert.deepEqual(b.roles.map((r) => r.kind), ['copy', 'guard']);
  });

  // Issue 16 item 5: with STATUPDATE OFF (and no ANALYZE in the dialect) the merges were
  // planned on a staging table Redshift knew nothing of. Tables made by CREATE TEMP TABLE AS
  // (the de-duplicated staging) Redshift analyzes itself; COPYed ones get STATUPDATE ON.
  test('the staging COPY computes planner statistics (STATUPDATE ON); no ANALYZE statement is added', () => {
    const b = renderBatch([copyStep()], { iamRole: 'arn:aws:iam::123456789012:role/copy' });
    assert.match(b.sqls[0], /\bSTATUPDATE ON\b/);
    assert.doesNotMatch(b.sqls[0], /STATUPDATE OFF/);
    assert.match(b.sqls[0], /\bCOMPUPDATE OFF\b/);
    assert.deepEqual(REDSHIFT_DIALECT.analyze('stg_inventory'), []);
  });

  test('COPY without a role, or from a lake that is not S3, is a configuration error', () => {
    assert.throws(() => renderBatch([copyStep()], null), (e) => e instanceof ConfigError && /iamRole/.test(e.message));
    assert.throws(() => renderBatch([copyStep('file:///tmp/lake/b/copy.manifest')], { iamRole: 'arn:aws:iam::1:role/x' }),
      (e) => e instanceof ConfigError && /S3/.test(e.message));
  });

  test('a load of each schema fits in one batch of at most 40 statements', () => {
    for (const d of [POSTGRES_DIALECT, REDSHIFT_DIALECT]) {
      for (const late of [true, false]) {
        assert.ok(inventoryMerge(d, { singleFile: false, staging: 'stg_inventory', late, firstLoad: true, merged: false, mode: 'full', shrinkGuardPercent: 50 }).length + 8 <= 40);
      }
      assert.ok(claimMerge(d, true).length + 10 <= 40);
    }
  });
});

describe('database messages lose quoted values', () => {
  test('values go, our own identifiers stay', () => {
    assert.equal(redactDbMessage('invalid input syntax for type numeric: "Siti Rahayu"'), 'invalid input syntax for type numeric: ***');
    assert.equal(redactDbMessage("Invalid digit, Value 'B', Pos 0, Type: Integer"), 'Invalid digit, Value ***, Pos 0, Type: Integer');
    assert.equal(redactDbMessage('relation "halo.dim_x" does not exist'), 'relation "halo.dim_x" does not exist');
    assert.equal(redactDbMessage('column "member_id" of relation "stg_claim" does not exist'), 'column "member_id" of relation "stg_claim" does not exist');
  });

  // Issue 15 item 8: `warehouse query 'SELEC 1'` said `syntax error at or near ***`.
  test("the user's own SQL stays; a value the database read from a row still goes", () => {
    assert.equal(redactDbMessage('syntax error at or near "SELEC"', 'SELEC 1'), 'syntax error at or near "SELEC"');
    assert.equal(redactDbMessage('invalid input syntax for type integer: "abc"', "SELECT 'abc'::int"), 'invalid input syntax for type integer: "abc"');
    assert.equal(redactDbMessage('ERROR: syntax error at or near "FORM"\n  Position: 10', 'SELECT 1 FORM x'), 'ERROR: syntax error at or near "FORM"\n  Position: 10');
    // Not in the user's SQL: a row's value, masked as in a load's message.
    assert.equal(redactDbMessage('invalid input syntax for type integer: "Siti Rahayu"', 'SELECT product_name::int FROM halo.dim_product'),
      'invalid input syntax for type integer: ***');
    // Only whole tokens of the SQL count: a one-letter value is not "in" every word that holds the letter.
    assert.equal(redactDbMessage('invalid input syntax for type integer: "S"', 'SELECT sku::int FROM halo.dim_product'), 'invalid input syntax for type integer: ***');
    assert.equal(redactDbMessage('invalid input syntax for type integer: "a"', 'SELECT halo_a FROM t'), 'invalid input syntax for type integer: ***');
    assert.equal(redactDbMessage('invalid input syntax for type integer: ""', "SELECT ''::int"), 'invalid input syntax for type integer: ***');
    // Without the user's SQL (statements halo-data builds from data: load, merge) every value goes.
    assert.equal(redactDbMessage('syntax error at or near "SELEC"'), 'syntax error at or near ***');
  });
});

describe("the Redshift dialect's portable SQL runs on PostgreSQL with the same answers", () => {
  test('diagnosis codes from the JSON array text, and the DDL without Redshift clauses', async () => {
    const db = await PGlite.create();
    try {
      await db.exec(`CREATE TEMP TABLE s (claim_id VARCHAR(64), diagnosis_codes VARCHAR(1024));
        INSERT INTO s VALUES ('C1', '["J18.9","A09"]'), ('C2', '[]'), ('C3', '["E11.9"]')`);
      const q = (d: typeof POSTGRES_DIALECT) => db.query<{ claim_id: string; code: string }>(`SELECT claim_id, code FROM (${d.jsonArrayElements('s', 'claim_id', 'diagnosis_codes')}) AS e ORDER BY 1, 2`);
      const pg = (await q(POSTGRES_DIALECT)).rows;
      assert.deepEqual(pg, [{ claim_id: 'C1', code: 'A09' }, { claim_id: 'C1', code: 'J18.9' }, { claim_id: 'C3', code: 'E11.9' }]);
      assert.deepEqual((await q(REDSHIFT_DIALECT)).rows, pg);
      // Every Redshift DDL statement differs from PostgreSQL's only in IDENTITY and distribution clauses.
      const strip = (s: string) => s.replace(/BIGINT IDENTITY\(1,1\)/g, POSTGRES_DIALECT.identity).replace(/ DISTSTYLE ALL| DISTKEY \(\w+\)| SORTKEY \([\w, ]+\)/g, '');
      const rs = migrations(REDSHIFT_DIALECT);
      const pg2 = migrations(POSTGRES_DIALECT);
      assert.deepEqual(rs[0].statements.map(strip), pg2[0].statements);
      // Later versions differ only by the indexes PostgreSQL has and Redshift has not.
      assert.deepEqual(rs[1].statements, pg2[1].statements.slice(0, pg2[1].statements.length - POSTGRES_DIALECT.v2Extras.length));
    } finally {
      await db.close();
    }
  });

  test('bindUsed numbers only the parameters a statement uses', () => {
    assert.deepEqual(bindUsed('SELECT $3, $1, $3', ['a', 'b', 'c']), { sql: 'SELECT $1, $2, $1', params: ['c', 'a'] });
  });
});
