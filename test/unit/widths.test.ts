/**
 * Issue 14 item 5: column widths are part of the schema, in UTF-8 bytes (Redshift counts
 * VARCHAR(n) in bytes). Every string field carries `maxBytes`; the warehouse's DDL and
 * staging tables take their VARCHAR widths from it; a longer value is a row's
 * constraint-error naming the column, the limit and the byte length, never the value.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileField } from '../../src/schemas/normalize-field.js';
import { LocaleState } from '../../src/schemas/fields/number.js';
import { FieldFail } from '../../src/schemas/fields/fail.js';
import { BUILTIN_SCHEMAS } from '../../src/schemas/registry.js';
import { claimLineFields, claimPdf } from '../../src/schemas/builtin/claim-pdf.js';
import { merchantInventory } from '../../src/schemas/builtin/merchant-inventory.js';
import { insuranceClaim } from '../../src/schemas/builtin/insurance-claim.js';
import { sqlType } from '../../src/schemas/widths.js';
import { migrations } from '../../src/warehouse/sql/ddl.js';
import { INVENTORY_STAGING, CLAIM_STAGING, CLAIM_STAGING_V1, CLAIM_LINE_STAGING } from '../../src/warehouse/sql/merge.js';
import { partFields } from '../../src/batch/part-shape.js';
import { REDSHIFT_DIALECT } from '../../src/warehouse/redshift/dialect.js';
import { planFile } from '../../src/validation/plan.js';
import { RowProcessor } from '../../src/validation/rows.js';
import { judge } from '../../src/documents/gates.js';
import type { Reading } from '../../src/documents/reading.js';
import { DEFAULT_PROFILE, type FieldSpec, type SchemaSpec } from '../../src/schemas/types.js';
import { ofBytes, icd10Codes } from '../support/widths.js';

const seedEnv = process.env.HALO_PROPERTY_SEED;
if (seedEnv !== 'random') fc.configureGlobal({ seed: seedEnv ? Number(seedEnv) : 0x14005 });

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const FILLERS: Array<[string, number]> = [['é', 2], ['漢', 3], ['😀', 4]];

const ALL_FIELDS: Array<[string, FieldSpec]> = [
  ...BUILTIN_SCHEMAS.flatMap((s) => s.fields.map((f): [string, FieldSpec] => [s.name, f])),
  ...claimLineFields.map((f): [string, FieldSpec] => ['claim_line', f]),
];
/** Free-text fields: the ones a partner's value can make too wide. */
const FREE_TEXT = ALL_FIELDS.filter(([, f]) => f.type === 'string' && f.format === undefined);

describe('every string field carries its width', () => {
  test('string, string[] and enum fields of every built-in schema and claim_line have maxBytes', () => {
    const missing = ALL_FIELDS.filter(([, f]) => ['string', 'string[]', 'enum'].includes(f.type) && !(f.maxBytes! > 0)).map(([s, f]) => `${s}.${f.name}`);
    assert.deepEqual(missing, []);
  });
  test('enum values fit their column', () => {
    for (const [, f] of ALL_FIELDS.filter(([, f]) => f.type === 'enum')) {
      for (const v of Object.keys(f.enum!)) assert.ok(bytes(v) <= f.maxBytes!, `${f.name}: ${v}`);
    }
  });
  test('the widths the warehouse had before (no migration needed)', () => {
    const w = (s: SchemaSpec | FieldSpec[], name: string) => ('fields' in s ? s.fields : s).find((f) => f.name === name)!.maxBytes;
    assert.deepEqual(
      ['merchant_id', 'merchant_sku', 'product_name', 'barcode', 'unit'].map((n) => w(merchantInventory, n)), [64, 128, 512, 14, 64]);
    assert.deepEqual(
      ['claim_id', 'policy_number', 'member_id', 'patient_name', 'provider_id', 'provider_name', 'claim_type', 'diagnosis_codes', 'currency']
        .map((n) => w(insuranceClaim, n)), [64, 64, 64, 256, 64, 256, 16, 1024, 3]);
    assert.deepEqual(['claim_id', 'description'].map((n) => w(claimLineFields, n)), [64, 512]);
  });
});

describe('the warehouse takes its widths from the schema (one source of truth)', () => {
  test('staging tables: the schema fields in order, typed by the schema, as before', () => {
    assert.deepEqual(INVENTORY_STAGING.types, ['VARCHAR(64)', 'VARCHAR(128)', 'VARCHAR(512)', 'VARCHAR(14)', 'DECIMAL(14,2)', 'INTEGER', 'VARCHAR(64)', 'DATE', 'TIMESTAMP', 'VARCHAR(256)', 'BIGINT']);
    // Batches of format version 2: no personal column; member_key (hex SHA-256) where member_id was.
    assert.deepEqual(CLAIM_STAGING.types, ['VARCHAR(64)', 'VARCHAR(64)', 'VARCHAR(64)', 'VARCHAR(64)', 'VARCHAR(256)', 'VARCHAR(16)', 'DATE', 'DATE',
      'VARCHAR(1024)', 'DECIMAL(16,2)', 'DECIMAL(16,2)', 'VARCHAR(3)', 'VARCHAR(256)', 'BIGINT']);
    assert.deepEqual(CLAIM_STAGING_V1.types, ['VARCHAR(64)', 'VARCHAR(64)', 'VARCHAR(64)', 'VARCHAR(256)', 'DATE', 'VARCHAR(64)', 'VARCHAR(256)', 'VARCHAR(16)', 'DATE', 'DATE',
      'VARCHAR(1024)', 'DECIMAL(16,2)', 'DECIMAL(16,2)', 'VARCHAR(3)', 'VARCHAR(256)', 'BIGINT']);
    assert.deepEqual(CLAIM_LINE_STAGING.types, ['VARCHAR(64)', 'INTEGER', 'VARCHAR(512)', 'INTEGER', 'DECIMAL(16,2)', 'DECIMAL(16,2)', 'VARCHAR(256)', 'INTEGER']);
    for (const [st, fields] of [[INVENTORY_STAGING, merchantInventory.fields], [CLAIM_STAGING, partFields(insuranceClaim)], [CLAIM_STAGING_V1, insuranceClaim.fields], [CLAIM_LINE_STAGING, claimLineFields]] as const) {
      fields.forEach((f, i) => {
        assert.equal(st.columns[i], f.name);
        assert.equal(st.types[i], sqlType(f));
      });
    }
  });
  test('every star-schema column named like a schema field has that field\'s type', () => {
    const ddl = migrations(REDSHIFT_DIALECT)[0].statements.join('\n');
    const tables: Array<[string, readonly FieldSpec[]]> = [
      ['dim_product', merchantInventory.fields], ['dim_merchant', merchantInventory.fields], ['dim_provider', insuranceClaim.fields],
      ['fact_claim', insuranceClaim.fields], ['fact_claim_diagnosis', insuranceClaim.fields], ['fact_claim_line', claimLineFields],
    ];
    let checked = 0;
    for (const [table, fields] of tables) {
      const body = new RegExp(`halo\\.${table} \\(([\\s\\S]*?)\\)(?: DIST|$|\\n)`).exec(ddl)![1];
      for (const f of fields) {
        const m = new RegExp(`\\b${f.name} ([A-Z]+(?:\\(\\d+(?:,\\d+)?\\))?)`).exec(body);
        if (!m) continue;
        assert.equal(m[1], sqlType(f), `${table}.${f.name}`);
        checked++;
      }
    }
    assert.ok(checked >= 18, `checked ${checked} columns`);
  });
});

describe('a value over its width is a constraint-error naming the limit and the bytes, never the value', () => {
  for (const [schema, f] of FREE_TEXT) {
    for (const checkOnly of [false, true]) {
      test(`${schema}.${f.name} (${f.maxBytes} bytes${checkOnly ? ', validate only' : ''}): at, under and over the limit, in 1-4 byte characters`, () => {
        const norm = compileField(f, DEFAULT_PROFILE, new LocaleState('id-ID'), checkOnly);
        for (const [ch] of FILLERS) {
          for (const n of [f.maxBytes! - 1, f.maxBytes!]) {
            const r = norm(ofBytes(n, ch));
            assert.ok(!(r instanceof FieldFail), `${n} bytes of ${ch}: ${r instanceof FieldFail ? r.message : ''}`);
          }
          // Over by one byte, and a value that is short in characters but long in bytes.
          for (const over of [ofBytes(f.maxBytes! + 1, ch), ch.repeat(Math.floor(f.maxBytes! / bytes(ch)) + 1)]) {
            const r = norm(over);
            assert.ok(r instanceof FieldFail, `${bytes(over)} bytes of ${ch} should fail`);
            assert.equal(r.code, 'constraint-error');
            assert.equal(r.quoteValue, false);
            assert.equal(r.message, `is ${bytes(over)} bytes long (UTF-8); its warehouse column holds at most ${f.maxBytes} bytes`);
          }
        }
      });
    }
  }
  test('property: a value is accepted exactly when its canonical text fits (any text, each free-text field)', () => {
    const field = fc.constantFrom(...FREE_TEXT.map(([, f]) => f));
    const piece = fc.constantFrom('a', 'Z', ' ', 'é', 'É', '漢', '😀', 'ß', '\u00a0', '  ');
    fc.assert(fc.property(field, fc.array(piece, { maxLength: 600 }), fc.boolean(), (f, parts, checkOnly) => {
      const text = parts.join('');
      const full = compileField(f, DEFAULT_PROFILE, new LocaleState('id-ID'), false)(text);
      const r = compileField(f, DEFAULT_PROFILE, new LocaleState('id-ID'), checkOnly)(text);
      if (full instanceof FieldFail) {
        assert.ok(r instanceof FieldFail && r.code === 'constraint-error');
      } else {
        assert.ok(!(r instanceof FieldFail));
        if (full !== null) assert.ok(bytes(full) <= f.maxBytes!, `${f.name}: ${bytes(full)} bytes accepted`);
      }
    }), { numRuns: 400 });
  });
  test('diagnosis_codes: the stored JSON array text is bounded (1024 bytes)', () => {
    const dx = compileField(insuranceClaim.fields.find((f) => f.name === 'diagnosis_codes')!, DEFAULT_PROFILE, new LocaleState('id-ID'));
    // 1 + 6 per 3-character code + 8 per 5-character + 9 per 6-character: 1024 and 1025 bytes.
    const at = icd10Codes(169, 0, 1), over = icd10Codes(168, 2, 0);
    assert.equal(JSON.stringify(at).length, 1024);
    assert.equal(JSON.stringify(over).length, 1025);
    assert.equal(dx(at.join(',')), JSON.stringify(at));
    const r = dx(over.join(';'));
    assert.ok(r instanceof FieldFail);
    assert.equal(r.message, 'is 1025 bytes long (UTF-8); its warehouse column holds at most 1024 bytes');
  });
});

describe('through the row processor (what validate and stage run)', () => {
  const rowOf = (schema: SchemaSpec, values: Record<string, string>) => {
    const names = Object.keys(values);
    const { plan } = planFile({
      schema, profile: DEFAULT_PROFILE, headerCells: names, headerRow: 1, strictCellCount: true, maxProblems: 100, emit: true, sourceFile: 'f.csv',
    });
    const p = new RowProcessor(plan);
    p.process(names.map((n) => values[n]), 2);
    return p.result();
  };
  test('a 600-byte product name rejects its row: message names the column, the limit and the bytes', () => {
    const name = ofBytes(600, '漢');
    const r = rowOf(merchantInventory, { merchant_id: 'M1', sku: 'A-1', product_name: name, harga: '100', stok: '1' });
    assert.equal(r.validRows, 0);
    assert.equal(r.problems.length, 1);
    const p = r.problems[0];
    assert.deepEqual([p.code, p.severity, p.field, p.column, p.row], ['constraint-error', 'error', 'product_name', 'product_name', 2]);
    assert.equal(p.message, 'product_name is 600 bytes long (UTF-8); its warehouse column holds at most 512 bytes');
    // The reject record keeps the row (cut at 500 characters, as before) with its code.
    assert.deepEqual(JSON.parse(Buffer.from(r.rejects).toString('utf8')).codes, ['constraint-error']);
  });
  test('a 300-character patient name: rejected, no trace of the value in the problem', () => {
    const name = 'Siti Nurhaliza binti Abdullah '.repeat(10).slice(0, 299) + 'h';
    const r = rowOf(insuranceClaim, {
      claim_id: 'C-1', policy_number: 'P-1', member_id: 'MB-1', patient_name: name, provider_name: 'RS A', claim_type: 'rawat inap',
      admission_date: '01/11/2026', diagnosis_codes: 'J18.9', claimed_amount: '100',
    });
    assert.equal(r.validRows, 0);
    assert.equal(r.problems[0].message, 'patient_name is 300 bytes long (UTF-8); its warehouse column holds at most 256 bytes');
    assert.ok(!JSON.stringify(r.problems).includes('Siti'));
    assert.ok(!Buffer.from(r.rejects).toString('utf8').includes('Siti'), 'the reject masks the personal value');
  });
  test('an at-limit row in 4-byte characters is valid and emitted whole', () => {
    const name = ofBytes(512, '😀');
    const r = rowOf(merchantInventory, { merchant_id: 'M1', sku: ofBytes(128, 'é'), product_name: name, harga: '100', stok: '1' });
    assert.equal(r.validRows, 1, JSON.stringify(r.problems));
    assert.ok(Buffer.from(r.out).toString('utf8').includes(name));
  });
});

describe('claim PDFs: an over-width line description is a problem of the document, not a failed load', () => {
  test('the gates report it with its page and without the text', () => {
    const long = ofBytes(513, '漢');
    const item = (page: number, description: string) => ({ page, values: { description, quantity: '1', unit_price: '100', amount: '100' }, from: [{ page, line: 1, x: 0, y: 0 }], conf: 1 });
    const reading = {
      reader: 'generic', candidates: [], chosenBecause: '', source: 'text-layer', pages: [], lines: [], fields: {},
      items: [item(1, ofBytes(512, 'é')), item(2, long)], table: { headers: [], columns: [], skipped: [], end: null },
      locale: 'id-ID', dateOrder: 'DMY', dateOrderSure: true, numberStyle: 'id-ID',
    } as unknown as Reading;
    const { judgement } = judge(reading, { schema: claimPdf, maxErrors: 100, emit: false, sourceFile: 'x.pdf', mask: (t) => t, personal: [] });
    assert.equal(judgement.lines[0].description, ofBytes(512, 'é'));
    const problems = judgement.problems.filter((p) => p.field?.startsWith('claim_line.'));
    assert.equal(problems.length, 1);
    assert.equal(problems[0].code, 'constraint-error');
    assert.equal(problems[0].field, 'claim_line.description');
    assert.equal(problems[0].page, 2);
    assert.equal(problems[0].message, 'line 2: description is 513 bytes long (UTF-8); its warehouse column holds at most 512 bytes');
  });
});
