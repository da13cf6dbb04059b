/**
 * Issue 14 item 5 on the three engines: values at their column's width in UTF-8 bytes (in 2-,
 * 3- and 4-byte characters) are staged and load on PGlite, PostgreSQL and Redshift (the Data
 * API emulator); a row with a value one byte over is rejected at stage, and the rest of its
 * batch loads. Before widths were part of the schema, such a row passed validation and every
 * load of its batch failed ("value too long for type character varying").
 *
 * The emulator runs on PostgreSQL, which counts VARCHAR(n) in characters where Redshift counts
 * bytes: this proves that validation stops what Redshift would refuse, and that the at-limit
 * bytes arrive whole.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliAsync } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { startPostgres, postgresAvailable, createTestDatabase, TEST_PGPASSWORD, type TestPostgres } from '../support/postgres.js';
import { startS3, type TestS3, s3Access, s3LakeYaml } from '../support/s3.js';
import { startRedshiftDataEmulator, type RedshiftEmulator } from '../support/redshift-data-emulator.js';
import { ofBytes, icd10Codes } from '../support/widths.js';
import { merchantInventory } from '../../src/schemas/builtin/merchant-inventory.js';
import { insuranceClaim } from '../../src/schemas/builtin/insurance-claim.js';
import type { FieldSpec } from '../../src/schemas/types.js';

const KEY = { HALO_DATA_MEMBER_KEY: 'test-member-key-not-a-secret' };
const ROLE = 'arn:aws:iam::123456789012:role/halo-data-copy';

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

// merchant_inventory: merchant_id 64, merchant_sku 128, product_name 512, unit 64 bytes.
const INVENTORY = [
  'Kode Apotek,Kode Barang,Nama Barang,Satuan,Harga Jual,Stok',
  // At every limit, in 3-, 2-, 4- and 2-byte characters.
  [ofBytes(64, '漢'), ofBytes(128, 'é'), ofBytes(512, '😀'), ofBytes(64, 'é'), '4500', '10'],
  // One byte under.
  ['M1', 'UNDER', ofBytes(511, '漢'), ofBytes(63, '😀'), '4500', '10'],
  // One byte over, one column at a time: rejected rows.
  ['M1', 'OVER-NAME', ofBytes(513, '漢'), 'strip', '4500', '10'],
  ['M1', ofBytes(129, 'é'), 'Obat', 'strip', '4500', '10'],
  ['M1', 'OVER-UNIT', 'Obat', ofBytes(65, '😀'), '4500', '10'],
  [ofBytes(65, '漢'), 'OVER-MERCHANT', 'Obat', 'strip', '4500', '10'],
  ['M1', 'PLAIN', 'Paracetamol 500 mg', 'strip', '4500', '10'],
].map((r) => (typeof r === 'string' ? r : r.map(q).join(','))).join('\n') + '\n';

const DX_1024 = icd10Codes(169, 0, 1).join(',');
const DX_1025 = icd10Codes(168, 2, 0).join(',');

// insurance_claim: claim_id 64, policy_number 64, member_id 64, patient_name 256, provider_id 64,
// provider_name 256, diagnosis_codes 1024 (JSON text), currency 3 bytes.
const CLAIM_HEADER = 'no_klaim,no_polis,no_peserta,nama_pasien,kode_rs,nama_rs,jenis_rawat,tgl_masuk,diagnosa,nominal_klaim,mata_uang';
const claim = (id: string, o: Partial<Record<'policy' | 'member' | 'patient' | 'providerId' | 'provider' | 'dx' | 'currency', string>> = {}) => [
  id, o.policy ?? 'P-1', o.member ?? 'MB-1', o.patient ?? 'Budi', o.providerId ?? 'R1', o.provider ?? 'RS A',
  'rawat inap', '01/11/2026', o.dx ?? 'J18.9', '100000', o.currency ?? 'IDR',
].map(q).join(',');
const CLAIMS = [
  CLAIM_HEADER,
  claim(ofBytes(64, 'é'), { policy: ofBytes(64, '漢'), member: ofBytes(64, '😀'), patient: ofBytes(256, '😀'), providerId: ofBytes(64, '漢'),
    provider: ofBytes(256, 'é'), dx: DX_1024, currency: 'ÉX' }),
  claim('UNDER', { patient: ofBytes(255, '漢'), provider: ofBytes(255, '😀') }),
  claim('OVER-PATIENT', { patient: ofBytes(257, 'é') }),
  claim('OVER-PROVIDER', { provider: ofBytes(257, '漢') }),
  claim('OVER-DX', { dx: DX_1025 }),
  claim('OVER-CURRENCY', { currency: 'RUPIAH' }),
  claim(ofBytes(65, '😀')),
  claim('PLAIN'),
].join('\n') + '\n';

/**
 * One schema's every string field (with a width; enums, the diagnosis list and barcodes aside,
 * bounded and tested above or by their format) at its width, one byte under and one over, in each of 2-, 3- and 4-byte
 * characters: a row per value, the other cells plain. What validation must say of the over
 * rows, and the byte lengths the warehouse must hold for the others (the stored columns).
 */
function everyWidth(schema: FieldSpec[], name: string, header: Record<string, string>, plain: Record<string, string>, keyField: string,
  stored: string[], bytesQuery: (batch: string) => string) {
  // A field with a format (barcode: GS1 digits) holds no multi-byte text: its format check
  // empties any other value before it could reach a column.
  const fields = schema.filter((f) => f.type === 'string' && f.maxBytes !== undefined && !f.format);
  const rows: string[][] = [];
  const overMessages: string[] = [];
  const loadedBytes: string[] = [];
  const cols = Object.keys(header);
  let n = 0;
  for (const f of fields) {
    for (const ch of ['é', '漢', '😀']) {
      for (const [delta, over] of [[0, false], [-1, false], [1, true]] as const) {
        const value = ofBytes(f.maxBytes! + delta, ch);
        const row: Record<string, string> = { ...plain, [keyField]: `W-${++n}`, [f.name]: value };
        rows.push(cols.map((c) => row[c]));
        if (over) overMessages.push(`constraint-error: ${f.name} is ${f.maxBytes! + 1} bytes long (UTF-8); its warehouse column holds at most ${f.maxBytes} bytes`);
        else loadedBytes.push(stored.map((c) => (row[c] === undefined || row[c] === '' ? null : Buffer.byteLength(row[c], 'utf8'))).join(','));
      }
    }
  }
  const csv = [cols.map((c) => header[c]).join(','), ...rows.map((r) => r.map(q).join(','))].join('\n') + '\n';
  return { schema: name, csv, overMessages, loadedBytes, bytesQuery };
}

const EVERY_WIDTH = [
  everyWidth(merchantInventory.fields, 'merchant_inventory',
    { merchant_id: 'Kode Apotek', merchant_sku: 'Kode Barang', product_name: 'Nama Barang', barcode: 'Barcode', unit: 'Satuan', selling_price: 'Harga Jual', stock_qty: 'Stok' },
    { merchant_id: 'WM', product_name: 'Obat', barcode: '', unit: 'strip', selling_price: '4500', stock_qty: '1' }, 'merchant_sku',
    ['merchant_id', 'merchant_sku', 'product_name', 'barcode', 'unit'],
    (b) => `SELECT octet_length(merchant_id) AS a, octet_length(merchant_sku) AS b, octet_length(product_name) AS c, octet_length(barcode) AS d,
      octet_length(unit) AS e FROM halo.dim_product WHERE batch_id = '${b}'`),
  everyWidth(insuranceClaim.fields, 'insurance_claim',
    { claim_id: 'no_klaim', policy_number: 'no_polis', member_id: 'no_peserta', patient_name: 'nama_pasien', provider_id: 'kode_rs', provider_name: 'nama_rs',
      claim_type: 'jenis_rawat', admission_date: 'tgl_masuk', diagnosis_codes: 'diagnosa', claimed_amount: 'nominal_klaim', currency: 'mata_uang' },
    { policy_number: 'P-1', member_id: 'MB-1', patient_name: 'Budi', provider_id: 'R1', provider_name: 'RS A', claim_type: 'rawat inap',
      admission_date: '01/11/2026', diagnosis_codes: 'J18.9', claimed_amount: '100000', currency: 'IDR' }, 'claim_id',
    ['claim_id', 'policy_number', 'provider_id', 'provider_name', 'currency'],
    (b) => `SELECT octet_length(f.claim_id) AS a, octet_length(f.policy_number) AS b, octet_length(p.provider_id) AS c, octet_length(p.provider_name) AS d,
      octet_length(f.currency) AS e FROM halo.fact_claim f JOIN halo.dim_provider p USING (provider_sk) WHERE f.batch_id = '${b}'`),
];

describe('widths in UTF-8 bytes on PGlite, PostgreSQL and Redshift (Data API emulator)', { skip: postgresAvailable() ? false : 'PostgreSQL not installed (.ci/run installs it)' }, () => {
  const tmp = tempDir('halo-widths-');
  let s3: TestS3;
  let server: TestPostgres;
  let emu: RedshiftEmulator;
  let lakeYaml = '';
  const batches: string[] = [];
  const run = (args: string[]) => runCliAsync(args, { env: { ...s3.env, ...KEY, PGPASSWORD: TEST_PGPASSWORD } });
  const cfgFile = (name: string, warehouse: string) => {
    const f = join(tmp.path, `${name}.yaml`);
    writeFileSync(f, `${lakeYaml}warehouse:\n${warehouse}`);
    return f;
  };

  before(async () => {
    s3 = await startS3();
    server = await startPostgres();
    emu = await startRedshiftDataEmulator({
      postgresUrl: await createTestDatabase(server, 'emulated_widths'),
      s3: s3Access(s3),
    });
    lakeYaml = s3LakeYaml(s3);
  });
  after(async () => {
    await emu?.stop();
    await server?.stop();
    await s3?.stop();
    tmp.cleanup();
  });

  test('stage: the over-width rows are rejected with the column, the limit and the bytes; the rest is staged', async () => {
    const inv = join(tmp.path, 'stok.csv');
    const claims = join(tmp.path, 'claims.csv');
    writeFileSync(inv, INVENTORY);
    writeFileSync(claims, CLAIMS);
    const cfg = cfgFile('stage', '  engine: pglite\n');
    const expected: Array<[string, string, number, string[]]> = [
      [inv, 'merchant_inventory', 3, ['product_name is 513 bytes long (UTF-8); its warehouse column holds at most 512 bytes',
        'merchant_sku is 129 bytes long (UTF-8); its warehouse column holds at most 128 bytes',
        'unit is 65 bytes long (UTF-8); its warehouse column holds at most 64 bytes',
        'merchant_id is 65 bytes long (UTF-8); its warehouse column holds at most 64 bytes']],
      [claims, 'insurance_claim', 3, ['patient_name is 257 bytes long (UTF-8); its warehouse column holds at most 256 bytes',
        'provider_name is 257 bytes long (UTF-8); its warehouse column holds at most 256 bytes',
        'diagnosis_codes is 1025 bytes long (UTF-8); its warehouse column holds at most 1024 bytes',
        'currency is 6 bytes long (UTF-8); its warehouse column holds at most 3 bytes',
        'claim_id is 65 bytes long (UTF-8); its warehouse column holds at most 64 bytes']],
    ];
    for (const [file, schema, valid, messages] of expected) {
      const v = await run(['validate', file, '--schema', schema, '--json', '--config', cfg]);
      assert.equal(v.code, 1, v.stderr);
      const report = JSON.parse(v.stdout).files[0];
      assert.equal(report.validRows, valid);
      assert.deepEqual(report.errors.map((e: { code: string; message: string }) => [e.code, e.message]), messages.map((m) => ['constraint-error', m]));
      const r = await run(['stage', file, '--schema', schema, '--config', cfg, '--max-reject-rate', '1', '--source', 'widths', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      batches.push(out.batchId);
    }
  });

  const INVENTORY_Q = `SELECT merchant_sku, octet_length(merchant_id) AS id_bytes, octet_length(merchant_sku) AS sku_bytes,
    octet_length(product_name) AS name_bytes, octet_length(unit) AS unit_bytes FROM halo.dim_product ORDER BY 3, 1`;
  const CLAIMS_Q = `SELECT octet_length(f.claim_id) AS id_bytes, octet_length(f.policy_number) AS policy_bytes, octet_length(p.provider_id) AS provider_id_bytes,
    octet_length(p.provider_name) AS provider_bytes, octet_length(f.diagnosis_codes) AS dx_bytes, f.currency
    FROM halo.fact_claim f JOIN halo.dim_provider p USING (provider_sk) ORDER BY 1, 3, 4`;
  const results: Record<string, unknown> = {};

  const engines: Array<[string, () => string]> = [
    ['PGlite', () => `  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh'))}\n`],
    ['PostgreSQL', () => `  engine: postgres\n  url: ${server.url}\n`],
    ['Redshift (Data API emulator)', () => `  engine: redshift-data\n  clusterIdentifier: halo-test\n  database: dev\n  dbUser: halo_etl\n  iamRole: ${ROLE}\n  endpoint: ${emu.endpoint}\n  region: ap-southeast-3\n`],
  ];
  for (const [name, yaml] of engines) {
    test(`${name}: both batches load; the at-limit values arrive with all their bytes`, async () => {
      assert.equal(batches.length, 2, 'staged above');
      const cfg = cfgFile(name.replace(/\W+/g, '-'), yaml());
      assert.equal((await run(['warehouse', 'init', '--config', cfg])).code, 0);
      const load = await run(['load', ...batches, '--config', cfg]);
      assert.equal(load.code, 0, load.stderr);
      const inv = JSON.parse((await run(['warehouse', 'query', INVENTORY_Q, '--json', '--config', cfg])).stdout);
      const claims = JSON.parse((await run(['warehouse', 'query', CLAIMS_Q, '--json', '--config', cfg])).stdout);
      const n = (rows: Array<Record<string, unknown>>) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v])));
      assert.deepEqual(n(inv), [
        { merchant_sku: 'PLAIN', id_bytes: 2, sku_bytes: 5, name_bytes: 18, unit_bytes: 5 },
        { merchant_sku: 'UNDER', id_bytes: 2, sku_bytes: 5, name_bytes: 511, unit_bytes: 63 },
        { merchant_sku: ofBytes(128, 'é'), id_bytes: 64, sku_bytes: 128, name_bytes: 512, unit_bytes: 64 },
      ]);
      assert.deepEqual(n(claims), [
        { id_bytes: 5, policy_bytes: 3, provider_id_bytes: 2, provider_bytes: 4, dx_bytes: 9, currency: 'IDR' },
        { id_bytes: 5, policy_bytes: 3, provider_id_bytes: 2, provider_bytes: 255, dx_bytes: 9, currency: 'IDR' },
        { id_bytes: 64, policy_bytes: 64, provider_id_bytes: 64, provider_bytes: 256, dx_bytes: 1024, currency: 'ÉX' },
      ]);
      results[name] = [inv, claims];
    });
  }
  // Issue 16 item 3: every string width of the two CSV schemas, from the schema itself (so a
  // width added or changed is tested), at, one byte under and one byte over, in 2-, 3- and
  // 4-byte characters, loaded through the emulated Redshift: the over rows are rejected at
  // validation (a rejected row each, the batch loads), and what loads has the bytes it had.
  // Redshift (and the strict emulator) count VARCHAR(n) in bytes: any at-limit value that
  // validation passed but the column did not take would fail the COPY, and the whole batch.
  test('Redshift (Data API emulator): every string width, at / under / over, multi-byte: over is a rejected row, never a failed COPY', async () => {
    const cfg = cfgFile('every-width', `  engine: redshift-data\n  clusterIdentifier: halo-test\n  database: dev\n  dbUser: halo_etl\n  iamRole: ${ROLE}\n  endpoint: ${emu.endpoint}\n  region: ap-southeast-3\n`);
    assert.equal((await run(['warehouse', 'init', '--config', cfg])).code, 0);
    for (const c of EVERY_WIDTH) {
      const file = join(tmp.path, `every-width-${c.schema}.csv`);
      writeFileSync(file, c.csv);
      const staged = await run(['stage', file, '--schema', c.schema, '--config', cfg, '--max-reject-rate', '1', '--source', 'every-width', '--json']);
      assert.equal(staged.code, 0, staged.stderr);
      const out = JSON.parse(staged.stdout);
      const v = await run(['validate', file, '--schema', c.schema, '--json', '--config', cfg]);
      const errors = JSON.parse(v.stdout).files[0].errors.map((e: { code: string; message: string }) => `${e.code}: ${e.message}`);
      assert.deepEqual(errors.sort(), c.overMessages.sort(), `${c.schema}: each over-width value is one row's constraint-error`);
      const load = await run(['load', out.batchId, '--config', cfg]);
      assert.equal(load.code, 0, `${c.schema}: ${load.stderr}`);
      const rows = JSON.parse((await run(['warehouse', 'query', c.bytesQuery(out.batchId), '--json', '--config', cfg])).stdout) as Array<Record<string, unknown>>;
      const got = rows.map((r) => Object.values(r).map((x) => (x === null ? null : Number(x))).join(',')).sort();
      assert.deepEqual(got, c.loadedBytes.sort(), `${c.schema}: the rows within their widths arrive with every byte`);
    }
  });

  test('the three engines hold the same values', () => {
    const [first, ...rest] = Object.values(results);
    for (const r of rest) assert.deepEqual(r, first);
    assert.equal(Object.keys(results).length, 3);
  });
});
