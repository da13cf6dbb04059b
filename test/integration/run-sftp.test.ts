/**
 * The whole loop through the CLI from an SFTP server (the in-process ssh2 server): `run`
 * fetches merchant folders, stages with the merchant id from the path, loads, and archives
 * the staged files on the server; a second run downloads 0 bytes; `doctor` checks the
 * source, the landing folder, the lake (probe written, read, deleted) and the warehouse;
 * `doctor --trust-host` prints the fingerprint and trusts nothing; an unknown host key stops
 * `run` with exit 2 and lands nothing; an unreachable server is exit 3 after retries.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, utimesSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startSftpServer, type TestSftpServer } from '../support/sftp-server.js';
import { runCliAsync, assertNoPersonalData, ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('halo-run-sftp-');
const ENV = { HALO_DATA_MEMBER_KEY: 'test-member-key' };
const HOUR_AGO = new Date(Date.now() - 3600_000);
let server: TestSftpServer;

function put(rel: string, fixture: string): void {
  const to = join(server.root, rel);
  mkdirSync(join(to, '..'), { recursive: true });
  copyFileSync(join(ROOT, 'fixtures', fixture), to);
  utimesSync(to, HOUR_AGO, HOUR_AGO);
}

function project(name: string, source: Record<string, unknown> = {}): { dir: string; cfg: string } {
  const dir = join(tmp.path, name);
  mkdirSync(dir, { recursive: true });
  const cfg = join(dir, 'halo-data.config.json');
  writeFileSync(cfg, JSON.stringify({ sources: [{
    name: 'merchants', type: 'sftp', host: server.host, port: server.port, user: server.user, privateKeyFile: server.privateKeyFile,
    knownHostsFile: server.knownHostsFile, paths: ['/merchants/*/inbox/*.{csv,xls,xlsx}'], merchantIdFrom: '/merchants/{merchant_id}/inbox/',
    schema: 'merchant_inventory', timeoutSeconds: 5, retries: 1, retryDelaySeconds: 0.05, ...source,
  }] }, null, 2));
  return { dir, cfg };
}
const cli = (p: { dir: string; cfg: string }, ...args: string[]) => runCliAsync([...args, '--config', p.cfg], { cwd: p.dir, env: ENV });

before(async () => {
  server = await startSftpServer();
  // Two merchants; one file has no merchant_id column: the id comes from its folder.
  put('merchants/M0101/inbox/stok.csv', 'inventory/clean-comma.csv');
  put('merchants/M0500/inbox/stock.csv', 'inventory/missing-merchant.csv');
});
after(async () => {
  await server?.stop();
  tmp.cleanup();
});

describe('run from an SFTP source', () => {
  test('fetches, stages, loads, archives on the server; a second run downloads 0 bytes', async () => {
    const p = project('main', { archive: true });
    const r = await cli(p, 'run', '--json');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assertNoPersonalData(r.stdout + r.stderr, 'run output');
    const [s] = JSON.parse(r.stdout).sources;
    assert.equal(s.fetch.files, 2);
    assert.equal(s.loaded.length, 1);
    assert.ok(s.rowsLoaded > 0);
    const merchants = await cli(p, 'warehouse', 'query', 'SELECT DISTINCT merchant_id FROM halo.dim_product ORDER BY 1', '--json');
    assert.deepEqual(JSON.parse(merchants.stdout).map((x: { merchant_id: string }) => x.merchant_id), ['M0101', 'M0500']);
    // Archived beside each file, nothing deleted.
    assert.deepEqual(readdirSync(join(server.root, 'merchants/M0101/inbox')).sort(), ['archive']);
    assert.deepEqual(readdirSync(join(server.root, 'merchants/M0101/inbox/archive')), ['stok.csv']);
    const again = await cli(p, 'run', '--json');
    assert.equal(again.code, 0, again.stderr);
    const [s2] = JSON.parse(again.stdout).sources;
    assert.equal(s2.fetch.bytes, 0);
    assert.deepEqual(s2.loaded, []);
  });

  test('without archive the files stay, and the second run downloads 0 bytes', async () => {
    // pipe-delimited.csv holds M0104's rows: in its own folder (another folder's would be merchant-mismatch).
    put('merchants/M0104/inbox/stok.csv', 'inventory/pipe-delimited.csv');
    const p = project('keep');
    const first = await cli(p, 'run', '--json');
    assert.equal(first.code, 0, first.stderr);
    assert.ok(existsSync(join(server.root, 'merchants/M0104/inbox/stok.csv')));
    const again = await cli(p, 'run', '--json');
    const [s] = JSON.parse(again.stdout).sources;
    assert.equal(s.fetch.bytes, 0);
    assert.equal(s.fetch.unchanged, s.fetch.listed);
  });
});

describe('archive: true archives only the bytes that were fetched', () => {
  test('a file replaced just before the archive RENAME stays in the inbox, and the next run loads it', async () => {
    const inbox = join(server.root, 'merchants/M0700/inbox');
    mkdirSync(join(inbox, 'archive'), { recursive: true }); // so the first RENAME is the one that moves
    const header = 'Kode Apotek,Kode Barang,Nama Barang,Barcode,Satuan,Harga Jual,Stok,Tgl Kadaluarsa,Tgl Update\n';
    writeFileSync(join(inbox, 'big.csv'), header + 'M0700,OLD-1,Paracetamol 500 mg,,Strip,4500,10,21/11/2027,21/11/2026 10:30\n');
    utimesSync(join(inbox, 'big.csv'), HOUR_AGO, HOUR_AGO);
    const p = project('archive-race', { archive: true, paths: ['/merchants/M0700/inbox/*.csv'], stableAfterSeconds: 0 });
    // The partner uploads a new big.csv (under a temporary name, renamed over the old one) at
    // the worst moment: after we staged the old one, just as our archive RENAME arrives.
    let replaced = 0;
    server.beforeAnswer = (type, args) => {
      if (type !== 'RENAME' || args[0] !== '/merchants/M0700/inbox/big.csv' || replaced++) return;
      const tmpName = join(inbox, '.big.csv.upload');
      writeFileSync(tmpName, header + 'M0700,NEW-1,Amoxicillin 500mg,,Strip,12500,5,31/03/2027,22/11/2026 10:30\n'
        + 'M0700,NEW-2,Sanmol Sirup 60 ml,,Botol,24800,7,30/06/2027,22/11/2026 10:30\n');
      renameSync(tmpName, join(inbox, 'big.csv'));
    };
    try {
      const first = await cli(p, 'run', '--json');
      assert.equal(first.code, 0, first.stdout + first.stderr);
      const [s] = JSON.parse(first.stdout).sources;
      assert.equal(s.rowsLoaded, 1);
      assert.deepEqual(s.notArchived, [{ path: '/merchants/M0700/inbox/big.csv', why: 'changed since fetched: left for the next run' }]);
    } finally {
      server.beforeAnswer = null;
    }
    assert.equal(replaced, 1);
    assert.match(readFileSync(join(inbox, 'big.csv'), 'utf8'), /NEW-2/, 'the unread file is back in the inbox');
    assert.ok(!existsSync(join(inbox, 'archive/big.csv')), 'nothing unread in archive/');
    const text = await cli(p, 'run');
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.match(text.stdout, /fetched 1 file/);
    assert.deepEqual(readdirSync(inbox).sort(), ['archive'], 'the new file, now read, is archived');
    assert.match(readFileSync(join(inbox, 'archive/big.csv'), 'utf8'), /NEW-2/);
    const skus = await cli(p, 'warehouse', 'query', "SELECT merchant_sku FROM halo.dim_product WHERE merchant_id = 'M0700' ORDER BY 1", '--json');
    assert.deepEqual(JSON.parse(skus.stdout).map((x: { merchant_sku: string }) => x.merchant_sku), ['NEW-1', 'NEW-2', 'OLD-1']);
  });
});

describe('doctor', () => {
  test('checks config, source (host key, login, listing), landing, lake, warehouse, member key', async () => {
    const p = project('doctor');
    const r = await cli(p, 'doctor', '--json');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const { ok, checks } = JSON.parse(r.stdout);
    assert.equal(ok, true);
    const names = checks.map((c: { check: string }) => c.check);
    for (const want of [/^config$/, /host key of 127\.0\.0\.1/, /login as/, /listing/, /^landing$/, /^lake$/, /^warehouse$/, /^member key$/]) {
      assert.ok(names.some((n: string) => want.test(n)), `a check matching ${want}: ${names.join(', ')}`);
    }
    // The probe object is gone from the lake.
    assert.ok(!existsSync(join(p.dir, '.halo-data/lake/_halo-data-probe')) || readdirSync(join(p.dir, '.halo-data/lake/_halo-data-probe')).length === 0);
    const text = await cli(p, 'doctor');
    assert.match(text.stdout, /✓ config/);
    assert.match(text.stdout, /all checks passed/);
  });

  test('a missing member key and an unknown host key are failed checks with their fix', async () => {
    const empty = join(tmp.path, 'empty_known_hosts');
    writeFileSync(empty, '');
    const p = project('doctor-bad', { knownHostsFile: empty, schema: 'insurance_claim' });
    const r = await runCliAsync(['doctor', '--config', p.cfg], { cwd: p.dir, env: { HALO_DATA_MEMBER_KEY: '' } });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /✗ merchants: host key of 127\.0\.0\.1:\d+ +SHA256:\S+ \(ssh-ed25519\) is not in/);
    assert.match(r.stdout, /fix: .*doctor --trust-host merchants/);
    assert.match(r.stdout, /✗ member key +HALO_DATA_MEMBER_KEY is not set/);
  });

  test('--trust-host prints the fingerprint and the lines to pin, and trusts nothing', async () => {
    const empty = join(tmp.path, 'empty_known_hosts2');
    writeFileSync(empty, '');
    const p = project('trust', { knownHostsFile: empty });
    const r = await cli(p, 'doctor', '--trust-host', 'merchants');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(server.hostKeySha256), 'the fingerprint is printed');
    assert.match(r.stdout, /Nothing was trusted/);
    assert.match(r.stdout, new RegExp(`hostKeySha256: "${server.hostKeySha256.replace(/[+/]/g, '\\$&')}"`));
    assert.match(r.stdout, new RegExp(`\\[127\\.0\\.0\\.1\\]:${server.port} ssh-ed25519 AAAA`));
    assert.equal(readFileSync(empty, 'utf8'), '', 'known_hosts untouched');
    const json = await cli(p, 'doctor', '--trust-host', 'merchants', '--json');
    assert.equal(JSON.parse(json.stdout).verdict, 'unknown');
    const local = await runCliAsync(['doctor', '--trust-host', 'inbox'], { cwd: p.dir });
    assert.equal(local.code, 2);
  });
});

describe('a wrong path is an error, an empty inbox is not (issue 15 item 1)', () => {
  test('a pattern whose fixed folder is missing: doctor and run exit 2 naming the source, the pattern and the folder', async () => {
    const p = project('wrong-path', { paths: ['/srv/sftp/merchantz/*/inbox/*.csv'] });
    const doctor = await cli(p, 'doctor');
    assert.equal(doctor.code, 2, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /✗ merchants: listing +source 'merchants': the folder \/srv\/sftp\/merchantz does not exist on 127\.0\.0\.1:\d+ \(path pattern "\/srv\/sftp\/merchantz\/\*\/inbox\/\*\.csv" starts there\)/);
    assert.match(doctor.stdout, /fix: .*the nearest folder that exists is \//);
    assert.doesNotMatch(doctor.stdout, /all checks passed/);
    const run = await cli(p, 'run', '--json');
    assert.equal(run.code, 2, run.stdout + run.stderr);
    const [s] = JSON.parse(run.stdout).sources;
    assert.equal(s.error.code, 'source-folder-missing');
    assert.match(s.error.message, /\/srv\/sftp\/merchantz does not exist/);
    const fetch = await cli(p, 'fetch', '--dry-run');
    assert.equal(fetch.code, 2, fetch.stdout + fetch.stderr);
    assert.match(fetch.stderr, /the folder \/srv\/sftp\/merchantz does not exist/);
  });

  test('a correct path with no files (an empty inbox) passes doctor and run exits 0', async () => {
    mkdirSync(join(server.root, 'empty/M1/inbox'), { recursive: true });
    const p = project('empty-inbox', { paths: ['/empty/*/inbox/*.csv'] });
    const doctor = await cli(p, 'doctor');
    assert.match(doctor.stdout, /✓ merchants: listing +0 files match/);
    assert.doesNotMatch(doctor.stdout, /✗ merchants/);
    const run = await cli(p, 'run', '--json');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(JSON.parse(run.stdout).sources[0].fetch.listed, 0);
  });

  test('a merchantIdFrom that finds no merchant in the files listed: doctor and run exit 2, naming it and one path', async () => {
    const p = project('wrong-merchant-from', { merchantIdFrom: '/merchant/{merchant_id}/inbox/' });
    const doctor = await cli(p, 'doctor');
    assert.equal(doctor.code, 2, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /✗ merchants: listing +source 'merchants': merchantIdFrom "\/merchant\/\{merchant_id\}\/inbox\/" finds a merchant in none of the \d+ files? listed \(e\.g\. "\/merchants\/M\d+\/inbox\/\w+\.csv"\)/);
    const run = await cli(p, 'run', '--json');
    assert.equal(run.code, 2, run.stdout + run.stderr);
    const [s] = JSON.parse(run.stdout).sources;
    assert.equal(s.error.code, 'merchant-id-from-unmatched');
    assert.equal(s.fetch, null, 'nothing fetched');
    assertNoPersonalData(run.stdout + run.stderr + doctor.stdout, 'merchantIdFrom error');
  });
});

describe('run refuses what it cannot trust or reach', () => {
  test('an unknown host key: exit 2, the fingerprint named, nothing landed', async () => {
    const empty = join(tmp.path, 'empty_known_hosts3');
    writeFileSync(empty, '');
    const p = project('unknown-key', { knownHostsFile: empty });
    const r = await cli(p, 'run');
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.ok((r.stdout + r.stderr).includes(server.hostKeySha256));
    assert.match(r.stdout + r.stderr, /doctor --trust-host merchants/);
    const landing = join(p.dir, '.halo-data/landing/merchants');
    assert.deepEqual(existsSync(landing) ? readdirSync(landing) : [], []);
  });

  test('a server that is not there: exit 3 after the retries', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => { const a = s.address() as { port: number }; s.close(() => resolve(a.port)); });
    });
    const p = project('down', { port });
    const r = await cli(p, 'run', '--metrics-file', 'm.prom');
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /error \(sftp-unreachable\)/);
    assert.match(readFileSync(join(p.dir, 'm.prom'), 'utf8'), /^halo_data_run_exit_code\{source="merchants"\} 3$/m);
  });
});
