import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { Lake } from '../lake/lake.js';
import { crashpoint } from '../util/crashpoint.js';
import { SecretParam, type Warehouse, type Dialect, type Step, type StepParam, type ExecuteProgress } from '../warehouse/warehouse.js';
import type { StepProgress } from '../output/progress.js';
import type { BatchEntry } from '../batch/catalog.js';
import { inventoryMode, partsArePseudonymised, type Manifest, type ManifestPart } from '../batch/manifest.js';
import { decodeTime } from 'ulid';
import { MEMBER_KEY_ENV } from '../batch/part-shape.js';
import { SCHEMA } from '../warehouse/sql/ddl.js';
import {
  INVENTORY_STAGING, CLAIM_STAGING, CLAIM_STAGING_V1, CLAIM_LINE_STAGING, createStaging, columnsDdl, persistentStaging, inventoryMerge, claimMerge, type Staging,
} from '../warehouse/sql/merge.js';
import { ConfigError, DataError } from '../errors.js';
import { redactDbMessage } from '../warehouse/redact.js';
import { shrinkError, keptShrinkError } from './shrink.js';
import { retryConflicts, conflictPolicy, DEFAULT_CONFLICT_POLICY, type ConflictPolicy } from '../warehouse/conflict.js';
import type { HaloConfig } from '../config/types.js';
import type { Logger } from '../output/logger.js';

export type LedgerStatus = 'staged' | 'loaded' | 'failed';
export interface LoadOutcome { batchId: string; status: 'loaded' | 'staged' | 'skipped'; rows: number; seconds: number }
export interface LoadOptions {
  force: boolean; merge: boolean; memberKey?: string; signal?: AbortSignal;
  /** Told the rows copied and the merge statement running (output/progress.ts). */
  progress?: StepProgress;
  /** The newest batch id the ledger has as loaded, if any: an older batch is late. */
  newestLoaded?: string;
  /** Retries of a batch whose transaction met another loader's (default DEFAULT_CONFLICT_POLICY). */
  conflicts?: ConflictPolicy;
  /** Told before each such retry (for the log). */
  onConflict?: (retry: number, pauseMs: number, message: string) => void;
  /**
   * --allow-shrink: apply a full-catalogue inventory batch even when it lists under
   * shrinkGuardPercent of a merchant's currently listed products (else it fails, DataError
   * `inventory-shrink`): the operator says the smaller catalogue is real, not a truncated upload.
   */
  allowShrink?: boolean;
  /** The shrink guard's threshold, a whole percentage 0..100 (config warehouse.shrinkGuardPercent; 0 turns it off; default 50). */
  shrinkGuardPercent?: number;
}

/** The share of a merchant's listed products under which a full catalogue is refused, unless allowed. */
export const DEFAULT_SHRINK_GUARD_PERCENT = 50;

interface MergeContext {
  late: boolean; firstLoad: boolean;
  /** The ledger has the batch as loaded: its rows are in the star schema. */
  merged: boolean;
  /** 0 when shrinking is allowed. */
  shrinkGuardPercent: number;
}

const isShrink = (e: unknown) => e instanceof DataError && e.code === 'inventory-shrink';
const shrinkPercent = (o: { allowShrink?: boolean; shrinkGuardPercent?: number }) => (o.allowShrink ? 0 : o.shrinkGuardPercent ?? DEFAULT_SHRINK_GUARD_PERCENT);

/**
 * What a batch's schema loads into, and the statements that merge it. `needsKey`: the merge
 * hashes member_id in SQL with the member key (claims of manifest version 1 only; version 2
 * parts carry member_key, hashed when they were written).
 */
interface Plan { staging: Staging; lines: boolean; needsKey: boolean; merges(d: Warehouse['dialect'], tables: { main: string; lines: string }, c: MergeContext): Step[] }

function plan(m: Manifest): Plan {
  const p = planFor(m);
  // COPY names the staging table's columns in the parts' order: a manifest whose columns are
  // other (a format this code misreads) must fail here, not load values into wrong columns.
  if (m.columns.join(',') !== p.staging.columns.join(',')) {
    throw new DataError('batch-shape-mismatch', `batch ${m.batchId} (format version ${m.version}) has columns other than ${p.staging.table} expects: it was not loaded`);
  }
  return p;
}

function planFor(m: Manifest): Plan {
  const keyed = partsArePseudonymised(m);
  const claims = (lines: boolean): Plan => ({
    staging: keyed ? CLAIM_STAGING : CLAIM_STAGING_V1, lines, needsKey: !keyed,
    merges: (d, t) => claimMerge(d, lines, t.main, t.lines, keyed).map((text) => sql(text)),
  });
  switch (m.schema.name) {
    case 'merchant_inventory': return {
      staging: INVENTORY_STAGING, lines: false, needsKey: false,
      merges: (d, t, c) => inventoryMerge(d, { singleFile: m.files.length === 1, staging: t.main, mode: inventoryMode(m), ...c }),
    };
    case 'insurance_claim': return claims(false);
    case 'claim_pdf': return claims(true);
    default: throw new DataError('unknown-batch-schema', `batch ${m.batchId} holds schema ${m.schema.name}, which this warehouse does not load`);
  }
}

/** Claims of manifest version 1 are hashed in SQL: without the key they cannot merge. */
function requireKey(p: Plan, memberKey: string | undefined, m: Manifest): void {
  if (!p.needsKey || memberKey) return;
  throw new ConfigError(`batch ${m.batchId} was staged before members were hashed at staging (batch format version ${m.version}): merging it needs the member hash key; set ${MEMBER_KEY_ENV} (from your secrets store)`,
    { hint: 'members are stored only as a keyed hash of member_id; batches staged by this version need no key to load' });
}

function gunzipped(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const from = Readable.from(source);
  const gz = createGunzip();
  // pipe() does not pass errors on: a failed checksum must reach the COPY that reads this.
  from.on('error', (e) => gz.destroy(e));
  return from.pipe(gz);
}

const sql = (text: string, params?: StepParam[]): Step => ({ kind: 'sql', sql: text, params });

/**
 * The ledger row of a batch, replaced whole (delete + insert: the same SQL on every engine).
 * A batch loaded (or staged) again keeps the load_seq it has, stashed before the delete: its
 * state was recorded by that load, so loading it again writes no history, and a new place in
 * the load order would only move the position a changes-feed consumer holds (`--since <this
 * batch>`) past the loads made in between, which it would then never read. Read in the
 * transaction, not before it: no extra statement (one Data API call per batch).
 */
function ledgerSteps(m: Manifest, status: LedgerStatus, rowsLoaded: number | null, startedAt: string, error: string | null, d?: Dialect): Step[] {
  const manifestSha = createHash('sha256').update(JSON.stringify(m)).digest('hex');
  const keep = d !== undefined && status !== 'failed';
  const kept = '(SELECT k.load_seq FROM ledger_kept_seq k)';
  const seq = !keep ? (status === 'loaded' ? `(SELECT COALESCE(MAX(load_seq), 0) + 1 FROM ${SCHEMA}.etl_batch)` : 'CAST(NULL AS BIGINT)')
    : status === 'loaded' ? `COALESCE(${kept}, (SELECT COALESCE(MAX(load_seq), 0) + 1 FROM ${SCHEMA}.etl_batch))` : kept;
  return [
    ...(keep ? [sql(d.tempTableAs('ledger_kept_seq', `SELECT load_seq FROM ${SCHEMA}.etl_batch WHERE batch_id = $1`), [m.batchId])] : []),
    sql(`DELETE FROM ${SCHEMA}.etl_batch WHERE batch_id = $1`, [m.batchId]),
    // load_seq: the order loads committed in (the changes feed's order); only a load has one.
    sql(`INSERT INTO ${SCHEMA}.etl_batch (batch_id, source, schema_name, schema_version, status, rows_total, rows_loaded, manifest_sha256, started_at, finished_at, error, load_seq)
      SELECT $1, $2, $3, $4, $5, $6, $7, $8, CAST($9 AS TIMESTAMP), CAST($10 AS TIMESTAMP), $11, ${seq}`,
    [m.batchId, m.source, m.schema.name, m.schema.version, status, m.counts.rows, rowsLoaded, manifestSha, startedAt, new Date().toISOString(), error]),
  ];
}

/** Passes a part's bytes through, with the crash test's point after the first chunk. */
async function* duringCopy(chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  let first = true;
  for await (const c of chunks) {
    yield c;
    if (first) { first = false; crashpoint('load:during-copy'); }
  }
}

/**
 * A part's stored bytes, checked against the SHA-256 its manifest recorded: a part changed or
 * damaged in the lake fails the batch's transaction (nothing merged) instead of loading.
 */
async function* verified(stored: AsyncIterable<Buffer>, part: ManifestPart, label: string): AsyncIterable<Buffer> {
  const hash = createHash('sha256');
  for await (const c of stored) { hash.update(c); yield c; }
  if (part.sha256 && hash.digest('hex') !== part.sha256) {
    throw new DataError('part-checksum-mismatch', `${label}: ${part.key} in the lake is not what was staged (its SHA-256 differs from the manifest's): it was not loaded`,
      { hint: 'the lake copy was changed or damaged; stage the files again' });
  }
}

function copySteps(lake: Lake, entry: BatchEntry, m: Manifest, p: Plan, tables: { main: string; lines: string }): Step[] {
  const copy = (table: string, s: Staging, parts: ManifestPart[], manifestName: string | undefined, what: string, expectedRows: number): Step => ({
    kind: 'copy', table, columns: s.columns, label: `batch ${m.batchId} (${what})`,
    manifestUrl: lake.objectUrl(`${entry.prefix}/${manifestName ?? ''}`),
    expectedRows,
    parts: parts.map((part) => ({
      url: lake.objectUrl(`${entry.prefix}/${part.key}`),
      open: async () => duringCopy(gunzipped(verified(await lake.get(`${entry.prefix}/${part.key}`) as AsyncIterable<Buffer>, part, `batch ${m.batchId}`))),
      openGzip: async () => duringCopy(verified(await lake.get(`${entry.prefix}/${part.key}`) as AsyncIterable<Buffer>, part, `batch ${m.batchId}`)),
    })),
  });
  const steps: Step[] = [];
  // A batch with no valid rows has no parts (and no COPY manifest): nothing to COPY.
  // The count promised is the manifest's valid rows (what validation passed), not its parts' sum.
  if (m.parts.length || m.counts.validRows) steps.push(copy(tables.main, p.staging, m.parts, m.copyManifest, 'rows', m.counts.validRows));
  const lines = m.claimLines?.parts ?? [];
  if (p.lines && lines.length) steps.push(copy(tables.lines, CLAIM_LINE_STAGING, lines, m.claimLines?.copyManifest, 'claim lines', lines.reduce((n, x) => n + x.rows, 0)));
  return steps;
}

function mergeParams(m: Manifest, p: Plan, now: string, memberKey: string | undefined): StepParam[] {
  const snapshotKey = Number(m.createdAt.slice(0, 10).replace(/-/g, ''));
  // The member key goes only as a bind value (never into SQL text or the query history), and
  // only for the version 1 claims that the SQL hashes: no other batch sends it at all. An
  // inventory batch has $5 its time (its id's, the source's sequence): when its rows were
  // observed where they have no updated_at.
  const fifth = p.needsKey ? [new SecretParam(memberKey ?? '')] : p.staging === INVENTORY_STAGING ? [new Date(decodeTime(m.batchId)).toISOString()] : [];
  return [m.batchId, m.source, now, snapshotKey, ...fifth];
}

const withParams = (steps: Step[], params: StepParam[]): Step[] => steps.map((s) => (s.kind === 'sql' || s.kind === 'guard' ? { ...s, params } : s));

/**
 * Whether an inventory batch's observations are in the warehouse already (loaded before; or
 * loaded, then staged again with --no-merge --force): then loading or merging it again writes
 * its dimensions only, and its state stays as it is — the same as one load.
 */
async function stateRecorded(wh: Warehouse, p: Plan, id: string): Promise<boolean> {
  if (p.staging !== INVENTORY_STAGING) return false;
  const r = await wh.query(`SELECT 1 AS x FROM ${SCHEMA}.etl_batch_merchant WHERE batch_id = $1 LIMIT 1`, [id]);
  return r.rows.length > 0;
}

/** Whether the engine's bulk-load trick for an empty dim_product applies to this batch. */
async function firstProductLoad(wh: Warehouse, p: Plan): Promise<boolean> {
  if (p.staging !== INVENTORY_STAGING || !wh.dialect.firstLoadProductIndexes) return false;
  const r = await wh.query(`SELECT 1 AS x FROM ${SCHEMA}.dim_product LIMIT 1`);
  return r.rows.length === 0;
}

/**
 * The first statement of a load's transaction: it fails the transaction (a WriteConflictError:
 * the batch is planned and run again) unless the warehouse is still what the plan was made
 * from before the transaction began. Another loader (another host: the run lock is per host)
 * may meanwhile have loaded this batch (its snapshot rows would be inserted twice: reload was
 * false), a newer one (this one became late), or the first products (the empty-dim_product
 * bulk load would truncate them). A concurrent write after this statement is the serializable
 * transaction's to catch (Redshift always; PostgreSQL: see postgres.ts).
 */
export function planGuard(id: string, c: { held: boolean; late: boolean; firstLoad: boolean; as?: readonly LedgerStatus[] }): Step {
  const batch = 'CAST($1 AS VARCHAR(26))';
  const as = (c.as ?? ['loaded', 'staged']).map((x) => `'${x}'`).join(', ');
  const ok = [`h.n = ${c.held ? 1 : 0}`, ...(c.late ? [] : ['l.n = 0']), ...(c.firstLoad ? ['p.n = 0'] : [])].join(' AND ');
  return {
    kind: 'guard', label: `batch ${id}`, params: [id],
    sql: `SELECT CAST(CASE WHEN ${ok} THEN '0' ELSE 'plan-changed' END AS INTEGER) AS plan_check
      FROM (SELECT COUNT(*) AS n FROM ${SCHEMA}.etl_batch WHERE batch_id = ${batch} AND status IN (${as})) AS h
      CROSS JOIN (SELECT COUNT(*) AS n FROM ${SCHEMA}.etl_batch WHERE batch_id > ${batch} AND status = 'loaded') AS l${c.firstLoad ? `
      CROSS JOIN (SELECT COUNT(*) AS n FROM ${SCHEMA}.dim_product) AS p` : ''}`,
  };
}

/** The ledger's word on one batch, read again before a retry (another loader may have loaded it). */
async function ledgerNow(wh: Warehouse, id: string): Promise<{ ledger?: LedgerStatus; newestLoaded?: string }> {
  const v = await ledgerView(wh, [id]);
  return { ledger: v.statuses.get(id), newestLoaded: v.newestLoaded };
}

/**
 * Loads one complete batch, in one transaction:
 * - merge (default): COPY its parts into temporary staging, check the row count against the
 *   manifest, merge into the star schema and record it in etl_batch as `loaded`;
 * - `--no-merge`: COPY into a table of the batch's own in halo_staging and record it as
 *   `staged`, for `merge` to finish later.
 * A batch the ledger has as loaded (or staged, with --no-merge) is skipped unless forced
 * (then it is merged again: delete-insert by batch, so the result is the same). A failure
 * rolls everything back and leaves only a `failed` ledger row.
 */
export async function loadBatch(wh: Warehouse, lake: Lake, entry: BatchEntry, ledger: LedgerStatus | undefined, opts: LoadOptions): Promise<LoadOutcome> {
  const m = entry.manifest;
  if (!m) throw new DataError('incomplete-batch', `batch ${entry.batchId} is incomplete (no manifest): it is never loaded`);
  let planned: { ledger?: LedgerStatus; newestLoaded?: string } = { ledger, newestLoaded: opts.newestLoaded };
  let failedRun: { ledger?: LedgerStatus; startedAt: string } | null = null;
  const started = performance.now();
  try {
    // A conflict with another loader rolled everything back: plan again from the ledger as it
    // is now (the other loader may have loaded this very batch: then it is skipped).
    return await retryConflicts(`batch ${m.batchId}`, opts.conflicts ?? DEFAULT_CONFLICT_POLICY, async (n) => {
      if (n > 1) planned = await ledgerNow(wh, m.batchId);
      failedRun = null;
      const r = await loadOnce(wh, lake, entry, planned.ledger, { ...opts, newestLoaded: planned.newestLoaded }, (startedAt) => { failedRun = { ledger: planned.ledger, startedAt }; });
      return { ...r, seconds: (performance.now() - started) / 1000 };
    }, { signal: opts.signal, onRetry: (n, pause, e) => opts.onConflict?.(n, pause, e.message) });
  } catch (caught) {
    const e = isShrink(caught) ? await shrinkError(wh, lake, entry, shrinkPercent(opts), caught) : caught;
    const f = failedRun as { ledger?: LedgerStatus; startedAt: string } | null;
    if (f) await failureTrace(wh, m, f.ledger, f.startedAt, e);
    throw e;
  }
}

/**
 * The rolled-back transaction leaves a trace of the attempt, and nothing else. A batch loaded
 * before still is (its rows were not touched): the ledger keeps saying so and notes the failed
 * reload. A `failed` row never replaces a `loaded` one another loader wrote meanwhile (a
 * guard: Redshift has no constraint to stop it, and none is needed).
 */
async function failureTrace(wh: Warehouse, m: Manifest, ledger: LedgerStatus | undefined, startedAt: string, e: unknown): Promise<void> {
  const msg = redactDbMessage(String((e as Error)?.message ?? e)).slice(0, 500);
  const trace = ledger === 'loaded'
    ? [sql(`UPDATE ${SCHEMA}.etl_batch SET error = $1 WHERE batch_id = $2`, [`reload failed: ${msg}`, m.batchId])]
    : [planGuard(m.batchId, { held: ledger === 'staged', late: true, firstLoad: false }), ...ledgerSteps(m, 'failed', null, startedAt, msg)];
  await wh.execute(trace, { name: `fail-${m.batchId}` }).catch(() => {});
}

/** One attempt at loadBatch; `running` is told when its transaction is sent (a failure from there on leaves a trace). */
async function loadOnce(wh: Warehouse, lake: Lake, entry: BatchEntry, ledger: LedgerStatus | undefined, opts: LoadOptions, running: (startedAt: string) => void): Promise<LoadOutcome> {
  const started = performance.now();
  const m = entry.manifest!;
  const id = m.batchId;
  if (!opts.force && (ledger === 'loaded' || (ledger === 'staged' && !opts.merge))) return { batchId: id, status: 'skipped', rows: 0, seconds: 0 };
  const p = plan(m);
  if (opts.merge) requireKey(p, opts.memberKey, m);
  const startedAt = new Date().toISOString();
  const rows = m.counts.validRows;
  const kept = { main: persistentStaging(p.staging, id), lines: persistentStaging(CLAIM_LINE_STAGING, id) };
  const dropKept = [sql(`DROP TABLE IF EXISTS ${kept.main}`), ...(p.lines ? [sql(`DROP TABLE IF EXISTS ${kept.lines}`)] : [])];
  let steps: Step[];
  if (opts.merge) {
    const temp = { main: p.staging.table, lines: CLAIM_LINE_STAGING.table };
    const context: MergeContext = { late: opts.newestLoaded !== undefined && opts.newestLoaded > id, firstLoad: await firstProductLoad(wh, p),
      // A loaded batch's observations are in; only a staged one (maybe loaded before it was staged again) needs asking.
      merged: ledger === 'loaded' || (ledger === 'staged' && await stateRecorded(wh, p, id)), shrinkGuardPercent: shrinkPercent(opts) };
    steps = [
      planGuard(id, { held: ledger === 'loaded' || ledger === 'staged', late: context.late, firstLoad: context.firstLoad }),
      // A batch staged earlier with --no-merge is loaded afresh; its kept rows go.
      ...(ledger === 'staged' ? dropKept : []),
      sql(createStaging(wh.dialect, p.staging)),
      ...(p.lines ? [sql(createStaging(wh.dialect, CLAIM_LINE_STAGING))] : []),
      { kind: 'checkpoint', name: 'load:before-copy' },
      ...copySteps(lake, entry, m, p, temp),
      { kind: 'checkpoint', name: 'load:before-merge' },
      ...withParams(p.merges(wh.dialect, temp, context), mergeParams(m, p, startedAt, opts.memberKey)),
      ...ledgerSteps(m, 'loaded', rows, startedAt, null, wh.dialect),
      { kind: 'checkpoint', name: 'load:before-commit' },
    ];
  } else {
    steps = [
      planGuard(id, { held: ledger === 'loaded' || ledger === 'staged', late: true, firstLoad: false }),
      ...dropKept,
      sql(`CREATE TABLE ${kept.main} (${columnsDdl(p.staging)})`),
      ...(p.lines ? [sql(`CREATE TABLE ${kept.lines} (${columnsDdl(CLAIM_LINE_STAGING)})`)] : []),
      ...copySteps(lake, entry, m, p, kept),
      ...ledgerSteps(m, 'staged', rows, startedAt, null, wh.dialect),
    ];
  }
  crashpoint('load:planned');
  running(startedAt);
  await wh.execute(steps, { name: `${opts.merge ? 'load' : 'stage'}-${id}`, signal: opts.signal, progress: executeProgress(opts.progress, m, wh, steps.some((x) => x.kind === 'copy')) });
  crashpoint('load:after-commit');
  return { batchId: id, status: opts.merge ? 'loaded' : 'staged', rows, seconds: (performance.now() - started) / 1000 };
}

/**
 * Merges a batch that `load --no-merge` staged: the merges read its kept table, which is
 * dropped in the same transaction as the ledger turns `loaded`. A failure leaves the batch
 * staged (with the error in the ledger) for the next `merge`.
 */
export async function mergeBatch(wh: Warehouse, entry: BatchEntry, opts: MergeOptions): Promise<LoadOutcome> {
  const m = entry.manifest;
  if (!m) throw new DataError('incomplete-batch', `batch ${entry.batchId} is incomplete (no manifest): it is never loaded`);
  const started = performance.now();
  const skipped: LoadOutcome = { batchId: m.batchId, status: 'skipped', rows: 0, seconds: 0 };
  try {
    return await retryConflicts(`batch ${m.batchId}`, opts.conflicts ?? DEFAULT_CONFLICT_POLICY, async (n) => {
      let newest = opts.newestLoaded;
      if (n > 1) {
        // Another loader may have merged it meanwhile: then there is nothing left to merge.
        const now = await ledgerNow(wh, m.batchId);
        if (now.ledger === 'loaded') return skipped;
        newest = now.newestLoaded;
      }
      const r = await mergeOnce(wh, entry, { ...opts, newestLoaded: newest });
      return { ...r, seconds: (performance.now() - started) / 1000 };
    }, { signal: opts.signal, onRetry: (n, pause, e) => opts.onConflict?.(n, pause, e.message) });
  } catch (e) {
    // A merge on another host that dropped the kept table under this one (which then failed
    // on it) has done the work: the batch is loaded, and nothing of this attempt committed.
    if ((await ledgerNow(wh, m.batchId).catch(() => null))?.ledger === 'loaded') return skipped;
    throw e;
  }
}

/**
 * Retries of a batch that met another loader's transaction: the config's policy, each retry
 * logged as a warning with `fields` (which batch, which source). One place for `load`, `merge`
 * and `run`.
 */
export function conflictRetries(config: HaloConfig, log: Logger, fields: Record<string, unknown>): Pick<LoadOptions, 'conflicts' | 'onConflict'> {
  return {
    conflicts: conflictPolicy(config.warehouse),
    onConflict: (retry, pauseMs, error) => log.warn('another loader was writing to the warehouse: the batch is loaded again', { ...fields, retry, pauseMs, error }),
  };
}

export interface MergeOptions {
  memberKey?: string; signal?: AbortSignal; newestLoaded?: string; progress?: StepProgress;
  conflicts?: ConflictPolicy; onConflict?: LoadOptions['onConflict'];
  /** As LoadOptions.allowShrink: apply a full catalogue under the shrink guard's share of a merchant's listed products. */
  allowShrink?: boolean;
  /** As LoadOptions.shrinkGuardPercent (default 50; 0 turns the guard off). */
  shrinkGuardPercent?: number;
}

async function mergeOnce(wh: Warehouse, entry: BatchEntry, opts: MergeOptions): Promise<LoadOutcome> {
  const started = performance.now();
  const m = entry.manifest!;
  const p = plan(m);
  requireKey(p, opts.memberKey, m);
  const startedAt = new Date().toISOString();
  const kept = { main: persistentStaging(p.staging, m.batchId), lines: persistentStaging(CLAIM_LINE_STAGING, m.batchId) };
  // An empty batch had no parts to COPY, but its kept tables exist (created by --no-merge).
  const context: MergeContext = { late: opts.newestLoaded !== undefined && opts.newestLoaded > m.batchId, firstLoad: await firstProductLoad(wh, p),
    merged: await stateRecorded(wh, p, m.batchId), shrinkGuardPercent: shrinkPercent(opts) };
  const steps: Step[] = [
    planGuard(m.batchId, { held: true, as: ['staged'], late: context.late, firstLoad: context.firstLoad }),
    { kind: 'checkpoint', name: 'merge:before-merge' },
    ...withParams(p.merges(wh.dialect, kept, context), mergeParams(m, p, startedAt, opts.memberKey)),
    sql(`DROP TABLE ${kept.main}`),
    ...(p.lines ? [sql(`DROP TABLE ${kept.lines}`)] : []),
    ...ledgerSteps(m, 'loaded', m.counts.validRows, startedAt, null, wh.dialect),
  ];
  try {
    await wh.execute(steps, { name: `merge-${m.batchId}`, signal: opts.signal, progress: executeProgress(opts.progress, m, wh, false) });
  } catch (caught) {
    const e = isShrink(caught) ? await keptShrinkError(wh, entry, kept.main, shrinkPercent(opts), caught) : caught;
    const msg = redactDbMessage(String((e as Error)?.message ?? e)).slice(0, 500);
    await wh.query(`UPDATE ${SCHEMA}.etl_batch SET error = $1, finished_at = CAST($2 AS TIMESTAMP) WHERE batch_id = $3 AND status = 'staged'`,
      [msg, new Date().toISOString(), m.batchId]).catch(() => {});
    throw e;
  }
  return { batchId: m.batchId, status: 'loaded', rows: m.counts.validRows, seconds: (performance.now() - started) / 1000 };
}

/**
 * A batch's load as progress steps: `load` while the engine works on it whole (Redshift: one
 * batch of statements, its time ticking), `copy` with the rows so far of the manifest's, then
 * `merge` naming the statement running (its kind and table: the SQL text holds no value).
 */
function executeProgress(p: StepProgress | undefined, m: Manifest, wh: Warehouse, copies: boolean): ExecuteProgress | undefined {
  if (!p) return undefined;
  const id = m.batchId;
  const facts = { batch: id };
  p.begin('load', `batch ${id}: ${wh.engine === 'redshift-data' ? 'running on Redshift' : 'loading'}`, { rowsTotal: m.counts.validRows }, facts);
  let phase: 'load' | 'copy' | 'merge' = 'load';
  let copying = '';
  return {
    copied(rows, expected, label) {
      if (phase !== 'copy' || copying !== label) {
        phase = 'copy';
        copying = label;
        p.begin('copy', `batch ${id}: copying${/claim lines/.test(label) ? ' claim lines' : ' rows'}`, { rows, rowsTotal: expected }, facts);
      } else p.count({ rows });
    },
    statement(index, count, sql) {
      // Statements before the COPY only make its tables: the load step goes on.
      if (phase === 'load' && copies) return;
      const what = statementTarget(sql);
      if (phase !== 'merge') {
        phase = 'merge';
        p.begin('merge', `batch ${id}: merging`, {}, facts);
      }
      p.update(`batch ${id}: merging (statement ${index}/${count}${what ? `: ${what}` : ''})`);
    },
  };
}

/** A statement's kind and table ("insert halo.dim_product"), for progress: nothing else of its text. */
export function statementTarget(sql: string): string {
  const m = /^\s*(INSERT INTO|UPDATE|DELETE FROM|CREATE TEMP TABLE|CREATE TABLE|DROP TABLE(?: IF EXISTS)?|ALTER TABLE|ANALYZE|TRUNCATE|SELECT)\s+([A-Za-z_][\w.]*)?/i.exec(sql);
  if (!m) return '';
  const verb = m[1].toLowerCase().replace(/ (into|from|if exists)$/, '').replace('create temp table', 'create');
  return m[1].toUpperCase() === 'SELECT' ? 'select' : `${verb} ${m[2] ?? ''}`.trim();
}

/** The newest batch the ledger has as loaded (a batch older than it is late). */
export async function newestLoaded(wh: Warehouse): Promise<string | undefined> {
  const r = await wh.query<{ b: string | null }>(`SELECT MAX(batch_id) AS b FROM ${SCHEMA}.etl_batch WHERE status = 'loaded'`);
  return r.rows[0]?.b ?? undefined;
}

/**
 * The ledger's word on each batch id, and the newest loaded batch: one query per 100 ids
 * (on Redshift each query is a Data API call, so not one per batch).
 */
export async function ledgerView(wh: Warehouse, ids: string[]): Promise<{ statuses: Map<string, LedgerStatus>; newestLoaded?: string }> {
  const statuses = new Map<string, LedgerStatus>();
  let newest: string | undefined;
  for (let i = 0; i === 0 || i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    const inList = chunk.length ? `batch_id IN (${chunk.map((_, j) => `$${j + 1}`).join(', ')}) OR ` : '';
    const r = await wh.query<{ batch_id: string; status: LedgerStatus }>(
      `SELECT batch_id, status FROM ${SCHEMA}.etl_batch WHERE ${inList}batch_id = (SELECT MAX(batch_id) FROM ${SCHEMA}.etl_batch WHERE status = 'loaded')`, chunk);
    for (const row of r.rows) {
      if (chunk.includes(row.batch_id)) statuses.set(row.batch_id, row.status);
      if (row.status === 'loaded' && (newest === undefined || row.batch_id > newest)) newest = row.batch_id;
    }
  }
  return { statuses, newestLoaded: newest };
}
