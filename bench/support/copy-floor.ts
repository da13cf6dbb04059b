/**
 * The floor of any load: a batch's gzip CSV parts COPYed into a plain, unindexed table and
 * nothing else (no staging, no merge, no ledger). Measured in the harness process, after the
 * measured children, so it competes with nothing of the benchmark's own.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** Column types of the floor table: the warehouse's for the inventory columns, text otherwise. */
const TYPES: Record<string, string> = {
  selling_price: 'numeric(14,2)', stock_qty: 'int', expiry_date: 'date', updated_at: 'timestamp', source_row: 'bigint',
};

function floorTableDdl(table: string, columns: readonly string[]): string {
  return `CREATE TABLE ${table} (${columns.map((c) => `${c} ${TYPES[c] ?? 'text'}`).join(', ')})`;
}

export type FloorTarget = { engine: 'pglite'; dir: string } | { engine: 'postgres'; url: string };

/** Seconds to COPY every part (gunzip included, as a load pays it too) into a new plain table. */
export async function copyFloorSeconds(target: FloorTarget, parts: readonly string[], columns: readonly string[]): Promise<number> {
  return target.engine === 'pglite' ? pgliteFloor(target.dir, parts, columns) : postgresFloor(target.url, parts, columns);
}

async function pgliteFloor(dir: string, parts: readonly string[], columns: readonly string[]): Promise<number> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(dir);
  try {
    await db.exec(floorTableDdl('floor_copy', columns));
    const t0 = performance.now();
    for (const p of parts) {
      const chunks: Buffer[] = [];
      for await (const c of createReadStream(p).pipe(createGunzip())) chunks.push(c as Buffer);
      // One COPY per part: the fastest PGlite takes rows in.
      await db.query(`COPY floor_copy FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob(chunks) });
    }
    return (performance.now() - t0) / 1000;
  } finally {
    await db.close();
  }
}

async function postgresFloor(url: string, parts: readonly string[], columns: readonly string[]): Promise<number> {
  const { default: pg } = await import('pg');
  const { from: copyFrom } = await import('pg-copy-streams');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(floorTableDdl('floor_copy', columns));
    const t0 = performance.now();
    for (const p of parts) await pipeline(createReadStream(p), createGunzip(), client.query(copyFrom('COPY floor_copy FROM STDIN WITH (FORMAT csv)')));
    return (performance.now() - t0) / 1000;
  } finally {
    await client.end();
  }
}
