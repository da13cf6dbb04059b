import type { CommandContext } from './context.js';
import { stage, type StageResult } from '../pipeline/stage.js';
import { INVENTORY_SCHEMA, type HaloConfig, type InventoryMode } from '../config/types.js';
import { UsageError } from '../errors.js';
import { writeResult } from '../output/result.js';
import { hostNow } from '../util/clock.js';
import { MEMBER_KEY_ENV } from '../batch/part-shape.js';

export interface StageCommandOptions {
  inputs: string[];
  schema: string;
  source?: string;
  merchant?: string;
  maxRejectRate: number;
  threads?: number;
  /** --inventory: a merchant_inventory batch of a source the config does not name (a configured source's own mode decides). */
  inventory?: InventoryMode;
}

/**
 * The inventory mode of a one-off stage: a configured source's own (its `inventory:`, default
 * full), so a batch staged by hand is read as the source's run-staged ones are; else
 * --inventory, default full. A flag contradicting the source's config is refused rather than
 * mixing two readings in one source.
 */
export function inventoryOf(opts: Pick<StageCommandOptions, 'schema' | 'source' | 'inventory'>, config: HaloConfig): InventoryMode | undefined {
  if (opts.schema !== INVENTORY_SCHEMA) {
    if (opts.inventory !== undefined) throw new UsageError('bad-option', `--inventory is only for merchant_inventory batches (this one is ${opts.schema})`);
    return undefined;
  }
  const source = opts.source === undefined ? undefined : config.sources.find((s) => s.name === opts.source);
  if (!source) return opts.inventory ?? 'full';
  const mode = source.inventory ?? 'full';
  if (opts.inventory !== undefined && opts.inventory !== mode) {
    throw new UsageError('bad-option', `--inventory ${opts.inventory} contradicts source '${source.name}', whose config says inventory: ${mode}${source.inventory === undefined ? ' (the default)' : ''}`,
      { hint: `leave --inventory out (the source's mode applies), or change the source's inventory: in ${config.file ?? 'the config'}` });
  }
  return mode;
}

export async function stageCommand(opts: StageCommandOptions, ctx: CommandContext): Promise<{ exitCode: number; result: StageResult }> {
  if (!(opts.maxRejectRate >= 0 && opts.maxRejectRate <= 1)) throw new UsageError('bad-option', '--max-reject-rate must be between 0 and 1');
  const progress = ctx.progress('staging…', 'stage');
  const started = performance.now();
  let result: StageResult;
  try {
    result = await stage({
      inputs: opts.inputs, schema: opts.schema, source: opts.source, merchant: opts.merchant, config: ctx.config(),
      maxRejectRate: opts.maxRejectRate, threads: opts.threads, cwd: ctx.cwd, now: hostNow(ctx.env),
      progress, memberKey: ctx.env[MEMBER_KEY_ENV], inventory: inventoryOf(opts, ctx.config()),
    });
    const c = result.manifest.counts;
    progress.done(`staged batch ${result.batchId}: ${c.files} file${c.files === 1 ? '' : 's'}, ${c.rows.toLocaleString('en-US')} rows${c.rejectedRows ? `, ${c.rejectedRows.toLocaleString('en-US')} rejected` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    progress.stop();
  }
  const m = result.manifest;
  ctx.log.info('batch written', { batch: m.batchId, lake: result.lake, files: m.counts.files, rows: m.counts.rows, rejected: m.counts.rejectedRows, parts: m.parts.length, ...(m.inventory ? { inventory: m.inventory } : {}) });
  writeResult(ctx, 'batch staged', { batchId: m.batchId, lake: result.lake, prefix: result.prefix, manifest: m }, () => ctx.stdout.write(m.batchId + '\n'));
  return { exitCode: 0, result };
}
