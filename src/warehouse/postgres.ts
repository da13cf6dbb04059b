import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { POSTGRES_DIALECT, plainParams, type Warehouse, type QueryResult, type Step, type StepParam, type ExecuteOptions } from './warehouse.js';
import { runPgSteps, pgFailure } from './steps.js';
import { ServiceError } from '../errors.js';

/**
 * PostgreSQL over its wire protocol (self-hosted, or how some teams reach Redshift). The
 * password comes from PGPASSWORD (or ~/.pgpass), never from the config; parts are streamed
 * through COPY FROM STDIN.
 */
export class PostgresWarehouse implements Warehouse {
  readonly engine = 'postgres' as const;
  readonly dialect = POSTGRES_DIALECT;
  private constructor(private readonly pool: pg.Pool, readonly describe: string) {}

  static async open(url: string): Promise<PostgresWarehouse> {
    const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 10_000 });
    pool.on('error', () => { /* an idle client's error surfaces on its next use */ });
    const safe = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
    try {
      const c = await pool.connect();
      c.release();
    } catch (e) {
      await pool.end().catch(() => {});
      throw new ServiceError('warehouse-unreachable', `cannot connect to PostgreSQL at ${safe}: ${(e as Error).message}`, {
        hint: 'check warehouse.url and PGPASSWORD', cause: e,
      });
    }
    return new PostgresWarehouse(pool, `PostgreSQL at ${safe}`);
  }

  async query<T>(sql: string, params: StepParam[] = []): Promise<QueryResult<T>> {
    try {
      const r = await this.pool.query(sql, plainParams(params));
      return { rows: r.rows as T[], fields: r.fields.map((f) => f.name) };
    } catch (e) {
      throw pgFailure(e, this.describe, undefined, true);
    }
  }

  async readOnlyQuery<T>(sql: string): Promise<QueryResult<T>> {
    try {
      return await this.inTransaction('BEGIN', async (client) => {
        await client.query('SET TRANSACTION READ ONLY');
        // The extended protocol runs one statement: `COMMIT; INSERT …` is refused instead of
        // ending the read-only transaction (the simple protocol would run both).
        const r = await client.query({ text: sql, queryMode: 'extended' } as pg.QueryConfig);
        return { rows: r.rows as T[], fields: r.fields.map((f) => f.name) };
      });
    } catch (e) {
      throw pgFailure(e, this.describe, undefined, true);
    }
  }

  /**
   * SERIALIZABLE, as Redshift runs every transaction: two loaders (two hosts: the run lock is
   * per host) adding the same new merchant, product, member or date at once would each find
   * it missing and insert it. Read committed lets both commit (dim_merchant and dim_date rows
   * doubled; elsewhere a unique index fails one, which Redshift has not); serializable cancels
   * one (SQLSTATE 40001), and loadBatch runs that batch again whole.
   */
  async execute(steps: Step[], opts: ExecuteOptions = {}): Promise<void> {
    await this.inTransaction('BEGIN ISOLATION LEVEL SERIALIZABLE', (client) => runPgSteps({
      query: (sql, params) => client.query(sql, params),
      copyCsv: async (table, columns, data) => {
        const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`));
        await pipeline(Readable.from(data), stream);
        return Number(stream.rowCount ?? 0);
      },
    }, steps, opts.progress)).catch((e) => { throw pgFailure(e, this.describe, opts.name); });
  }

  private async inTransaction<T>(begin: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client whose connection dies emits 'error' (the pool listens only to idle
    // ones): unheard, that crashes the process. The failure reaches us through the query.
    const ignore = () => {};
    client.on('error', ignore);
    try {
      await client.query(begin);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.removeListener('error', ignore);
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
