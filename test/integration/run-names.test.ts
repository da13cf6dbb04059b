/**
 * A partner's long file name must not stop anything (issue 14 item 7): a 250-byte name in a
 * local folder and a 255-byte name on an SFTP server (real OpenSSH) land under a bounded
 * name (shortened with a hash; the original kept in the manifest), load with the rest, and
 * the next source still runs. An unforeseen error in one source is recorded for it, the next
 * source runs, and `run --json` prints its document.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync, readFileSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runCliAsync, ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { twoSourceProject } from '../support/two-sources.js';
import { sshdAvailable, startSshd } from '../support/sshd.js';

const tmp = tempDir('halo-run-names-');
after(() => tmp.cleanup());
const ENV = { HALO_DATA_MEMBER_KEY: 'test-member-key' };
const HOUR_AGO = new Date(Date.now() - 3600_000);

/** A name of exactly `bytes` UTF-8 bytes ending in .csv, with multi-byte characters in it. */
function longName(bytes: number): string {
  const head = 'Laporan stok é ';
  const name = head + 'x'.repeat(bytes - Buffer.byteLength(head) - 4) + '.csv';
  assert.equal(Buffer.byteLength(name), bytes);
  return name;
}

function manifests(lake: string, source: string): any[] {
  const out: any[] = [];
  for (const dt of readdirSync(join(lake, source))) {
    for (const b of readdirSync(join(lake, source, dt))) out.push(JSON.parse(readFileSync(join(lake, source, dt, b, 'manifest.json'), 'utf8')));
  }
  return out;
}

/** Two local sources: `inventory` (given files) first, then `claims` with a clean CSV. */
function project(name: string, inventory: Record<string, string>): { dir: string; cfg: string } {
  return twoSourceProject(join(tmp.path, name), inventory);
}

describe('long file names', () => {
  test('a 250-byte local name lands under a bounded name and loads; the next source loads too; --json prints', () => {
    const long = longName(250);
    const p = project('local-long', { [long]: 'inventory/clean-comma.csv', 'pipe.csv': 'inventory/pipe-delimited.csv' });
    const r = runCli(['run', '--json', '--config', p.cfg], { env: ENV, cwd: p.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout);
    const [inv, claims] = doc.sources;
    assert.equal(inv.fetch.files, 2);
    assert.deepEqual(inv.fetch.refused, []);
    assert.equal(inv.loaded.length, 1);
    assert.equal(claims.loaded.length, 1);
    assert.ok(claims.rowsLoaded > 0);
    const [m] = manifests(join(p.dir, '.halo-data/lake'), 'inventory');
    const f = m.files.find((x: { original?: string }) => x.original === long);
    assert.ok(f, 'the original name is in the manifest');
    assert.ok(Buffer.byteLength(f.name) <= 120 && f.name.endsWith('.csv'), f.name);
    assert.equal(m.counts.files, 2);
  });

  test('an unforeseen error in the first source is recorded for it (exit 1); the next source runs; --json prints', () => {
    const p = project('internal', { 'a.csv': 'inventory/clean-comma.csv' });
    // The source's landing folder is a file: every step of that source fails with ENOTDIR.
    mkdirSync(join(p.dir, '.halo-data/landing'), { recursive: true });
    writeFileSync(join(p.dir, '.halo-data/landing/inventory'), 'not a folder');
    const r = runCli(['run', '--json', '--config', p.cfg], { env: ENV, cwd: p.dir });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const [inv, claims] = JSON.parse(r.stdout).sources;
    assert.equal(inv.exitCode, 1);
    assert.equal(inv.error.code, 'internal');
    assert.match(inv.error.message, /ENOTDIR/);
    assert.equal(claims.exitCode, 0);
    assert.equal(claims.loaded.length, 1);
  });

  test('SFTP (OpenSSH): a 255-byte name loads with the others', { skip: !sshdAvailable() && 'needs root and /usr/sbin/sshd' }, async () => {
    const sshd = await startSshd();
    try {
      const long = longName(255);
      // Each file in its own merchant's folder (a row of another merchant is merchant-mismatch).
      for (const [merchant, to, fixture] of [['M0101', long, 'inventory/clean-comma.csv'], ['M0104', 'pipe.csv', 'inventory/pipe-delimited.csv']]) {
        const inbox = join(sshd.root, 'merchants', merchant, 'inbox');
        mkdirSync(inbox, { recursive: true });
        copyFileSync(join(ROOT, 'fixtures', fixture), join(inbox, to));
        utimesSync(join(inbox, to), HOUR_AGO, HOUR_AGO);
      }
      const dir = join(tmp.path, 'sftp-long');
      mkdirSync(dir, { recursive: true });
      const cfg = join(dir, 'halo-data.config.json');
      writeFileSync(cfg, JSON.stringify({ sources: [{
        name: 'merchants', type: 'sftp', host: sshd.host, port: sshd.port, user: sshd.user, privateKeyFile: sshd.privateKeyFile,
        knownHostsFile: sshd.knownHostsFile, paths: [`${sshd.root}/merchants/*/inbox/*.csv`], merchantIdFrom: '/merchants/{merchant_id}/inbox/',
        schema: 'merchant_inventory', timeoutSeconds: 5, retries: 1, retryDelaySeconds: 0.05,
      }] }));
      const r = await runCliAsync(['run', '--json', '--config', cfg], { cwd: dir, env: ENV });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const [s] = JSON.parse(r.stdout).sources;
      assert.equal(s.fetch.files, 2);
      assert.equal(s.loaded.length, 1);
      const [m] = manifests(join(dir, '.halo-data/lake'), 'merchants');
      assert.ok(m.files.some((x: { original?: string }) => x.original === `${sshd.root}/merchants/M0101/inbox/${long}`));
      assert.equal(m.counts.files, 2);
    } finally {
      await sshd.stop();
    }
  });
});
