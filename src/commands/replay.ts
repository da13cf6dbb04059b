import type { CommandContext } from './context.js';
import { openLake } from '../lake/open.js';
import { listBatches, type BatchEntry } from '../batch/catalog.js';
import { UsageError } from '../errors.js';
import { loadCommand } from './load.js';

export interface ReplayOptions {
  batchIds: string[]; source?: string; since?: string; until?: string; dryRun: boolean; yes: boolean;
  /** --allow-shrink, as load's. The inventory mode is each batch's manifest's, never the config's. */
  allowShrink?: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Loads batches again from the lake (the backup). Chosen by id, by source and date range,
 * or, on a terminal with nothing named, in a checkbox picker. Without a terminal it never
 * asks: ids or a range, and --yes, are required.
 */
export async function replayCommand(opts: ReplayOptions, ctx: CommandContext, stdinIsTTY: boolean): Promise<number> {
  for (const [flag, v] of [['--since', opts.since], ['--until', opts.until]] as const) {
    if (v !== undefined && !DATE.test(v)) throw new UsageError('bad-option', `${flag} takes a date as YYYY-MM-DD (got '${v}')`);
  }
  const named = opts.batchIds.length > 0 || opts.since !== undefined || opts.until !== undefined || opts.source !== undefined;
  if (!stdinIsTTY && !opts.dryRun && (!named || !opts.yes)) {
    throw new UsageError('needs-answer', 'replay without a terminal needs the batches (ids, or --source/--since/--until) and --yes',
      { hint: 'e.g. halo-data replay --source merchants --since 2026-11-01 --yes   (or --dry-run to see what would load)' });
  }
  const lake = await openLake(ctx.config());
  const complete = (await listBatches(lake, { source: opts.source })).filter((e) => e.status === 'complete');
  let chosen: BatchEntry[];
  if (opts.batchIds.length > 0) {
    chosen = complete.filter((e) => opts.batchIds.includes(e.batchId));
    const missing = opts.batchIds.filter((id) => !chosen.some((e) => e.batchId === id));
    if (missing.length) throw new UsageError('no-such-batch', `not complete batches in ${lake.url}: ${missing.join(', ')}`);
  } else {
    chosen = complete.filter((e) => (!opts.since || e.date >= opts.since) && (!opts.until || e.date <= opts.until));
  }
  if (!named && stdinIsTTY && !opts.dryRun) {
    if (complete.length === 0) { ctx.stdout.write(`no complete batches in ${lake.url}\n`); return 0; }
    const { checkbox } = await import('@inquirer/prompts');
    const ids = await checkbox({
      message: 'Batches to load again (space selects, enter confirms)',
      choices: complete.slice().reverse().map((e) => ({
        value: e.batchId,
        name: `${e.batchId}  ${e.source.padEnd(12)} ${e.date}  ${e.manifest?.schema.name ?? ''}  ${e.manifest?.counts.rows ?? '?'} rows`,
      })),
      pageSize: 15,
    }, { output: process.stderr });
    chosen = complete.filter((e) => ids.includes(e.batchId));
  }
  if (chosen.length === 0) {
    ctx.stdout.write(ctx.json ? JSON.stringify({ batches: [] }) + '\n' : 'no batch matches: nothing to replay\n');
    return 0;
  }
  if (opts.dryRun) {
    if (ctx.json) ctx.stdout.write(JSON.stringify({ wouldLoad: chosen.map((e) => e.batchId) }, null, 2) + '\n');
    else for (const e of chosen) ctx.stdout.write(`would load ${e.batchId}  ${e.source}  ${e.date}  ${e.manifest?.counts.rows} rows\n`);
    return 0;
  }
  return loadCommand({ batchIds: chosen.map((e) => e.batchId), force: true, merge: true, allowShrink: opts.allowShrink }, ctx);
}
