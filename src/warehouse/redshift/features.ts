import type { DataApi } from './data-api.js';
import { StatementFailed } from './data-api.js';

/** What one Data API feature the engine relies on answered. `warn`: it works, but not as relied on. */
export interface FeatureAnswer { name: string; ok: boolean; warn?: boolean; detail: string; error?: unknown }

/** How long the long-poll probe asks DescribeStatement to hold its answer. */
const PROBE_WAIT_SECONDS = 5;

/**
 * Asks the Data API for the two things every load depends on, each with a statement that
 * touches no table:
 * - Parameters in BatchExecuteStatement: a load is one batch whose merges take the batch id,
 *   the source and the member hash key as named parameters. Refused there, no batch loads.
 * - WaitTimeSeconds in DescribeStatement: the engine long-polls (one call per batch that ends
 *   within it). Refused, every wait fails; ignored (an answer at once, still running), the
 *   engine still works but polls with backoff (more calls, more latency).
 */
export async function probeDataApiFeatures(api: DataApi): Promise<FeatureAnswer[]> {
  return [await batchParameters(api), await longPoll(api)];
}

async function batchParameters(api: DataApi): Promise<FeatureAnswer> {
  const name = 'data api: batch parameters';
  try {
    const { id } = await api.submitBatch(['SELECT CAST(:p1 AS INTEGER) + 1 AS n', 'SELECT CAST(:p1 AS INTEGER) + 2 AS n'], [{ name: 'p1', value: '40' }], 'halo-data:selftest-parameters');
    await api.wait(id);
    const r = await api.results<{ n: number | string }>(`${id}:2`);
    const n = Number(r.rows[0]?.n);
    if (n !== 42) return { name, ok: false, detail: `BatchExecuteStatement ran with Parameters but its second statement gave ${String(r.rows[0]?.n)}, not 42: parameters are not bound as the engine expects` };
    return { name, ok: true, detail: 'BatchExecuteStatement took a named parameter used by two statements of one batch (every load sends its values this way)' };
  } catch (e) {
    return { name, ok: false, detail: `BatchExecuteStatement with Parameters failed: ${reason(e)}; every load sends its batch id, source and member key this way`, error: e };
  }
}

async function longPoll(api: DataApi): Promise<FeatureAnswer> {
  const name = 'data api: long poll';
  try {
    const { id } = await api.submit('SELECT 1 AS one', []);
    const asked = performance.now();
    const d = await api.describe(id, PROBE_WAIT_SECONDS);
    const seconds = ((performance.now() - asked) / 1000).toFixed(2);
    if (d.Status === 'FINISHED') {
      return { name, ok: true, detail: `DescribeStatement took WaitTimeSeconds=${PROBE_WAIT_SECONDS} and answered FINISHED after ${seconds} s (held until the statement ended, or it had ended already)` };
    }
    if (d.Status === 'FAILED' || d.Status === 'ABORTED') {
      return { name, ok: false, detail: `DescribeStatement answered, but the probe statement SELECT 1 ended ${d.Status}: ${d.Error ?? ''}`.trim() };
    }
    return {
      name, ok: true, warn: true,
      detail: `DescribeStatement took WaitTimeSeconds=${PROBE_WAIT_SECONDS} but answered ${d.Status ?? 'no status'} after ${seconds} s without holding: loads still end, polled with backoff (more calls)`,
    };
  } catch (e) {
    return { name, ok: false, detail: `DescribeStatement with WaitTimeSeconds failed: ${reason(e)}; the engine waits for every statement this way`, error: e };
  }
}

function reason(e: unknown): string {
  if (e instanceof StatementFailed) return `the statement ${e.description.Status}: ${e.description.Error ?? ''}`.trim();
  return String((e as Error)?.message ?? e);
}
