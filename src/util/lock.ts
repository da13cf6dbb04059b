import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { Worker } from 'node:worker_threads';
import { HaloError } from '../errors.js';

/**
 * One lock module for every shared resource: the run (one `run` at a time per project) and
 * the embedded warehouse's folder (PGlite is one process's database). A lock is a file
 * holding its holder's pid, host, command, start time, a heartbeat and (on Linux) the
 * kernel's start time of that pid, so a pid reused after a crash is not mistaken for the
 * holder.
 *
 * Taking it is atomic: the lock is written under a private name and hard-linked to the lock
 * name, which fails if the name exists (nobody ever reads a half-written lock).
 *
 * The heartbeat is rewritten (a private file renamed over the lock) every few seconds while
 * the holder lives, by a worker thread: PGlite runs a statement on the main thread and can
 * block it for minutes, and a live holder must never look dead. The rule for taking a lock
 * over (the messages quote it):
 *   - its heartbeat is older than the stale age (locks.staleSeconds), whatever the host: a
 *     holder killed with -9, or on a host since renamed or gone, stops beating;
 *   - or its holder was on this host and that process has ended (or the pid now belongs to
 *     a process that started later): taken at once.
 * The heartbeat's time is the later of the time written in the lock and the file's
 * modification time, so a holder whose clock runs behind ours is not judged stale early.
 */
export interface LockInfo {
  pid: number;
  host: string;
  /** What the holder runs (`halo-data replay`): the command's name, never its arguments. */
  command: string;
  startedAt: string;
  heartbeatAt: string;
  /** How often the holder rewrites heartbeatAt: a lock is never stale before 3 of these. */
  heartbeatSeconds: number;
  procStart: string | null;
  /** Which taking of the lock this is: the heartbeat and release touch only their own. */
  token: string;
}

/** A lock file as found: what it says (null when unreadable) and when it was last written. */
interface Found { info: Partial<LockInfo> | null; mtimeMs: number }

export interface Takeover { holder: Partial<LockInfo> | null; message: string }

export interface Lock { info: LockInfo; file: string; tookOver: Takeover | null; release(): void }

export interface LockOptions {
  file: string;
  /** What the lock guards, for messages: `the run lock`, `the embedded warehouse /x/warehouse`. */
  what: string;
  /** The error code when it is held: run-locked, warehouse-locked. */
  code: string;
  staleSeconds: number;
  /** How long to wait for a live holder (0: fail at once). */
  waitSeconds: number;
  /** The config key that sets waitSeconds, for messages. */
  waitKey?: string;
  /** What a refused taker should do, for the error's hint (the takeover rule is appended). */
  advice: string;
  /** Said once per holder when the taker starts waiting. */
  onWait?: (message: string, holder: Partial<LockInfo>) => void;
}

export const DEFAULT_STALE_SECONDS = 300;

let holderCommand = 'halo-data';
/** The command this process runs, recorded in the locks it takes (set by the CLI before a command runs). */
export function setLockCommand(command: string): void {
  holderCommand = command;
}

/** The rule, in the words every lock message uses. */
export function takeoverRule(staleSeconds: number): string {
  return `a lock is taken over when its heartbeat (refreshed every few seconds while its holder lives) is older than ${staleSeconds} s (locks.staleSeconds), `
    + 'whatever the host, or at once when its holder ran on this host and that process has ended';
}

export class LockHeldError extends HaloError {
  constructor(readonly holder: Partial<LockInfo>, o: LockOptions, waitedSeconds: number) {
    const waited = waitedSeconds > 0 ? `waited ${waitedSeconds} s${o.waitKey ? ` (${o.waitKey})` : ''}; ` : '';
    super(o.code, 'data', `${o.what} is held by ${describeHolder(holder)} (${o.file}); ${waited}nothing was done`,
      { hint: `${o.advice} ${capitalise(takeoverRule(o.staleSeconds))}.` });
  }
}

const capitalise = (s: string) => s[0].toUpperCase() + s.slice(1);

function describeHolder(h: Partial<LockInfo> | null): string {
  if (!h) return 'an unreadable lock';
  const beat = h.heartbeatAt ? `, last heartbeat ${Math.max(0, Math.round((Date.now() - Date.parse(h.heartbeatAt)) / 1000))} s ago` : '';
  return `pid ${h.pid ?? '?'} on ${h.host ?? '?'} (${h.command ?? 'halo-data'}), started ${h.startedAt ?? '?'}${beat}`;
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
function procStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** On this host only: is the recorded process still the one running under that pid? */
function processEnded(info: Partial<LockInfo>): boolean {
  if (typeof info.pid !== 'number') return true;
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  const now = procStart(info.pid);
  return Boolean(info.procStart && now && now !== info.procStart);
}

function readLock(file: string): Found | null {
  let mtimeMs: number;
  let text: string;
  try {
    mtimeMs = statSync(file).mtimeMs;
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    return { info: v && typeof v.pid === 'number' ? v : null, mtimeMs };
  } catch {
    return { info: null, mtimeMs };
  }
}

/** Why a found lock may be taken over, or null when its holder is alive. */
function staleReason(found: Found, staleSeconds: number): string | null {
  const h = found.info;
  if (!h) return 'the lock file is unreadable (not written by halo-data)';
  const beat = Math.max(Date.parse(h.heartbeatAt ?? '') || 0, found.mtimeMs);
  const limit = Math.max(staleSeconds, 3 * (h.heartbeatSeconds ?? 0));
  const age = (Date.now() - beat) / 1000;
  if (age > limit) return `its heartbeat is ${Math.round(age)} s old, over the ${limit} s after which a lock is taken over from any host`;
  if (h.host === hostname() && processEnded(h)) return 'its holder ran on this host and that process has ended';
  return null;
}

/** How often the heartbeat is written: a fifth of the stale age, at most every 5 s. */
function heartbeatMs(staleSeconds: number): number {
  return Math.max(100, Math.min(5000, (staleSeconds * 1000) / 5));
}

/**
 * One try's outcome. `tookOver` is set whenever this try moved a stale lock aside, taken or
 * not: another contender may link its own lock in the instant after, and the takeover (the
 * warning an operator needs) must still be told once, by the process that made it.
 */
type Attempt = { taken: true; tookOver: Takeover | null } | { taken: false; holder: Partial<LockInfo> | null; tookOver: Takeover | null };

/** One try, without waiting: link ours, or judge the holder and move a stale lock aside. */
function tryTake(file: string, info: LockInfo, staleSeconds: number): Attempt {
  const mine = `${file}.${process.pid}-${info.token}`;
  writeFileSync(mine, JSON.stringify(info) + '\n');
  let tookOver: Takeover | null = null;
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(mine, file);
        return { taken: true, tookOver };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const found = readLock(file);
      if (!found) continue; // released this instant: try again
      const why = staleReason(found, staleSeconds);
      if (!why) return { taken: false, holder: found.info, tookOver };
      const aside = `${file}.stale.${process.pid}-${info.token}`;
      try {
        renameSync(file, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // another contender moved it first
        throw e;
      }
      // What was moved must be a stale lock, not one a live holder wrote meanwhile (a
      // heartbeat, or a new taker): judged again, and put back if it is alive.
      const moved = readLock(aside);
      if (moved && !staleReason(moved, staleSeconds)) {
        try { linkSync(aside, file); } catch { /* a new lock is there already: contend again */ }
        rmSync(aside, { force: true });
        continue;
      }
      rmSync(aside, { force: true });
      tookOver = { holder: found.info, message: `took over a lock left by ${describeHolder(found.info)}: ${why} (${takeoverRule(staleSeconds)})` };
    }
    return { taken: false, holder: readLock(file)?.info ?? null, tookOver };
  } finally {
    rmSync(mine, { force: true });
  }
}

/**
 * The heartbeat, in a worker thread so that a main thread busy in PGlite still beats. It
 * stops when the lock is no longer its own. A shared word says what it is doing, so release
 * never removes the lock while a heartbeat is renaming a fresh copy over it:
 * 0 idle, 1 writing, 2 stopped, 3 lost (someone else's lock is there now).
 */
const HEARTBEAT = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { file, tmp, token, everyMs, state } = workerData;
const st = new Int32Array(state);
const timer = setInterval(() => {
  if (Atomics.compareExchange(st, 0, 0, 1) !== 0) { clearInterval(timer); return; }
  try {
    const cur = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (cur.token !== token) { Atomics.store(st, 0, 3); clearInterval(timer); return; }
    cur.heartbeatAt = new Date().toISOString();
    fs.writeFileSync(tmp, JSON.stringify(cur) + '\\n');
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.rmSync(tmp, { force: true }); } catch {}
    // Removed by hand: not ours any more. Anything else (a full disk): the next beat tries again.
    if (e && e.code === 'ENOENT' && !fs.existsSync(file)) { Atomics.store(st, 0, 3); clearInterval(timer); }
  } finally {
    Atomics.compareExchange(st, 0, 1, 0);
    Atomics.notify(st, 0);
  }
}, everyMs);
`;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Takes the lock, waiting up to waitSeconds for a live holder (onWait is told once per
 * holder); a stale lock is taken over (Lock.tookOver says whose and why, for a warning).
 * Released by release(), or when the process exits (Ctrl-C, SIGTERM, process.exit);
 * kill -9 leaves it, to be taken over by the rule above.
 */
export async function acquireLock(o: LockOptions): Promise<Lock> {
  mkdirSync(dirname(o.file), { recursive: true });
  const now = new Date().toISOString();
  const every = heartbeatMs(o.staleSeconds);
  const info: LockInfo = {
    pid: process.pid, host: hostname(), command: holderCommand, startedAt: now, heartbeatAt: now,
    heartbeatSeconds: every / 1000, procStart: procStart(process.pid), token: randomBytes(8).toString('hex'),
  };
  const deadline = Date.now() + o.waitSeconds * 1000;
  let told: string | undefined;
  let got: Attempt;
  let tookOver: Takeover | null = null;
  for (;;) {
    got = tryTake(o.file, info, o.staleSeconds);
    tookOver = got.tookOver ?? tookOver;
    if (got.taken) break;
    const holder = got.holder ?? {};
    if (Date.now() >= deadline) throw new LockHeldError(holder, o, o.waitSeconds);
    const who = `${holder.token ?? ''}${holder.pid ?? ''}`;
    if (told !== who) {
      told = who;
      o.onWait?.(`${o.what} is in use by ${describeHolder(holder)}; waiting up to ${Math.ceil((deadline - Date.now()) / 1000)} s for it${o.waitKey ? ` (${o.waitKey})` : ''}`, holder);
    }
    await sleep(Math.min(250, Math.max(10, deadline - Date.now())));
  }

  const state = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(HEARTBEAT, {
    eval: true,
    workerData: { file: o.file, tmp: `${o.file}.beat.${process.pid}-${info.token}`, token: info.token, everyMs: every, state: state.buffer },
  });
  worker.unref();
  worker.on('error', () => { /* a heartbeat that cannot run leaves the lock to go stale: never crash the holder */ });
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    // Stop the heartbeat, waiting out a write in progress (a few milliseconds at most).
    while (Atomics.compareExchange(state, 0, 0, 2) === 1) Atomics.wait(state, 0, 1, 20);
    void worker.terminate();
    // Only our own lock: never remove one taken over from us. Best effort: this also runs in
    // the 'exit' hook, where a throw would only hide the real exit (a lock left is stale later).
    try {
      if (readLock(o.file)?.info?.token === info.token) rmSync(o.file, { force: true });
    } catch { /* left to the takeover rule */ }
  };
  process.on('exit', release);
  return { info, file: o.file, tookOver, release };
}
