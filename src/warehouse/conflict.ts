import { ConfigError, ServiceError } from '../errors.js';
import type { WarehouseConfig } from '../config/types.js';

/**
 * Two loaders writing to one warehouse at once. The run lock is per host, so two bastions
 * loading into one Redshift meet only in the warehouse: Redshift runs every transaction
 * SERIALIZABLE and cancels one of two that cannot be put in a serial order (ERROR: 1023
 * Serializable isolation violation); PostgreSQL load transactions run SERIALIZABLE too and
 * fail the same way (SQLSTATE 40001), or as a deadlock (40P01). Nothing of the cancelled
 * transaction is committed, so the batch is loaded again whole, after a pause.
 */
export class WriteConflictError extends ServiceError {
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super('warehouse-write-conflict', message, options);
  }
}

/** PostgreSQL's SQLSTATEs for "another transaction was in the way": serialization failure, deadlock. */
export function isConflictSqlState(code: string | null | undefined): boolean {
  return code === '40001' || code === '40P01';
}

/** Redshift's texts for the same (the Data API gives only the message). */
export function isConflictMessage(message: string): boolean {
  return /\b1023\b[\s\S]*Serializable isolation violation|Serializable isolation violation|deadlock detected/i.test(message);
}

/** A guard step's failure: the warehouse changed since the unit of work was planned. */
export function planChanged(label: string, cause?: unknown): WriteConflictError {
  return new WriteConflictError(`${label}: the warehouse changed after the load was planned (another loader wrote this batch, a newer one, or the first products)`, { cause });
}

export interface ConflictPolicy {
  /** Attempts after the first (0: never retried). */
  retries: number;
  /** The first pause; each next one doubles (up to maxMs), half of it random. */
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_CONFLICT_POLICY: ConflictPolicy = { retries: 4, firstMs: 2000, maxMs: 60_000 };

/** The policy from warehouse.conflictRetries and warehouse.conflictBackoffSeconds. */
export function conflictPolicy(w: Pick<WarehouseConfig, 'conflictRetries' | 'conflictBackoffSeconds'>): ConflictPolicy {
  const seconds = w.conflictBackoffSeconds;
  if (seconds !== undefined && !(seconds >= 0 && seconds <= 3600)) {
    throw new ConfigError(`warehouse.conflictBackoffSeconds must be a number of seconds from 0 to 3600 (got ${seconds})`);
  }
  return {
    ...DEFAULT_CONFLICT_POLICY,
    ...(w.conflictRetries !== undefined ? { retries: w.conflictRetries } : {}),
    ...(seconds !== undefined ? { firstMs: Math.round(seconds * 1000) } : {}),
  };
}

/**
 * The pause before retry `n` (1-based): half of the doubled delay fixed, half random, so two
 * loaders that collided do not collide again in step, and the one that won has time to commit.
 */
export function conflictPause(p: ConflictPolicy, n: number, random: () => number = Math.random): number {
  const ceiling = Math.min(p.maxMs, p.firstMs * 2 ** (n - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Runs `attempt` until it does not end in a WriteConflictError, at most 1 + retries times,
 * pausing between; then the last conflict becomes the error that says another loader was
 * writing. `onRetry` is told each retry (for the log).
 */
export async function retryConflicts<T>(what: string, p: ConflictPolicy, attempt: (n: number) => Promise<T>,
  opts: { signal?: AbortSignal; onRetry?: (n: number, pauseMs: number, e: WriteConflictError) => void } = {}): Promise<T> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!(e instanceof WriteConflictError)) throw e;
      if (n > p.retries || opts.signal?.aborted) {
        throw new WriteConflictError(`${what}: another loader was writing to the warehouse at the same time, and the load met it ${n} time${n === 1 ? '' : 's'} `
          + `over ${Math.round((Date.now() - started) / 1000)} s (serialization conflict); nothing of it was committed: ${e.message}`, {
          hint: 'the run lock is per host: let one host load into this warehouse at a time, or raise warehouse.conflictRetries; the next run loads the batch',
          cause: e,
        });
      }
      const pause = conflictPause(p, n);
      opts.onRetry?.(n, pause, e);
      await sleep(pause, opts.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}
