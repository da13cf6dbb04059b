import { basename } from 'node:path';
import type { HaloConfig } from '../config/types.js';
import { getSchema } from '../schemas/registry.js';
import { openLake } from '../lake/open.js';
import { BatchBuilder, DEFAULT_PART_BYTES } from '../batch/builder.js';
import type { Manifest } from '../batch/manifest.js';
import { validate } from './validate.js';
import type { ValidateReport } from './file-outcome.js';
import { DataError, UsageError } from '../errors.js';

export interface StageOptions {
  inputs: string[];
  schema: string;
  source?: string;
  merchant?: string;
  config: HaloConfig;
  maxRejectRate: number;
  threads?: number;
  cwd?: string;
  partBytes?: number;
  onFileDone?: Parameters<typeof validate>[0]['onFileDone'];
}

export interface StageResult {
  batchId: string;
  lake: string;
  prefix: string;
  manifest: Manifest;
  report: ValidateReport;
}

const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Validates and normalises files (the validate pipeline, emitting), then writes them as one
 * batch to the lake: raw files, normalised parts, rejects, COPY manifest, manifest last.
 * Nothing is published when the files cannot be read or too many rows are rejected.
 */
export async function stage(opts: StageOptions): Promise<StageResult> {
  const schema = getSchema(opts.schema);
  const source = opts.source ?? 'manual';
  if (!SOURCE_NAME.test(source)) throw new UsageError('bad-option', `--source '${source}' is not a valid source name (letters, digits, . _ -)`);
  const lake = await openLake(opts.config);
  const builder = new BatchBuilder(lake, source, schema, opts.partBytes ?? opts.config.lake.partBytes ?? DEFAULT_PART_BYTES);
  await builder.open();
  try {
    const sink = builder.sink();
    const report = await validate({
      inputs: opts.inputs, schema: opts.schema, merchant: opts.merchant, config: opts.config, maxErrors: 1000,
      threads: opts.threads, cwd: opts.cwd, sinkFor: () => sink, onFileDone: opts.onFileDone,
    });
    const unreadable = report.files.filter((f) => f.rows === 0 && f.errorCount > 0);
    if (unreadable.length > 0) {
      throw new DataError('unreadable-file', `${unreadable.length} file(s) could not be read, so no batch was written: ${unreadable.map((f) => `${basename(f.path)} (${f.problems[0]?.code})`).join(', ')}`,
        { hint: 'run halo-data validate on them for the details' });
    }
    const rows = report.summary.rows;
    const rejected = rows - report.summary.validRows;
    const rate = rows === 0 ? 0 : rejected / rows;
    if (rate > opts.maxRejectRate) {
      throw new DataError('reject-rate', `${rejected} of ${rows} rows were rejected (${(rate * 100).toFixed(2)}%), more than --max-reject-rate ${opts.maxRejectRate}: no batch was written`,
        { hint: 'halo-data validate <files> shows the rejected rows and why' });
    }
    const names = rawNames(report.files.map((f) => f.path));
    const manifest = await builder.publish(report.files, names);
    return { batchId: builder.batchId, lake: lake.url, prefix: builder.prefix, manifest, report };
  } finally {
    await builder.close();
  }
}

/** File names under raw/: the original names, numbered when two files share one. */
function rawNames(paths: string[]): string[] {
  const seen = new Map<string, number>();
  return paths.map((p) => {
    const name = basename(p).replace(/[^A-Za-z0-9._-]/g, '_');
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    return n === 0 ? name : `${n}-${name}`;
  });
}
