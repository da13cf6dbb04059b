/**
 * Draws progress from a thread of its own. PGlite runs COPY and every merge statement as
 * WebAssembly on the main thread, and its promises settle without a turn of the event loop,
 * so a main-thread timer (the spinner library's) does not fire for a whole load transaction:
 * a 600,000-row load showed one frame for ~10 s. This thread's timer keeps running; the main
 * thread posts the step's counts whenever it has new ones (postMessage needs no turn of the
 * sender's event loop).
 *
 * The main thread and this one both write to the same stream: a shared word says who is
 * writing (0 free, 1 this thread, 2 stopped for good, 3 the main thread), so a log line and
 * a spinner frame never cut into each other, and nothing is drawn after stop().
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeSync } from 'node:fs';
import { progressFields, progressText, type ProgressState } from './progress-format.js';

export interface ProgressWorkerData {
  fd: number;
  mode: 'terminal' | 'json' | 'text';
  /** Between lines in json/text mode; between frames on a terminal. */
  intervalMs: number;
  columns: number;
  color: boolean;
  shared: SharedArrayBuffer;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FREE = 0, WORKER = 1, STOPPED = 2;

const d = workerData as ProgressWorkerData;
const word = new Int32Array(d.shared);
let state: ProgressState | null = null;
let columns = d.columns;
let frame = 0;
const pause = new Int32Array(new SharedArrayBuffer(4));

parentPort!.on('message', (m: { state?: ProgressState; columns?: number }) => {
  if (m.state) state = m.state;
  if (m.columns) columns = m.columns;
});

/** Writes all of it, waiting out a full non-blocking pipe a little; a line that cannot go is dropped (progress is not a record). */
function writeAll(text: string): void {
  let buf = Buffer.from(text);
  for (let tries = 0; buf.length && tries < 50; tries++) {
    try {
      buf = buf.subarray(writeSync(d.fd, buf));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

function line(now: number): string {
  const s = state!;
  if (d.mode === 'json') return JSON.stringify({ time: new Date(now).toISOString(), level: 'info', msg: 'progress', ...progressFields(s, now) }) + '\n';
  if (d.mode === 'text') return `info  progress ${Object.entries(progressFields(s, now)).map(([k, v]) => `${k}=${v}`).join(' ')}\n`;
  const spin = FRAMES[frame++ % FRAMES.length];
  const text = [...`${spin} ${progressText(s, now)}`].slice(0, Math.max(10, columns - 1)).join('');
  return `\r\x1b[2K${d.color ? text.replace(spin, `\x1b[36m${spin}\x1b[39m`) : text}`;
}

function tick(): void {
  if (!state) return;
  if (Atomics.compareExchange(word, 0, FREE, WORKER) !== FREE) return;
  try {
    writeAll(line(Date.now()));
    // On a terminal the line is left drawn: whoever writes next clears it first.
    if (d.mode === 'terminal') Atomics.store(word, 1, 1);
  } finally {
    Atomics.compareExchange(word, 0, WORKER, FREE);
    Atomics.notify(word, 0);
  }
}

const timer = setInterval(() => {
  if (Atomics.load(word, 0) === STOPPED) { clearInterval(timer); return; }
  tick();
}, d.intervalMs);
