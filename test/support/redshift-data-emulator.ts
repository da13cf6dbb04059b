/**
 * An emulator of the Amazon Redshift Data API for tests: an HTTP server on 127.0.0.1 that
 * speaks the Data API's wire protocol (awsJson1_1: `POST /`, `X-Amz-Target:
 * RedshiftData.<Operation>`; signatures are not checked), so the real
 * `@aws-sdk/client-redshift-data` talks to it unchanged. The SQL runs on a real PostgreSQL
 * server, asynchronously, the way the Data API runs it: a statement is SUBMITTED, runs on its
 * own connection (or on a session's), and is polled with DescribeStatement.
 *
 * It is strict, always: SQL that PostgreSQL runs but Redshift refuses FAILS with Redshift's
 * kind of message before PostgreSQL sees it (redshift-emulator/strict.ts: ON CONFLICT,
 * RETURNING, CREATE INDEX, SERIAL and other missing types, JSON and array functions, VALUES
 * as a table, generate_series with a table, outer joins in UPDATE … FROM, LATERAL, …);
 * CREATE TABLE is stored as Redshift would (redshift-emulator/ddl.ts: distribution and sort
 * keys checked, PRIMARY KEY / UNIQUE / REFERENCES declared but not enforced, VARCHAR(n) and
 * CHAR(n) counted in UTF-8 bytes); statements over 100 KB and empty parameter values are
 * ValidationExceptions, as in the real API. Every transaction is SERIALIZABLE (batches and
 * single statements alike), and PostgreSQL's serialization failure reads as Redshift's
 * `ERROR: 1023`.
 *
 * Beyond that, only what PostgreSQL lacks is rewritten: `COPY … FROM 's3://…'` (read from the
 * test S3 server and streamed through COPY FROM STDIN; a bad row is recorded in
 * sys_load_error_detail and stl_load_errors, raw value included, as Redshift does) and the
 * functions sha2() and getdate(). Everything else reaches PostgreSQL as written, so SQL that
 * PostgreSQL rejects FAILS with PostgreSQL's message.
 *
 * Not emulated: the Database field (every statement runs in the database of postgresUrl),
 * authentication and IAM, result retention (results stay until stop()), GetStatementResultV2
 * (CSV results), the metadata operations (ListDatabases, DescribeTable …), EventBridge
 * events, Redshift's planner and performance (no plan, no slices, no statistics), TRUNCATE's
 * implicit commit inside a transaction (Redshift commits there; here it rolls back with the
 * batch), and Redshift SQL beyond the rewrites above (SYSDATE, UNLOAD, SUPER, …). COPY reads
 * CSV and Redshift's pipe-delimited text only; MAXERROR, BLANKSASNULL, TRUNCATECOLUMNS,
 * DATEFORMAT and TIMEFORMAT are accepted but do nothing (PostgreSQL parses dates itself).
 *
 * The emulator never logs: SQL and the data it moves may be personal data.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { S3Client, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { splitSql, tokenize, type Token } from './redshift-emulator/sql-text.js';
import { redshiftRefusal } from './redshift-emulator/strict.js';
import { rewriteRedshiftDdl, byteLimitOf } from './redshift-emulator/ddl.js';
import { rawRecord, fieldOf } from './redshift-emulator/load-errors.js';

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

export interface RedshiftEmulator {
  /** http://127.0.0.1:PORT, for `new RedshiftDataClient({ endpoint })`. */
  endpoint: string;
  /** HTTP requests per operation name (every request, failed ones and SDK retries too). */
  calls: Record<string, number>;
  /**
   * Hooks run on each statement's SQL (as sent) just before it runs: a hook that returns a
   * message makes that statement FAIL with it (prefixed `ERROR: ` unless it already is).
   */
  failOn: Array<(sql: string) => string | undefined>;
  /** Artificial run time of every statement, in ms, so STARTED, polling and cancel are observable. */
  delayMs: number;
  /**
   * Every distinct SQL text a statement started to run (as sent, with its `:name`
   * parameters), so a test can see which statements went through the strict checks. A test
   * may clear() it.
   */
  statements: Set<string>;
  /** The SQL texts of every ExecuteStatement / BatchExecuteStatement accepted, in order: which statements travelled together. */
  batches: string[][];
  /** Closes the server and ends every PostgreSQL connection; stops running statements first. */
  stop(): Promise<void>;
}

export interface RedshiftEmulatorOptions {
  /** PostgreSQL to run the SQL on (with its password, or PGPASSWORD set). */
  postgresUrl: string;
  /** The S3 server that `COPY … FROM 's3://…'` reads from. */
  s3: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** SUBMITTED/PICKED/STARTED statements allowed at once (default 500); past it, ActiveStatementsExceededException. */
  maxActiveStatements?: number;
}

export async function startRedshiftDataEmulator(opts: RedshiftEmulatorOptions): Promise<RedshiftEmulator> {
  const admin = await openConnection(opts.postgresUrl);
  let typeNames: Map<number, string>;
  try {
    await installShims(admin.client);
    typeNames = await loadTypeNames(admin.client);
  } catch (e) {
    await closeConnection(admin);
    throw e;
  }
  const api = new DataApi(opts, admin, typeNames);
  const server = createServer((req, res) => { api.handle(req, res).catch(() => res.destroy()); });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (e) {
    await api.shutdown();
    throw e;
  }
  const port = (server.address() as { port: number }).port;
  const emulator: RedshiftEmulator = {
    endpoint: `http://127.0.0.1:${port}`,
    calls: api.calls,
    failOn: api.failOn,
    statements: api.sqlTexts,
    batches: api.batches,
    get delayMs() { return api.delayMs; },
    set delayMs(ms: number) { api.delayMs = ms; },
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await api.shutdown();
      await closed;
    },
  };
  return emulator;
}

// ---------------------------------------------------------------------------------------
// Limits and wording of the Data API
// ---------------------------------------------------------------------------------------

const MAX_BATCH_SQLS = 40;
/** The Data API refuses a query string over 100 KB (a ValidationException, before it runs). */
const MAX_SQL_BYTES = 100 * 1024;
const RESULT_PAGE_ROWS = 1000;
const MAX_LIST_RESULTS = 100;
const MAX_WAIT_SECONDS = 30;
const MAX_KEEP_ALIVE_SECONDS = 86_400;
const DEFAULT_MAX_ACTIVE_STATEMENTS = 500;
const STATEMENT_ID = /^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\d+)?$/;
const NO_RESULT = 'Query does not have result. Please check query status with DescribeStatement.';

type Status = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'FAILED' | 'ABORTED';
const TERMINAL: ReadonlySet<Status> = new Set(['FINISHED', 'FAILED', 'ABORTED']);
const ALL_STATUSES = ['SUBMITTED', 'PICKED', 'STARTED', 'FINISHED', 'FAILED', 'ABORTED', 'ALL'];

/** An error answered as the Data API does: HTTP 400 (500 for server faults) and `__type`. */
class ApiError extends Error {
  constructor(readonly type: string, message: string, readonly extra: Record<string, unknown> = {}, readonly status = 400) {
    super(message);
  }
}
const validation = (message: string) => new ApiError('ValidationException', message);
const notFound = (message: string, id: string) => new ApiError('ResourceNotFoundException', message, { ResourceId: id });

/** A statement ended by its SQL: FAILED, with Redshift's `ERROR: …` text. */
class SqlFailure extends Error {}
/** A statement stopped by CancelStatement (or by stop()): ABORTED. */
class Cancelled extends Error {}

// ---------------------------------------------------------------------------------------
// Statements, sessions, connections
// ---------------------------------------------------------------------------------------

interface Target { Database?: string; ClusterIdentifier?: string; WorkgroupName?: string; DbUser?: string; SecretArn?: string }
interface SqlParameter { name: string; value: string }
interface Field { isNull?: boolean; longValue?: number; doubleValue?: number; booleanValue?: boolean; stringValue?: string }
interface ColumnMetadata { [key: string]: string | number | boolean }
interface StoredResult { columns: ColumnMetadata[]; records: Field[][] }

interface SubStatement {
  id: string;
  sql: string;
  /** The SQL with `:name` parameters bound as `$n`, and their values. */
  bound: { text: string; values: string[] };
  status: Status;
  error?: string;
  hasResultSet: boolean;
  resultRows: number;
  resultSize: number;
  queryId: number;
  createdAt: Date;
  updatedAt: Date;
  startNs?: bigint;
  startedAt?: Date;
  durationNs: number;
  result?: StoredResult;
}

interface Statement {
  id: string;
  name?: string;
  isBatch: boolean;
  autoCommit: boolean;
  subs: SubStatement[];
  parameters?: SqlParameter[];
  target: Target;
  session?: Session;
  status: Status;
  error?: string;
  createdAt: Date;
  updatedAt: Date;
  startNs?: bigint;
  durationNs: number;
  pid?: number;
  cancelRequested: boolean;
  /** Aborts the artificial delay and S3 reads of a cancelled statement. */
  abort: AbortController;
  /** A failure of the statement itself rather than of one of its SQL statements (COMMIT). */
  failure?: SqlFailure | Cancelled;
  /** Set once the runner runs no more SQL for this statement: cancel stops signalling then. */
  stopped: boolean;
  interrupter?: Promise<void>;
  done: Promise<void>;
  resolveDone: () => void;
}

interface PgConn {
  client: pg.Client;
  pid: number;
  /** The transaction status of the last ReadyForQuery: I (idle), T (in a transaction), E (failed transaction). */
  txStatus: string;
  ended: boolean;
}

interface Session {
  id: string;
  target: Target;
  keepAliveSeconds: number;
  busy: boolean;
  closed: boolean;
  conn?: Promise<PgConn>;
  timer?: NodeJS.Timeout;
}

/** Every value as PostgreSQL's text, converted to Data API fields by column type below. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

async function openConnection(url: string): Promise<PgConn> {
  const client = new pg.Client({ connectionString: url, application_name: 'redshift-data-emulator', connectionTimeoutMillis: 10_000 });
  const conn: PgConn = { client, pid: 0, txStatus: 'I', ended: false };
  // A dropped connection fails the statement that uses it; the emulator has nothing to log.
  client.on('error', () => { conn.ended = true; });
  client.on('end', () => { conn.ended = true; });
  client.connection.on('readyForQuery', (msg: { status: string }) => { conn.txStatus = msg.status; });
  try {
    await client.connect();
    // Redshift sessions run in UTC unless told otherwise; timestamps read back as Redshift shows them.
    // Every transaction is serializable on Redshift, a single statement's (autocommit) too.
    const r = await client.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid, set_config('TimeZone', 'UTC', false),
      set_config('default_transaction_isolation', 'serializable', false)`);
    conn.pid = r.rows[0].pid;
    return conn;
  } catch (e) {
    await closeConnection(conn);
    throw e;
  }
}

async function closeConnection(conn: PgConn): Promise<void> {
  conn.ended = true;
  await conn.client.end().catch(() => {});
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(new Cancelled()); return; }
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(new Cancelled()); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const epochSeconds = (d: Date) => d.getTime() / 1000;
const elapsedNs = (start: bigint | undefined) => (start === undefined ? 0 : Number(process.hrtime.bigint() - start));

// ---------------------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------------------

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

class DataApi {
  readonly calls: Record<string, number> = {};
  readonly failOn: Array<(sql: string) => string | undefined> = [];
  readonly sqlTexts = new Set<string>();
  readonly batches: string[][] = [];
  delayMs = 0;

  private readonly statements = new Map<string, Statement>();
  private readonly sessions = new Map<string, Session>();
  private readonly connections = new Set<PgConn>();
  private readonly runs = new Set<Promise<void>>();
  private readonly idempotent = new Map<string, Output>();
  private readonly s3: S3Client;
  private readonly maxActive: number;
  private nextQueryId = 1000;
  private shuttingDown = false;

  private readonly operations: Record<string, (input: Input) => Promise<Output>> = {
    ExecuteStatement: (i) => this.executeStatement(i),
    BatchExecuteStatement: (i) => this.batchExecuteStatement(i),
    DescribeStatement: (i) => this.describeStatement(i),
    GetStatementResult: (i) => this.getStatementResult(i),
    CancelStatement: (i) => this.cancelStatement(i),
    ListStatements: (i) => this.listStatements(i),
  };

  constructor(private readonly opts: RedshiftEmulatorOptions, private readonly admin: PgConn, private readonly typeNames: Map<number, string>) {
    this.s3 = new S3Client({ endpoint: opts.s3.endpoint, region: opts.s3.region, credentials: opts.s3.credentials, forcePathStyle: true });
    this.maxActive = opts.maxActiveStatements ?? DEFAULT_MAX_ACTIVE_STATEMENTS;
  }

  // --- HTTP -------------------------------------------------------------------------

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('RedshiftData.') ? target.slice('RedshiftData.'.length) : target;
    this.calls[op] = (this.calls[op] ?? 0) + 1;
    try {
      const input = await readJson(req);
      const operation = this.operations[op];
      if (req.method !== 'POST' || !operation) throw new ApiError('UnknownOperationException', `The emulator does not support the operation '${op}'`);
      reply(res, 200, await operation(input));
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError('InternalServerException', (e as Error).message, {}, 500);
      // Both spellings of the message: the SDK reads `message`, the error shapes have `Message`.
      reply(res, err.status, { __type: err.type, message: err.message, Message: err.message, ...err.extra }, err.type);
    }
  }

  // --- ExecuteStatement / BatchExecuteStatement ---------------------------------------

  private async executeStatement(input: Input): Promise<Output> {
    const sql = requireSql(input.Sql, 'sql');
    const params = parameterMap(input.Parameters);
    const bound = bindNamedParameters(sql, params);
    for (const name of params.keys()) {
      if (!bound.used.has(name)) throw validation(`The parameter '${name}' is not used in the SQL statement`);
    }
    return this.submit(input, [{ sql, bound }], false);
  }

  private async batchExecuteStatement(input: Input): Promise<Output> {
    const sqls = input.Sqls;
    if (!Array.isArray(sqls) || sqls.length < 1 || sqls.length > MAX_BATCH_SQLS) {
      throw validation(`1 validation error detected: Value at 'sqls' failed to satisfy constraint: Member must have length less than or equal to ${MAX_BATCH_SQLS} and greater than or equal to 1`);
    }
    // The current Data API takes Parameters on batches too: each one must be used by some statement.
    const params = parameterMap(input.Parameters);
    const used = new Set<string>();
    const subs = sqls.map((s) => {
      const sql = requireSql(s, 'sqls');
      const bound = bindNamedParameters(sql, params);
      for (const name of bound.used) used.add(name);
      return { sql, bound };
    });
    for (const name of params.keys()) {
      if (!used.has(name)) throw validation(`The parameter '${name}' is not used in any SQL statement of the batch`);
    }
    if (input.ExecutionMode !== undefined && input.ExecutionMode !== 'TRANSACTION' && input.ExecutionMode !== 'AUTO_COMMIT') {
      throw validation(`ExecutionMode must be TRANSACTION or AUTO_COMMIT`);
    }
    return this.submit(input, subs, true);
  }

  /** Validates the connection fields, creates the statement and starts it; answers at once. */
  private async submit(input: Input, sqls: Array<{ sql: string; bound: { text: string; values: string[] } }>, isBatch: boolean): Promise<Output> {
    const token = optionalString(input.ClientToken, 'clientToken');
    const replay = token !== undefined ? this.idempotent.get(token) : undefined;
    if (replay) return replay; // the SDK resends a request's token when it retries it
    const name = optionalString(input.StatementName, 'statementName');
    const waitSeconds = waitTime(input.WaitTimeSeconds);
    const active = [...this.statements.values()].filter((s) => !TERMINAL.has(s.status)).length;
    if (active >= this.maxActive) {
      throw new ApiError('ActiveStatementsExceededException', `Active statements exceeded the allowed quota (${this.maxActive}).`);
    }
    // Last, as it claims the session: nothing may fail after it.
    const session = this.sessionFor(input);
    const target = session ? session.target : connectionTarget(input);
    const stmt = this.createStatement(input, name, sqls, isBatch, target, session);
    this.batches.push(sqls.map((s) => s.sql));
    const run = this.run(stmt);
    this.runs.add(run);
    void run.finally(() => this.runs.delete(run));
    if (waitSeconds > 0) await waitFor(stmt, waitSeconds);
    const out: Output = {
      Id: stmt.id,
      CreatedAt: epochSeconds(stmt.createdAt),
      ...target,
      ...(session ? { SessionId: session.id } : {}),
      ...(waitSeconds > 0 ? { Status: stmt.status, HasResultSet: stmt.subs.some((s) => s.hasResultSet) } : {}),
    };
    if (token !== undefined) this.idempotent.set(token, out);
    return out;
  }

  private createStatement(input: Input, name: string | undefined, sqls: Array<{ sql: string; bound: { text: string; values: string[] } }>, isBatch: boolean, target: Target, session?: Session): Statement {
    const id = randomUUID();
    const now = new Date();
    let resolveDone = () => {};
    const done = new Promise<void>((r) => { resolveDone = r; });
    const stmt: Statement = {
      id,
      name,
      isBatch,
      autoCommit: input.ExecutionMode === 'AUTO_COMMIT',
      subs: sqls.map(({ sql, bound }, i) => ({
        id: `${id}:${i + 1}`, sql, bound, status: 'SUBMITTED', hasResultSet: false, resultRows: -1, resultSize: -1,
        queryId: this.nextQueryId++, createdAt: now, updatedAt: now, durationNs: -1,
      })),
      parameters: Array.isArray(input.Parameters) ? (input.Parameters as SqlParameter[]) : undefined,
      target, session, status: 'SUBMITTED', createdAt: now, updatedAt: now, durationNs: -1,
      cancelRequested: false, abort: new AbortController(), stopped: false, done, resolveDone,
    };
    this.statements.set(id, stmt);
    return stmt;
  }

  // --- Sessions -----------------------------------------------------------------------

  /** The session a call runs on: the one it names, a new one (SessionKeepAliveSeconds), or none. */
  private sessionFor(input: Input): Session | undefined {
    const keepAlive = input.SessionKeepAliveSeconds;
    if (keepAlive !== undefined && (typeof keepAlive !== 'number' || !Number.isInteger(keepAlive) || keepAlive < 0 || keepAlive > MAX_KEEP_ALIVE_SECONDS)) {
      throw validation(`SessionKeepAliveSeconds must be an integer from 0 to ${MAX_KEEP_ALIVE_SECONDS}`);
    }
    const sessionId = optionalString(input.SessionId, 'sessionId');
    if (sessionId !== undefined) {
      // The connection fields are the session's: they are not required, and are not checked.
      const session = this.sessions.get(sessionId);
      if (!session) throw validation(`Session with Id: ${sessionId} is invalid`);
      if (session.closed || session.busy) throw validation('Session is not available');
      if (typeof keepAlive === 'number' && keepAlive > 0) session.keepAliveSeconds = keepAlive;
      this.claimSession(session);
      return session;
    }
    if (typeof keepAlive !== 'number' || keepAlive === 0) return undefined;
    const session: Session = { id: randomUUID(), target: connectionTarget(input), keepAliveSeconds: keepAlive, busy: false, closed: false };
    this.sessions.set(session.id, session);
    this.claimSession(session);
    return session;
  }

  private claimSession(session: Session): void {
    session.busy = true;
    clearTimeout(session.timer);
  }

  /** Frees a session for its next statement; it closes when left idle for its keep-alive time. */
  private releaseSession(session: Session | undefined): void {
    if (!session || session.closed) return;
    session.busy = false;
    session.timer = setTimeout(() => { void this.closeSession(session); }, session.keepAliveSeconds * 1000);
    session.timer.unref();
  }

  private async closeSession(session: Session): Promise<void> {
    session.closed = true;
    clearTimeout(session.timer);
    const conn = await session.conn?.catch(() => undefined);
    if (conn) await this.release(conn);
  }

  private async sessionConnection(session: Session): Promise<PgConn> {
    session.conn ??= this.connect();
    const conn = await session.conn.catch((e: unknown) => { session.closed = true; throw e; });
    if (conn.ended) { session.closed = true; throw new SqlFailure('ERROR: Session is not available'); }
    return conn;
  }

  private async connect(): Promise<PgConn> {
    const conn = await openConnection(this.opts.postgresUrl);
    this.connections.add(conn);
    return conn;
  }

  private async release(conn: PgConn): Promise<void> {
    this.connections.delete(conn);
    await closeConnection(conn);
  }

  // --- Running ------------------------------------------------------------------------

  /**
   * Runs a statement on its session's connection or on a fresh one of its own (a call without
   * a session sees none of another call's temporary tables, as on Redshift). The statement
   * ends (FINISHED/FAILED/ABORTED) only once its connection is closed or its session is free
   * again, so a client that saw it end can use the session at once.
   */
  private async run(stmt: Statement): Promise<void> {
    let conn: PgConn | undefined;
    try {
      conn = stmt.session ? await this.sessionConnection(stmt.session) : await this.connect();
      if (stmt.cancelRequested) throw new Cancelled();
      stmt.pid = conn.pid;
      this.setStatus(stmt, 'PICKED');
      if (stmt.isBatch && !stmt.autoCommit) await this.runTransaction(stmt, conn);
      else await this.runEach(stmt, conn);
    } catch (e) {
      // Failed before its SQL ran: no connection, a failed BEGIN, or cancelled while waiting.
      this.endRemaining(stmt, stmt.subs.findIndex((s) => !TERMINAL.has(s.status)), classify(e, stmt));
    } finally {
      await this.stopInterrupting(stmt);
      if (conn && !stmt.session) await this.release(conn);
      this.releaseSession(stmt.session);
      this.finish(stmt);
      stmt.resolveDone();
    }
  }

  /** A batch (the default mode): one transaction; the first failure rolls everything back. */
  private async runTransaction(stmt: Statement, conn: PgConn): Promise<void> {
    await conn.client.query('BEGIN ISOLATION LEVEL SERIALIZABLE'); // Redshift runs every transaction serializable
    for (let i = 0; i < stmt.subs.length; i++) {
      try {
        await this.runSub(stmt, stmt.subs[i], conn);
      } catch (e) {
        await this.stopInterrupting(stmt); // a cancel must not hit the ROLLBACK
        this.endRemaining(stmt, i, classify(e, stmt));
        await conn.client.query('ROLLBACK').catch(() => {});
        return;
      }
    }
    try {
      if (stmt.cancelRequested) throw new Cancelled();
      await conn.client.query('COMMIT');
    } catch (e) {
      await this.stopInterrupting(stmt);
      await conn.client.query('ROLLBACK').catch(() => {});
      stmt.failure = classify(e, stmt);
    }
  }

  /** A single statement, or a batch in AUTO_COMMIT mode: a failure stops only its own statement. */
  private async runEach(stmt: Statement, conn: PgConn): Promise<void> {
    for (let i = 0; i < stmt.subs.length; i++) {
      try {
        await this.runSub(stmt, stmt.subs[i], conn);
      } catch (e) {
        const failure = classify(e, stmt);
        if (failure instanceof Cancelled) { this.endRemaining(stmt, i, failure); return; }
        this.settleSub(stmt, stmt.subs[i], 'FAILED', failure.message);
      }
    }
  }

  private async runSub(stmt: Statement, sub: SubStatement, conn: PgConn): Promise<void> {
    if (stmt.cancelRequested) throw new Cancelled();
    this.startSub(stmt, sub);
    if (this.delayMs > 0) await sleep(this.delayMs, stmt.abort.signal);
    const hooked = this.hookError(sub.sql);
    if (hooked) throw new SqlFailure(hooked);
    this.sqlTexts.add(sub.sql);
    const refused = redshiftRefusal(sub.bound.text);
    if (refused) throw new SqlFailure(refused);
    const copy = parseCopyFromS3(sub.bound.text);
    if (copy) {
      const rows = await this.copyFromS3(stmt, sub, conn, copy);
      Object.assign(sub, { hasResultSet: false, resultRows: rows, resultSize: 0 });
    } else {
      const ddl = rewriteRedshiftDdl(sub.bound.text);
      if (ddl.error !== undefined) throw new SqlFailure(ddl.error);
      const r = await runSql(conn, ddl.text, sub.bound.values).catch((e: unknown) => { throw tooLong(e) ?? e; });
      await this.storeResult(sub, r);
    }
    this.settleSub(stmt, sub, 'FINISHED');
  }

  private hookError(sql: string): string | undefined {
    for (const hook of this.failOn) {
      const message = hook(sql);
      if (message) return /^ERROR/.test(message) ? message : `ERROR: ${message}`;
    }
    return undefined;
  }

  private async storeResult(sub: SubStatement, r: pg.QueryArrayResult): Promise<void> {
    sub.hasResultSet = r.fields.length > 0;
    if (!sub.hasResultSet) {
      sub.resultRows = r.rowCount ?? -1;
      sub.resultSize = 0;
      return;
    }
    await this.resolveTypeNames(r.fields.map((f) => f.dataTypeID));
    sub.result = {
      columns: r.fields.map((f) => columnMetadata(f, this.typeNames.get(f.dataTypeID) ?? 'unknown')),
      records: r.rows.map((row) => row.map((v, i) => toField(v as string | null, r.fields[i].dataTypeID))),
    };
    sub.resultRows = r.rows.length;
    sub.resultSize = r.rows.reduce((n, row) => n + row.reduce((m: number, v) => m + (v === null ? 0 : Buffer.byteLength(String(v))), 0), 0);
  }

  /** Types created after startup (enums, domains) are looked up when a result first shows them. */
  private async resolveTypeNames(oids: number[]): Promise<void> {
    const missing = [...new Set(oids)].filter((o) => !this.typeNames.has(o));
    if (missing.length === 0) return;
    const r = await this.admin.client.query<{ oid: number; typname: string }>('SELECT oid::int AS oid, typname FROM pg_type WHERE oid = ANY($1)', [missing]);
    for (const row of r.rows) this.typeNames.set(row.oid, row.typname);
  }

  // --- Statement states ---------------------------------------------------------------

  private setStatus(stmt: Statement, status: Status): void {
    stmt.status = status;
    stmt.updatedAt = new Date();
    if (TERMINAL.has(status)) stmt.durationNs = elapsedNs(stmt.startNs);
    if (!stmt.isBatch) Object.assign(stmt.subs[0], { status, updatedAt: stmt.updatedAt });
  }

  private startSub(stmt: Statement, sub: SubStatement): void {
    sub.startNs = process.hrtime.bigint();
    sub.startedAt = new Date();
    stmt.startNs ??= sub.startNs;
    sub.status = 'STARTED';
    sub.updatedAt = sub.startedAt;
    if (stmt.status !== 'STARTED') this.setStatus(stmt, 'STARTED');
  }

  private settleSub(stmt: Statement, sub: SubStatement, status: Status, error?: string): void {
    sub.status = status;
    sub.error = error;
    sub.updatedAt = new Date();
    sub.durationNs = elapsedNs(sub.startNs);
    stmt.updatedAt = sub.updatedAt;
  }

  /** Sub-statement `from` ended by `failure`; the ones after it never ran (ABORTED). */
  private endRemaining(stmt: Statement, from: number, failure: SqlFailure | Cancelled): void {
    if (from < 0) return;
    const first = stmt.subs[from];
    if (first) this.settleSub(stmt, first, failure instanceof Cancelled ? 'ABORTED' : 'FAILED', failure instanceof SqlFailure ? failure.message : undefined);
    for (const sub of stmt.subs.slice(from + 1)) this.settleSub(stmt, sub, 'ABORTED');
  }

  /**
   * The statement's end from its sub-statements': ABORTED if cancelled, else FAILED with the
   * first error (a batch's as `Query #n failed with …`), else FINISHED; or its own failure (COMMIT).
   */
  private finish(stmt: Statement): void {
    if (stmt.failure) {
      stmt.error = stmt.failure instanceof SqlFailure ? stmt.failure.message : undefined;
      this.setStatus(stmt, stmt.failure instanceof Cancelled ? 'ABORTED' : 'FAILED');
      return;
    }
    const failedAt = stmt.subs.findIndex((s) => s.status === 'FAILED');
    const aborted = stmt.subs.some((s) => s.status === 'ABORTED') && (failedAt < 0 || stmt.cancelRequested);
    if (failedAt >= 0 && !aborted) {
      const message = stmt.subs[failedAt].error ?? 'ERROR';
      stmt.error = stmt.isBatch ? `Query #${failedAt + 1} failed with ${message}` : message;
    }
    this.setStatus(stmt, aborted ? 'ABORTED' : failedAt >= 0 ? 'FAILED' : 'FINISHED');
  }

  // --- Cancel ---------------------------------------------------------------------------

  private async cancelStatement(input: Input): Promise<Output> {
    const { stmt } = this.lookup(input.Id);
    if (TERMINAL.has(stmt.status)) throw validation(`Could not cancel a query that is already in ${stmt.status} state.`);
    this.requestCancel(stmt);
    return { Status: true };
  }

  private requestCancel(stmt: Statement): void {
    if (stmt.cancelRequested || stmt.stopped) return;
    stmt.cancelRequested = true;
    stmt.abort.abort();
    stmt.interrupter = this.interrupt(stmt);
  }

  /**
   * pg_cancel_backend on the statement's connection until the runner stops: PostgreSQL
   * ignores a cancel that reaches an idle backend, and the runner may be just between two
   * queries, so one signal is not enough.
   */
  private async interrupt(stmt: Statement): Promise<void> {
    while (!stmt.stopped) {
      if (stmt.pid) await this.admin.client.query('SELECT pg_cancel_backend($1)', [stmt.pid]).catch(() => {});
      await sleep(25);
    }
  }

  private async stopInterrupting(stmt: Statement): Promise<void> {
    stmt.stopped = true;
    await stmt.interrupter;
  }

  // --- Describe / results / list --------------------------------------------------------

  private lookup(id: unknown): { stmt: Statement; sub?: SubStatement } {
    if (typeof id !== 'string' || !STATEMENT_ID.test(id)) {
      throw validation(`1 validation error detected: Value at 'id' failed to satisfy constraint: Member must satisfy regular expression pattern: ${STATEMENT_ID.source}`);
    }
    const [parentId, n] = id.split(':');
    const stmt = this.statements.get(parentId);
    if (!stmt) throw notFound('Query does not exist.', id);
    if (n === undefined) return { stmt };
    const sub = stmt.isBatch ? stmt.subs[Number(n) - 1] : undefined;
    if (!sub) throw notFound('Query does not exist.', id);
    return { stmt, sub };
  }

  private async describeStatement(input: Input): Promise<Output> {
    const { stmt, sub } = this.lookup(input.Id);
    await waitFor(stmt, waitTime(input.WaitTimeSeconds));
    const common: Output = {
      ...stmt.target,
      ...(stmt.session ? { SessionId: stmt.session.id } : {}),
      ...(stmt.pid ? { RedshiftPid: stmt.pid } : {}),
    };
    if (sub) return { ...common, ...describeSub(sub) };
    if (!stmt.isBatch) {
      // The statement's own status: it ends only after its connection is released (see run).
      const { Error: _subError, ...single } = describeSub(stmt.subs[0]);
      return {
        ...common,
        ...single,
        Id: stmt.id,
        Status: stmt.status,
        ...(stmt.error !== undefined ? { Error: stmt.error } : {}),
        Duration: TERMINAL.has(stmt.status) ? stmt.durationNs : -1,
        ...(stmt.parameters ? { QueryParameters: stmt.parameters } : {}),
      };
    }
    const ran = stmt.subs.filter((s) => s.resultRows >= 0);
    return {
      ...common,
      Id: stmt.id,
      Status: stmt.status,
      ...(stmt.error !== undefined ? { Error: stmt.error } : {}),
      HasResultSet: stmt.subs.some((s) => s.hasResultSet),
      ResultRows: ran.length ? ran.reduce((n, s) => n + s.resultRows, 0) : -1,
      ResultSize: ran.length ? ran.reduce((n, s) => n + Math.max(0, s.resultSize), 0) : -1,
      RedshiftQueryId: [...stmt.subs].reverse().find((s) => s.startNs !== undefined)?.queryId ?? 0,
      CreatedAt: epochSeconds(stmt.createdAt),
      UpdatedAt: epochSeconds(stmt.updatedAt),
      Duration: TERMINAL.has(stmt.status) ? stmt.durationNs : -1,
      ...(stmt.parameters ? { QueryParameters: stmt.parameters } : {}),
      ExecutionMode: stmt.autoCommit ? 'AUTO_COMMIT' : 'TRANSACTION',
      SubStatements: stmt.subs.map(describeSub),
    };
  }

  private async getStatementResult(input: Input): Promise<Output> {
    const { stmt, sub } = this.lookup(input.Id);
    await waitFor(stmt, waitTime(input.WaitTimeSeconds));
    // A batch's results are read per sub-statement (`<Id>:<n>`).
    const s = sub ?? (stmt.isBatch ? undefined : stmt.subs[0]);
    if (!s || s.status !== 'FINISHED' || !s.result) throw notFound(NO_RESULT, String(input.Id));
    const offset = decodeToken(input.NextToken, s.id);
    const records = s.result.records.slice(offset, offset + RESULT_PAGE_ROWS);
    const next = offset + records.length;
    return {
      Records: records,
      ColumnMetadata: s.result.columns,
      TotalNumRows: s.result.records.length,
      ...(next < s.result.records.length ? { NextToken: encodeToken(s.id, next) } : {}),
    };
  }

  private async listStatements(input: Input): Promise<Output> {
    const max = input.MaxResults ?? MAX_LIST_RESULTS;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 0 || max > MAX_LIST_RESULTS) {
      throw validation(`MaxResults must be an integer from 0 to ${MAX_LIST_RESULTS}`);
    }
    const status = optionalString(input.Status, 'status') ?? 'ALL';
    if (!ALL_STATUSES.includes(status)) throw validation(`Status must be one of ${ALL_STATUSES.join(', ')}`);
    const prefix = optionalString(input.StatementName, 'statementName');
    const matching = [...this.statements.values()]
      .filter((s) => (status === 'ALL' || s.status === status) && (prefix === undefined || (s.name ?? '').startsWith(prefix)))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const offset = decodeToken(input.NextToken, 'ListStatements');
    const page = matching.slice(offset, offset + (max || MAX_LIST_RESULTS));
    const next = offset + page.length;
    return {
      Statements: page.map((s) => ({
        Id: s.id,
        Status: s.status,
        ...(s.name !== undefined ? { StatementName: s.name } : {}),
        ...(s.isBatch ? { QueryStrings: s.subs.map((x) => x.sql) } : { QueryString: s.subs[0].sql }),
        CreatedAt: epochSeconds(s.createdAt),
        UpdatedAt: epochSeconds(s.updatedAt),
        IsBatchStatement: s.isBatch,
        ...(s.parameters ? { QueryParameters: s.parameters } : {}),
        ...(s.target.SecretArn ? { SecretArn: s.target.SecretArn } : {}),
        ...(s.session ? { SessionId: s.session.id } : {}),
      })),
      ...(next < matching.length ? { NextToken: encodeToken('ListStatements', next) } : {}),
    };
  }

  // --- COPY from S3 ------------------------------------------------------------------

  /**
   * Redshift's COPY from S3: the files (a manifest's entries, or every object under a prefix)
   * are read from the test S3 server and streamed one by one into COPY FROM STDIN on the
   * statement's connection, in one transaction (the batch's, or one of its own). A bad row
   * fails the whole COPY and is recorded in sys_load_error_detail, which outlives the rollback.
   */
  private async copyFromS3(stmt: Statement, sub: SubStatement, conn: PgConn, copy: CopyCommand): Promise<number> {
    if (!copy.hasCredentials) {
      throw new SqlFailure(`ERROR: Invalid credentials. Must be of the format: credentials 'aws_iam_role=...' or 'aws_access_key_id=...;aws_secret_access_key=...[;token=...]'`);
    }
    const files = copy.manifest ? await this.manifestEntries(copy.source, stmt.abort.signal) : await this.prefixObjects(copy.source, stmt.abort.signal);
    const columns = await targetColumns(conn.client, copy);
    const sql = pgCopySql(copy, columns);
    const ownTransaction = conn.txStatus === 'I';
    if (ownTransaction) await conn.client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    try {
      let rows = 0;
      for (const file of files) rows += await this.copyFile(stmt, sub, conn, copy, sql, file, columns.map((c) => c.name));
      if (ownTransaction) await conn.client.query('COMMIT');
      return rows;
    } catch (e) {
      if (ownTransaction) {
        await this.stopInterrupting(stmt); // a cancel must not hit the ROLLBACK
        await conn.client.query('ROLLBACK').catch(() => {});
      }
      throw e;
    }
  }

  private async copyFile(stmt: Statement, sub: SubStatement, conn: PgConn, copy: CopyCommand, sql: string, file: S3File, columns: string[]): Promise<number> {
    const body = await this.openObject(file, stmt.abort.signal);
    if (!body) return 0; // a missing entry that is not mandatory is skipped
    const stages: Array<NodeJS.ReadableStream | NodeJS.ReadWriteStream> = [body];
    if (copy.gzip) stages.push(createGunzip());
    if (copy.ignoreHeader > 0) stages.push(skipLines(copy.ignoreHeader));
    if (copy.acceptInvChars !== undefined) stages.push(replaceInvalidUtf8(copy.acceptInvChars));
    const target = conn.client.query(copyFrom(sql));
    try {
      await pipeline([...stages, target], { signal: stmt.abort.signal });
    } catch (e) {
      if (stmt.cancelRequested) throw new Cancelled();
      throw await this.loadFailure(e, stmt, sub, copy, file, columns);
    }
    return Number(target.rowCount ?? 0);
  }

  /**
   * Turns a failed file into the statement's error; a bad row is also recorded as Redshift
   * records it: in sys_load_error_detail (file, line, column, its type and length, code,
   * message) and in stl_load_errors with the raw line and the raw field value, both of which
   * Redshift keeps (readable long after the load).
   */
  private async loadFailure(e: unknown, stmt: Statement, sub: SubStatement, copy: CopyCommand, file: S3File, columns: string[]): Promise<SqlFailure> {
    const err = e as Partial<pg.DatabaseError> & Error;
    // PostgreSQL's context names the row: `COPY stg_inventory, line 3, column selling_price: "…"`.
    const at = /(?:^|\n)COPY [^,\n]*, line (\d+)(?:, column ([^:\n]+))?/.exec(err.where ?? '');
    if (!at) {
      return new SqlFailure(err instanceof pg.DatabaseError ? `ERROR: ${err.message}` : `ERROR: Failed to read ${file.url}: ${err.message}`);
    }
    const line = Number(at[1]);
    const bytes = err.code === '23514' ? byteLimitOf(err.constraint) : undefined;
    const column = bytes?.column ?? at[2] ?? err.column ?? null;
    const rawLine = await this.rawLine(stmt, copy, file, line);
    const quotedValue = at[2] ? /: "(.*)"$/s.exec(err.where ?? '')?.[1] : undefined;
    const rawField = quotedValue ?? (rawLine !== undefined && column ? fieldOf(rawLine, columns.indexOf(column), copy.csv, copy.delimiter ?? (copy.csv ? ',' : '|'), copy.quote) : undefined);
    const type = column ? await this.columnType(copy, column) : undefined;
    const code = bytes ? 1204 : loadErrorCode(err.code, err.message);
    const message = bytes || code === 1204 ? 'String length exceeds DDL length' : err.message;
    const length = bytes ? String(bytes.bytes) : type?.length ?? null;
    const started = sub.startedAt ?? new Date();
    await this.admin.client.query(
      `INSERT INTO public.sys_load_error_detail (query_id, file_name, line_number, column_name, column_type, column_length, position,
         error_code, error_message, start_time, session_id, table_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, to_regclass($12)::oid::int)`,
      [sub.queryId, file.url, line + copy.ignoreHeader, column, type?.name ?? null, length, 0, code, message, started, stmt.pid ?? 0, copy.table],
    );
    await this.admin.client.query(
      `INSERT INTO public.stl_load_errors (query, filename, line_number, colname, type, col_length, position, raw_line, raw_field_value,
         err_code, err_reason, starttime, session, tbl)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, to_regclass($14)::oid::int)`,
      [sub.queryId, file.url, line + copy.ignoreHeader, column, type?.name ?? null, length, 0, rawLine ?? null, rawField ?? null, code,
        message, started, stmt.pid ?? 0, copy.table],
    );
    return new SqlFailure(`ERROR: Load into table '${copy.tableName}' failed. Check 'sys_load_error_detail' system table for details.`);
  }

  /** The file's `line`th record (after IGNOREHEADER), read again from S3; undefined if it cannot be. */
  private async rawLine(stmt: Statement, copy: CopyCommand, file: S3File, line: number): Promise<string | undefined> {
    try {
      const body = await this.openObject(file, stmt.abort.signal);
      if (!body) return undefined;
      let text = await streamToString(copy.gzip ? body.pipe(createGunzip()) : body);
      for (let n = 0; n < copy.ignoreHeader; n++) text = text.slice(text.indexOf('\n') + 1);
      return rawRecord(text, line, copy.csv, copy.quote);
    } catch {
      return undefined;
    }
  }

  /** A column's type name and, for character types, its declared length. */
  private async columnType(copy: CopyCommand, column: string): Promise<{ name: string; length: string | null } | undefined> {
    const r = await this.admin.client.query<{ name: string; mod: number }>(
      `SELECT t.typname AS name, a.atttypmod AS mod FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = to_regclass($1) AND a.attname = $2`, [copy.table, column]).catch(() => ({ rows: [] }));
    const row = r.rows[0];
    return row ? { name: row.name, length: row.mod > 4 && ['varchar', 'bpchar'].includes(row.name) ? String(row.mod - 4) : null } : undefined;
  }

  private async manifestEntries(url: string, signal: AbortSignal): Promise<S3File[]> {
    const body = await this.openObject({ url, mandatory: true }, signal, `Problem reading manifest file ${url}`);
    let manifest: unknown;
    try {
      manifest = JSON.parse(await streamToString(body!));
    } catch {
      throw new SqlFailure('ERROR: Manifest file is not in correct json format');
    }
    const entries = (manifest as { entries?: unknown }).entries;
    if (!Array.isArray(entries) || entries.some((x) => typeof x?.url !== 'string' || !x.url.startsWith('s3://'))) {
      throw new SqlFailure('ERROR: Manifest file is not in correct json format');
    }
    return entries.map((x: { url: string; mandatory?: unknown }) => ({ url: x.url, mandatory: x.mandatory === true }));
  }

  /** Without MANIFEST the source is a key prefix: every object under it is loaded. */
  private async prefixObjects(url: string, signal: AbortSignal): Promise<S3File[]> {
    const { bucket, key } = parseS3Url(url);
    const files: S3File[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }), { abortSignal: signal });
      for (const o of page.Contents ?? []) if (o.Key) files.push({ url: `s3://${bucket}/${o.Key}`, mandatory: true });
      token = page.NextContinuationToken;
    } while (token);
    if (files.length === 0) throw new SqlFailure(`ERROR: The specified S3 prefix '${key}' does not exist`);
    return files;
  }

  /** The object's body; undefined when it is missing and not mandatory. */
  private async openObject(file: S3File, signal: AbortSignal, context = `Failed to read mandatory file ${file.url}`): Promise<Readable | undefined> {
    const { bucket, key } = parseS3Url(file.url);
    try {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      return r.Body as Readable;
    } catch (e) {
      if (signal.aborted) throw new Cancelled();
      const err = e as Error & { $metadata?: { httpStatusCode?: number } };
      const missing = err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404;
      if (missing && !file.mandatory) return undefined;
      const s3Error = missing ? 'S3ServiceException:The specified key does not exist.,Status 404,Error NoSuchKey' : `S3ServiceException:${err.message}`;
      throw new SqlFailure(`ERROR: ${context} - ${s3Error}`);
    }
  }

  // --- Shutdown ----------------------------------------------------------------------

  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const stmt of this.statements.values()) if (!TERMINAL.has(stmt.status)) this.requestCancel(stmt);
    await Promise.allSettled([...this.runs]);
    for (const session of this.sessions.values()) await this.closeSession(session);
    for (const conn of [...this.connections]) await this.release(conn);
    this.s3.destroy();
    await closeConnection(this.admin);
  }
}

// ---------------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------------

async function readJson(req: IncomingMessage): Promise<Input> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Input;
  } catch { /* answered below */ }
  throw new ApiError('SerializationException', 'The request body is not a JSON object');
}

function reply(res: ServerResponse, status: number, body: Output, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

// ---------------------------------------------------------------------------------------
// Input validation
// ---------------------------------------------------------------------------------------

function requireSql(value: unknown, member: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw validation(`1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must not be null or empty`);
  }
  if (Buffer.byteLength(value) > MAX_SQL_BYTES) throw validation('Cannot process query string larger than 100kB');
  return value;
}

function optionalString(value: unknown, member: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validation(`'${member}' must be a string`);
  return value;
}

/** Database is required, and exactly one of ClusterIdentifier and WorkgroupName. */
function connectionTarget(input: Input): Target {
  const target: Target = {};
  for (const key of ['Database', 'ClusterIdentifier', 'WorkgroupName', 'DbUser', 'SecretArn'] as const) {
    const v = optionalString(input[key], key);
    if (v !== undefined) target[key] = v;
  }
  if (!target.Database) throw validation('Database is required');
  if (target.ClusterIdentifier && target.WorkgroupName) throw validation('Either ClusterIdentifier or WorkgroupName must be specified, but not both');
  if (!target.ClusterIdentifier && !target.WorkgroupName) throw validation('Either ClusterIdentifier or WorkgroupName must be specified');
  return target;
}

function parameterMap(value: unknown): Map<string, string> {
  const params = new Map<string, string>();
  if (value === undefined || value === null) return params;
  if (!Array.isArray(value) || value.length === 0) throw validation(`Parameters must be a non-empty list`);
  for (const p of value as Array<Partial<SqlParameter>>) {
    if (typeof p?.name !== 'string' || !/^[0-9a-zA-Z_]+$/.test(p.name)) throw validation(`The parameter name '${String(p?.name)}' is not valid`);
    if (typeof p.value !== 'string') throw validation(`The parameter '${p.name}' has no value`);
    // The API's SqlParameter.value has a minimum length of 1: '' must be written as a literal.
    if (p.value === '') {
      throw validation(`1 validation error detected: Value '' at 'parameters.${params.size + 1}.member.value' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    }
    if (params.has(p.name)) throw validation(`The parameter '${p.name}' is given more than once`);
    params.set(p.name, p.value);
  }
  return params;
}

function waitTime(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_WAIT_SECONDS) {
    throw validation(`WaitTimeSeconds must be an integer from 0 to ${MAX_WAIT_SECONDS}`);
  }
  return value;
}

/** Waits for a statement to end, at most `seconds` (the Data API's WaitTimeSeconds). */
async function waitFor(stmt: Statement, seconds: number): Promise<void> {
  if (seconds <= 0 || TERMINAL.has(stmt.status)) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([stmt.done, new Promise<void>((r) => { timer = setTimeout(r, seconds * 1000); })]);
  clearTimeout(timer);
}

function encodeToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ scope, offset })).toString('base64');
}

function decodeToken(token: unknown, scope: string): number {
  if (token === undefined || token === null) return 0;
  try {
    const t = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as { scope?: string; offset?: number };
    if (t.scope === scope && Number.isInteger(t.offset) && (t.offset as number) >= 0) return t.offset as number;
  } catch { /* answered below */ }
  throw validation('The NextToken is not valid');
}

/** A failure as the statement reports it: ABORTED when cancelled, else FAILED with `ERROR: …`. */
function classify(e: unknown, stmt: Statement): SqlFailure | Cancelled {
  if (e instanceof Cancelled || stmt.cancelRequested) return new Cancelled();
  if (e instanceof SqlFailure) return e;
  // Redshift's text for a serialization failure (it names neither table nor transactions we know:
  // zeros). A deadlock (40P01) keeps PostgreSQL's `ERROR: deadlock detected`, as Redshift's does.
  if ((e as { code?: unknown }).code === '40001') return new SqlFailure(`ERROR: 1023 DETAIL: Serializable isolation violation on table - 0, transactions forming the cycle are: 0 (pid:${stmt.pid ?? 0})`);
  return new SqlFailure(`ERROR: ${(e as Error).message}`);
}

function describeSub(s: SubStatement): Output {
  return {
    Id: s.id,
    Status: s.status,
    ...(s.error !== undefined ? { Error: s.error } : {}),
    HasResultSet: s.hasResultSet,
    ResultRows: s.resultRows,
    ResultSize: s.resultSize,
    QueryString: s.sql,
    RedshiftQueryId: s.queryId,
    CreatedAt: epochSeconds(s.createdAt),
    UpdatedAt: epochSeconds(s.updatedAt),
    Duration: TERMINAL.has(s.status) ? s.durationNs : -1,
  };
}

// ---------------------------------------------------------------------------------------
// SQL text: literals, named parameters, Redshift-only DDL
// ---------------------------------------------------------------------------------------

/**
 * The Data API's named parameters (`:name`) as PostgreSQL's `$n`, with their values in order.
 * `::` casts and text inside literals, quoted identifiers and comments are left alone. With
 * no Parameters the SQL is sent as written, as the Data API does.
 */
export function bindNamedParameters(sql: string, params: Map<string, string>): { text: string; values: string[]; used: Set<string> } {
  const used = new Set<string>();
  if (params.size === 0) return { text: sql, values: [], used };
  const position = new Map<string, number>();
  const values: string[] = [];
  let text = '';
  for (const seg of splitSql(sql)) {
    if (seg.kind !== 'code') { text += seg.text; continue; }
    text += seg.text.replace(/::|:([A-Za-z_][A-Za-z0-9_]*)/g, (whole: string, name: string | undefined) => {
      if (!name) return whole;
      const value = params.get(name);
      if (value === undefined) throw validation(`The parameter '${name}' is used in the SQL statement but not given in Parameters`);
      let n = position.get(name);
      if (n === undefined) {
        values.push(value);
        n = values.length;
        position.set(name, n);
      }
      used.add(name);
      return `$${n}`;
    });
  }
  return { text, values, used };
}

/** A byte-width CHECK's violation as Redshift words a too-long value in INSERT or UPDATE. */
function tooLong(e: unknown): SqlFailure | undefined {
  const err = e as Partial<pg.DatabaseError>;
  const limit = err.code === '23514' ? byteLimitOf(err.constraint) : undefined;
  return limit ? new SqlFailure(`ERROR: value too long for type character varying(${limit.bytes})`) : undefined;
}

/** Runs one statement with the extended protocol: one statement per call, as the Data API allows. */
async function runSql(conn: PgConn, text: string, values: string[]): Promise<pg.QueryArrayResult> {
  const query = { text, values, rowMode: 'array' as const, types: TEXT_TYPES, queryMode: 'extended' };
  return conn.client.query(query as pg.QueryArrayConfig);
}

// ---------------------------------------------------------------------------------------
// Results as Data API fields
// ---------------------------------------------------------------------------------------

const LONG_TYPES = new Set([20, 21, 23, 26]); // int8, int2, int4, oid
const DOUBLE_TYPES = new Set([700, 701]); // float4, float8
const BOOL_TYPE = 16;
const NUMERIC_TYPE = 1700;
const STRING_TYPES = new Set([25, 1042, 1043, 19]); // text, bpchar, varchar, name

/** int → longValue, float → doubleValue, bool → booleanValue, the rest as text (numeric, dates, timestamps). */
function toField(value: string | null, oid: number): Field {
  if (value === null) return { isNull: true };
  if (LONG_TYPES.has(oid)) return { longValue: Number(value) };
  if (DOUBLE_TYPES.has(oid)) {
    const n = Number(value);
    return Number.isFinite(n) ? { doubleValue: n } : { stringValue: value };
  }
  if (oid === BOOL_TYPE) return { booleanValue: value === 't' };
  return { stringValue: value };
}

function columnMetadata(f: pg.FieldDef, typeName: string): ColumnMetadata {
  const mod = f.dataTypeModifier;
  const numeric = f.dataTypeID === NUMERIC_TYPE && mod >= 4;
  const sized = STRING_TYPES.has(f.dataTypeID) && mod >= 4;
  return {
    name: f.name,
    label: f.name,
    typeName,
    nullable: 1,
    isCaseSensitive: STRING_TYPES.has(f.dataTypeID),
    isCurrency: false,
    isSigned: LONG_TYPES.has(f.dataTypeID) || DOUBLE_TYPES.has(f.dataTypeID) || f.dataTypeID === NUMERIC_TYPE,
    precision: numeric ? ((mod - 4) >> 16) & 0xffff : sized ? mod - 4 : 0,
    scale: numeric ? (mod - 4) & 0xffff : 0,
    length: 0,
    schemaName: '',
    tableName: '',
  };
}

async function loadTypeNames(client: pg.Client): Promise<Map<number, string>> {
  const r = await client.query<{ oid: number; typname: string }>('SELECT oid::int AS oid, typname FROM pg_type');
  return new Map(r.rows.map((row) => [row.oid, row.typname]));
}

// ---------------------------------------------------------------------------------------
// COPY … FROM 's3://…'
// ---------------------------------------------------------------------------------------

interface S3File { url: string; mandatory: boolean }

interface CopyCommand {
  /** The table as written (quoted parts kept), for the generated COPY. */
  table: string;
  /** The bare table name, for Redshift's messages. */
  tableName: string;
  /** The column list as written, or null for all columns. */
  columns: string[] | null;
  columnNames: string[] | null;
  source: string;
  hasCredentials: boolean;
  manifest: boolean;
  gzip: boolean;
  csv: boolean;
  delimiter?: string;
  quote?: string;
  nullAs?: string;
  emptyAsNull: boolean;
  ignoreHeader: number;
  acceptInvChars?: string;
}

/** Redshift's spelling of a tab (and other escapes) in DELIMITER and friends. */
function copyChar(text: string): string {
  return text.replace(/\\t/g, '\t').replace(/\\\\/g, '\\');
}

/** Options that change nothing the emulator does (PostgreSQL parses dates itself, one node loads everything). */
const IGNORED_FLAGS = new Set(['BLANKSASNULL', 'TRUNCATECOLUMNS', 'TRIMBLANKS', 'REMOVEQUOTES', 'ESCAPE', 'FILLRECORD', 'ROUNDEC',
  'EXPLICIT_IDS', 'ACCEPTANYDATE', 'IGNOREBLANKLINES', 'NOLOAD', 'WITH']);
const IGNORED_WITH_VALUE = new Set(['TIMEFORMAT', 'DATEFORMAT', 'REGION', 'MAXERROR', 'ENCODING', 'COMPROWS']);
const SWITCHES = new Set(['COMPUPDATE', 'STATUPDATE']);

/**
 * Parses `COPY <table> [(<cols>)] FROM 's3://…' <options>`; null for any other statement
 * (which goes to PostgreSQL unchanged). Unknown options fail the statement, so a test never
 * passes on an option the emulator silently skipped.
 */
export function parseCopyFromS3(sql: string): CopyCommand | null {
  const tokens = tokenize(sql);
  if (tokens[0]?.value !== 'COPY' || tokens[0].kind !== 'word') return null;
  let i = 1;
  const nameParts: Token[] = [];
  while (tokens[i] && (tokens[i].kind === 'word' || tokens[i].kind === 'identifier')) {
    nameParts.push(tokens[i++]);
    if (tokens[i]?.value !== '.') break;
    i++;
  }
  if (nameParts.length === 0) return null;
  let columns: Token[] | null = null;
  if (tokens[i]?.value === '(') {
    columns = [];
    for (i++; tokens[i] && tokens[i].value !== ')'; i++) if (tokens[i].value !== ',') columns.push(tokens[i]);
    i++;
  }
  if (tokens[i]?.value !== 'FROM' || tokens[i + 1]?.kind !== 'string' || !tokens[i + 1].value.startsWith('s3://')) return null;
  const last = nameParts[nameParts.length - 1];
  const copy: CopyCommand = {
    table: nameParts.map((t) => t.raw).join('.'),
    tableName: last.kind === 'word' ? last.raw.toLowerCase() : last.value,
    columns: columns && columns.map((t) => t.raw),
    columnNames: columns && columns.map((t) => (t.kind === 'word' ? t.raw.toLowerCase() : t.value)),
    source: tokens[i + 1].value,
    hasCredentials: false, manifest: false, gzip: false, csv: false, emptyAsNull: false, ignoreHeader: 0,
  };
  parseCopyOptions(tokens, i + 2, copy);
  return copy;
}

function parseCopyOptions(tokens: Token[], start: number, copy: CopyCommand): void {
  let i = start;
  const peek = () => tokens[i];
  const skipAs = () => { if (peek()?.value === 'AS') i++; };
  const take = (option: string, kinds: Token['kind'][]): Token => {
    skipAs();
    const t = tokens[i++];
    if (!t || !kinds.includes(t.kind)) throw new SqlFailure(`ERROR: syntax error at or near "${t?.raw ?? 'end of input'}" (after ${option})`);
    return t;
  };
  while (i < tokens.length) {
    const t = tokens[i++];
    if (t.value === ';') continue;
    const word = t.kind === 'word' ? t.value : '';
    switch (word) {
      case 'IAM_ROLE': take(word, ['string', 'word']); copy.hasCredentials = true; break;
      case 'CREDENTIALS': take(word, ['string']); copy.hasCredentials = true; break;
      case 'ACCESS_KEY_ID': case 'SECRET_ACCESS_KEY': case 'SESSION_TOKEN': take(word, ['string']); copy.hasCredentials = true; break;
      case 'MANIFEST': copy.manifest = true; break;
      case 'GZIP': copy.gzip = true; break;
      case 'CSV': copy.csv = true; break;
      case 'FORMAT': {
        const f = take(word, ['word']).value;
        if (f !== 'CSV') throw new SqlFailure(`ERROR: COPY FORMAT ${f} is not supported by the Redshift Data API emulator`);
        copy.csv = true;
        break;
      }
      case 'DELIMITER': copy.delimiter = copyChar(take(word, ['string']).value); break;
      case 'QUOTE': copy.quote = copyChar(take(word, ['string']).value); break;
      case 'NULL': copy.nullAs = copyChar(take(word, ['string']).value); break;
      case 'EMPTYASNULL': copy.emptyAsNull = true; break;
      case 'IGNOREHEADER': copy.ignoreHeader = Number(take(word, ['number']).value); break;
      case 'ACCEPTINVCHARS':
        copy.acceptInvChars = '?';
        if (peek()?.value === 'AS' || peek()?.kind === 'string') copy.acceptInvChars = take(word, ['string']).value || '?';
        break;
      default:
        if (IGNORED_FLAGS.has(word)) break;
        if (IGNORED_WITH_VALUE.has(word)) { take(word, ['string', 'number', 'word']); break; }
        if (SWITCHES.has(word)) { if (['ON', 'OFF', 'TRUE', 'FALSE', 'PRESET'].includes(peek()?.value ?? '')) i++; break; }
        throw new SqlFailure(`ERROR: COPY option ${t.raw} is not supported by the Redshift Data API emulator`);
    }
  }
}

/** The target columns and whether each holds text (for Redshift's empty-field rules). */
async function targetColumns(client: pg.Client, copy: CopyCommand): Promise<Array<{ name: string; isString: boolean }>> {
  const r = await client.query<{ name: string; category: string }>(
    `SELECT a.attname AS name, t.typcategory AS category FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, [copy.table]);
  if (r.rows.length === 0) throw new SqlFailure(`ERROR: relation "${copy.tableName}" does not exist`);
  const all = r.rows.map((row) => ({ name: row.name, isString: row.category === 'S' }));
  return copy.columnNames ? all.filter((c) => copy.columnNames!.includes(c.name)) : all;
}

/**
 * The PostgreSQL COPY for one file. Redshift loads an empty CSV field into a text column as
 * '' and EMPTYASNULL as NULL (quoted "" too); PostgreSQL's CSV default is NULL for an
 * unquoted empty field, so FORCE_NOT_NULL / FORCE_NULL on the text columns bridge the two.
 */
function pgCopySql(copy: CopyCommand, columns: Array<{ name: string; isString: boolean }>): string {
  const lit = (s: string) => pg.escapeLiteral(s);
  const list = copy.columns ? ` (${copy.columns.join(', ')})` : '';
  const options: string[] = [];
  if (copy.csv) {
    options.push('FORMAT csv', `DELIMITER ${lit(copy.delimiter ?? ',')}`);
    if (copy.quote !== undefined) options.push(`QUOTE ${lit(copy.quote)}`);
    if (copy.nullAs !== undefined) options.push(`NULL ${lit(copy.nullAs)}`);
    const text = columns.filter((c) => c.isString).map((c) => pg.escapeIdentifier(c.name));
    if (copy.nullAs === undefined && text.length > 0) options.push(`${copy.emptyAsNull ? 'FORCE_NULL' : 'FORCE_NOT_NULL'} (${text.join(', ')})`);
  } else {
    // Redshift's default format: pipe-delimited text, close to PostgreSQL's text format.
    options.push('FORMAT text', `DELIMITER ${lit(copy.delimiter ?? '|')}`);
    if (copy.nullAs !== undefined) options.push(`NULL ${lit(copy.nullAs)}`);
  }
  return `COPY ${copy.table}${list} FROM STDIN WITH (${options.join(', ')})`;
}

function parseS3Url(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new SqlFailure(`ERROR: Invalid S3 URL: ${url}`);
  return { bucket: m[1], key: m[2] };
}

async function streamToString(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** IGNOREHEADER n: drops a file's first n lines. */
function skipLines(n: number): Transform {
  let left = n;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      let start = 0;
      while (left > 0 && start < chunk.length) {
        const nl = chunk.indexOf(0x0a, start);
        if (nl < 0) { start = chunk.length; break; }
        start = nl + 1;
        left--;
      }
      done(null, start === 0 ? chunk : chunk.subarray(start));
    },
  });
}

/** ACCEPTINVCHARS: invalid UTF-8 becomes the replacement character (Redshift's default '?'). */
function replaceInvalidUtf8(replacement: string): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  return new Transform({
    transform(chunk: Buffer, _enc, done) { done(null, decoder.decode(chunk, { stream: true }).replace(/\uFFFD/g, replacement)); },
    flush(done) { done(null, decoder.decode().replace(/\uFFFD/g, replacement)); },
  });
}

/** Redshift's load error codes (sys_load_error_detail.error_code) for PostgreSQL's SQLSTATEs. */
function loadErrorCode(sqlState: string | undefined, message: string): number {
  switch (sqlState) {
    case '22P02': {
      const type = /for type ([\w ]+)/.exec(message)?.[1] ?? '';
      if (/^(integer|bigint|smallint)$/.test(type)) return 1207;
      if (/^(double precision|real)$/.test(type)) return 1208;
      if (type === 'numeric') return 1209;
      if (type === 'boolean') return 1210;
      if (type === 'date') return 1205;
      if (type.startsWith('timestamp')) return 1206;
      return 1216;
    }
    case '22001': case '22003': return 1204;
    case '22007': case '22008': return /timestamp/.test(message) ? 1206 : 1205;
    case '23502': return 1213;
    case '22021': return 1220;
    case '22P04':
      if (/extra data/.test(message)) return 1202;
      if (/missing data/.test(message)) return 1203;
      return 1216;
    default: return 1200;
  }
}

// ---------------------------------------------------------------------------------------
// Startup: shims and the load error table
// ---------------------------------------------------------------------------------------

/**
 * Created once per PostgreSQL database, in public. sha2() and getdate() exist because Redshift
 * has them and PostgreSQL does not; sys_load_error_detail stands in for Redshift's system view.
 * An advisory lock keeps two emulators on one database from racing on CREATE OR REPLACE.
 */
async function installShims(client: pg.Client): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('redshift-data-emulator'))`);
    await client.query(`
      CREATE OR REPLACE FUNCTION public.sha2(input text, bits integer) RETURNS text
      LANGUAGE plpgsql IMMUTABLE STRICT AS $fn$
      DECLARE
        data bytea := convert_to(input, 'UTF8');
      BEGIN
        -- Redshift's SHA2(string, bits): lowercase hex; 0 means 256.
        IF bits NOT IN (0, 224, 256, 384, 512) THEN
          RAISE EXCEPTION 'Invalid bit length % for SHA2: use 0, 224, 256, 384 or 512', bits;
        END IF;
        RETURN encode(CASE bits WHEN 224 THEN sha224(data) WHEN 384 THEN sha384(data) WHEN 512 THEN sha512(data) ELSE sha256(data) END, 'hex');
      END $fn$`);
    await client.query(`
      CREATE OR REPLACE FUNCTION public.getdate() RETURNS timestamp
      LANGUAGE sql STABLE AS $fn$
        -- Redshift's GETDATE(): the statement's start, in the session time zone, to the second.
        SELECT date_trunc('second', statement_timestamp())::timestamp
      $fn$`);
    // Redshift's columns (SYS_LOAD_ERROR_DETAIL, STL_LOAD_ERRORS) that the emulator can fill.
    await client.query(`
      CREATE TABLE IF NOT EXISTS public.sys_load_error_detail (
        query_id BIGINT, file_name VARCHAR, line_number BIGINT, column_name VARCHAR,
        error_code INT, error_message VARCHAR, start_time TIMESTAMP)`);
    await client.query(`
      ALTER TABLE public.sys_load_error_detail ADD COLUMN IF NOT EXISTS column_type VARCHAR, ADD COLUMN IF NOT EXISTS column_length VARCHAR,
        ADD COLUMN IF NOT EXISTS position INT, ADD COLUMN IF NOT EXISTS session_id INT, ADD COLUMN IF NOT EXISTS table_id INT`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS public.stl_load_errors (
        query BIGINT, filename VARCHAR, line_number BIGINT, colname VARCHAR, type VARCHAR, col_length VARCHAR, position INT,
        raw_line VARCHAR, raw_field_value VARCHAR, err_code INT, err_reason VARCHAR, starttime TIMESTAMP, session INT, tbl INT)`);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
