import type { CommandContext } from './context.js';
import { stage, type StageResult } from '../pipeline/stage.js';
import { createProgress } from '../output/progress.js';
import { displayPath } from '../output/report/paths.js';
import { UsageError } from '../errors.js';
import { hostNow } from '../util/clock.js';

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
  const progress = createProgress(ctx.interactiveStderr, 'staging…');
  let result: StageResult;
  try {
    result = await stage({
      inputs: opts.inputs, schema: opts.schema, source: opts.source, merchant: opts.merchant, config: ctx.config(),
      maxRejectRate: opts.maxRejectRate, threads: opts.threads, cwd: ctx.cwd, now: hostNow(ctx.env),
      onFileDone: (f) => progress.update(`staged ${displayPath(f.path)}`),
    });
  } finally {
    progress.stop();
  }
  const m = result.manifest;
  ctx.log.info('batch written', { batch: m.batchId, lake: result.lake, files: m.counts.files, rows: m.counts.rows, rejected: m.counts.rejectedRows, parts: m.parts.length });
  if (ctx.json) {
    ctx.stdout.write(JSON.stringify({ batchId: m.batchId, lake: result.lake, prefix: result.prefix, manifest: m }, null, 2) + '\n');
  } else {
    ctx.stdout.write(m.batchId + '\n');
  }
  return { exitCode: 0, result };
}
