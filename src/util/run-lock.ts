import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { HaloError } from '../errors.js';

/**
 * One `run` at a time per project folder: a lock file holding the holder's pid, host, start
 * time and (on Linux) the kernel's start time of that pid, so a pid reused by another
 * process after a crash is not mistaken for the holder.
 *
 * Taking it is atomic: the lock is written under a private name and hard-linked to the lock
 * name, which fails if the name exists (unlike open O_EXCL + write, nobody ever reads a
 * half-written lock). A lock whose holder is dead is taken over: renamed aside (only one
 * contender's rename succeeds) and taken again.
 */
export interface LockInfo { pid: number; host: string; startedAt: string; procStart: string | null }

export class LockHeldError extends HaloError {
  constructor(readonly holder: LockInfo, file: string) {
    super('run-locked', 'data',
      `another halo-data run holds the lock ${file}: pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}; nothing was done`,
      { hint: 'runs never overlap; this one will happen at the next schedule. A lock left by a dead process is taken over automatically.' });
  }
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

function alive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true; // a shared folder: we cannot tell, so never steal
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const now = procStart(info.pid);
  return !(info.procStart && now && now !== info.procStart);
}

function readLock(file: string): LockInfo | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    return typeof v.pid === 'number' ? v : null;
  } catch {
    return null;
  }
}

export interface RunLock { info: LockInfo; tookOverFrom: LockInfo | null; release(): void }

export function acquireRunLock(file: string): RunLock {
  mkdirSync(dirname(file), { recursive: true });
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), procStart: procStart(process.pid) };
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, JSON.stringify(info) + '\n');
  let tookOverFrom: LockInfo | null = null;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (attempt >= 3) throw new LockHeldError(readLock(file) ?? { pid: -1, host: '?', startedAt: '?', procStart: null }, file);
      }
      const holder = readLock(file);
      // An unreadable lock is one being replaced this instant, or garbage: garbage is stale.
      if (holder && alive(holder)) throw new LockHeldError(holder, file);
      const aside = `${file}.stale.${process.pid}`;
      try {
        renameSync(file, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // another contender moved it first
        throw e;
      }
      // What was moved must be the dead holder's lock, not a live one taken meanwhile.
      const moved = readLock(aside);
      if (moved && holder && moved.pid !== holder.pid && alive(moved)) {
        try { linkSync(aside, file); } catch { /* it has a new lock already: contend again */ }
        rmSync(aside, { force: true });
        continue;
      }
      rmSync(aside, { force: true });
      tookOverFrom = holder;
    }
  } finally {
    rmSync(mine, { force: true });
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    // Only our own lock: never remove one a later run took over from us.
    if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  // Ctrl-C ends the process with process.exit(): the lock goes with it (kill -9 leaves it: stale, taken over).
  process.on('exit', release);
  return { info, tookOverFrom, release };
}
