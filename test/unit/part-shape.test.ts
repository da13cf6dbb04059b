/**
 * The part shape of manifest version 2 (batch/part-shape.ts): normalised claim lines lose
 * their personal fields, member_id becomes member_key, and that key is exactly the value the
 * SQL of version 1 batches computes, so old and new batches share dim_member rows.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { PGlite } from '@electric-sql/pglite';
import { partShaper, partFields, memberKeyOf, memberKeyFor } from '../../src/batch/part-shape.js';
import { csvLine } from '../../src/batch/csv-out.js';
import { insuranceClaim } from '../../src/schemas/builtin/insurance-claim.js';
import { claimPdf } from '../../src/schemas/builtin/claim-pdf.js';
import { merchantInventory } from '../../src/schemas/builtin/merchant-inventory.js';
import { POSTGRES_DIALECT } from '../../src/warehouse/warehouse.js';
import { ConfigError } from '../../src/errors.js';

const KEY = 'unit-test-key-ü-€';
const fields = insuranceClaim.fields;

/** Text a normalised cell may hold: quotes, commas, line breaks, edge spaces, any script. */
const cell = fc.oneof(
  fc.constant(null),
  fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom('a', 'Z', '0', ',', '"', '\n', '\r', ' ', 'é', '€', '𝄞', ';') }),
  fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }),
);

describe('part shape', () => {
  test('columns: personal fields out, member_key where member_id was', () => {
    assert.deepEqual(partFields(insuranceClaim).map((f) => f.name), ['claim_id', 'policy_number', 'member_key', 'provider_id', 'provider_name', 'claim_type',
      'admission_date', 'discharge_date', 'diagnosis_codes', 'claimed_amount', 'approved_amount', 'currency']);
    assert.deepEqual(partFields(claimPdf).map((f) => f.name), partFields(insuranceClaim).map((f) => f.name));
    assert.deepEqual(partFields(merchantInventory), merchantInventory.fields);
    assert.equal(partShaper(merchantInventory, undefined), null, 'inventory lines go into parts unchanged, no key needed');
  });

  test('claims without a key: a ConfigError (exit 2) naming HALO_DATA_MEMBER_KEY', () => {
    for (const key of [undefined, '']) {
      assert.throws(() => partShaper(insuranceClaim, key), (e: unknown) => e instanceof ConfigError && /HALO_DATA_MEMBER_KEY/.test(e.message));
      assert.throws(() => memberKeyFor(claimPdf, key), ConfigError);
    }
    assert.equal(memberKeyFor(merchantInventory, undefined), undefined);
  });

  test('any normalised lines: the same rows, personal cells gone, member_id as its keyed hash, the rest byte for byte', () => {
    const shape = partShaper(insuranceClaim, KEY)!;
    const row = fc.tuple(fc.array(cell, { minLength: fields.length, maxLength: fields.length }), fc.string({ minLength: 1, maxLength: 8 }), fc.nat());
    fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 6 }), (rows) => {
      const text = rows.map(([v, file, n]) => csvLine([...v, file, String(n)]) + '\n').join('');
      const out = new TextDecoder().decode(shape(new TextEncoder().encode(text)));
      const expected = rows.map(([v, file, n]) => csvLine([...v.flatMap((x, i) => {
        const f = fields[i];
        if (!f.personal) return [x];
        return f.name === 'member_id' ? [x === null ? null : memberKeyOf(KEY, x)] : [];
      }), file, String(n)]) + '\n').join('');
      assert.equal(out, expected);
      // And a CSV reader (the COPY's view) gets the part's columns.
      const parsed = parse(out, { relax_column_count: false }) as string[][];
      assert.equal(parsed.length, rows.length);
      for (const r of parsed) assert.equal(r.length, partFields(insuranceClaim).length + 2);
    }), { numRuns: 300 });
  });

  test('a broken line is an error, never a silently shifted column', () => {
    const shape = partShaper(insuranceClaim, KEY)!;
    const enc = (s: string) => new TextEncoder().encode(s);
    assert.throws(() => shape(enc('a,b\n')), /fields, expected/);
    assert.throws(() => shape(enc('"open,' + ','.repeat(20) + '\n')), /not closed/);
  });

  test('member_key is what the SQL computes from the same key and member_id (PostgreSQL dialect, UTF-8)', async () => {
    const db = new PGlite();
    try {
      const sql = `SELECT ${POSTGRES_DIALECT.keyedHash('CAST($2 AS VARCHAR)', 'CAST($1 AS VARCHAR)')} AS h`;
      const ids = fc.sample(fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }), 60);
      for (const id of ['0001387264915', 'MB-1', ...ids]) {
        const r = await db.query<{ h: string }>(sql, [KEY, id]);
        assert.equal(memberKeyOf(KEY, id), r.rows[0].h, JSON.stringify(id));
      }
    } finally {
      await db.close();
    }
  });
});
