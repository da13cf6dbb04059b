import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { POSTGRES_DIALECT, type Warehouse, type Tx, type QueryResult } from './warehouse.js';

/**
 * Embedded PostgreSQL (PGlite: PostgreSQL in WebAssembly) persisted in a folder: the
 * warehouse that needs no server. COPY reads a Blob, so a part is decompressed into memory
 * (one part at a time: ~128 MB at most).
 */
export class PgliteWarehouse implements Warehouse {
  readonly engine = 'pglite' as const;
  readonly dialect = POSTGRES_DIALECT;
  private constructor(private readonly db: PGlite, readonly describe: string) {}

  static async open(dir: string): Promise<PgliteWarehouse> {
    await mkdir(dir, { recursive: true });
    const db = await PGlite.create(dir);
    return new PgliteWarehouse(db, `embedded PostgreSQL in ${dir}`);
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    const r = await this.db.query<T>(sql, params);
    return { rows: r.rows, fields: r.fields.map((f) => f.name) };
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(async (t: Transaction) => fn({
      query: async <R>(sql: string, params: unknown[] = []) => {
        const r = await t.query<R>(sql, params);
        return { rows: r.rows, fields: r.fields.map((f) => f.name) };
      },
      copyCsv: async (table, columns, data) => {
        const chunks: Buffer[] = [];
        for await (const c of data) chunks.push(c);
        const blob = new Blob(chunks);
        const r = await t.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob });
        return r.affectedRows ?? 0;
      },
    }));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
