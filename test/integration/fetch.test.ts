/**
 * `halo-data fetch` from a local source: only new or changed files, only once stable (a
 * `.done` marker, unchanged across two listings, or older than stableAfterSeconds), landed
 * whole under a fetch folder of their own; a second fetch with nothing new moves 0 bytes; a
 * name that would leave the landing folder is refused; --dry-run changes nothing.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, mkdirSync, utimesSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir();
after(() => tmp.cleanup());

const drop = join(tmp.path, 'drop');
const cfg = join(tmp.path, 'halo-data.config.yaml');
const HOUR_AGO = new Date(Date.now() - 3600_000);

function put(rel: string, body: string, mtime?: Date): void {
  const f = join(drop, rel);
  mkdirSync(join(f, '..'), { recursive: true });
  writeFileSync(f, body);
  if (mtime) utimesSync(f, mtime, mtime);
}

function fetch(...args: string[]) {
  const r = runCli(['fetch', '--json', '--config', cfg, ...args]);
  return { ...r, out: r.stdout ? JSON.parse(r.stdout) : null };
}

const names = (list: Array<{ path: string }>) => list.map((f) => f.path).sort();

describe('fetch from a local source', () => {
  writeFileSync(cfg, `sources:\n  - { name: merchants, type: local, path: ./drop, paths: ["*/inbox/*.{csv,xlsx}"], stableAfterSeconds: 60 }\n`);

  test('new and stable files land; recent ones wait for a second listing; nothing is taken twice', () => {
    put('M1/inbox/a.csv', 'a1\n', HOUR_AGO);
    put('M2/inbox/b.csv', 'b1\n');
    put('M2/inbox/notes.txt', 'not matched\n', HOUR_AGO);
    const dry = fetch('--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(names(dry.out.sources[0].fetched), ['M1/inbox/a.csv']);
    assert.ok(!existsSync(join(tmp.path, '.halo-data')), '--dry-run writes nothing');

    const first = fetch();
    assert.equal(first.code, 0, first.stderr);
    const s1 = first.out.sources[0];
    assert.deepEqual(names(s1.fetched), ['M1/inbox/a.csv']);
    assert.deepEqual(names(s1.waiting), ['M2/inbox/b.csv']);
    assert.equal(readFileSync(s1.fetched[0].landedAs, 'utf8'), 'a1\n');
    assert.match(s1.fetched[0].landedAs, new RegExp(`landing/merchants/${s1.fetchId}/M1/inbox/a\\.csv$`));

    // b did not change since the last listing: it has stopped growing.
    const second = fetch();
    const s2 = second.out.sources[0];
    assert.deepEqual(names(s2.fetched), ['M2/inbox/b.csv']);
    assert.equal(s2.unchanged, 1);

    // Nothing new: 0 files, 0 bytes.
    const third = fetch();
    assert.equal(third.out.sources[0].fetched.length, 0);
    assert.equal(third.out.sources[0].bytes, 0);
    assert.equal(third.out.sources[0].unchanged, 2);
  });

  test('a changed file is taken again; a touched one (same bytes) is not; a .done marker needs no wait', () => {
    put('M1/inbox/a.csv', 'a2 changed\n', HOUR_AGO);
    put('M2/inbox/b.csv', 'b1\n', HOUR_AGO); // touched: same content, other mtime
    put('M3/inbox/c.csv', 'c1\n');
    put('M3/inbox/c.csv.done', '');
    const r = fetch();
    assert.equal(r.code, 0, r.stderr);
    const s = r.out.sources[0];
    assert.deepEqual(names(s.fetched), ['M1/inbox/a.csv', 'M3/inbox/c.csv']);
    assert.equal(readFileSync(s.fetched[0].landedAs, 'utf8'), 'a2 changed\n');
    assert.equal(s.unchanged, 1);
    // The earlier fetch's copy is still there: a fetch never writes over another.
    const fetches = readdirSync(join(tmp.path, '.halo-data/landing/merchants'));
    assert.equal(fetches.length, 3);
  });

  test('a name that would leave the landing folder is refused (exit 1); the rest still land', () => {
    put('M4/inbox/bad\u0001name.csv', 'x\n', HOUR_AGO);
    put('M4/inbox/good.csv', 'g\n', HOUR_AGO);
    const r = fetch();
    assert.equal(r.code, 1);
    const s = r.out.sources[0];
    assert.deepEqual(names(s.fetched), ['M4/inbox/good.csv']);
    assert.equal(s.refused.length, 1);
    assert.match(s.refused[0].why, /refusing the file name/);
  });

  test('usage and configuration errors', () => {
    const unknown = runCli(['fetch', '--source', 'nope', '--config', cfg]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no source named nope/);
    const sftpCfg = join(tmp.path, 'sftp.yaml');
    writeFileSync(sftpCfg, 'sources:\n  - { name: remote, type: sftp, host: 127.0.0.1 }\n');
    const sftp = runCli(['fetch', '--config', sftpCfg]);
    assert.equal(sftp.code, 2);
    assert.match(sftp.stderr, /source 'remote': an sftp source needs user/);
    // A config names ways to log in, never secrets; agent: true is judged on the file alone
    // (whether this shell has an agent is checked when the source connects).
    writeFileSync(sftpCfg, 'sources:\n  - { name: remote, type: sftp, host: 127.0.0.1, user: halo }\n');
    assert.match(runCli(['fetch', '--config', sftpCfg]).stderr, /no way to log in: .*agent: true/);
    writeFileSync(sftpCfg, 'sources:\n  - { name: remote, type: sftp, host: 127.0.0.1, user: halo, agent: true }\n');
    const noAgent = runCli(['validate', 'fixtures/inventory/clean-comma.csv', '--config', sftpCfg], { env: { SSH_AUTH_SOCK: '' } });
    assert.equal(noAgent.code, 0, noAgent.stderr);
    // A pattern's fixed folder missing below the source's folder, and a merchantIdFrom that
    // matches none of the files listed: exit 2 (issue 15 item 1), as a missing folder is.
    const wrongCfg = join(tmp.path, 'wrong.yaml');
    writeFileSync(wrongCfg, 'sources:\n  - { name: merchants, type: local, path: ./drop, paths: ["merchantz/*/inbox/*.csv"] }\n');
    const wrong = runCli(['fetch', '--dry-run', '--config', wrongCfg]);
    assert.equal(wrong.code, 2, wrong.stdout + wrong.stderr);
    assert.match(wrong.stderr, /source 'merchants': the folder \S+drop\/merchantz does not exist \(path pattern "merchantz\/\*\/inbox\/\*\.csv" starts there\)/);
    const doctorWrong = runCli(['doctor', '--config', wrongCfg]);
    assert.equal(doctorWrong.code, 2, doctorWrong.stdout);
    assert.match(doctorWrong.stdout, /✗ source merchants +source 'merchants': the folder .*merchantz does not exist/);
    writeFileSync(wrongCfg, 'sources:\n  - { name: merchants, type: local, path: ./drop, paths: ["*/inbox/*.{csv,xlsx}"], merchantIdFrom: "/merchants/{merchant_id}/inbox/" }\n');
    const unmatched = runCli(['fetch', '--dry-run', '--config', wrongCfg]);
    assert.equal(unmatched.code, 2, unmatched.stdout + unmatched.stderr);
    assert.match(unmatched.stderr, /merchantIdFrom "\/merchants\/\{merchant_id\}\/inbox\/" finds a merchant in none of the \d+ files? listed \(e\.g\. "\w+\/inbox\//);
    writeFileSync(wrongCfg, 'sources:\n  - { name: merchants, type: local, path: ./drop, paths: ["*/inbox/*.{csv,xlsx}"], merchantIdFrom: "/{merchant_id}/inbox/" }\n');
    const relative = runCli(['fetch', '--dry-run', '--config', wrongCfg]);
    assert.equal(relative.code, 1, relative.stderr); // the refused name of the test above; no config error
    assert.doesNotMatch(relative.stderr, /merchantIdFrom/, 'a relative path is matched with a / before it');
    const text = runCli(['fetch', '--config', cfg]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /merchants \(local folder .*\): fetched 0 files, 0 B; \d+ unchanged/);
  });

  // Issue 15 item 12: `fetched 4 files (0.0 MB)` for 2 KB.
  test('sizes are said in B, KB, MB or GB: a 2 KB fetch is not 0.0 MB', () => {
    put('M9/inbox/two-kb.csv', 'x'.repeat(2150), HOUR_AGO);
    const r = runCli(['fetch', '--source', 'merchants', '--config', cfg]);
    assert.match(r.stdout, /merchants \(local folder .*\): fetched 1 file, 2\.1 KB into .*; \d+ unchanged\n  M9\/inbox\/two-kb\.csv  2\.1 KB\n/);
  });
});
