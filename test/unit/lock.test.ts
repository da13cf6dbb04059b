/**
 * The lock module (the run lock and the embedded warehouse's): taken, refused while held,
 * released; taken over when its holder on this host has ended (or its pid was reused), or
 * when its heartbeat is older than the stale age whatever the host; never while it beats,
 * even when the holder's main thread is blocked (PGlite); a waiter gets it when it is
 * released, or gives up naming the holder; and processes that contend never hold it at once.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLock, LockHeldError, type LockOptions } from '../../src/util/lock.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir();
after(() => tmp.cleanup());

let n = 0;
const options = (over: Partial<LockOptions> = {}): LockOptions => ({
  file: join(tmp.path, `t${n++}.lock`), what: 'the test lock', code: 'test-locked', staleSeconds: 60, waitSeconds: 0, advice: 'Try later.', ...over,
});
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
/** A lock file as another holder left it, written `age` minutes ago (its heartbeat and its mtime). */
function plant(file: string, holder: Record<string, unknown>, ageMinutes = 0): void {
  const at = minutesAgo(ageMinutes);
  writeFileSync(file, JSON.stringify({ startedAt: at.toISOString(), heartbeatAt: at.toISOString(), procStart: null, token: 'theirs', ...holder }));
  utimesSync(file, at, at);
}

describe('the lock', () => {
  test('is taken, refused to a second taker while held (naming pid, host, command, start), and released', async () => {
    const o = options();
    const a = await acquireLock(o);
    const held = read(o.file);
    assert.equal(held.pid, process.pid);
    assert.equal(held.host, hostname());
    await assert.rejects(acquireLock(o), (e: unknown) => e instanceof LockHeldError && e.code === 'test-locked'
      && new RegExp(`^the test lock is held by pid ${process.pid} on .* \\(halo-data\\), started ${held.startedAt.replace('.', '\\.')}, last heartbeat \\d+ s ago .*nothing was done$`).test(e.message)
      && /taken over when its heartbeat .* is older than 60 s \(locks\.staleSeconds\), whatever the host, or at once when its holder ran on this host and that process has ended/.test(e.hint ?? ''));
    a.release();
    assert.ok(!existsSync(o.file));
  });

  test('a dead holder\'s lock on this host is taken over at once, saying why', async () => {
    const o = options();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    plant(o.file, { pid: dead, host: hostname() });
    const l = await acquireLock(o);
    assert.equal(l.tookOver?.holder?.pid, dead);
    assert.match(l.tookOver!.message, new RegExp(`^took over a lock left by pid ${dead} on .*: its holder ran on this host and that process has ended`));
    l.release();
  });

  test('a live pid that started at another time (a reused pid) is not the holder', async () => {
    const o = options();
    plant(o.file, { pid: process.pid, host: hostname(), procStart: '1' });
    const l = await acquireLock(o);
    assert.equal(l.tookOver?.holder?.procStart, '1');
    l.release();
  });

  test('a lock from another host with a fresh heartbeat is not taken over', async () => {
    const o = options();
    plant(o.file, { pid: 1, host: 'renamed-pod-7f9c', command: 'halo-data run' }, 0.5);
    await assert.rejects(acquireLock(o), (e: unknown) => e instanceof LockHeldError && /pid 1 on renamed-pod-7f9c \(halo-data run\)/.test(e.message));
    assert.equal(read(o.file).token, 'theirs');
  });

  test('a lock from another host whose heartbeat is older than the stale age is taken over, with the rule in the warning', async () => {
    const o = options({ staleSeconds: 120 });
    plant(o.file, { pid: 1, host: 'renamed-pod-7f9c', command: 'halo-data run', heartbeatSeconds: 5 }, 3);
    const l = await acquireLock(o);
    assert.equal(l.tookOver?.holder?.host, 'renamed-pod-7f9c');
    assert.match(l.tookOver!.message, /^took over a lock left by pid 1 on renamed-pod-7f9c \(halo-data run\).*: its heartbeat is 1[89]\d s old, over the 120 s after which a lock is taken over from any host/);
    assert.equal(read(o.file).pid, process.pid);
    l.release();
  });

  test('an old heartbeat in a file written just now (a holder whose clock runs behind) is not stale', async () => {
    const o = options({ staleSeconds: 120 });
    plant(o.file, { pid: 1, host: 'elsewhere', heartbeatAt: minutesAgo(30).toISOString() });
    await assert.rejects(acquireLock(o), LockHeldError);
  });

  test('a holder that beats slower than the stale age is given three beats', async () => {
    const o = options({ staleSeconds: 1 });
    plant(o.file, { pid: 1, host: 'elsewhere', heartbeatSeconds: 30 }, 1); // 60 s old, beats every 30 s
    await assert.rejects(acquireLock(o), LockHeldError);
  });

  test('garbage in the lock file is taken over', async () => {
    const o = options();
    writeFileSync(o.file, 'not json');
    const l = await acquireLock(o);
    assert.match(l.tookOver!.message, /unreadable/);
    l.release();
  });

  test('the heartbeat advances while held, even while the main thread is blocked (PGlite runs statements there)', async () => {
    const o = options({ staleSeconds: 1 }); // a beat every 200 ms
    const l = await acquireLock(o);
    const first = Date.parse(read(o.file).heartbeatAt);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500); // blocked longer than the stale age
    const later = Date.parse(read(o.file).heartbeatAt);
    assert.ok(later - first >= 1000, `the heartbeat moved on while the main thread was blocked (${later - first} ms)`);
    assert.equal(read(o.file).startedAt, l.info.startedAt, 'the start time stays');
    // And another taker judges it alive.
    await assert.rejects(acquireLock({ ...o, staleSeconds: 1 }), LockHeldError);
    l.release();
    assert.ok(!existsSync(o.file), 'released: the heartbeat does not bring it back');
    await new Promise((r) => setTimeout(r, 450));
    assert.ok(!existsSync(o.file));
  });

  test('a waiter is told who holds it, and gets it when it is released', async () => {
    const o = options();
    const a = await acquireLock(o);
    const said: string[] = [];
    setTimeout(() => a.release(), 400);
    const t0 = Date.now();
    const b = await acquireLock({ ...o, waitSeconds: 10, waitKey: 'test.waitSeconds', onWait: (m) => said.push(m) });
    assert.ok(Date.now() - t0 >= 350);
    assert.equal(said.length, 1);
    assert.match(said[0], new RegExp(`^the test lock is in use by pid ${process.pid} on .*; waiting up to 10 s for it \\(test\\.waitSeconds\\)$`));
    assert.equal(b.tookOver, null);
    b.release();
  });

  test('a waiter gives up after its wait, naming the holder', async () => {
    const o = options();
    const a = await acquireLock(o);
    const t0 = Date.now();
    await assert.rejects(acquireLock({ ...o, waitSeconds: 1, waitKey: 'test.waitSeconds' }),
      (e: unknown) => e instanceof LockHeldError && new RegExp(`pid ${process.pid} .*; waited 1 s \\(test\\.waitSeconds\\); nothing was done`).test(e.message));
    assert.ok(Date.now() - t0 >= 1000);
    a.release();
  });

  test('release never removes a lock that another holder took over', async () => {
    const o = options();
    const a = await acquireLock(o);
    plant(o.file, { pid: 1, host: 'elsewhere' });
    a.release();
    assert.equal(read(o.file).token, 'theirs');
  });

  test('processes that contend (one taking over a dead holder\'s lock first) never hold it at once: no lost update', async () => {
    const o = options();
    const counter = join(tmp.path, 'counter');
    writeFileSync(counter, '0');
    plant(o.file, { pid: spawnSync(process.execPath, ['-e', '0']).pid!, host: hostname() });
    const rounds = 15, procs = 3;
    const contender = new URL('../support/lock-contender.ts', import.meta.url).pathname;
    const outs = await Promise.all(Array.from({ length: procs }, () => new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, ['--import', 'tsx', contender, o.file, counter, String(rounds)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d) => { out += d; });
      c.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`contender exited ${code}`))));
    })));
    assert.equal(Number(readFileSync(counter, 'utf8')), rounds * procs);
    assert.equal(outs.join('').split('took over').length - 1, 1, 'the dead holder\'s lock was taken over once');
    assert.ok(!existsSync(o.file));
  });
});
