/**
 * Runs the built CLI as a child process with a hard timeout and measures its wall time and
 * peak resident memory (worker threads included: they are threads of the same process).
 *
 * - With GNU time (`/usr/bin/time -f …`): its %M is the child's ru_maxrss, measured by the
 *   kernel, so it holds even when the child dies of an out-of-memory error.
 * - Without it: a node one-liner runs dist/cli.js's `main` and writes
 *   `process.resourceUsage().maxRSS` to a file from its `exit` handler (nothing when killed).
 *
 * Not a test file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, ROOT } from './cli.js';

export interface MeasuredRun {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Peak RSS in KiB, or null when it could not be measured (killed without GNU time). */
  peakRssKiB: number | null;
  timedOut: boolean;
  via: 'gnu-time' | 'node-wrapper';
}

const GNU_TIME = '/usr/bin/time';
let gnuTimeWorks: boolean | null = null;

function hasGnuTime(): boolean {
  if (gnuTimeWorks !== null) return gnuTimeWorks;
  gnuTimeWorks = false;
  if (existsSync(GNU_TIME)) {
    // busybox time has no -f/-o: check the flags on a trivial command.
    const dir = mkdtempSync(join(tmpdir(), 'halo-measure-'));
    try {
      const r = spawnSync(GNU_TIME, ['-f', '%M', '-o', join(dir, 'm'), 'true'], { stdio: 'ignore' });
      gnuTimeWorks = r.status === 0 && /^\d+\s*$/.test(readFileSync(join(dir, 'm'), 'utf8'));
    } catch { /* no GNU time */ } finally { rmSync(dir, { recursive: true, force: true }); }
  }
  return gnuTimeWorks;
}

const WRAPPER = `
const [, statsFile, ...args] = process.argv;
const { writeFileSync } = await import('node:fs');
process.on('exit', () => { try { writeFileSync(statsFile, String(process.resourceUsage().maxRSS)); } catch {} });
const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/cli.js')).href)});
process.exitCode = await main([process.execPath, 'halo-data', ...args]);
`;

/** `halo-data <args>` measured; killed (SIGKILL) after `timeoutMs`. */
export function runMeasured(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<MeasuredRun> {
  const dir = mkdtempSync(join(tmpdir(), 'halo-measure-'));
  const stats = join(dir, 'stats');
  const gnu = hasGnuTime();
  const [cmd, argv] = gnu
    ? [GNU_TIME, ['-f', '%M %e', '-o', stats, process.execPath, BIN, ...args]]
    : [process.execPath, ['--input-type=module', '-e', WRAPPER, stats, ...args]];
  const started = performance.now();
  const child = spawn(cmd, argv, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so the timeout kills node under GNU time too.
    detached: true,
  });
  return new Promise<MeasuredRun>((resolve, reject) => {
    const out: Buffer[] = [], err: Buffer[] = [];
    let outBytes = 0;
    child.stdout!.on('data', (d: Buffer) => { outBytes += d.length; if (outBytes < 64 << 20) out.push(d); });
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    }, opts.timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); rmSync(dir, { recursive: true, force: true }); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      let peak: number | null = null;
      try {
        const text = readFileSync(stats, 'utf8');
        // GNU time adds "Command exited with non-zero status N" before its format line.
        const m = gnu ? /(\d+) [\d.]+\s*$/.exec(text) : /^(\d+)/.exec(text);
        if (m) peak = Number(m[1]);
      } catch { /* killed before writing */ }
      rmSync(dir, { recursive: true, force: true });
      resolve({
        code: code ?? 128, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'),
        seconds, peakRssKiB: peak, timedOut, via: gnu ? 'gnu-time' : 'node-wrapper',
      });
    });
  });
}
