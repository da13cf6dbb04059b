import type { CommandContext } from './context.js';
import { openLake } from '../lake/open.js';
import { openWarehouse, openExistingWarehouse, describeNoWarehouse, noWarehouseYet } from '../warehouse/open.js';
import { initSchema } from '../warehouse/schema.js';
import { SCHEMA } from '../warehouse/sql/ddl.js';
import { listBatches, type BatchEntry } from '../batch/catalog.js';
import { loadBatch, mergeBatch, ledgerView, newestLoaded, conflictRetries, type LoadOutcome } from '../pipeline/load.js';
import type { Progress } from '../output/progress.js';
import { shrinkGuard } from '../pipeline/shrink-guard.js';
import { DataError } from '../errors.js';
import { noSuchBatch } from './batches.js';
import { writeResult } from '../output/result.js';
import type { Warehouse } from '../warehouse/warehouse.js';

export interface LoadCommandOptions {
  batchIds: string[]; force: boolean; merge: boolean;
  /** --allow-shrink: apply full catalogues under the shrink guard's share of a merchant's listed products. */
  allowShrink?: boolean;
}

/**
 * Loads batches from the lake into the warehouse, one transaction each, in id (time) order:
 * merged into the star schema, or with --no-merge kept in staging for `merge`.
 */
export async function loadCommand(opts: LoadCommandOptions, ctx: CommandContext): Promise<number> {
  const config = ctx.config();
  const lake = await openLake(config);
  const all = await listBatches(lake);
  const entries = [...new Set(opts.batchIds)].sort().map((id) => {
    const e = all.find((b) => b.batchId === id);
    // A mistyped or foreign id is a usage error (exit 2), not bad data: nothing was loaded.
    if (!e) throw noSuchBatch(id, lake.url);
    return e;
  });
  const results: LoadOutcome[] = [];
  const progress = ctx.progress('loading…', 'load');
  const wh = await openWith(progress, () => openWarehouse(config, { log: ctx.log }));
  try {
    await initSchema(wh);
    const view = await ledgerView(wh, entries.map((e) => e.batchId));
    const ledger = view.statuses;
    let newest = view.newestLoaded;
    for (const [i, e] of entries.entries()) {
      progress.begin('load', `${opts.merge ? 'loading' : 'staging'} batch ${i + 1}/${entries.length} ${e.batchId} (${rowsOf(e)} rows)`, {}, { batch: e.batchId });
      const r = await reportFailure(progress, e, () => loadBatch(wh, lake, e, ledger.get(e.batchId), {
        force: opts.force, merge: opts.merge, memberKey: ctx.env.HALO_DATA_MEMBER_KEY, newestLoaded: newest, progress, ...conflictOptions(ctx, e.batchId),
        ...shrinkGuard(config, opts.allowShrink === true),
      }));
      if (r.status === 'loaded' && (newest === undefined || r.batchId > newest)) newest = r.batchId;
      results.push(r);
      progress.done(describeOutcome(r));
      ctx.log.info(r.status === 'skipped' ? 'batch already loaded, skipped (--force reloads it)' : r.status === 'staged' ? 'batch staged (merge it with halo-data merge)' : 'batch loaded',
        { batch: r.batchId, rows: r.rows, seconds: Number(r.seconds.toFixed(2)) });
    }
  } finally {
    progress.stop();
    await wh.close();
  }
  printOutcomes(ctx, wh, results, 'load finished');
  return 0;
}

/**
 * Merges batches that `load --no-merge` staged: all of them, oldest first, or the one named.
 * With no warehouse yet nothing is staged, and none is created to say so.
 */
export async function mergeCommand(opts: { batchId?: string; allowShrink?: boolean }, ctx: CommandContext): Promise<number> {
  const config = ctx.config();
  const results: LoadOutcome[] = [];
  const progress = ctx.progress('merging…', 'merge');
  // It merges (writes): the full buffer pool, as a load has.
  const wh = await openWith(progress, () => openExistingWarehouse(config, { log: ctx.log, writes: true }));
  if (!wh) {
    progress.stop();
    if (opts.batchId) throw notStaged(opts.batchId, describeNoWarehouse(config));
    writeResult(ctx, 'merge finished', { warehouse: describeNoWarehouse(config), batches: [] },
      () => ctx.stdout.write(`no staged batches: nothing to merge (${noWarehouseYet(config).message})\n`));
    return 0;
  }
  try {
    await initSchema(wh);
    const staged = await wh.query<{ batch_id: string }>(`SELECT batch_id FROM ${SCHEMA}.etl_batch WHERE status = 'staged' ORDER BY batch_id`);
    let ids = staged.rows.map((r) => r.batch_id);
    if (opts.batchId) {
      if (!ids.includes(opts.batchId)) {
        throw notStaged(opts.batchId, wh.describe);
      }
      ids = [opts.batchId];
    }
    if (ids.length) {
      let newest = await newestLoaded(wh);
      const lake = await openLake(config);
      const all = await listBatches(lake);
      for (const [i, id] of ids.entries()) {
        const e = all.find((b) => b.batchId === id);
        if (!e) throw new DataError('no-such-batch', `batch ${id} is staged but its manifest is not in ${lake.url}`);
        progress.begin('merge', `merging batch ${i + 1}/${ids.length} ${id} (${rowsOf(e)} rows)`, {}, { batch: id });
        const r = await reportFailure(progress, e, () => mergeBatch(wh, e, {
          memberKey: ctx.env.HALO_DATA_MEMBER_KEY, newestLoaded: newest, progress, ...conflictOptions(ctx, id), ...shrinkGuard(config, opts.allowShrink === true),
        }));
        if (newest === undefined || r.batchId > newest) newest = r.batchId;
        results.push(r);
        progress.done(describeOutcome(r));
        ctx.log.info('batch merged', { batch: r.batchId, rows: r.rows, seconds: Number(r.seconds.toFixed(2)) });
      }
    }
  } finally {
    progress.stop();
    await wh.close();
  }
  if (!ctx.json && !ctx.jsonLines && results.length === 0) ctx.stdout.write('no staged batches: nothing to merge\n');
  printOutcomes(ctx, wh, results, 'merge finished');
  return 0;
}

const conflictOptions = (ctx: CommandContext, batch: string) => conflictRetries(ctx.config(), ctx.log, { batch });

function notStaged(batchId: string, where: string): DataError {
  return new DataError('not-staged', `batch ${batchId} is not staged in ${where}`, { hint: 'halo-data load <id> --no-merge stages a batch; halo-data batches list shows the ledger' });
}

/** Opening (or creating) the warehouse is a step of its own: an embedded one takes seconds to start. */
export async function openWith<T>(progress: Progress, open: () => Promise<T>): Promise<T> {
  progress.begin('open', 'opening the warehouse');
  try {
    return await open();
  } catch (e) {
    progress.stop();
    throw e;
  }
}

const rowsOf = (e: BatchEntry) => (e.manifest?.counts.validRows ?? 0).toLocaleString('en-US');

function describeOutcome(r: LoadOutcome): string {
  return r.status === 'skipped' ? `${r.batchId} already loaded, skipped` : `${r.batchId} ${r.status}: ${r.rows.toLocaleString('en-US')} rows in ${r.seconds.toFixed(1)} s`;
}

async function reportFailure<T>(progress: Progress, e: BatchEntry, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    progress.done(`${e.batchId} failed`, false);
    throw err;
  }
}

function printOutcomes(ctx: CommandContext, wh: Warehouse, results: LoadOutcome[], msg: string): void {
  writeResult(ctx, msg, { warehouse: wh.describe, batches: results }, () => {
    for (const r of results) ctx.stdout.write(`${r.batchId} ${r.status}${r.status === 'skipped' ? '' : ` ${r.rows} rows in ${r.seconds.toFixed(2)} s`}\n`);
  });
}
