import type { Step, CopyPart } from './warehouse.js';
import { plainParams } from './warehouse.js';
import { bindUsed } from './bind.js';
import { DataError } from '../errors.js';
import { crashpoint } from '../util/crashpoint.js';

/** What a PostgreSQL-protocol engine gives the step runner inside its open transaction. */
export interface PgTx {
  query(sql: string, params: unknown[]): Promise<unknown>;
  /** COPY CSV rows (no header) into a table's columns; returns the rows loaded. */
  copyCsv(table: string, columns: readonly string[], data: AsyncIterable<Buffer>): Promise<number>;
  /** All of a step's parts at once, when the engine can do better than one after another. */
  copyParts?(table: string, columns: readonly string[], parts: readonly CopyPart[]): Promise<number>;
}

/**
 * Runs steps on PGlite or PostgreSQL inside a transaction the engine opened: statements are
 * bound with only the parameters they use; COPY streams each part and the total is checked
 * against the manifest before anything is merged.
 */
export async function runPgSteps(tx: PgTx, steps: readonly Step[]): Promise<void> {
  for (const s of steps) {
    if (s.kind === 'checkpoint') { crashpoint(s.name); continue; }
    if (s.kind === 'sql') {
      const b = bindUsed(s.sql, plainParams(s.params));
      await tx.query(b.sql, b.params);
      continue;
    }
    let loaded = 0;
    if (tx.copyParts) loaded = await tx.copyParts(s.table, s.columns, s.parts);
    else for (const part of s.parts) loaded += await tx.copyCsv(s.table, s.columns, await part.open());
    if (loaded !== s.expectedRows) throw new DataError('row-count-mismatch', `${s.label}: COPY loaded ${loaded} rows but the manifest has ${s.expectedRows}`);
  }
}
