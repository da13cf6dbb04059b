/**
 * Issue 14, items 5, 9 and 13 through the CLI:
 *  - a value wider than its column (in UTF-8 bytes) is a row error in `validate`, naming the
 *    column, the limit and the byte length, never the value;
 *  - a file from a merchant's folder (merchantIdFrom, or --merchant) holding rows of another
 *    merchant: `merchant-mismatch`, unless the source's speaksFor lists that merchant; `run`
 *    on a local source loads the file's own rows and rejects the other merchant's;
 *  - WHO ICD-10 structure (K3O refused) and an insurer's code list from the config.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('halo-schema-rules-');
after(() => tmp.cleanup());

function file(rel: string, text: string): string {
  const path = join(tmp.path, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const validate = (args: string[], cwd = tmp.path) => {
  const r = runCli(['validate', ...args, '--format', 'json'], { cwd });
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout), stderr: r.stderr };
};
const errorsOf = (report: any) => report.files.flatMap((f: any) => f.errors.filter((e: any) => e.severity === 'error'));

describe('item 5: widths in UTF-8 bytes through validate', () => {
  test('a 600-character product name and a 300-character patient name are row errors; the other rows are valid', () => {
    const long = 'Paracetamol '.repeat(50);
    const inv = file('w/stok.csv', `Kode Apotek,Kode Barang,Nama Barang,Harga Jual,Stok\nM1,A-1,${long},4500,10\nM1,A-2,${'漢'.repeat(170)}x,4500,10\nM1,A-3,${'漢'.repeat(171)},4500,10\n`);
    const r = validate([inv, '--schema', 'merchant_inventory']);
    assert.equal(r.code, 1);
    assert.equal(r.report.files[0].rows, 3);
    assert.equal(r.report.files[0].validRows, 1, 'the 511-byte name (170 × 3 + 1) fits');
    const errs = errorsOf(r.report);
    assert.deepEqual(errs.map((e: any) => [e.code, e.row, e.field, e.column]), [
      ['constraint-error', 2, 'product_name', 'Nama Barang'], ['constraint-error', 4, 'product_name', 'Nama Barang']]);
    assert.equal(errs[0].message, 'product_name is 599 bytes long (UTF-8); its warehouse column holds at most 512 bytes');
    assert.equal(errs[1].message, 'product_name is 513 bytes long (UTF-8); its warehouse column holds at most 512 bytes');
    assert.ok(!JSON.stringify(r.report).includes('Paracetamol Paracetamol'), 'the value is never quoted');

    const name = 'Dewi Lestari Kusumawardhani '.repeat(11).slice(0, 300);
    const claims = file('w/claims.csv', 'no_klaim,no_polis,no_peserta,nama_pasien,nama_rs,jenis_rawat,tgl_masuk,diagnosa,nominal_klaim\n'
      + `K-1,P-1,MB-1,${name},RS A,rawat inap,01/11/2026,J18.9,100000\nK-2,P-1,MB-2,Budi,RS A,rawat inap,01/11/2026,J18.9,100000\n`);
    const c = validate([claims, '--schema', 'insurance_claim']);
    assert.equal(c.code, 1);
    assert.equal(c.report.files[0].validRows, 1);
    assert.deepEqual(errorsOf(c.report).map((e: any) => e.message), ['patient_name is 300 bytes long (UTF-8); its warehouse column holds at most 256 bytes']);
    const out = JSON.stringify(c.report);
    assert.ok(!out.includes('Dewi') && !out.includes('Kusumawardhani'), 'no trace of the personal value');
  });
});

describe('item 9: a file from one merchant\'s folder holding another merchant\'s rows', () => {
  const rows = 'Kode Apotek,Kode Barang,Nama Barang,Harga Jual,Stok\nM0401,A-1,Paracetamol,4500,10\nM0101,A-2,Ibuprofen,9000,5\nM0401,A-3,Promag,9600,7\n';
  const config = (dir: string, speaksFor = '') => file(`${dir}/halo-data.config.yaml`, [
    'sources:',
    '  - name: chain',
    '    type: local',
    '    path: ./drop',
    '    paths: ["merchants/*/*.csv"]',
    '    schema: merchant_inventory',
    '    stableAfterSeconds: 0',
    '    merchantIdFrom: /merchants/{merchant_id}/',
    speaksFor,
    '',
  ].join('\n'));

  test('validate: the path\'s merchant (merchantIdFrom) or --merchant decides; another merchant\'s row is merchant-mismatch', () => {
    const cfg = config('m1');
    const csv = file('m1/drop/merchants/M0401/stok.csv', rows);
    const r = validate([csv, '--config', cfg]);
    assert.equal(r.code, 1);
    assert.equal(r.report.files[0].validRows, 2);
    const errs = errorsOf(r.report);
    assert.deepEqual(errs.map((e: any) => [e.code, e.row, e.field]), [['merchant-mismatch', 3, 'merchant_id']]);
    assert.match(errs[0].message, /merchant_id 'M0101' is not the merchant this file comes from \(M0401\)/);
    // --merchant says whose file it is, wherever it lies.
    const loose = file('m1/elsewhere/stok.csv', rows);
    const m = validate([loose, '--merchant', 'M0101', '--schema', 'merchant_inventory']);
    assert.deepEqual(errorsOf(m.report).map((e: any) => [e.code, e.row]), [['merchant-mismatch', 2], ['merchant-mismatch', 4]]);
    // No merchant known (no flag, no pattern): nothing to compare with.
    assert.equal(validate([loose, '--schema', 'merchant_inventory']).code, 0);
  });

  test('speaksFor: a head office\'s folder may send the merchants it lists, and no others', () => {
    const cfg = config('m2', '    speaksFor:\n      M0401: [M0101, M0102]');
    const csv = file('m2/drop/merchants/M0401/stok.csv', rows + 'M0999,A-4,Antangin,4000,3\n');
    const r = validate([csv, '--config', cfg]);
    assert.equal(r.report.files[0].validRows, 3);
    const errs = errorsOf(r.report);
    assert.deepEqual(errs.map((e: any) => [e.code, e.row]), [['merchant-mismatch', 5]]);
    assert.match(errs[0].message, /'M0999' is not the merchant this file comes from \(M0401, or M0101, M0102 that its source's speaksFor lists\)/);
    // The same list applies to --merchant M0401 (validating the head office's file by hand).
    const byFlag = validate([file('m2/loose.csv', rows), '--merchant', 'M0401', '--schema', 'merchant_inventory', '--config', cfg]);
    assert.equal(byFlag.code, 0, JSON.stringify(errorsOf(byFlag.report)));
  });

  test('run on a local source: the folder\'s own rows load, the other merchant\'s row is rejected', () => {
    const dir = join(tmp.path, 'm3');
    const cfg = config('m3');
    file('m3/drop/merchants/M0401/stok.csv', rows);
    const r = runCli(['run', '--config', cfg, '--max-reject-rate', '0.5', '--json'], { cwd: dir, env: { HALO_DATA_MEMBER_KEY: 'k' } });
    assert.equal(r.code, 0, r.stderr);
    const q = runCli(['warehouse', 'query', 'SELECT merchant_id, merchant_sku FROM halo.dim_product ORDER BY 2', '--json', '--config', cfg], { cwd: dir });
    assert.deepEqual(JSON.parse(q.stdout), [{ merchant_id: 'M0401', merchant_sku: 'A-1' }, { merchant_id: 'M0401', merchant_sku: 'A-3' }]);
    const out = JSON.parse(r.stdout);
    assert.equal(out.sources[0].staged[0].rejectedRows, 1);
    // The default reject rate (1%) refuses such a file rather than loading another merchant's row.
    file('m3/drop/merchants/M0401/stok2.csv', rows.replace(/A-/g, 'B-'));
    const strict = runCli(['run', '--config', cfg, '--json'], { cwd: dir, env: { HALO_DATA_MEMBER_KEY: 'k' } });
    assert.equal(strict.code, 1, strict.stderr);
    const q2 = runCli(['warehouse', 'query', "SELECT COUNT(*) AS n FROM halo.dim_product WHERE merchant_id = 'M0101'", '--json', '--config', cfg], { cwd: dir });
    assert.equal(JSON.parse(q2.stdout)[0].n, 0);
  });

  test('stage --source: the named source\'s merchantIdFrom and speaksFor apply', () => {
    const dir = join(tmp.path, 'm4');
    const cfg = config('m4', '    speaksFor: { M0401: [M0101] }');
    const csv = file('m4/drop/merchants/M0401/stok.csv', rows);
    const ok = runCli(['stage', csv, '--schema', 'merchant_inventory', '--source', 'chain', '--config', cfg, '--json'], { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    // Without speaksFor, the M0101 row is rejected: over the default reject rate, no batch.
    const strict = config('m4', '');
    const refused = runCli(['stage', csv, '--schema', 'merchant_inventory', '--source', 'chain', '--config', strict, '--json'], { cwd: dir });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /1 of 3 rows were rejected/);
  });
});

describe('item 13: WHO ICD-10 codes, and an insurer\'s list', () => {
  const header = 'no_klaim,no_polis,no_peserta,nama_pasien,nama_rs,jenis_rawat,tgl_masuk,diagnosa,nominal_klaim\n';
  const claim = (id: string, dx: string) => `${id},P-1,MB-${id},Budi,RS A,rawat inap,01/11/2026,"${dx}",100000\n`;

  test('K3O (letter O), A09. and ICD-10-CM codes are type errors; J189 is J18.9', () => {
    const csv = file('icd/structure.csv', header + claim('K-1', 'K3O') + claim('K-2', 'A09.') + claim('K-3', 'S72.001A') + claim('K-4', 'J189, A09'));
    const r = validate([csv, '--schema', 'insurance_claim']);
    assert.equal(r.report.files[0].validRows, 1);
    const errs = errorsOf(r.report);
    assert.deepEqual(errs.map((e: any) => [e.code, e.row, e.field]), [['type-error', 2, 'diagnosis_codes'], ['type-error', 3, 'diagnosis_codes'], ['type-error', 4, 'diagnosis_codes']]);
    assert.match(errs[0].message, /diagnosis_codes 'K3O' has 'K3O', which is not a WHO ICD-10 code/);
  });

  test('with claims.icd10CodesFile, a code not in the list is a constraint-error quoting the code', () => {
    file('icd/list/icd10.txt', '# insurer list, 2026\nA09\tDiarrhoea and gastroenteritis of presumed infectious origin\nJ18.9 Pneumonia, unspecified\nJ189\nK35.8\n\n');
    const cfg = file('icd/list/halo-data.config.yaml', 'claims:\n  icd10CodesFile: ./icd10.txt\n');
    const csv = file('icd/list/claims.csv', header + claim('K-1', 'J18.9; A09') + claim('K-2', 'J18.9, K35.9') + claim('K-3', 'k358'));
    const r = validate([csv, '--schema', 'insurance_claim', '--config', cfg]);
    assert.equal(r.code, 1);
    assert.equal(r.report.files[0].validRows, 2);
    const errs = errorsOf(r.report);
    assert.deepEqual(errs.map((e: any) => [e.code, e.row, e.field, e.column]), [['constraint-error', 3, 'diagnosis_codes', 'diagnosa']]);
    assert.match(errs[0].message, /has 'K35.9', which is not in the list of accepted codes \(icd10\.txt\)/);
    // Without the list, K35.9 is a well-formed code.
    assert.equal(validate([csv, '--schema', 'insurance_claim']).code, 0);
  });

  test('the list applies to claim PDFs too', () => {
    file('icd/pdf/icd10.txt', 'A00\n');
    const cfg = file('icd/pdf/halo-data.config.yaml', 'claims:\n  icd10CodesFile: ./icd10.txt\n');
    const r = validate([join(ROOT, 'fixtures/claims-pdf/rs-harapan-sehat-1.pdf'), '--config', cfg]);
    assert.equal(r.code, 1);
    assert.ok(errorsOf(r.report).some((e: any) => e.code === 'constraint-error' && e.field === 'diagnosis_codes'), JSON.stringify(r.report));
  });

  test('a list holding a malformed code is refused (exit 2) naming its line', () => {
    file('icd/bad/icd10.txt', 'A09\nJ18.9\nK3O\n');
    const cfg = file('icd/bad/halo-data.config.yaml', 'claims:\n  icd10CodesFile: ./icd10.txt\n');
    const csv = file('icd/bad/claims.csv', header + claim('K-1', 'A09'));
    const r = runCli(['validate', csv, '--schema', 'insurance_claim', '--config', cfg]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /icd10\.txt:3: 'K3O' is not a WHO ICD-10 code/);
  });
});
