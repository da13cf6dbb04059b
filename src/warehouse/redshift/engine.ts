import type { DescribeStatementResponse, SqlParameter } from '@aws-sdk/client-redshift-data';
import type { Warehouse, QueryResult, Step, StepParam, ExecuteOptions } from '../warehouse.js';
import { SecretParam } from '../warehouse.js';
import { REDSHIFT_DIALECT } from './dialect.js';
import { DataApi, StatementFailed } from './data-api.js';
import { renderBatch, type CopyTarget, type Role } from './render.js';
import type { StatementStore } from './statement-store.js';
import { DataError, ServiceError, HaloError } from '../../errors.js';
import { redactDbMessage } from '../redact.js';
import { onInterrupt } from '../../util/interrupt.js';
import { WriteConflictError, isConflictMessage, planChanged } from '../conflict.js';
import { refused } from '../steps.js';

/** Redshift accepts at most this many statements in one BatchExecuteStatement. */
export const MAX_BATCH_STATEMENTS = 40;
const RUNNING = new Set(['SUBMITTED', 'PICKED', 'STARTED']);

/**
 * Amazon Redshift through the Data API (HTTPS, IAM: no drivers, no open connection). A unit
 * of work is one BatchExecuteStatement — a single transaction on the server — polled until
 * it ends; COPY reads the batch's parts from S3 through its COPY manifest with the cluster's
 * IAM role.
 */
export class RedshiftDataWarehouse implements Warehouse {
  readonly engine = 'redshift-data' as const;
  readonly dialect = REDSHIFT_DIALECT;

  constructor(readonly api: DataApi, private readonly copy: CopyTarget | null, private readonly store: StatementStore, readonly describe: string) {}

  async query<T>(sql: string, params: StepParam[] = []): Promise<QueryResult<T>> {
    const { text, parameters } = namedParams(sql, params);
    const { id } = await this.api.submit(text, parameters);
    const d = await this.waitExplained(id, [{ kind: 'sql' }]);
    return d.HasResultSet ? this.api.results<T>(id) : { rows: [], fields: [] };
  }

  /** BEGIN READ ONLY in a short session, the query, END: Redshift refuses any write in it. */
  async readOnlyQuery<T>(sql: string): Promise<QueryResult<T>> {
    const begin = await this.api.submit('BEGIN READ ONLY', [], { keepAliveSeconds: 60 });
    await this.waitExplained(begin.id, [{ kind: 'sql' }]);
    const session = { id: begin.sessionId };
    try {
      const q = await this.api.submit(sql, [], session);
      // The user's own SQL: its fragments may stay in the message (redact.ts).
      const d = await this.waitExplained(q.id, [{ kind: 'sql', own: sql }]);
      return d.HasResultSet ? await this.api.results<T>(q.id) : { rows: [], fields: [] };
    } finally {
      const end = await this.api.submit('END', [], session).catch(() => null);
      if (end) await this.api.wait(end.id).catch(() => {});
    }
  }

  async execute(steps: Step[], opts: ExecuteOptions = {}): Promise<void> {
    const batch = renderBatch(steps, this.copy);
    if (batch.sqls.length > MAX_BATCH_STATEMENTS) {
      throw new Error(`a unit of work of ${batch.sqls.length} statements exceeds the Data API's ${MAX_BATCH_STATEMENTS} per batch`);
    }
    const name = opts.name ? `halo-data:${opts.name}` : undefined;
    let id: string | undefined;
    // A run killed while waiting left the statement's id: wait for that one if it still runs.
    const saved = name ? this.store.get(name) : null;
    if (name && saved) {
      const d = await this.api.describe(saved.id).catch(() => null);
      // Re-attach only to a statement still running; one that ended is sent again (loads are idempotent).
      if (d && RUNNING.has(d.Status ?? '')) id = saved.id;
      else this.store.delete(name);
    }
    if (!id) {
      id = (await this.api.submitBatch(batch.sqls, batch.parameters, name)).id;
      if (name) this.store.put(name, { id, submittedAt: new Date().toISOString() });
    }
    // Ctrl-C cancels the statement on the server before the process exits.
    const ac = new AbortController();
    const onOuterAbort = () => ac.abort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const statementId = id;
    const off = onInterrupt(async () => { ac.abort(); await this.api.cancel(statementId); });
    try {
      await this.waitExplained(statementId, batch.roles, ac.signal);
    } finally {
      off();
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }
    if (name) this.store.delete(name);
  }

  async close(): Promise<void> {}

  /** Waits; a FAILED statement becomes an error that says which step failed and why. */
  private async waitExplained(id: string, roles: Role[], signal?: AbortSignal): Promise<DescribeStatementResponse> {
    try {
      return await this.api.wait(id, signal);
    } catch (e) {
      if (!(e instanceof StatementFailed)) throw e;
      throw await this.explain(e.description, roles);
    }
  }

  private async explain(d: DescribeStatementResponse, roles: Role[]): Promise<HaloError> {
    const subs = d.SubStatements ?? [];
    const at = subs.length ? subs.findIndex((s) => s.Status === 'FAILED') : 0;
    const failed = at >= 0 ? (subs[at] ?? d) : d;
    const role = roles[Math.max(0, at)] ?? { kind: 'sql' };
    const reason = redactDbMessage(failed.Error ?? d.Error ?? d.Status ?? 'failed', role.kind === 'sql' ? role.own : undefined);
    if (d.Status === 'ABORTED' && (at < 0 || !subs.length)) return new ServiceError('statement-aborted', `the warehouse statement ${d.Id} was aborted`);
    // Another transaction was writing the same tables (ERROR: 1023, or a deadlock): nothing
    // was committed, and the unit of work may be run again whole.
    if (isConflictMessage(reason)) {
      return new WriteConflictError(`Redshift cancelled the transaction at statement ${at + 1}${subs.length ? ` of ${subs.length}` : ''}${role.label ? ` (${role.label})` : ''}: another transaction was writing the same tables: ${reason}`);
    }
    if (role.kind === 'plan-guard') return role.refusal ? refused(role.refusal) : planChanged(role.label);
    if (role.kind === 'guard') {
      const copied = subs[at - 1]?.ResultRows;
      return new DataError('row-count-mismatch', `${role.label}: COPY loaded ${copied ?? 'a different number of'} rows but the manifest has ${role.expected}`);
    }
    if (role.kind === 'copy') {
      const detail = await this.loadErrors(failed.RedshiftQueryId);
      return new DataError('copy-failed', `${role.label}: COPY into ${role.table} failed${detail ? `: ${detail}` : `: ${reason}`}`,
        { hint: detail ? undefined : 'SYS_LOAD_ERROR_DETAIL had no row for this COPY; the reason above is what Redshift returned' });
    }
    return new ServiceError('statement-failed', `the warehouse rejected statement ${at + 1}${subs.length ? ` of ${subs.length}` : ''}${role.label ? ` (${role.label})` : ''}: ${reason}`);
  }

  /** Why a COPY failed, from SYS_LOAD_ERROR_DETAIL: file, line, column and reason (never the raw value). */
  private async loadErrors(queryId: number | undefined): Promise<string | null> {
    if (queryId === undefined) return null;
    try {
      const r = await this.query<{ file_name: string; line_number: number; column_name: string; error_message: string }>(
        `SELECT TRIM(file_name) AS file_name, line_number, TRIM(column_name) AS column_name, TRIM(error_message) AS error_message
          FROM sys_load_error_detail WHERE query_id = $1 ORDER BY line_number LIMIT 5`, [queryId]);
      if (!r.rows.length) return null;
      return r.rows.map((x) => `${x.file_name} line ${x.line_number}${x.column_name ? `, column ${x.column_name}` : ''}: ${redactDbMessage(x.error_message)}`).join('; ');
    } catch {
      return null;
    }
  }
}

/** `$n` → `:pn` with SqlParameters; NULL and '' as literals (the API takes neither). */
function namedParams(sql: string, params: StepParam[]): { text: string; parameters: SqlParameter[] } {
  const parameters: SqlParameter[] = [];
  const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const v = params[Number(n) - 1] ?? null;
    if (v === null) return 'NULL';
    const value = v instanceof SecretParam ? v.value : String(v);
    if (value === '') return `''`;
    if (!parameters.some((p) => p.name === `p${n}`)) parameters.push({ name: `p${n}`, value });
    return `:p${n}`;
  });
  return { text, parameters };
}
