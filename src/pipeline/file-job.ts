import type { SchemaSpec, Profile } from '../schemas/types.js';
import { KeyIndex } from '../validation/keys.js';
import type { WorkerPool } from './worker-pool.js';
import type { ChunkTask, ChunkResult } from './csv-chunk.js';
import type { RowSink } from './file-accumulator.js';

/** Everything a format driver needs to validate (and maybe normalise) one file. */
export interface FileJob {
  path: string;
  /** Fixed schema, or null to guess it among `candidates` from the headers. */
  schema: SchemaSpec | null;
  candidates: SchemaSpec[];
  profile: Profile;
  merchantId?: string;
  maxErrors: number;
  /** Normalised rows go here (stage); null when only validating. */
  emit: RowSink | null;
  gzipLevel?: number;
  /** Key index shared by every file of a run (claims); `turn` resolves when this file may use it. */
  runKeys: RunKeys | null;
  /** Worker threads for large CSVs; null when the main thread is the only reader. */
  pool: () => WorkerPool<ChunkTask, ChunkResult> | null;
  /** Name written into each normalised row. */
  sourceFile: string;
  limits: Limits;
}

export interface RunKeys {
  index: KeyIndex;
  turn: () => Promise<void>;
}

/** The key index for a file: the run's (after waiting its turn) or a fresh one. */
export async function keyIndexFor(job: FileJob, keyScope: 'file' | 'run', expectedRows: number): Promise<KeyIndex> {
  if (keyScope === 'run' && job.runKeys) {
    await job.runKeys.turn();
    return job.runKeys.index;
  }
  // Sized for the rows the file should hold, so a large file never rehashes a full table.
  return new KeyIndex(Math.min(Math.ceil(expectedRows * 1.05), 1 << 26));
}

export interface Limits {
  /** Bytes of a CSV file. */
  csvBytes: number;
  /** Bytes of a spreadsheet file on disk. */
  spreadsheetBytes: number;
  /** Bytes a spreadsheet inflates to (XLSX is a ZIP): counted while inflating, never trusted from headers. */
  spreadsheetInflatedBytes: number;
  /** Rows of a spreadsheet sheet. */
  spreadsheetRows: number;
}

export const DEFAULT_LIMITS: Limits = {
  csvBytes: 8 * 1024 ** 3,
  spreadsheetBytes: 100 * 1024 ** 2,
  spreadsheetInflatedBytes: 512 * 1024 ** 2,
  spreadsheetRows: 2_000_000,
};
