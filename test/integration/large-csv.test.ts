/**
 * A CSV larger than one chunk goes through the worker threads: rows, line numbers,
 * duplicates across chunks, quoted line breaks near chunk edges and the normalised
 * output must be exactly what one reader in one pass would give.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { validate } from '../../src/files/validate.js';
import { loadConfig } from '../../src/config/load.js';

const tmp = tempDir();
after(() => tmp.cleanup());

interface Built { path: string; rows: number; problems: string[]; lineOfSku: Map<string, number> }

function build(): Built {
  const lines: string[] = ['Laporan stok', 'kode_apotek;kode_barang;nama_barang;barcode;harga_jual;stok;satuan;tgl_kadaluarsa;tgl_update'];
  const problems: string[] = [];
  const lineOfSku = new Map<string, number>();
  let line = 3; // next record's first line
  let rows = 0;
  const firstLine = new Map<string, number>();
  for (let i = 0; i < 120_000; i++) {
    const merchant = `APT${String(i % 7).padStart(3, '0')}`;
    let sku = `SKU${i}`;
    // Duplicates far apart (different chunks): the key of data row i - 50_000.
    if (i % 20_011 === 20_010 && i > 50_000) sku = `SKU${i - 50_000}`;
    const dupOf = firstLine.get(`${merchant}|${sku}`);
    let name = `Obat nomor ${i} tablet`;
    let span = 1;
    if (i % 997 === 0) { name = `"Sirup ${i};\nbaris kedua ""kutip"""`; span = 2; }
    let price = `${(i % 400) * 500 + 1000}`.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
    if (i % 9_973 === 5) { price = 'abc'; problems.push(`type-error|${line}|harga_jual`); }
    lines.push(`${merchant};${sku};${name};;${price};${i % 50};strip;21/11/2027;21/11/2026 10:30`);
    rows++;
    if (dupOf !== undefined) problems.push(`duplicate-key|${line}|kode_barang`);
    else firstLine.set(`${merchant}|${sku}`, line);
    lineOfSku.set(`${merchant}|${sku}|${i}`, line);
    line += span;
    if (i % 31_337 === 100) { lines.push(''); problems.push(`blank-row|${line}|null`); line++; }
  }
  const path = join(tmp.path, 'big.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return { path, rows, problems: problems.sort(), lineOfSku };
}

const built = build();

test('a multi-chunk CSV on worker threads reports what a single pass would', () => {
  const r = runCli(['validate', built.path, '--schema', 'merchant_inventory', '--json', '--threads', '2', '--max-errors', '100000']);
  assert.equal(r.code, 1, r.stderr);
  const f = JSON.parse(r.stdout).files[0];
  assert.equal(f.headerRow, 2);
  assert.equal(f.rows, built.rows);
  const got = f.errors.map((p: { code: string; row: number; column: string | null }) => `${p.code}|${p.row}|${p.column}`).sort();
  assert.deepEqual(got, built.problems);
  const errors = built.problems.filter((p) => !p.startsWith('blank-row')).length;
  assert.equal(f.validRows, built.rows - errors);
});

test('normalised rows from the workers carry their source line and skip rejected rows', async () => {
  const members: Uint8Array[] = [];
  const report = await validate({
    inputs: [built.path], schema: 'merchant_inventory', config: loadConfig({ env: {} }), maxErrors: 10, threads: 2,
    sinkFor: () => ({ async write(m) { members.push(m); } }),
  });
  const f = report.files[0];
  const text = members.map((m) => gunzipSync(m).toString('utf8')).join('');
  const records = parse(text) as string[][];
  assert.equal(records.length, f.validRows);
  // Spot-check: the line written with each row is the line the row starts on.
  const byLine = new Map(records.map((r) => [Number(r[10]), r]));
  for (const i of [0, 1, 997, 4_000, 59_999, 119_999]) {
    const merchant = `APT${String(i % 7).padStart(3, '0')}`;
    const lineNo = built.lineOfSku.get(`${merchant}|SKU${i}|${i}`)!;
    const rec = byLine.get(lineNo);
    assert.ok(rec, `row of data index ${i} (line ${lineNo}) is in the output`);
    assert.equal(rec[1], `SKU${i}`);
    assert.equal(rec[0], merchant);
  }
  const quoted = byLine.get(built.lineOfSku.get('APT003|SKU997|997')!)!;
  assert.equal(quoted[2], 'Sirup 997; baris kedua "kutip"', 'the embedded line break is collapsed, quotes kept');
});
