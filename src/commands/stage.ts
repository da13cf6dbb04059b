import type { CommandContext } from './context.js';
import { stage, type StageResult } from '../pipeline/stage.js';
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
      progress, memberKey: ctx.env[MEMBER_KEY_ENV],
    });
    const c = result.manifest.counts;
    progress.done(`staged batch ${result.batchId}: ${c.files} file${c.files === 1 ? '' : 's'}, ${c.rows.toLocaleString('en-US')} rows${c.rejectedRows ? `, ${c.rejectedRows.toLocaleString('en-US')} rejected` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    progress.stop();
  }
  const m = result.manifest;
  ctx.log.info('batch written', { batch: m.batchId, lake: result.lake, files: m.counts.files, rows: m.counts.rows, rejected: m.counts.rejectedRows, parts: m.parts.length });
  writeResult(ctx, 'batch staged', { batchId: m.batchId, lake: result.lake, prefix: result.prefix, manifest: m }, () => ctx.stdout.write(m.batchId + '\n'));
  return { exitCode: 0, result };
}
