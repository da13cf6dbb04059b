import type { Step, CopyPart, ExecuteProgress, Refusal } from './warehouse.js';
import { plainParams } from './warehouse.js';
import { bindUsed } from './bind.js';
import { DataError, HaloError, ServiceError } from '../errors.js';
import { crashpoint } from '../util/crashpoint.js';
import { redactDbMessage } from './redact.js';
import { WriteConflictError, isConflictSqlState, planChanged } from './conflict.js';

/** What a PostgreSQL-protocol engine gives the step runner inside its open transaction. */
export interface PgTx {
  query(sql: string, params: unknown[]): Promise<unknown>;
  /** COPY CSV rows (no header) into a table's columns; returns the rows loaded. */
  copyCsv(table: string, columns: readonly string[], data: AsyncIterable<Buffer>): Promise<number>;
  /** All of a step's parts at once, when the engine can do better than one after another; onRows is told the rows so far. */
  copyParts?(table: string, columns: readonly string[], parts: readonly CopyPart[], onRows?: (rows: number) => void): Promise<number>;
}

/**
 * Runs steps on PGlite or PostgreSQL inside a transaction the engine opened: statements are
 * bound with only the parameters they use; COPY streams each part and the total is checked
 * against the manifest before anything is merged.
 */
export async function runPgSteps(tx: PgTx, steps: readonly Step[], progress?: ExecuteProgress): Promise<void> {
  const statements = steps.filter((s) => s.kind === 'sql').length;
  let statement = 0;
  for (const s of steps) {
    if (s.kind === 'checkpoint') { crashpoint(s.name); continue; }
    if (s.kind === 'sql') {
      progress?.statement?.(++statement, statements, s.sql);
      const b = bindUsed(s.sql, plainParams(s.params));
      await tx.query(b.sql, b.params);
      continue;
    }
    if (s.kind === 'guard') {
      const b = bindUsed(s.sql, plainParams(s.params));
      try {
        await tx.query(b.sql, b.params);
      } catch (e) {
        // Its cast of a text to INTEGER failed (invalid_text_representation): the plan is stale.
        if ((e as { code?: unknown } | null)?.code === '22P02') throw s.refusal ? refused(s.refusal) : planChanged(s.label, e);
        throw e;
      }
      continue;
    }
    let loaded = 0;
    const onRows = (rows: number) => progress?.copied?.(rows, s.expectedRows, s.label);
    onRows(0);
    if (tx.copyParts) loaded = await tx.copyParts(s.table, s.columns, s.parts, onRows);
    else for (const part of s.parts) { loaded += await tx.copyCsv(s.table, s.columns, await part.open()); onRows(loaded); }
    if (loaded !== s.expectedRows) throw new DataError('row-count-mismatch', `${s.label}: COPY loaded ${loaded} rows but the manifest has ${s.expectedRows}`);
  }
}

export const refused = (r: Refusal): DataError => new DataError(r.code, r.message, r.hint ? { hint: r.hint } : undefined);

/** SQLSTATEs that say the server or the link went away, not that a statement was refused. */
const CONNECTION_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
const CONNECTION_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECTION_MESSAGE = /Connection terminated|connection (?:error|ended|closed)|timeout exceeded when trying to connect|Client was closed/i;

/**
 * A PostgreSQL-protocol engine's failure as the tool reports it: the link or the server gone
 * is a ServiceError (exit 3: the next run tries again); a statement the database refused is
 * a DataError naming the unit of work (the batch), its message without quoted values (they
 * may be row values). Our own errors pass as they are; anything else is a bug and stays raw.
 */
export function pgFailure(e: unknown, describe: string, unit: string | undefined, onlyConnection = false): unknown {
  if (e instanceof HaloError) return e;
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = redactDbMessage(String(err?.message ?? e));
  const of = unit ? ` (${unit})` : '';
  const errno = CONNECTION_ERRNO.has(code);
  const sqlState = !errno && /^[0-9A-Z]{5}$/.test(code) ? code : null;
  if (errno || (sqlState ? CONNECTION_SQLSTATE.test(sqlState) : CONNECTION_MESSAGE.test(message))) {
    return new ServiceError('warehouse-unreachable', `lost the connection to ${describe}${of}: ${message}`, {
      hint: 'check that the server is up and reachable; nothing of the unit of work was committed, the next run tries again', cause: e,
    });
  }
  if (!onlyConnection && isConflictSqlState(sqlState)) {
    return new WriteConflictError(`${unit ? `${unit}: ` : ''}${describe} cancelled the transaction: another transaction was writing the same tables (SQLSTATE ${sqlState}): ${message}; nothing of it was committed`, { cause: e });
  }
  if (!onlyConnection && sqlState) {
    return new DataError('statement-failed', `${unit ? `${unit}: ` : ''}${describe} rejected a statement (SQLSTATE ${sqlState}): ${message}; nothing of it was committed`, { cause: e });
  }
  return e;
}
