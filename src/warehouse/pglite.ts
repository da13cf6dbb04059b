import { mkdir, chmod } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { POSTGRES_DIALECT, plainParams, type Warehouse, type QueryResult, type Step, type StepParam, type ExecuteOptions } from './warehouse.js';
import { runPgSteps, pgFailure, type PgTx } from './steps.js';
import { GunzipWorker } from './gunzip-worker.js';
import { csvSlices, COPY_SLICE_BYTES } from './csv-slices.js';
import { acquireLock, DEFAULT_STALE_SECONDS, type Lock } from '../util/lock.js';
import { emptyClusterSnapshot } from './pglite-snapshot.js';
import { holdsEmbeddedDatabase } from './open.js';

/**
 * Embedded PostgreSQL (PGlite: PostgreSQL in WebAssembly) persisted in a folder: the
 * warehouse that needs no server. COPY reads a Blob, so a part is decompressed into memory
 * (one part at a time: ~128 MB at most).
 */
/**
 * PGlite's own start parameters (it starts single-user, with fsync off and no parallel
 * workers), plus room for a 5.5 M-row load's WAL between checkpoints (with the default 1 GB a
 * load checkpoints half-way and writes its pages twice) and the minimal WAL level.
 */
const START_PARAMS = [
  '--single', '-F', '-O', '-j', '-c', 'search_path=public', '-c', 'exit_on_error=false', '-c', 'log_checkpoints=false',
  '-c', 'max_worker_processes=0', '-c', 'max_parallel_workers=0', '-c', 'max_parallel_workers_per_gather=0', '-c', 'io_method=sync',
  '-c', 'max_parallel_maintenance_workers=0',
  '-c', 'max_wal_size=4GB',
  // No replicas or archives of an embedded database: tables created or truncated in a load's
  // transaction are filled without WAL.
  '-c', 'wal_level=minimal', '-c', 'max_wal_senders=0',
];

/**
 * For a process that only reads (openExistingWarehouse): 16 MB of shared buffers instead of
 * PGlite's 128 MB. Starting is ~40 % faster (measured in-process: median 0.72 → 0.42 s over 8
 * alternating opens of one warehouse), as PostgreSQL sets up the buffer pool in the wasm heap
 * at start; a reader scanning a big table goes through a small ring of buffers either way.
 * Loads keep 128 MB: their COPY and merges re-read pages they just wrote.
 */
const READER_PARAMS = ['-c', 'shared_buffers=16MB'];

/**
 * Per load transaction: hash joins and index builds in memory. 512 MB keeps PGlite's wasm heap
 * near 1 GiB at 5.5 M rows, under its 2 GiB ceiling (measured in the load benchmark).
 */
export const DEFAULT_LOCK_WAIT_SECONDS = 60;

const LOAD_SETTINGS = [`SET LOCAL work_mem = '512MB'`, `SET LOCAL maintenance_work_mem = '512MB'`];

export interface PgliteOpenOptions {
  /** How long to wait for another process that has the folder open (default 60 s). */
  lockWaitSeconds?: number;
  /** The lock rule's stale age (locks.staleSeconds). */
  staleSeconds?: number;
  /** Told when this open waits for another holder, and when it takes over a stale lock. */
  onWait?: (message: string) => void;
  onTakeover?: (message: string) => void;
  /** Only reads will be made: start with a small buffer pool (READER_PARAMS). */
  reader?: boolean;
}

export class PgliteWarehouse implements Warehouse {
  readonly engine = 'pglite' as const;
  readonly dialect = POSTGRES_DIALECT;
  private constructor(private readonly db: PGlite, private readonly lock: Lock, readonly describe: string) {}

  /**
   * PGlite is one process's database: two processes with the folder open write over each
   * other's pages and rows are lost (seen with run + replay). So the folder is locked for as
   * long as it is open (`<folder>.lock`, the run lock's module and rules), readers included:
   * a reader opening it while another process writes is as unsafe.
   */
  static async open(dir: string, opts: PgliteOpenOptions = {}): Promise<PgliteWarehouse> {
    const folder = resolve(dir);
    const lock = await acquireLock({
      file: `${folder}.lock`, what: `the embedded warehouse ${folder}`, code: 'warehouse-locked',
      staleSeconds: opts.staleSeconds ?? DEFAULT_STALE_SECONDS, waitSeconds: opts.lockWaitSeconds ?? DEFAULT_LOCK_WAIT_SECONDS,
      waitKey: 'warehouse.lockWaitSeconds', onWait: opts.onWait,
      advice: 'An embedded warehouse is open in one process at a time: run this again when that command has finished, or raise warehouse.lockWaitSeconds.',
    });
    if (lock.tookOver) opts.onTakeover?.(lock.tookOver.message);
    try {
      await mkdir(folder, { recursive: true });
      // PGlite writes its data files 0666 whatever the umask: the folder is what keeps other
      // local users out (claims are in it), so it is the owner's only, even if made earlier.
      await chmod(folder, 0o700);
      // A new warehouse is unpacked from the build's empty cluster when there is one.
      const loadDataDir = holdsEmbeddedDatabase(folder) ? undefined : emptyClusterSnapshot();
      const startParams = opts.reader ? [...START_PARAMS, ...READER_PARAMS] : START_PARAMS;
      const db = await PGlite.create(folder, { startParams, ...(loadDataDir ? { loadDataDir } : {}) });
      return new PgliteWarehouse(db, lock, `embedded PostgreSQL in ${folder}`);
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  async query<T>(sql: string, params: StepParam[] = []): Promise<QueryResult<T>> {
    const r = await this.db.query<T>(sql, plainParams(params));
    return { rows: r.rows, fields: r.fields.map((f) => f.name) };
  }

  async readOnlyQuery<T>(sql: string): Promise<QueryResult<T>> {
    return this.db.transaction(async (t: Transaction) => {
      await t.query('SET TRANSACTION READ ONLY');
      const r = await t.query<T>(sql);
      return { rows: r.rows, fields: r.fields.map((f) => f.name) };
    });
  }

  async execute(steps: Step[], opts: ExecuteOptions = {}): Promise<void> {
    try {
      await this.transaction(steps, opts.progress);
    } catch (e) {
      throw pgFailure(e, this.describe, opts.name);
    }
  }

  private async transaction(steps: Step[], progress?: ExecuteOptions['progress']): Promise<void> {
    await this.db.transaction(async (t: Transaction) => {
      const copyBlob = async (table: string, columns: readonly string[], blob: Blob) => {
        const r = await t.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob });
        return r.affectedRows ?? 0;
      };
      // A part in slices of whole records: each COPY blocks the main thread (WebAssembly), so
      // between slices the rows so far can be told (progress) and a part is not one long freeze.
      const copySlices = async (table: string, columns: readonly string[], csv: Buffer, onRows?: (rows: number) => void) => {
        let n = 0;
        for (const slice of csvSlices(csv, COPY_SLICE_BYTES)) {
          n += await copyBlob(table, columns, new Blob([slice]));
          onRows?.(n);
        }
        return n;
      };
      const tx: PgTx = {
        query: (sql, params) => t.query(sql, params),
        copyCsv: async (table, columns, data) => {
          const chunks: Buffer[] = [];
          for await (const c of data) chunks.push(c);
          return copySlices(table, columns, Buffer.concat(chunks));
        },
        // The next part is read and handed to the gunzip worker before this one's COPY starts.
        copyParts: async (table, columns, parts, onRows) => {
          if (parts.some((p) => !p.openGzip)) {
            let n = 0;
            for (const p of parts) { n += await tx.copyCsv(table, columns, await p.open()); onRows?.(n); }
            return n;
          }
          const worker = new GunzipWorker();
          try {
            // Reading the gzip bytes is quick; inflating them is not, so that goes to the worker.
            const readGzip = async (i: number) => {
              const chunks: Buffer[] = [];
              for await (const c of await parts[i].openGzip!()) chunks.push(c);
              return Buffer.concat(chunks);
            };
            let n = 0;
            let pending: Promise<Buffer> | null = parts.length ? worker.gunzip(await readGzip(0)) : null;
            try {
              for (let i = 0; i < parts.length; i++) {
                const csv = await pending!;
                pending = i + 1 < parts.length ? worker.gunzip(await readGzip(i + 1)) : null;
                n += await copySlices(table, columns, csv, (rows) => onRows?.(n + rows));
              }
            } finally {
              await pending?.catch(() => {});
            }
            return n;
          } finally {
            await worker.close();
          }
        },
      };
      for (const s of LOAD_SETTINGS) await t.query(s);
      await runPgSteps(tx, steps, progress);
    });
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      this.lock.release();
    }
  }
}
