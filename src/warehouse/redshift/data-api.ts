import {
  RedshiftDataClient, ExecuteStatementCommand, BatchExecuteStatementCommand, DescribeStatementCommand, GetStatementResultCommand,
  CancelStatementCommand, type DescribeStatementResponse, type Field, type SqlParameter,
} from '@aws-sdk/client-redshift-data';
import { ServiceError } from '../../errors.js';
import type { QueryResult } from '../warehouse.js';

/** Where statements run: a provisioned cluster (database + db user or secret) or a serverless workgroup. */
export interface DataApiTarget {
  clusterIdentifier?: string;
  workgroupName?: string;
  database: string;
  dbUser?: string;
  secretArn?: string;
}

export interface PollPolicy { firstMs: number; maxMs: number; deadlineMs: number; longPollSeconds: number }

const TERMINAL = new Set(['FINISHED', 'FAILED', 'ABORTED']);

/** A statement that ended FAILED or ABORTED, with what DescribeStatement said of it. */
export class StatementFailed extends Error {
  constructor(readonly description: DescribeStatementResponse) {
    super(description.Error ?? `statement ${description.Id} ${description.Status}`);
  }
}

/**
 * The Redshift Data API calls this tool makes, and nothing else: submit, poll with backoff
 * up to a deadline, cancel, read results. Statements never appear in messages or logs.
 */
export class DataApi {
  constructor(private readonly client: RedshiftDataClient, private readonly target: DataApiTarget, private readonly poll: PollPolicy) {}

  private where() {
    const t = this.target;
    return {
      Database: t.database,
      ...(t.workgroupName ? { WorkgroupName: t.workgroupName } : { ClusterIdentifier: t.clusterIdentifier }),
      ...(t.secretArn ? { SecretArn: t.secretArn } : t.dbUser ? { DbUser: t.dbUser } : {}),
    };
  }

  async submitBatch(sqls: string[], parameters: SqlParameter[], name?: string): Promise<{ id: string; status?: string }> {
    const r = await this.call(() => this.client.send(new BatchExecuteStatementCommand({
      // No WaitTimeSeconds here: the id must be known (saved, cancellable) before any waiting.
      ...this.where(), Sqls: sqls, StatementName: name, ...(parameters.length ? { Parameters: parameters } : {}),
    })));
    return { id: r.Id!, status: r.Status };
  }

  async submit(sql: string, parameters: SqlParameter[], session?: { keepAliveSeconds?: number; id?: string }): Promise<{ id: string; sessionId?: string }> {
    const r = await this.call(() => this.client.send(new ExecuteStatementCommand({
      ...(session?.id ? { SessionId: session.id } : this.where()),
      Sql: sql, ...(parameters.length ? { Parameters: parameters } : {}),
      ...(session?.keepAliveSeconds ? { SessionKeepAliveSeconds: session.keepAliveSeconds } : {}),
    })));
    return { id: r.Id!, sessionId: r.SessionId };
  }

  /** `waitSeconds`: the server holds the answer until the statement ends or that long (a long poll). */
  async describe(id: string, waitSeconds = 0, signal?: AbortSignal): Promise<DescribeStatementResponse> {
    return this.call(() => this.client.send(new DescribeStatementCommand({ Id: id, ...(waitSeconds > 0 ? { WaitTimeSeconds: waitSeconds } : {}) }),
      signal ? { abortSignal: signal } : {}));
  }

  /**
   * Polls until the statement ends: FINISHED returns its description; FAILED or ABORTED
   * throws StatementFailed. Past the deadline, or when `signal` aborts (Ctrl-C), the
   * statement is cancelled on the server first, so nothing keeps running unseen.
   */
  async wait(id: string, signal?: AbortSignal): Promise<DescribeStatementResponse> {
    const deadline = Date.now() + this.poll.deadlineMs;
    let delay = this.poll.firstMs;
    for (;;) {
      // Long polls: a batch that ends within one is one DescribeStatement call.
      const waitSeconds = Math.max(0, Math.min(this.poll.longPollSeconds, Math.floor((deadline - Date.now()) / 1000)));
      const asked = Date.now();
      let d: DescribeStatementResponse | null = null;
      try {
        d = await this.describe(id, waitSeconds, signal);
      } catch (e) {
        if (!signal?.aborted) throw e;
      }
      if (d && TERMINAL.has(d.Status ?? '')) {
        if (d.Status === 'FINISHED') return d;
        throw new StatementFailed(d);
      }
      if (signal?.aborted || Date.now() >= deadline) {
        await this.cancel(id);
        throw signal?.aborted
          ? new ServiceError('statement-cancelled', `the warehouse statement ${id} was cancelled (interrupted)`)
          : new ServiceError('statement-timeout', `the warehouse statement ${id} ran past ${Math.round(this.poll.deadlineMs / 1000)} s and was cancelled`,
            { hint: 'warehouse.statementTimeoutSeconds sets the limit' });
      }
      // An answer that came back at once (no long poll there) waits with backoff before the next.
      if (Date.now() - asked < 1000) {
        await sleep(Math.min(delay, Math.max(0, deadline - Date.now())), signal);
        delay = Math.min(this.poll.maxMs, Math.round(delay * 1.6));
      }
    }
  }

  async cancel(id: string): Promise<void> {
    try {
      await this.client.send(new CancelStatementCommand({ Id: id }));
    } catch {
      // It may have ended meanwhile; the caller reports what it was waiting for.
    }
  }

  /** All rows of a finished statement, page by page. */
  async results<T>(id: string): Promise<QueryResult<T>> {
    const rows: T[] = [];
    let fields: string[] = [];
    let token: string | undefined;
    do {
      const r = await this.call(() => this.client.send(new GetStatementResultCommand({ Id: id, NextToken: token })));
      fields = (r.ColumnMetadata ?? []).map((c) => c.name ?? c.label ?? '');
      for (const rec of r.Records ?? []) {
        const row: Record<string, unknown> = {};
        rec.forEach((f, i) => { row[fields[i]] = fieldValue(f); });
        rows.push(row as T);
      }
      token = r.NextToken;
    } while (token);
    return { rows, fields };
  }

  /** SDK errors (network, access, throttling after the SDK's own retries) as service errors. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const err = e as { name?: string; message?: string };
      throw new ServiceError('warehouse-unreachable', `the Redshift Data API refused the request: ${err.name ?? 'Error'}: ${err.message ?? ''}`.trim(), {
        hint: 'check warehouse.clusterIdentifier/workgroupName, database, dbUser/secretArn, the region and the AWS credentials', cause: e,
      });
    }
  }
}

function fieldValue(f: Field): unknown {
  if (f.isNull) return null;
  if (f.longValue !== undefined) return f.longValue;
  if (f.doubleValue !== undefined) return f.doubleValue;
  if (f.booleanValue !== undefined) return f.booleanValue;
  if (f.stringValue !== undefined) return f.stringValue;
  if (f.blobValue !== undefined) return Buffer.from(f.blobValue);
  return null;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}
