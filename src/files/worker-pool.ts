import { Worker, type Transferable, type ResourceLimits } from 'node:worker_threads';
import { HaloError } from '../errors.js';

interface Job {
  id: number; task: unknown; transfer: Transferable[]; timeoutMs: number;
  resolve: (r: any) => void; reject: (e: unknown) => void; timer?: NodeJS.Timeout;
}

/** A task ran past its time limit; its worker was terminated. */
export class WorkerTimeoutError extends Error {}
interface Slot { worker: Worker; job: Job | null }

/**
 * A fixed set of worker threads running one script; tasks queue in order. Workers start
 * on first use and are terminated by close(), so a command leaves no thread behind.
 */
export class WorkerPool<T, R> {
  private slots: Slot[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly script: URL, readonly size: number, private readonly resourceLimits?: ResourceLimits) {}

  /** Runs a task; with `timeoutMs`, a task still running then has its worker terminated. */
  run(task: T, transfer: Transferable[] = [], timeoutMs = 0): Promise<R> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, transfer, timeoutMs, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.job === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      if (job.timeoutMs > 0) job.timer = setTimeout(() => this.expire(slot, job), job.timeoutMs);
      slot.worker.postMessage({ id: job.id, task: job.task }, job.transfer);
    }
  }

  private expire(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    slot.job = null;
    this.slots = this.slots.filter((s) => s !== slot);
    void slot.worker.terminate();
    job.reject(new WorkerTimeoutError(`took longer than ${Math.round(job.timeoutMs / 1000)} s`));
    this.pump();
  }

  private spawn(): Slot {
    const worker = this.script.pathname.endsWith('.ts') ? tsWorker(this.script, this.resourceLimits) : new Worker(this.script, { resourceLimits: this.resourceLimits });
    const slot: Slot = { worker, job: null };
    worker.on('message', (msg: { id: number; result?: R; error?: { message: string; stack?: string; code?: string }; extend?: number }) => {
      const job = slot.job;
      if (msg.extend !== undefined) {
        // A long task in steps (OCR, page by page): each step gets its own time limit.
        if (job && job.id === msg.id && job.timer) {
          clearTimeout(job.timer);
          job.timeoutMs = msg.extend;
          job.timer = setTimeout(() => this.expire(slot, job), msg.extend);
        }
        return;
      }
      slot.job = null;
      if (job?.timer) clearTimeout(job.timer);
      if (job && job.id === msg.id) {
        if (msg.error) {
          const err = new HaloError(msg.error.code ?? 'internal-error', 'internal', msg.error.message);
          err.stack = msg.error.stack;
          job.reject(err);
        } else job.resolve(msg.result);
      }
      this.pump();
    });
    worker.on('error', (err) => {
      const job = slot.job;
      slot.job = null;
      if (job?.timer) clearTimeout(job.timer);
      this.slots = this.slots.filter((s) => s !== slot);
      job?.reject(err);
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue) j.reject(new Error('worker pool closed'));
    this.queue = [];
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }
}

/**
 * Tests run the TypeScript sources through tsx, whose loader hooks do not reach worker
 * threads on Node 20: such a worker registers tsx itself before importing its script.
 * Never used by the built CLI (its scripts are .js).
 */
function tsWorker(script: URL, resourceLimits?: ResourceLimits): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(script.href)}); });`;
  return new Worker(code, { eval: true, resourceLimits });
}
