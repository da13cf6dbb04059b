import { Worker } from 'node:worker_threads';
import { onInterruptReport } from '../util/interrupt.js';
import type { Logger } from './logger.js';
import type { ProgressCounts, ProgressState } from './progress-format.js';
import type { ProgressWorkerData } from './progress-worker.js';

export type { ProgressCounts };

/**
 * What long work reports as it goes: a step begins (its clock starts: rate and estimate count
 * from here), then its counts grow. Counts and names only, never a row's value.
 */
export interface StepProgress {
  begin(step: string, text: string, counts?: ProgressCounts, facts?: Record<string, string>): void;
  count(counts: ProgressCounts): void;
  /** The current step's text changes (its counts and clock stay). */
  update(text: string): void;
}

/**
 * A command's progress on stderr: on a terminal a line redrawn ten times a second (counts,
 * rate, estimate, time) with a one-line summary left per finished step; off a terminal (or
 * with --log-format json) a `progress` log line every HALO_DATA_PROGRESS_INTERVAL_MS (default
 * 5 s); nothing with --quiet. Drawn by a worker thread (progress-worker.ts says why).
 */
export interface Progress extends StepProgress {
  /** Leaves a finished step's one-line summary above the progress line (terminal only: off it, commands log their facts). */
  done(text: string, ok?: boolean): void;
  stop(): void;
}

export const NO_PROGRESS: Progress = { begin() {}, count() {}, update() {}, done() {}, stop() {} };

export const DEFAULT_PROGRESS_INTERVAL_MS = 5000;
const FRAME_MS = 100;
const START_LINES_MS = 250;
/** Steps during which PGlite blocks the main thread (its timers do not fire). */
const BLOCKING_STEPS = new Set(['open', 'load', 'copy', 'merge']);
const FREE = 0, STOPPED = 2, MAIN = 3;

type Stream = NodeJS.WritableStream & { isTTY?: boolean; fd?: unknown; columns?: number; on?: (e: string, f: () => void) => unknown; off?: (e: string, f: () => void) => unknown };

export interface ProgressContext {
  stderr: Stream;
  log: Logger;
  json: boolean;
  quiet: boolean;
  env: NodeJS.ProcessEnv;
  /** Colour on stderr (the spinner's frame). */
  color?: boolean;
}

/** The progress being drawn on a stream, so log lines go above it instead of through it. */
const active = new Map<Stream, { above: (text: string) => void }>();

/** How the logger writes: through the progress drawn on that stream, if any. */
export function writeBesideProgress(stream: Stream, text: string): void {
  const p = active.get(stream);
  if (p) p.above(text);
  else stream.write(text);
}

export function progressInterval(env: NodeJS.ProcessEnv): number {
  const v = Number(env.HALO_DATA_PROGRESS_INTERVAL_MS);
  return Number.isInteger(v) && v > 0 ? v : DEFAULT_PROGRESS_INTERVAL_MS;
}

function progressMode(ctx: ProgressContext): ProgressWorkerData['mode'] | null {
  if (ctx.quiet || typeof ctx.stderr.fd !== 'number') return null;
  if (ctx.stderr.isTTY && !ctx.log.json) return ctx.json ? null : 'terminal';
  return ctx.log.json ? 'json' : 'text';
}

function workerUrl(): URL {
  // Under tsx (tests) this module is .ts and so is its worker.
  return new URL(`./progress-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
}

export function createProgress(ctx: ProgressContext, text: string, step = 'work'): Progress {
  const mode = progressMode(ctx);
  if (!mode) return NO_PROGRESS;
  const stream = ctx.stderr;
  const shared = new SharedArrayBuffer(8);
  const word = new Int32Array(shared);
  const data: ProgressWorkerData = {
    fd: stream.fd as number, mode, intervalMs: mode === 'terminal' ? FRAME_MS : progressInterval(ctx.env),
    columns: stream.columns ?? 80, color: ctx.color === true, shared,
  };
  let state: ProgressState = { step, text, startedAt: Date.now(), counts: {} };
  const base = { step, text };
  // Off a terminal the thread starts only for work that lasts (most commands end before a
  // first line is due, and the suite runs thousands): after START_LINES_MS, or at once before
  // a step that blocks the main thread (the warehouse's), when no timer could start it.
  let worker: Worker | null = null;
  let stopped = false;
  const start = () => {
    if (worker || stopped) return;
    worker = new Worker(workerUrl(), { workerData: data });
    worker.unref();
    worker.on('error', () => { /* progress that cannot be drawn must never fail the work */ });
    worker.postMessage({ state });
  };
  const post = () => {
    if (!worker && BLOCKING_STEPS.has(state.step)) start();
    worker?.postMessage({ state });
  };
  const starter = mode === 'terminal' ? null : setTimeout(start, START_LINES_MS);
  starter?.unref();
  if (mode === 'terminal') start();

  /**
   * Takes the stream from the drawing thread (it holds it for one write); false once stopped,
   * or if that thread died holding it (after a second: the line is written anyway).
   */
  const hold = (): boolean => {
    const deadline = Date.now() + 1000;
    for (;;) {
      const v = Atomics.compareExchange(word, 0, FREE, MAIN);
      if (v === FREE) return true;
      if (v === STOPPED || Date.now() > deadline) return false;
      Atomics.wait(word, 0, v, 50);
    }
  };
  const release = () => { Atomics.store(word, 0, FREE); Atomics.notify(word, 0); };
  /** Writes with the progress line cleared first (it is drawn again on the next frame). */
  const write = (s: string) => {
    if (!hold()) { stream.write(s); return; }
    try {
      stream.write((Atomics.exchange(word, 1, 0) ? '\r\x1b[2K' : '') + s);
    } finally {
      release();
    }
  };
  const onResize = () => worker?.postMessage({ columns: stream.columns ?? 80 });
  if (mode === 'terminal') stream.on?.('resize', onResize);
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (starter) clearTimeout(starter);
    active.delete(stream);
    process.off('exit', stop);
    unhook();
    stream.off?.('resize', onResize);
    const held = hold();
    if (held && Atomics.exchange(word, 1, 0)) stream.write('\r\x1b[2K');
    Atomics.store(word, 0, STOPPED);
    Atomics.notify(word, 0);
    void worker?.terminate();
  };
  process.on('exit', stop);
  const unhook = onInterruptReport(stop);
  active.set(stream, { above: write });
  return {
    begin(s, t, counts = {}, facts) {
      state = { step: s, text: t, startedAt: Date.now(), counts: { ...counts }, ...(facts ? { facts } : {}) };
      post();
    },
    count(counts) {
      state = { ...state, counts: { ...state.counts, ...counts } };
      post();
    },
    update(t) {
      state = { ...state, text: t };
      post();
    },
    done(t, ok = true) {
      if (mode === 'terminal') write(`${ok ? (ctx.color ? '\x1b[32m✔\x1b[39m' : '✔') : (ctx.color ? '\x1b[31m✖\x1b[39m' : '✖')} ${t}\n`);
      state = { step: base.step, text: base.text, startedAt: Date.now(), counts: {} };
      post();
    },
    stop,
  };
}
