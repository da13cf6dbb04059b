import type { CommandContext } from './context.js';
import { openLake } from '../lake/open.js';
import { openWarehouse } from '../warehouse/open.js';
import { initSchema } from '../warehouse/schema.js';
import { listBatches } from '../batch/catalog.js';
import { loadBatch, type LoadOutcome } from '../pipeline/load.js';
import { createProgress } from '../output/progress.js';
import { DataError } from '../errors.js';

export interface LoadCommandOptions { batchIds: string[]; force: boolean }

/** Loads batches from the lake into the warehouse, one transaction each, in id (time) order. */
export async function loadCommand(opts: LoadCommandOptions, ctx: CommandContext): Promise<number> {
  const config = ctx.config();
  const lake = await openLake(config);
  const all = await listBatches(lake);
  const entries = [...new Set(opts.batchIds)].sort().map((id) => {
    const e = all.find((b) => b.batchId === id);
    if (!e) throw new DataError('no-such-batch', `no batch ${id} in ${lake.url}`, { hint: 'halo-data batches list shows what the lake holds' });
    return e;
  });
  const wh = await openWarehouse(config);
  const results: LoadOutcome[] = [];
  const progress = createProgress(ctx.interactiveStderr, 'loading…');
  try {
    await initSchema(wh);
    for (const [i, e] of entries.entries()) {
      progress.update(`loading batch ${i + 1}/${entries.length} ${e.batchId}`);
      const r = await loadBatch(wh, lake, e, { force: opts.force, memberKey: ctx.env.HALO_DATA_MEMBER_KEY });
      results.push(r);
      ctx.log.info(r.status === 'skipped' ? 'batch already loaded, skipped (--force reloads it)' : 'batch loaded',
        { batch: r.batchId, rows: r.rows, seconds: Number(r.seconds.toFixed(2)) });
    }
  } finally {
    progress.stop();
    await wh.close();
  }
  if (ctx.json) ctx.stdout.write(JSON.stringify({ warehouse: wh.describe, batches: results }, null, 2) + '\n');
  else for (const r of results) ctx.stdout.write(`${r.batchId} ${r.status}${r.status === 'loaded' ? ` ${r.rows} rows in ${r.seconds.toFixed(2)} s` : ''}\n`);
  return 0;
}
