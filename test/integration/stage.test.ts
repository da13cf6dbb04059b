/**
 * stage and batches on the local lake (the embedded default) and on a real S3-compatible
 * server: the batch's manifest, parts and checksums verify, raw files are byte-identical,
 * rejects mask personal data, and a stage killed half-way leaves no complete batch.
 */
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync, readdirSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { spawn } from 'node:child_process';
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { runCli, runCliAsync, ROOT, BIN, assertNoPersonalData } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { startS3, startRecordingProxy, type TestS3 } from '../support/s3.js';
import { CRASHPOINTS } from '../../src/util/crashpoint.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** Claims are staged with members as a keyed hash: staging them needs the key. */
const MEMBER_KEY = { HALO_DATA_MEMBER_KEY: 'stage-test-member-key' };
const FILES = ['fixtures/inventory/clean-comma.csv', 'fixtures/inventory/pipe-delimited.csv', 'fixtures/inventory/xlsx-cover-sheet.xlsx'];
// Files with no merchant column: --merchant says whose they are (a file naming other merchants
// than --merchant has merchant-mismatch rows, issue 14 item 9).
const MERCHANT_FILES = ['fixtures/inventory/english-headers.csv', 'fixtures/inventory/tab-delimited.csv', 'fixtures/inventory/xlsx-cover-sheet.xlsx'];

describe('stage on the local lake', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const abs = (f: string) => join(ROOT, f);

  test('no config: a batch under ./.halo-data/lake whose manifest, parts and checksums verify', () => {
    const r = runCli(['stage', ...MERCHANT_FILES.map(abs), '--schema', 'merchant_inventory', '--merchant', 'M0200', '--source', 'merchants', '--json'], { cwd: tmp.path });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const dir = join(tmp.path, '.halo-data/lake', out.prefix);
    assert.match(out.prefix, /^merchants\/dt=\d{4}-\d{2}-\d{2}\/[0-9A-Z]{26}$/);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.equal(m.format, 'halo-data-batch');
    // 2: claims' parts hold members as member_key, no personal field (1: in clear; still read).
    assert.equal(m.version, 2);
    assert.equal(m.batchId, out.batchId);
    assert.equal(m.schema.name, 'merchant_inventory');
    assert.equal(m.files.length, 3);
    for (const [i, f] of m.files.entries()) {
      const original = readFileSync(abs(MERCHANT_FILES[i]));
      const raw = readFileSync(join(dir, 'raw', f.name));
      assert.equal(sha(raw), sha(original), `${f.name} is byte-identical to its input`);
      assert.equal(f.sha256, sha(original));
      assert.equal(f.bytes, original.length);
    }
    let rows = 0;
    for (const p of m.parts) {
      const bytes = readFileSync(join(dir, p.key));
      assert.equal(sha(bytes), p.sha256, `${p.key} checksum`);
      const lines = gunzipSync(bytes).toString('utf8').trimEnd().split('\n');
      assert.equal(lines.length, p.rows);
      rows += p.rows;
      assert.equal(lines[0].split(',').length >= m.columns.length, true);
    }
    assert.equal(rows, m.counts.validRows);
    const copy = JSON.parse(readFileSync(join(dir, 'copy.manifest'), 'utf8'));
    assert.deepEqual(copy.entries.map((e: { mandatory: boolean }) => e.mandatory), m.parts.map(() => true));
    const list = JSON.parse(runCli(['batches', 'list', '--json'], { cwd: tmp.path }).stdout);
    const b = list.batches.find((x: { batchId: string }) => x.batchId === out.batchId);
    assert.equal(b.status, 'complete');
    assert.equal(b.rows, m.counts.rows);
    const show = runCli(['batches', 'show', out.batchId], { cwd: tmp.path });
    assert.equal(show.code, 0);
    assert.match(show.stdout, /raw\/english-headers\.csv/);
  });

  test('the same files staged twice: two batches with the same content checksums', () => {
    const a = JSON.parse(runCli(['stage', abs(FILES[0]), '--schema', 'merchant_inventory', '--json'], { cwd: tmp.path }).stdout);
    const b = JSON.parse(runCli(['stage', abs(FILES[0]), '--schema', 'merchant_inventory', '--json'], { cwd: tmp.path }).stdout);
    assert.notEqual(a.batchId, b.batchId);
    assert.ok(a.batchId < b.batchId, 'ids sort by time');
    assert.deepEqual(a.manifest.files.map((f: { sha256: string }) => f.sha256), b.manifest.files.map((f: { sha256: string }) => f.sha256));
    assert.deepEqual(a.manifest.parts.map((p: { sha256: string }) => p.sha256), b.manifest.parts.map((p: { sha256: string }) => p.sha256));
  });

  test('too many rejected rows: exit 1 and no batch at all', () => {
    const lake = join(tmp.path, 'refuse');
    const cfg = join(tmp.path, 'refuse.yaml');
    writeFileSync(cfg, `lake: { url: ${JSON.stringify(lake)} }\n`);
    const r = runCli(['stage', abs('fixtures/inventory/duplicate-sku.csv'), '--schema', 'merchant_inventory', '--config', cfg]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /2 of 9 rows were rejected/);
    assert.equal(r.stdout, '');
    assert.equal(existsSync(lake) ? readdirSync(lake).length : 0, 0, 'nothing in the lake');
  });

  test('rejects: where, why, and the row with personal fields masked; text that looks like a formula kept exact', () => {
    const csv = join(tmp.path, 'formula.csv');
    writeFileSync(csv, 'kode_barang,nama_barang,harga_jual,stok\nA1,"=HYPERLINK(""http://x"",""y"")",1.000,5\nA2,@SUM(1+1),2.000,6\nA3,Obat,abc,1\n');
    const r = runCli(['stage', csv, abs('fixtures/claims/claims-errors.csv'), '--schema', 'merchant_inventory', '--merchant', 'M1', '--max-reject-rate', '1', '--json'], { cwd: tmp.path });
    // claims-errors.csv is not inventory: it cannot be read as one (missing headers) and is refused.
    assert.equal(r.code, 1);
    const ok = runCli(['stage', csv, '--schema', 'merchant_inventory', '--merchant', 'M1', '--max-reject-rate', '1', '--json'], { cwd: tmp.path });
    assert.equal(ok.code, 0, ok.stderr);
    const out = JSON.parse(ok.stdout);
    const dir = join(tmp.path, '.halo-data/lake', out.prefix);
    const part = gunzipSync(readFileSync(join(dir, out.manifest.parts[0].key))).toString('utf8');
    // Parts feed the warehouse, which holds what the merchant sent: no apostrophe added.
    assert.match(part, /^M1,A1,"=HYPERLINK\(""http:\/\/x"",""y""\)",/m);
    assert.match(part, /^M1,A2,@SUM\(1\+1\),/m);
    const rejects = gunzipSync(readFileSync(join(dir, 'rejects.ndjson.gz'))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rejects, [{ file: 'formula.csv', row: 4, codes: ['type-error'], values: { merchant_sku: 'A3', product_name: 'Obat', selling_price: 'abc', stock_qty: '1' } }]);

    const claims = runCli(['stage', abs('fixtures/claims/claims-errors.csv'), '--schema', 'insurance_claim', '--max-reject-rate', '1', '--json', '--verbose'], { cwd: tmp.path, env: MEMBER_KEY });
    assert.equal(claims.code, 0, claims.stderr);
    const c = JSON.parse(claims.stdout);
    const cdir = join(tmp.path, '.halo-data/lake', c.prefix);
    const rej = gunzipSync(readFileSync(join(cdir, 'rejects.ndjson.gz'))).toString('utf8');
    assertNoPersonalData(rej, 'rejects.ndjson.gz');
    assertNoPersonalData(claims.stdout + claims.stderr, 'stage output');
    assert.ok(rej.includes('"patient_name":"***"'), 'personal fields are masked, not dropped');
    for (const p of c.manifest.parts) assertNoPersonalData(JSON.stringify(p), 'manifest');
    // The parts (what the warehouse COPYs): member_key instead of member_id, no name, no birth date.
    assert.deepEqual(c.manifest.columns.filter((x: string) => /member|patient/.test(x)), ['member_key']);
    for (const p of c.manifest.parts) assertNoPersonalData(gunzipSync(readFileSync(join(cdir, p.key))).toString('utf8'), p.key);
  });

  test('claim PDFs: claims and their line items, two tables of one batch', () => {
    const pdfs = ['rs-harapan-sehat-1', 'klinik-medika-1', 'rsu-bunda-mulia-2'].map((n) => abs(`fixtures/claims-pdf/${n}.pdf`));
    const r = runCli(['stage', ...pdfs, '--schema', 'claim_pdf', '--source', 'claim-pdfs', '--json', '--verbose'], { cwd: tmp.path, env: MEMBER_KEY });
    assert.equal(r.code, 0, r.stderr);
    assertNoPersonalData(r.stdout + r.stderr, 'stage claim_pdf output');
    const out = JSON.parse(r.stdout);
    const m = out.manifest;
    assert.equal(m.counts.validRows, 3);
    assert.deepEqual(m.claimLines.columns, ['claim_id', 'line_no', 'description', 'quantity', 'unit_price', 'amount', 'source_file', 'source_page']);
    const dir = join(tmp.path, '.halo-data/lake', out.prefix);
    const lines = m.claimLines.parts.flatMap((p: { key: string }) => gunzipSync(readFileSync(join(dir, p.key))).toString('utf8').trimEnd().split('\n'));
    assert.equal(lines.length, 6 + 5 + 34);
    assert.ok(lines.includes('HS-2026-00123,1,Kamar Rawat Inap Kelas 1 (4 malam),4,750000.00,3000000.00,rs-harapan-sehat-1.pdf,1'));
    assert.ok(lines.some((l: string) => l.startsWith('BM/KLM/2611/00902,34,Meterai,1,10000.00,10000.00,rsu-bunda-mulia-2.pdf,2')));
    const copy = JSON.parse(readFileSync(join(dir, 'copy-claim_line.manifest'), 'utf8'));
    assert.equal(copy.entries.length, m.claimLines.parts.length);
  });

  test('claim PDFs the reader is not sure of: needs-review rejects that say what was missing and where it looked', () => {
    // A layout whose required fields are printed under labels nobody told the reader, and one read fine.
    const pdfs = ['unknown-layout', 'rs-harapan-sehat-2'].map((n) => abs(`fixtures/claims-pdf/${n}.pdf`));
    const r = runCli(['stage', ...pdfs, '--schema', 'claim_pdf', '--source', 'claim-review', '--max-reject-rate', '1', '--json'], { cwd: tmp.path, env: MEMBER_KEY });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.manifest.counts.validRows, 1);
    const dir = join(tmp.path, '.halo-data/lake', out.prefix);
    const text = gunzipSync(readFileSync(join(dir, 'rejects.ndjson.gz'))).toString('utf8');
    assertNoPersonalData(text, 'needs-review rejects');
    const rejects = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rejects.length, 1);
    const [rej] = rejects;
    assert.equal(rej.file, 'unknown-layout.pdf');
    assert.equal(rej.verdict, 'needs-review');
    assert.equal(rej.reader, 'generic');
    assert.deepEqual(rej.codes, ['needs-review']);
    const claimId = rej.review.find((x: { field: string }) => x.field === 'claim_id');
    assert.match(claimId.message, /claim_id was not found: looked beside or below any of: 'No\. Klaim'/);
    // The name and member number were not found, so no value of this document is kept in clear.
    for (const v of Object.values(rej.values as Record<string, string>)) assert.match(v, /^\*\*\*(\(\d+\))?$/);
  });

  test('killed with SIGKILL while writing: no complete batch is listed; the next stage succeeds', async () => {
    const big = join(tmp.path, 'big.csv');
    const lines = ['kode_apotek;kode_barang;nama_barang;harga_jual;stok'];
    for (let i = 0; i < 400_000; i++) lines.push(`APT${i % 9};SKU${i};Obat nomor ${i} tablet salut selaput;${(i % 90) + 1}.500;${i % 70}`);
    writeFileSync(big, lines.join('\n') + '\n');
    // Parts rotate at the configured size; together they hold every row once.
    const parted = join(tmp.path, 'parted.yaml');
    writeFileSync(parted, `lake: { url: ${JSON.stringify(join(tmp.path, 'parted'))}, partBytes: 4000000 }\n`);
    const p = runCli(['stage', big, '--schema', 'merchant_inventory', '--config', parted, '--json']);
    assert.equal(p.code, 0, p.stderr);
    const pm = JSON.parse(p.stdout).manifest;
    assert.ok(pm.parts.length >= 4, `parts: ${pm.parts.length}`);
    assert.equal(pm.parts.reduce((n: number, x: { rows: number }) => n + x.rows, 0), 400_000);
    for (const x of pm.parts) assert.ok(x.uncompressedBytes <= 4_000_000 + 2_000_000, 'a part ends near the size (whole chunks)');
    const lake = join(tmp.path, 'killed');
    const cfg = join(tmp.path, 'killed.yaml');
    writeFileSync(cfg, `lake: { url: ${JSON.stringify(lake)} }\n`);
    // Killed at each named point of publishing (SIGKILL, as kill -9): never a complete batch.
    for (const point of CRASHPOINTS.filter((p) => p.startsWith('stage:') || p.startsWith('lake:'))) {
      // Its own TMPDIR: a process killed -9 cannot remove its build folder, the test's clean-up does.
      const killed = runCli(['stage', big, '--schema', 'merchant_inventory', '--config', cfg], { env: { HALO_DATA_CRASHPOINT: point, TMPDIR: tmp.path } });
      assert.equal(killed.code, 128, `${point}: killed by SIGKILL`);
      const list = JSON.parse(runCli(['batches', 'list', '--json', '--config', cfg]).stdout);
      assert.equal(list.batches.filter((b: { status: string }) => b.status === 'complete').length, 0, `${point}: no complete batch`);
      assert.ok(list.batches.every((b: { loadable: boolean }) => !b.loadable));
    }
    const incomplete = JSON.parse(runCli(['batches', 'list', '--json', '--status', 'incomplete', '--config', cfg]).stdout);
    // after-raw and before-manifest leave objects without a manifest; a kill before a rename
    // leaves only a temporary file, which no reader sees; before-publish leaves nothing.
    assert.equal(incomplete.batches.length, 2, 'two kills left incomplete batches');
    // And a kill at a moment chosen by the clock, while the process runs.
    const child = spawn(process.execPath, [BIN, 'stage', big, '--schema', 'merchant_inventory', '--config', cfg], { stdio: 'ignore', env: { ...process.env, TMPDIR: tmp.path } });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await exited;
    assert.equal(JSON.parse(runCli(['batches', 'list', '--json', '--status', 'complete', '--config', cfg]).stdout).batches.length, 0);
    // The killed stages' build folders stay (a day, in case one is still running); an older one goes.
    const killedFolders = readdirSync(tmp.path).filter((n) => n.startsWith('halo-batch-'));
    assert.ok(killedFolders.length >= 4, `build folders left by the kills: ${killedFolders.length}`);
    const stale = join(tmp.path, 'halo-batch-01STALE-x');
    mkdirSync(stale);
    utimesSync(stale, new Date(Date.now() - 2 * 86_400_000), new Date(Date.now() - 2 * 86_400_000));
    const again = runCli(['stage', big, '--schema', 'merchant_inventory', '--config', cfg], { env: { TMPDIR: tmp.path } });
    assert.equal(again.code, 0, again.stderr);
    assert.ok(!existsSync(stale), 'a day-old build folder is swept');
    assert.deepEqual(readdirSync(tmp.path).filter((n) => n.startsWith('halo-batch-')).sort(), killedFolders.sort());
    const after2 = JSON.parse(runCli(['batches', 'list', '--json', '--config', cfg]).stdout);
    const complete = after2.batches.filter((b: { status: string }) => b.status === 'complete');
    assert.equal(complete.length, 1);
    assert.equal(complete[0].rows, 400_000);
    assert.equal(runCli(['batches', 'list', '--status', 'incomplete', '--config', cfg]).code, 0);
  });
});

describe('stage on S3 (s3rver on 127.0.0.1)', () => {
  let s3: TestS3;
  const tmp = tempDir();
  before(async () => { s3 = await startS3(); });
  after(async () => { await s3.stop(); tmp.cleanup(); });

  test('the batch lands in the bucket, encrypted, checksums verified; batches list/show read it', async () => {
    const proxy = await startRecordingProxy(s3.endpoint);
    const cfg = join(tmp.path, 'halo-data.config.yaml');
    writeFileSync(cfg, `lake:\n  url: s3://${s3.bucket}/lake\n  endpoint: ${proxy.endpoint}\n  region: ap-southeast-3\n`);
    const r = await runCliAsync(['stage', ...MERCHANT_FILES.map((f) => join(ROOT, f)), '--schema', 'merchant_inventory', '--merchant', 'M7', '--source', 'merchants', '--json', '--config', cfg], { env: s3.env });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.lake, `s3://${s3.bucket}/lake`);
    const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'ap-southeast-3', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const get = async (key: string) => Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `lake/${out.prefix}/${key}` }))).Body!.transformToByteArray());
    const m = JSON.parse((await get('manifest.json')).toString('utf8'));
    for (const [i, f] of m.files.entries()) assert.equal(sha(await get(`raw/${f.name}`)), sha(readFileSync(join(ROOT, MERCHANT_FILES[i]))));
    for (const p of m.parts) assert.equal(sha(await get(p.key)), p.sha256);
    const copy = JSON.parse((await get('copy.manifest')).toString('utf8'));
    assert.equal(copy.entries[0].url, `s3://${s3.bucket}/lake/${out.prefix}/${m.parts[0].key}`);
    // Every object was written asking for server-side encryption (s3rver accepts it but does not echo it).
    const puts = proxy.requests.filter((q) => q.method === 'PUT' && !q.url.includes('partNumber='));
    assert.ok(puts.length >= m.files.length + m.parts.length + 2, `uploads seen: ${puts.length}`);
    for (const q of puts) assert.equal(q.headers['x-amz-server-side-encryption'], 'AES256', q.url);
    client.destroy();
    const list = JSON.parse((await runCliAsync(['batches', 'list', '--json', '--config', cfg], { env: s3.env })).stdout);
    assert.equal(list.batches.length, 1);
    assert.equal(list.batches[0].status, 'complete');
    assert.equal((await runCliAsync(['batches', 'show', out.batchId, '--config', cfg], { env: s3.env })).code, 0);
    await proxy.stop();
  });

  test('503 SlowDown answers are retried with backoff; SSE-KMS when a key is configured', async () => {
    const proxy = await startRecordingProxy(s3.endpoint, { slowDownFirstPuts: 3 });
    const cfg = join(tmp.path, 'kms.yaml');
    writeFileSync(cfg, `lake:\n  url: s3://${s3.bucket}/kms\n  endpoint: ${proxy.endpoint}\n  kmsKeyId: alias/halo-lake\n`);
    const r = await runCliAsync(['stage', join(ROOT, FILES[0]), '--schema', 'merchant_inventory', '--json', '--config', cfg], { env: s3.env });
    assert.equal(r.code, 0, r.stderr);
    const puts = proxy.requests.filter((q) => q.method === 'PUT');
    const first = puts[0].url;
    assert.equal(puts.filter((q) => q.url === first).length, 4, 'the first upload was tried 4 times (3 refusals)');
    for (const q of puts) {
      assert.equal(q.headers['x-amz-server-side-encryption'], 'aws:kms');
      assert.equal(q.headers['x-amz-server-side-encryption-aws-kms-key-id'], 'alias/halo-lake');
    }
    await proxy.stop();
  });

  test('an unreachable S3 endpoint is exit 3 with the fix named', async () => {
    const cfg = join(tmp.path, 'down.yaml');
    writeFileSync(cfg, 'lake:\n  url: s3://nowhere/lake\n  endpoint: http://127.0.0.1:9\n');
    const r = await runCliAsync(['batches', 'list', '--config', cfg], { env: { ...s3.env, HALO_TEST: '1' } });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /S3 listing/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  });
});
