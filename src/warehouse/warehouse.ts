/**
 * The warehouse behind one small interface (the Kysely shape: an engine supplies
 * connection, COPY and its few SQL differences; the schema and merges are written once).
 *
 * Work that must commit whole is handed over as a list of steps, not as a callback, because
 * on Redshift the whole list travels in one BatchExecuteStatement (one transaction on the
 * server, nothing to hold open on the client).
 */
export interface QueryResult<T = Record<string, unknown>> { rows: T[]; fields: string[] }

/** A parameter value that must never appear in SQL text, logs or query history (a hash key). */
export class SecretParam {
  constructor(readonly value: string) {}
  toJSON(): string { return '***'; }
  toString(): string { return '***'; }
}

export type StepParam = string | number | boolean | null | SecretParam;

/** A gzip CSV part of a batch: its S3 URL, its rows as CSV (open), or its gzip bytes (openGzip). */
export interface CopyPart { url: string; open: () => Promise<AsyncIterable<Buffer>>; openGzip?: () => Promise<AsyncIterable<Buffer>> }

export type Step =
  /** One statement; `$n` refers to params[n-1]. */
  | { kind: 'sql'; sql: string; params?: StepParam[]; label?: string }
  /**
   * Rows of gzip CSV parts into a table's columns. PostgreSQL engines stream `open`ed parts
   * through COPY FROM STDIN; Redshift COPYs from `manifestUrl` in S3. Either way, a count
   * other than `expectedRows` fails the transaction (row-count-mismatch).
   */
  | { kind: 'copy'; table: string; columns: readonly string[]; manifestUrl: string; parts: CopyPart[]; expectedRows: number; label: string }
  /** A named crash point for the crash tests (util/crashpoint), reached in step order. */
  | { kind: 'checkpoint'; name: string }
  /**
   * A SELECT that casts a text to INTEGER, failing the transaction, when the warehouse is no
   * longer as the unit of work was planned from (what was read before its transaction began):
   * another loader wrote meanwhile. Its failure is a WriteConflictError (retried whole).
   */
  | { kind: 'guard'; sql: string; params?: StepParam[]; label: string; refusal?: Refusal };

/**
 * A guard that checks the data rather than the plan: its failure is this DataError (the batch
 * is refused, nothing committed), not a conflict to retry.
 */
export interface Refusal { code: string; message: string; hint?: string }

export interface ExecuteOptions {
  /** Names the unit of work (e.g. the batch), so a retried run can find a statement still running. */
  name?: string;
  signal?: AbortSignal;
  /** Told as the work goes (engines that run the steps one by one: PGlite, PostgreSQL). */
  progress?: ExecuteProgress;
}

/** How far a unit of work has come: counts and the statement's kind and table, never a value. */
export interface ExecuteProgress {
  /** Rows a COPY step has loaded so far, of the rows it expects. */
  copied?(rows: number, expected: number, label: string): void;
  /** A SQL step begins (1-based index among the unit's SQL steps). */
  statement?(index: number, count: number, sql: string): void;
}

export interface Warehouse {
  readonly engine: 'pglite' | 'postgres' | 'redshift-data';
  readonly dialect: Dialect;
  /** Where it is, without secrets (for messages). */
  readonly describe: string;
  /** One statement, on its own (autocommit). */
  query<T = Record<string, unknown>>(sql: string, params?: StepParam[]): Promise<QueryResult<T>>;
  /** One statement in a read-only transaction: it cannot change anything. */
  readOnlyQuery<T = Record<string, unknown>>(sql: string): Promise<QueryResult<T>>;
  /** Runs the steps in one transaction: all of it commits, or none of it. */
  execute(steps: Step[], opts?: ExecuteOptions): Promise<void>;
  close(): Promise<void>;
}

/** The few places engines' SQL differs. */
export interface Dialect {
  name: 'postgres' | 'redshift';
  /** A surrogate key column. */
  identity: string;
  /** Table options after the column list (DISTKEY/SORTKEY on Redshift). */
  tableOptions(table: string): string;
  /** A staging table that lives no longer than the transaction (or its session). */
  tempTable(name: string, columnsDdl: string): string;
  tempTableAs(name: string, select: string): string;
  /** Rows of a JSON array text column as (claim_id, code). */
  jsonArrayElements(table: string, keyColumn: string, arrayColumn: string): string;
  /** A keyed hash (hex SHA-256 of key ':' value) of a text expression, key given as a parameter. */
  keyedHash(expr: string, keyParam: string): string;
  /** Planner statistics for a table just filled (temporary tables are never analysed on their own). */
  analyze(table: string): string[];
  /**
   * Bulk-load tricks for an empty dim_product (drop its indexes, insert, build them once):
   * statements before and after the insert, or null where they do not apply.
   */
  firstLoadProductIndexes: { before: string[]; after: string[] } | null;
  /** Schema v2 statements of this engine only (indexes PostgreSQL has and Redshift has not). */
  v2Extras: string[];
  /** Schema v3 statements of this engine only. */
  v3Extras: string[];
}

export const POSTGRES_DIALECT: Dialect = {
  name: 'postgres',
  identity: 'BIGINT GENERATED BY DEFAULT AS IDENTITY',
  tableOptions: () => '',
  tempTable: (name, cols) => `CREATE TEMP TABLE ${name} (${cols}) ON COMMIT DROP`,
  tempTableAs: (name, select) => `CREATE TEMP TABLE ${name} ON COMMIT DROP AS ${select}`,
  jsonArrayElements: (table, key, arr) => `SELECT s.${key} AS claim_id, e.code FROM ${table} s CROSS JOIN LATERAL json_array_elements_text(s.${arr}::json) AS e(code)`,
  keyedHash: (expr, key) => `encode(sha256(convert_to(${key} || ':' || ${expr}, 'UTF8')), 'hex')`,
  analyze: (table) => [`ANALYZE ${table}`],
  firstLoadProductIndexes: {
    before: [
      // All are empty (no product, so no state or history of one). Truncated in this transaction,
      // they get new files, which PostgreSQL with wal_level=minimal (PGlite here) fills
      // without writing WAL: 2 GB less to write for a 5.5 M-row first load.
      'TRUNCATE halo.fact_inventory_current, halo.fact_inventory_history, halo.dim_product',
      'ALTER TABLE halo.dim_product DROP CONSTRAINT dim_product_pkey',
      'DROP INDEX IF EXISTS halo.dim_product_sk',
    ],
    after: [
      'ALTER TABLE halo.dim_product ADD CONSTRAINT dim_product_pkey PRIMARY KEY (merchant_id, merchant_sku)',
      'CREATE INDEX IF NOT EXISTS dim_product_sk ON halo.dim_product (product_sk)',
      'ANALYZE halo.dim_product',
    ],
  },
  v2Extras: [
    // Snapshots are written and deleted a batch at a time, in batch order: a BRIN index on the
    // batch finds them at a fraction of a b-tree's cost to maintain (5.5 M rows: 19 s vs 40 s).
    'ALTER TABLE halo.fact_inventory_snapshot DROP CONSTRAINT IF EXISTS fact_inventory_snapshot_pkey',
    'CREATE INDEX IF NOT EXISTS fact_inventory_snapshot_batch_brin ON halo.fact_inventory_snapshot USING brin (batch_id)',
    // Surrogate keys in blocks of 1,000: a bulk insert does not write the sequence every 32 rows.
    'ALTER TABLE halo.dim_product ALTER COLUMN product_sk SET CACHE 1000',
    // One index on dim_product, its natural key (what every merge looks up); product_sk is an
    // identity and facts reach it by hash join. A second index cost 4-5 s of a 5.5 M-row load.
    'ALTER TABLE halo.dim_product DROP CONSTRAINT IF EXISTS dim_product_merchant_id_merchant_sku_key',
    'ALTER TABLE halo.dim_product DROP CONSTRAINT IF EXISTS dim_product_pkey',
    'ALTER TABLE halo.dim_product ADD CONSTRAINT dim_product_pkey PRIMARY KEY (merchant_id, merchant_sku)',
  ],
  v3Extras: [
    // One product's offers by barcode (the best-price view's lookups).
    'CREATE INDEX IF NOT EXISTS fact_inventory_current_product_key ON halo.fact_inventory_current (product_key)',
    // A merchant's covering batches after a given one (placing a late batch).
    'CREATE INDEX IF NOT EXISTS etl_batch_merchant_merchant ON halo.etl_batch_merchant (merchant_id, batch_id)',
    // The changes feed pages through the history in load order (a page starts where the last
    // ended, not at the start of a 5.5 M-row table); its rows then reach their names through
    // dim_product by its surrogate key (a page's 10,000 rows, not a scan of 5.5 M: 2.7 s a page
    // at 1 M products without it). Built after the first load's insert, as the primary key is.
    'CREATE INDEX IF NOT EXISTS fact_inventory_history_load ON halo.fact_inventory_history (load_seq)',
    'CREATE INDEX IF NOT EXISTS dim_product_sk ON halo.dim_product (product_sk)',
  ],
};

/** Parameter values as a PostgreSQL driver takes them (a secret is still only a bind value). */
export function plainParams(params: readonly StepParam[] = []): unknown[] {
  return params.map((p) => (p instanceof SecretParam ? p.value : p));
}
