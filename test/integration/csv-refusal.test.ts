/**
 * Issue 14, items 2 and 3, through the CLI: a quoted field that is never closed, or a record
 * over the size limit, refuses the whole CSV with a parse-error naming the line where it
 * starts (validate exits 1; stage writes no batch; run leaves the file out, names it, and
 * loads the other files). Before, the rest of the file was dropped with exit 0. And the rows
 * of a file refused half-way that were already written to the batch are taken out of it
 * (BatchBuilder.withdraw), whatever chunk size cuts the file.
 * test/unit/csv-accounting.test.ts holds the property test of the invariant.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { stage } from '../../src/pipeline/stage.js';
import { loadConfig } from '../../src/config/load.js';

const tmp = tempDir('halo-csv-refusal-');
after(() => tmp.cleanup());

const HEADER = 'merchant_id,sku,product_name,unit,price,stock\n';
/** Data rows a..b of a merchant (row i is on line i + 1: the header is line 1). */
function rows(merchant: string, a: number, b: number): string {
  let s = '';
  for (let i = a; i <= b; i++) s += `${merchant},A-${i},Obat nomor ${i} tablet salut,Strip,1000,5\n`;
  return s;
}
/** The broken row: its quote opens a field that nothing closes. */
const BROKEN = (i: number) => `M1301,A-${i},"Salep 5 g,Tube,1000,5\n`;

function write(name: string, text: string): string {
  const path = join(tmp.path, name);
  writeFileSync(path, text);
  return path;
}

const q501 = write('q501.csv', HEADER + rows('M1301', 1, 500) + BROKEN(501) + rows('M1301', 502, 1000));
const q1 = write('q1.csv', HEADER + BROKEN(1) + rows('M1301', 2, 1000));

interface JsonFile { rows: number; validRows: number; errorCount: number; errors: Array<{ code: string; row: number | null; message: string }> }

function validateJson(path: string, ...extra: string[]): { code: number; file: JsonFile; stdout: string; stderr: string } {
  const r = runCli(['validate', path, '--schema', 'merchant_inventory', '--json', ...extra]);
  return { code: r.code, file: JSON.parse(r.stdout).files[0], stdout: r.stdout, stderr: r.stderr };
}

/** Refused whole: no rows, one parse-error on `line`, no cell text in the message. */
function assertRefused(f: JsonFile, line: number, what: RegExp): void {
  assert.equal(f.rows, 0);
  assert.equal(f.validRows, 0);
  assert.equal(f.errors.length, 1, JSON.stringify(f.errors));
  assert.equal(f.errors[0].code, 'parse-error');
  assert.equal(f.errors[0].row, line);
  assert.match(f.errors[0].message, what);
  assert.doesNotMatch(f.errors[0].message, /Salep|Tube|A-\d/, 'the message quotes no cell');
}

describe('an unclosed quote refuses the file, naming the line it starts on', () => {
  test('1,000 rows, row 501 opens a quote: validate exits 1, 0 rows, parse-error on line 502 (was: 500 rows)', () => {
    const r = validateJson(q501);
    assert.equal(r.code, 1, r.stderr);
    assertRefused(r.file, 502, /never closed/);
  });

  test('the stray quote in the first data row: validate exits 1 naming line 2 (was: "valid", 0 rows)', () => {
    const r = validateJson(q1);
    assert.equal(r.code, 1, r.stderr);
    assertRefused(r.file, 2, /never closed/);
    const text = runCli(['validate', q1, '--schema', 'merchant_inventory']);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /row 2 +parse-error: a quoted field starts on this line and is never closed/);
  });

  test('the quote in the header row, before any header was found: parse-error on line 1, not missing-header', () => {
    const path = write('q-header.csv', 'merchant_id,"sku,product_name,unit,price,stock\n' + rows('M1301', 1, 10));
    const r = validateJson(path);
    assert.equal(r.code, 1, r.stderr);
    assertRefused(r.file, 1, /never closed.*before any header row/);
  });

  // In the temporary folder: stage keeps its sequence state in ./.halo-data, which must not be left in the repository.
  test('stage: exit 1, no batch, the message names the file and the row (as validate does)', () => {
    for (const [path, line] of [[q501, 502], [q1, 2]] as const) {
      const lake = join(tmp.path, `lake-stage-${line}`);
      const r = runCli(['stage', path, '--schema', 'merchant_inventory', '--source', 'refusal'], { cwd: tmp.path, env: { HALO_DATA_LAKE_URL: lake } });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`${path.split('/').pop()} \\(parse-error, row ${line}\\)`));
      assert.ok(!existsSync(lake) || readdirSync(lake).length === 0, 'nothing in the lake');
    }
  });

  test('a large file on worker threads: refused the same way (the quote near the end, after many chunks)', () => {
    const path = write('q-large.csv', HEADER + rows('M1301', 1, 40_000) + BROKEN(40_001) + rows('M1301', 40_002, 40_100));
    const r = validateJson(path, '--threads', '2');
    assert.equal(r.code, 1, r.stderr);
    assertRefused(r.file, 40_002, /never closed/);
  });
});

describe('a record over the size limit refuses the file, naming the line it starts on', () => {
  // 1,000 rows, one quoted field of 33 MB (over the default 32 MB), then 1,000 rows.
  const big = join(tmp.path, 'big-field.csv');
  const written = (async () => {
    const ws = createWriteStream(big);
    ws.write(HEADER + rows('M1301', 1, 1000) + 'M1301,A-X,"');
    const mb = Buffer.alloc(1 << 20, 'x');
    for (let i = 0; i < 33; i++) if (!ws.write(mb)) await once(ws, 'drain');
    ws.end('",Tube,1000,5\n' + rows('M1301', 1002, 2001));
    await once(ws, 'finish');
  })();

  test('validate: exit 1, 0 rows, parse-error on line 1002 (was: "1,000 rows, 1 rejected")', async () => {
    await written;
    const r = validateJson(big);
    assert.equal(r.code, 1, r.stderr);
    assertRefused(r.file, 1002, /no end of record within 32 MB/);
  });

  test('stage: exit 1 and no batch (was: exit 0 and the last 1,000 rows gone)', async () => {
    await written;
    const lake = join(tmp.path, 'lake-big');
    const r = runCli(['stage', big, '--schema', 'merchant_inventory', '--source', 'refusal'], { cwd: tmp.path, env: { HALO_DATA_LAKE_URL: lake } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /big-field\.csv \(parse-error, row 1002\)/, 'named as validate names it');
    assert.ok(!existsSync(lake) || readdirSync(lake).length === 0);
  });

  test('limits.csvRecordBytes sets the limit (config), and the message names it', () => {
    const cfg = join(tmp.path, 'small-limit.yaml');
    writeFileSync(cfg, 'limits: { csvRecordBytes: 4096 }\n');
    const path = write('long-record.csv', HEADER + rows('M1301', 1, 100) + `M1301,A-L,"${'y'.repeat(20_000)}",Tube,1000,5\n` + rows('M1301', 102, 200));
    const r = validateJson(path, '--config', cfg);
    assert.equal(r.code, 1, r.stderr);
    assertRefused(r.file, 102, /no end of record within 4 KB/);
    // Within the limit, the same file is read whole.
    writeFileSync(cfg, 'limits: { csvRecordBytes: 65536 }\n');
    const ok = validateJson(path, '--config', cfg);
    assert.equal(ok.file.rows, 200);
  });
});

describe('rows of a file refused half-way are taken out of the batch', () => {
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  for (const chunkBytes of [64, 4096, 1 << 20]) {
    test(`stage with skipUnreadable (run's way), chunks of ${chunkBytes} bytes: only the good file's rows and rejects are published`, async () => {
      const dir = join(tmp.path, `withdraw-${chunkBytes}`);
      mkdirSync(dir, { recursive: true });
      // The bad file's rows come first and include rejects (price 'abc'), so both were written before its end.
      const badRows = rows('M1301', 1, 3000).replace(/(A-(\d*7)),(.*),1000,/g, '$1,$3,abc,');
      const bad = join(dir, 'bad.csv');
      writeFileSync(bad, HEADER + badRows + BROKEN(3001) + rows('M1301', 3002, 3010));
      const good = join(dir, 'good.csv');
      writeFileSync(good, HEADER + rows('M1302', 1, 500).replace('A-7,Obat nomor 7 tablet salut,Strip,1000', 'A-7,Obat nomor 7 tablet salut,Strip,abc'));
      const lake = join(dir, 'lake');
      const config = loadConfig({ env: { HALO_DATA_LAKE_URL: lake }, cwd: dir });
      const r = await stage({ inputs: [bad, good], schema: 'merchant_inventory', source: 'withdraw', config, maxRejectRate: 1, skipUnreadable: true, threads: 0, csvChunkBytes: chunkBytes });
      assert.deepEqual(r.skipped.map((s) => [s.path, s.code]), [[bad, 'parse-error']]);
      assert.match(r.skipped[0].message, /^row 3002: /, 'named as validate names it');
      const m = r.manifest;
      assert.deepEqual(m.files.map((f) => f.name), ['good.csv']);
      assert.deepEqual(m.counts, { files: 1, rows: 500, validRows: 499, rejectedRows: 1 });
      const root = join(lake, r.prefix);
      let rowsInParts = 0;
      for (const p of m.parts) {
        const bytes = readFileSync(join(root, p.key));
        assert.equal(sha(bytes), p.sha256, `${p.key}: checksum of the rewritten part`);
        assert.equal(bytes.length, p.bytes);
        const records = parse(gunzipSync(bytes)) as string[][];
        assert.equal(records.length, p.rows);
        assert.ok(records.every((rec) => rec[0] === 'M1302'), 'no row of the refused file');
        rowsInParts += records.length;
      }
      assert.equal(rowsInParts, 499);
      const rejects = gunzipSync(readFileSync(join(root, m.rejects!.key))).toString('utf8').trim().split('\n');
      assert.equal(sha(readFileSync(join(root, m.rejects!.key))), m.rejects!.sha256);
      assert.equal(rejects.length, 1);
      assert.equal(m.rejects!.rows, 1);
      assert.equal(JSON.parse(rejects[0]).file, 'good.csv');
    });
  }
});

describe('run: the refused file is left out and named, the other files load', () => {
  test('one merchant file with an unclosed quote near its end (after rows were staged), one clean file', () => {
    const dir = join(tmp.path, 'run');
    mkdirSync(join(dir, 'drop'), { recursive: true });
    writeFileSync(join(dir, 'drop/bad.csv'), HEADER + rows('M1301', 1, 29_000) + BROKEN(29_001) + rows('M1301', 29_002, 30_000));
    writeFileSync(join(dir, 'drop/good.csv'), HEADER + rows('M1302', 1, 1000));
    const cfg = join(dir, 'halo-data.config.yaml');
    writeFileSync(cfg, 'sources:\n  - { name: inventory, type: local, path: ./drop, paths: ["*.csv"], schema: merchant_inventory, stableAfterSeconds: 0 }\n');
    const r = runCli(['run', '--config', cfg, '--json'], { cwd: dir, env: { HALO_DATA_MEMBER_KEY: 'k' } });
    assert.equal(r.code, 1, r.stderr);
    const src = JSON.parse(r.stdout).sources[0];
    assert.deepEqual(src.left.map((l: { path: string; code: string }) => [l.path.split('/').pop(), l.code]), [['bad.csv', 'parse-error']]);
    assert.match(src.left[0].message, /^row 29002: /, 'named as validate names it');
    assert.equal(src.staged.length, 1);
    assert.equal(src.staged[0].rows, 1000);
    assert.deepEqual(src.loaded.map((l: { rows: number; status: string }) => [l.status, l.rows]), [['loaded', 1000]]);
    const q = runCli(['warehouse', 'query', 'SELECT merchant_id, COUNT(*)::int AS n FROM halo.dim_product GROUP BY 1', '--json', '--config', cfg], { cwd: dir });
    assert.equal(q.code, 0, q.stderr);
    assert.deepEqual(JSON.parse(q.stdout), [{ merchant_id: 'M1302', n: 1000 }]);
  });
});
