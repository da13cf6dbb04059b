/**
 * Runs one contender in its own Node process and measures it from outside: wall time around
 * the whole process (start-up included, as a user would experience it), and the process's peak
 * RSS and CPU time, reported by the preloaded support/report-rss.mjs when it exits. It also
 * notes how much CPU the rest of the machine used meanwhile, so a noisy run can be flagged.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { trackChild } from './cleanup.js';

const RSS_PRELOAD = pathToFileURL(fileURLToPath(new URL('./report-rss.mjs', import.meta.url))).href;
const TAIL_CHARS = 8_000;

/** Non-idle CPU milliseconds of the whole machine so far, summed over all CPUs. */
export function machineBusyMs(): number {
  let busy = 0;
  for (const { times } of os.cpus()) busy += times.user + times.nice + times.sys + times.irq;
  return busy;
}

/** Share of all CPUs busy over the next `ms` milliseconds (0..1), e.g. to spot a noisy machine. */
export async function machineBusyShare(ms: number): Promise<number> {
  const before = machineBusyMs();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return (machineBusyMs() - before) / (ms * os.availableParallelism());
}

export interface MeasureOptions {
  /** Used for the names of the side-channel files; must be file-name safe. */
  label: string;
  /** Everything after `node --import report-rss.mjs`: extra flags, script, its arguments. */
  args: string[];
  cwd: string;
  tmpDir: string;
  timeoutMs: number;
  /** Extra environment variables for the child (e.g. HALO_DATA_THREADS). */
  env?: Record<string, string>;
}

export interface Measured {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  wallSeconds: number;
  /** Peak RSS in KiB, or null if the child died before it could report it. */
  maxRssKb: number | null;
  /** User + system CPU seconds of the child (all its threads), or null if not reported. */
  cpuSeconds: number | null;
  /**
   * CPU seconds the rest of the machine used while the child ran (machine busy time minus the
   * child's own): other processes competing for the CPUs, which makes wall times unreliable.
   * Includes this harness's own small share. Null when the child's CPU time is unknown.
   */
  otherCpuSeconds: number | null;
  /** What a bench/child script wrote to HALO_BENCH_RESULT_FILE, if anything. */
  result: unknown;
  stdoutTail: string;
  stderrTail: string;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export function runMeasured(options: MeasureOptions): Promise<Measured> {
  const rssFile = path.join(options.tmpDir, `${options.label}.rss.json`);
  const resultFile = path.join(options.tmpDir, `${options.label}.result.json`);
  fs.rmSync(rssFile, { force: true });
  fs.rmSync(resultFile, { force: true });

  return new Promise((resolve, reject) => {
    const started = performance.now();
    const busyBefore = machineBusyMs();
    const child = spawn(process.execPath, ['--import', RSS_PRELOAD, ...options.args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, HALO_BENCH_RSS_FILE: rssFile, HALO_BENCH_RESULT_FILE: resultFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);

    // Keep only the tail of the output: enough to explain a failure, bounded in memory.
    let stdoutTail = '';
    let stderrTail = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdoutTail = (stdoutTail + s).slice(-TAIL_CHARS);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderrTail = (stderrTail + s).slice(-TAIL_CHARS);
    });

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);

    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // 'close' (not 'exit'): stdio is drained and the exit handler's file is written by then.
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      const wallSeconds = (performance.now() - started) / 1000;
      const machineBusySeconds = (machineBusyMs() - busyBefore) / 1000;
      const rss = readJson(rssFile) as { maxRssKb?: number; cpuSeconds?: number } | undefined;
      const cpuSeconds = typeof rss?.cpuSeconds === 'number' ? rss.cpuSeconds : null;
      resolve({
        exitCode,
        signal,
        timedOut,
        wallSeconds,
        maxRssKb: typeof rss?.maxRssKb === 'number' ? rss.maxRssKb : null,
        cpuSeconds,
        otherCpuSeconds: cpuSeconds === null ? null : Math.max(0, machineBusySeconds - cpuSeconds),
        result: readJson(resultFile),
        stdoutTail,
        stderrTail,
      });
    });
  });
}
