import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { HaloConfig } from '../config/types.js';
import { getSchema, candidatesFor } from '../schemas/registry.js';
import { profileFor, merchantScope, asListed } from '../schemas/profiles.js';
import { readIcd10List, withIcd10List } from '../schemas/code-list.js';
import { KeyIndex } from '../validation/keys.js';
import { WorkerPool } from './worker-pool.js';
import { expandInputs } from './inputs.js';
import { processFile } from './process-file.js';
import { Turnstile } from './turnstile.js';
import { DEFAULT_LIMITS, Sightings, type FileJob } from './file-job.js';
import { buildReport, type FileOutcome, type ValidateReport } from './file-outcome.js';

export type { ValidateReport };
import type { ChunkTask, ChunkResult } from './csv-chunk.js';
import type { RowSink } from './file-accumulator.js';
import type { PdfTask, PdfResult } from './pdf-worker.js';
import { claimReaderFor } from '../documents/setup.js';
import type { StepProgress } from '../output/progress.js';
import { stat } from 'node:fs/promises';

export interface ValidateOptions {
  inputs: string[];
  schema?: string;
  merchant?: string;
  /** The configured source the files come from (run, stage --source): its merchantIdFrom and speaksFor apply first. */
  source?: string;
  /**
   * A file's path as its source listed it (run: the names of the landed fetch), matched
   * against merchantIdFrom instead of the path read, as the listing check matched it.
   */
  pathAtSource?: (path: string) => string | undefined;
  config: HaloConfig;
  maxErrors: number;
  threads?: number;
  /** Files read at once. */
  concurrency?: number;
  cwd?: string;
  onFileStart?: (path: string) => void;
  onFileDone?: (outcome: FileOutcome) => void;
  /** Stage: a sink per file for its normalised rows. */
  sinkFor?: (path: string, index: number) => RowSink | null;
  gzipLevel?: number;
  /** Bytes per CSV chunk (tests: small, to cut files in many places). */
  csvChunkBytes?: number;
  /** Told the files, rows and bytes read so far as one step (output/progress.ts), named by `progressStep`. */
  progress?: StepProgress;
  progressStep?: { step: string; text: string; facts?: Record<string, string> };
}

export function workerUrl(name: 'csv-worker' | 'pdf-worker'): URL {
  // Under tsx (tests) this module is .ts and so is its worker.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, import.meta.url);
}

export const csvWorkerUrl = () => workerUrl('csv-worker');

/**
 * A CSV worker's garbage is one 1 MB chunk's strings at a time: a 12 MB young generation
 * holds it. Measured on the 1 M-row benchmark: peak RSS 231-245 MiB → 200-208 MiB at the
 * same speed (V8's default young generation let each worker's heap grow to ~60 MB).
 */
export const CSV_WORKER_LIMITS = { maxYoungGenerationSizeMb: 12 };

/** Worker threads for large CSVs: one per core (the main thread only feeds and folds). */
export function defaultThreads(): number {
  const env = Number(process.env.HALO_DATA_THREADS);
  if (Number.isInteger(env) && env > 0) return Math.min(env, 16);
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/**
 * Files, rows and bytes read so far, over all the files (read at once, several at a time), for
 * progress: the bytes have a total (the files' sizes), which gives the estimate.
 */
async function readCounter(files: string[], opts: ValidateOptions) {
  const p = opts.progress;
  const rows = new Array<number>(files.length).fill(0);
  const bytes = new Array<number>(files.length).fill(0);
  let done = 0, allRows = 0, allBytes = 0;
  if (!p) return { file() {}, done() {} };
  const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size, () => 0)));
  const label = opts.progressStep ?? { step: 'validate', text: 'validating' };
  p.begin(label.step, label.text, { files: 0, filesTotal: files.length, rows: 0, bytes: 0, bytesTotal: sizes.reduce((x, y) => x + y, 0) }, label.facts);
  const set = (i: number, r: number, b: number) => {
    allRows += r - rows[i];
    allBytes += b - bytes[i];
    rows[i] = r;
    bytes[i] = b;
  };
  return {
    file(i: number, r: number, b: number) {
      set(i, r, b);
      p.count({ rows: allRows, bytes: allBytes });
    },
    done(i: number, o: FileOutcome) {
      set(i, o.rows, sizes[i]);
      p.count({ files: ++done, rows: allRows, bytes: allBytes });
    },
  };
}

export async function validate(opts: ValidateOptions): Promise<ValidateReport> {
  // An insurer's ICD-10 list (config) narrows the schemas' diagnosis codes.
  const icd10 = opts.config.claims?.icd10CodesFile ? readIcd10List(opts.config.claims.icd10CodesFile) : undefined;
  const schema = opts.schema ? withIcd10List(getSchema(opts.schema), icd10) : null;
  const candidates = candidatesFor('csv').map((s) => withIcd10List(s, icd10));
  const files = await expandInputs(opts.inputs, opts.cwd);
  const limits = { ...DEFAULT_LIMITS, ...opts.config.limits };
  let pool: WorkerPool<ChunkTask, ChunkResult> | null = null;
  const workers = opts.threads ?? defaultThreads();
  const getPool = () => (workers > 0 ? (pool ??= new WorkerPool<ChunkTask, ChunkResult>(csvWorkerUrl(), workers, CSV_WORKER_LIMITS)) : null);
  const claims = claimReaderFor(opts.config);
  let pdfPool: WorkerPool<PdfTask, PdfResult> | null = null;
  const getPdfPool = () => (pdfPool ??= new WorkerPool<PdfTask, PdfResult>(workerUrl('pdf-worker'), Math.max(1, opts.threads ?? defaultThreads())));
  const runKeys = new KeyIndex();
  const sightings = new Sightings();
  const turnstile = new Turnstile(files.length);
  const outcomes: FileOutcome[] = new Array(files.length);
  const read = await readCounter(files, opts);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const path = files[i];
      const listed = opts.pathAtSource?.(path);
      const { merchantId, speaksFor } = merchantScope(opts.config, listed === undefined ? path : asListed(listed), opts.merchant, opts.source);
      const job: FileJob = {
        path, schema, candidates: schema ? [schema] : candidates, icd10Codes: icd10,
        profile: profileFor(opts.config, merchantId), merchantId, speaksFor, maxErrors: opts.maxErrors,
        emit: opts.sinkFor?.(path, i) ?? null, gzipLevel: opts.gzipLevel,
        // Run-scoped keys (claim ids) are checked in file order; other files never wait.
        runKeys: { index: runKeys, turn: () => turnstile.turn(i), sightings },
        pool: getPool, pdfPool: getPdfPool, claims, sourceFile: basename(path), limits,
        csvChunkBytes: opts.csvChunkBytes, onRead: (rows, bytes) => read.file(i, rows, bytes),
      };
      opts.onFileStart?.(path);
      try {
        outcomes[i] = await processFile(job);
      } finally {
        turnstile.release(i);
      }
      read.done(i, outcomes[i]);
      opts.onFileDone?.(outcomes[i]);
    }
  };
  try {
    const n = Math.max(1, Math.min(opts.concurrency ?? 4, files.length));
    await Promise.all(Array.from({ length: n }, worker));
  } finally {
    await (pool as WorkerPool<ChunkTask, ChunkResult> | null)?.close();
    await (pdfPool as WorkerPool<PdfTask, PdfResult> | null)?.close();
  }
  return buildReport(outcomes);
}
