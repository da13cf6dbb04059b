/**
 * `warehouse selftest` runs the real SQL in a scratch schema pair through ScopedWarehouse,
 * which maps `halo` and `halo_staging` in every statement. The guarantee it gives (the real
 * schemas are never named in what reaches the engine) is checked on every statement the code
 * writes for both dialects, and as a property on generated SQL.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mapSchemaNames, ScopedWarehouse } from '../../src/warehouse/scoped.js';
import { POSTGRES_DIALECT, type Step, type Warehouse } from '../../src/warehouse/warehouse.js';
import { REDSHIFT_DIALECT } from '../../src/warehouse/redshift/dialect.js';
import { migrations } from '../../src/warehouse/sql/ddl.js';
import { inventoryMerge, claimMerge, persistentStaging, INVENTORY_STAGING } from '../../src/warehouse/sql/merge.js';
import { NATURAL_KEYS } from '../../src/warehouse/natural-keys.js';
import { planGuard } from '../../src/pipeline/load.js';

const names = { main: 'halo_selftest_abc_123456', staging: 'halo_selftest_abc_123456_staging' };
/** `halo` or `halo_staging` as a word (a real schema named), outside or inside a literal. */
const REAL = /\b(halo|halo_staging)\b(?!-)/;

fc.configureGlobal({ seed: 0x5e1f7e57 });

describe('mapSchemaNames', () => {
  test('schema words and schema literals are mapped; other words and literals are not', () => {
    const cases: Array<[string, string]> = [
      ['SELECT * FROM halo.dim_product p JOIN halo_staging.stg_x s ON 1=1', `SELECT * FROM ${names.main}.dim_product p JOIN ${names.staging}.stg_x s ON 1=1`],
      ['CREATE SCHEMA IF NOT EXISTS halo_staging', `CREATE SCHEMA IF NOT EXISTS ${names.staging}`],
      [`SELECT brin_summarize_new_values('halo.fact_inventory_snapshot_batch_brin')`, `SELECT brin_summarize_new_values('${names.main}.fact_inventory_snapshot_batch_brin')`],
      [`SELECT 1 FROM information_schema.tables WHERE table_schema = 'halo'`, `SELECT 1 FROM information_schema.tables WHERE table_schema = '${names.main}'`],
      [`SELECT 'halo-data', 'the halo', 'halo_data', 'it''s halo.x' FROM halo_data.t`, `SELECT 'halo-data', 'the halo', 'halo_data', 'it''s halo.x' FROM halo_data.t`],
      [`SELECT "halo".t`, `SELECT "${names.main}".t`],
      [`SELECT 'unclosed halo`, `SELECT 'unclosed halo'`],
    ];
    for (const [sql, want] of cases) assert.equal(mapSchemaNames(sql, names), want, sql);
  });

  test('property: no real schema word is left outside literals, other literals are kept, and mapping twice changes nothing more', () => {
    const word = fc.constantFrom('halo', 'halo_staging', 'halo_data', 'xhalo', 'halo_selftest_abc_123456', 'SELECT', 'dim_product', '.', ' ', ',', '(', ')', '"', '1');
    const lit = fc.oneof(
      fc.constantFrom('halo', 'halo_staging', 'halo.t', 'halo_staging.t', 'halo-data', 'a halo', "it''s", ''),
      fc.string({ maxLength: 8 }).map((s) => s.replace(/'/g, "''")),
    ).map((s) => `'${s}'`);
    fc.assert(fc.property(fc.array(fc.oneof(word, lit), { maxLength: 30 }), (tokens) => {
      const sql = tokens.join('');
      const out = mapSchemaNames(sql, names);
      const outside = out.replace(/'(?:[^']|'')*'/g, "''");
      assert.ok(!/\b(halo|halo_staging)\b/.test(outside), out);
      assert.equal(mapSchemaNames(out, names), out);
      const literals = (s: string) => (s.match(/'(?:[^']|'')*'/g) ?? []).filter((l) => !/^'(halo|halo_staging)(\..*)?'$/s.test(l));
      assert.deepEqual(literals(out).filter((l) => !l.includes('selftest')), literals(sql).filter((l) => !l.includes('selftest')));
    }));
  });

  test('every statement the code writes, for both dialects, names only the scratch pair once mapped', () => {
    const statements: string[] = [];
    for (const d of [POSTGRES_DIALECT, REDSHIFT_DIALECT]) {
      for (const m of migrations(d)) statements.push(...m.statements);
      for (const singleFile of [true, false]) {
        for (const late of [true, false]) {
          for (const firstLoad of [true, false]) {
            for (const merged of [true, false]) {
              for (const mode of ['full', 'delta'] as const) {
                statements.push(...inventoryMerge(d, { singleFile, staging: persistentStaging(INVENTORY_STAGING, '01ARZ3NDEKTSV4RRFFQ69G5FAV'), late, firstLoad, merged, mode, shrinkGuardPercent: 50 })
                  .map((s) => (s.kind === 'sql' || s.kind === 'guard' ? s.sql : '')).filter(Boolean));
              }
            }
          }
        }
      }
      statements.push(...claimMerge(d, true, 'halo_staging.stg_claim_x', 'halo_staging.stg_claim_line_x'), ...claimMerge(d, false));
      statements.push(...(d.firstLoadProductIndexes?.before ?? []), ...(d.firstLoadProductIndexes?.after ?? []), ...d.v2Extras, ...d.v3Extras);
    }
    statements.push(...NATURAL_KEYS.map((k) => `SELECT ${k.key} FROM halo.${k.table}`));
    for (const held of [true, false]) {
      for (const late of [true, false]) {
        for (const firstLoad of [true, false]) {
          const g = planGuard('01ARZ3NDEKTSV4RRFFQ69G5FAV', { held, late, firstLoad });
          if (g.kind === 'guard') statements.push(g.sql);
        }
      }
    }
    assert.ok(statements.filter((s) => REAL.test(s)).length > 50, 'the statements name the real schemas before mapping');
    for (const s of statements) assert.ok(!REAL.test(mapSchemaNames(s, names)), mapSchemaNames(s, names));
  });
});

describe('ScopedWarehouse', () => {
  const recording = () => {
    const seen: { sql: string[]; steps: Step[][]; names: Array<string | undefined> } = { sql: [], steps: [], names: [] };
    const inner: Warehouse = {
      engine: 'postgres', dialect: POSTGRES_DIALECT, describe: 'test',
      query: async (sql) => { seen.sql.push(sql); return { rows: [], fields: [] }; },
      readOnlyQuery: async (sql) => { seen.sql.push(sql); return { rows: [], fields: [] }; },
      execute: async (steps, opts) => { seen.steps.push(steps); seen.names.push(opts?.name); },
      close: async () => { throw new Error('the wrapper must not close the warehouse it wraps'); },
    };
    return { inner, seen };
  };

  test('queries, steps and COPY targets are mapped; units of work are named apart; close leaves the engine open', async () => {
    const { inner, seen } = recording();
    const wh = new ScopedWarehouse(inner, names);
    await wh.query('SELECT COUNT(*) FROM halo.etl_batch WHERE batch_id = $1', ['01ARZ3NDEKTSV4RRFFQ69G5FAV']);
    await wh.readOnlyQuery('SELECT 1 FROM halo.dim_date');
    await wh.execute([
      { kind: 'sql', sql: 'DELETE FROM halo.etl_batch WHERE batch_id = $1', params: ['X'] },
      { kind: 'copy', table: 'halo_staging.stg_inventory_x', columns: ['a'], manifestUrl: 's3://halo.bucket/halo/m', parts: [], expectedRows: 0, label: 'l' },
      { kind: 'checkpoint', name: 'load:before-merge' },
      { kind: 'guard', label: 'plan', sql: 'SELECT COUNT(*) FROM halo.schema_version WHERE version >= $1', params: [2] },
    ], { name: 'load-X' });
    await wh.close();
    assert.deepEqual(seen.sql, [`SELECT COUNT(*) FROM ${names.main}.etl_batch WHERE batch_id = $1`, `SELECT 1 FROM ${names.main}.dim_date`]);
    const [sql, copy, point, guard] = seen.steps[0];
    // A guard reads the ledger or the schema version: the scratch pair's, never the real one.
    assert.equal(guard.kind === 'guard' && guard.sql, `SELECT COUNT(*) FROM ${names.main}.schema_version WHERE version >= $1`);
    assert.equal(sql.kind === 'sql' && sql.sql, `DELETE FROM ${names.main}.etl_batch WHERE batch_id = $1`);
    // The table is mapped; the lake's URL is a value and is not.
    assert.equal(copy.kind === 'copy' && copy.table, `${names.staging}.stg_inventory_x`);
    assert.equal(copy.kind === 'copy' && copy.manifestUrl, 's3://halo.bucket/halo/m');
    assert.deepEqual(point, { kind: 'checkpoint', name: 'load:before-merge' });
    assert.deepEqual(seen.names, ['selftest-load-X']);
  });

  test('a parameter that could name a real schema is refused; the real names are refused as scratch names', async () => {
    const { inner } = recording();
    const wh = new ScopedWarehouse(inner, names);
    await assert.rejects(wh.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1`, ['halo']), /could name the real schema/);
    assert.throws(() => new ScopedWarehouse(inner, { main: 'halo', staging: names.staging }), /not a scratch schema name/);
    assert.throws(() => new ScopedWarehouse(inner, { main: names.main, staging: 'halo_staging' }), /not a scratch schema name/);
    assert.throws(() => new ScopedWarehouse(inner, { main: 'x; DROP SCHEMA halo', staging: names.staging }), /not a scratch schema name/);
  });
});
