/**
 * Issue 15 item 5, the pieces below the CLI: a part's CSV is COPYed into PGlite in slices of
 * whole records (so the rows copied can be told between them): property-tested on arbitrary
 * tables written as batch parts are (csv-out); progress text and JSON fields say counts, rate
 * and estimate; a merge statement is named by its kind and table only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { csvSlices } from '../../src/warehouse/csv-slices.js';
import { csvLine } from '../../src/batch/csv-out.js';
import { progressFields, progressText, formatSeconds, type ProgressState } from '../../src/output/progress-format.js';
import { statementTarget } from '../../src/pipeline/load.js';
import { SCALE } from '../support/prng.js';

const cell = fc.option(fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é', '日', 'x'), maxLength: 12 }), { nil: null });
const table = fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 0, maxLength: 40 });

test('csvSlices: the slices are the text, each ends a record, and each parses to whole rows (fast-check)', () => {
  fc.assert(fc.property(table, fc.integer({ min: 1, max: 64 }), (rows, target) => {
    const text = rows.map((r) => csvLine(r) + '\n').join('');
    const buf = Buffer.from(text);
    const slices = csvSlices(buf, target);
    assert.equal(Buffer.concat(slices).toString(), text);
    const records = (t: string) => (t === '' ? [] : parse(t, { relax_column_count: true }) as string[][]);
    let n = 0;
    for (const s of slices) {
      assert.ok(s.length > 0);
      // Whole records: parsing each slice alone gives the table's rows in order.
      n += records(s.toString()).length;
    }
    assert.equal(n, records(text).length);
    assert.deepEqual(slices.flatMap((s) => records(s.toString())), records(text));
  }), { numRuns: 300 * SCALE });
});

test('csvSlices: a large text is cut near the target, never inside a quoted line break', () => {
  const line = csvLine(['M1', 'SKU', 'two\nlines, "quoted"', '12500.00']) + '\n';
  const text = Buffer.from(line.repeat(10_000));
  const slices = csvSlices(text, 64 * 1024);
  assert.ok(slices.length >= 5);
  for (const s of slices) {
    assert.equal(s.toString().split(line).join(''), '', 'each slice is whole lines');
    assert.ok(s.length <= 64 * 1024 + line.length);
  }
});

test('progress: counts, rate and estimate, as text and as JSON fields', () => {
  const s: ProgressState = { step: 'copy', text: 'batch B: copying rows', startedAt: 0, counts: { rows: 250_000, rowsTotal: 1_000_000 }, facts: { batch: 'B' } };
  assert.equal(progressText(s, 5_000), 'batch B: copying rows: 250,000/1,000,000 rows · 50,000 rows/s · ~15 s left · 5 s');
  assert.deepEqual(progressFields(s, 5_000), { step: 'copy', batch: 'B', rows: 250_000, rowsTotal: 1_000_000, rowsPerSecond: 50_000, etaSeconds: 15, elapsedSeconds: 5 });
  // No total: no estimate; bytes give one when rows have none.
  const st: ProgressState = { step: 'stage', text: 'manual: staging', startedAt: 0, counts: { files: 1, filesTotal: 4, rows: 120_000, bytes: 10 << 20, bytesTotal: 40 << 20 } };
  assert.equal(progressText(st, 2_000), 'manual: staging: 1/4 files, 120,000 rows, 10 MB/40 MB · 60,000 rows/s · ~6 s left · 2 s');
  assert.equal(progressText({ step: 'open', text: 'opening the warehouse', startedAt: 0, counts: {} }, 3_400), 'opening the warehouse · 3 s');
  assert.equal(formatSeconds(125), '2 min 5 s');
  assert.equal(formatSeconds(3_840), '1 h 4 min');
});

test('a merge statement is named by its kind and table, nothing of its values', () => {
  assert.equal(statementTarget('INSERT INTO halo.dim_product (merchant_id) SELECT $1'), 'insert halo.dim_product');
  assert.equal(statementTarget('  ANALYZE stg_inventory'), 'analyze stg_inventory');
  assert.equal(statementTarget("UPDATE halo.etl_batch SET error = 'x' WHERE batch_id = $2"), 'update halo.etl_batch');
  assert.equal(statementTarget('DROP TABLE IF EXISTS halo_staging.stg_x'), 'drop table halo_staging.stg_x');
  assert.equal(statementTarget("SELECT brin_summarize_new_values('x')"), 'select');
  assert.equal(statementTarget("WITH a AS (SELECT 'value') SELECT 1"), '');
});
