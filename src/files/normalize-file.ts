import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { basename } from 'node:path';
import { getSchema } from '../schemas/registry.js';
import { DEFAULT_PROFILE } from '../schemas/types.js';
import { KeyIndex } from '../validation/keys.js';
import { WorkerPool } from './worker-pool.js';
import { processFile } from './process-file.js';
import { csvWorkerUrl, defaultThreads, CSV_WORKER_LIMITS } from './validate.js';
import { DEFAULT_LIMITS, Sightings } from './file-job.js';
import type { RowSink } from './file-accumulator.js';
import type { ChunkTask, ChunkResult } from './csv-chunk.js';

/**
 * Validates one file and writes its valid rows, normalised, to a gzip file: the path
 * staging takes, without the batch around it (used by the benchmark).
 */
export interface NormalizeFileOptions {
  path: string;
  schema: string;
  outFile: string;
  merchant?: string;
  threads?: number;
  gzipLevel?: number;
}

export interface NormalizeFileResult { rows: number; validRows: number; errors: number; bytesRead: number; bytesWritten: number }

export async function normalizeFile(opts: NormalizeFileOptions): Promise<NormalizeFileResult> {
  const schema = getSchema(opts.schema);
  const out = createWriteStream(opts.outFile);
  let bytesWritten = 0;
  const sink: RowSink = {
    async write(member) {
      bytesWritten += member.length;
      if (!out.write(member)) await once(out, 'drain');
    },
  };
  const workers = opts.threads ?? defaultThreads();
  const pool = workers > 0 ? new WorkerPool<ChunkTask, ChunkResult>(csvWorkerUrl(), workers, CSV_WORKER_LIMITS) : null;
  try {
    const outcome = await processFile({
      path: opts.path, schema, candidates: [schema], profile: { ...DEFAULT_PROFILE }, merchantId: opts.merchant,
      maxErrors: 100, emit: sink, gzipLevel: opts.gzipLevel, runKeys: { index: new KeyIndex(), turn: async () => {}, sightings: new Sightings() },
      pool: () => pool, pdfPool: () => { throw new Error('normalizeFile reads CSV and spreadsheets'); }, claims: { templates: [] }, sourceFile: basename(opts.path), limits: DEFAULT_LIMITS,
    });
    out.end();
    await once(out, 'finish');
    return { rows: outcome.rows, validRows: outcome.validRows, errors: outcome.errorCount, bytesRead: outcome.bytes, bytesWritten };
  } finally {
    out.destroy();
    await pool?.close();
  }
}
