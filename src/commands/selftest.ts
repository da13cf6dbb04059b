import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CommandContext } from './context.js';
import type { HaloConfig } from '../config/types.js';
import { openWarehouse, embeddedFolder, holdsEmbeddedDatabase } from '../warehouse/open.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { ScopedWarehouse } from '../warehouse/scoped.js';
import { initSchema, currentVersion, tableCounts } from '../warehouse/schema.js';
import { SCHEMA, SCHEMA_VERSION } from '../warehouse/sql/ddl.js';
import { INVENTORY_STAGING, CLAIM_STAGING, persistentStaging, STAGING_SCHEMA } from '../warehouse/sql/merge.js';
import { duplicateKeys } from '../warehouse/natural-keys.js';
import { redactDbMessage } from '../warehouse/redact.js';
import { loadBatch, mergeBatch, ledgerView, newestLoaded } from '../pipeline/load.js';
import { stageSelftestBatches, selftestLake, SELFTEST_EXPECTED } from '../pipeline/selftest-batch.js';
import { openLake } from '../lake/open.js';
import type { BatchEntry } from '../batch/catalog.js';
import { HaloError, exitCodeFor } from '../errors.js';
import { printChecks, checksJson, type Check } from '../output/checks.js';
import { worse } from '../pipeline/run.js';
import { writeResult } from '../output/result.js';
import { hostNow } from '../util/clock.js';
import { onInterrupt } from '../util/interrupt.js';

/**
 * `warehouse selftest`: the configured warehouse runs the real code of init, load
 * (--no-merge), merge, load again, replay, the ledger and status on a small built-in batch,
 * in a scratch schema pair (`halo_selftest_<time>_<random>` and `…_staging`) that is dropped
 * at the end whatever happened. The code runs unchanged: a ScopedWarehouse maps the schema
 * names in every statement it hands to the engine, so `halo` is never touched.
 */
const PREFIX = `${SCHEMA}_selftest_`;
const SCRATCH = new RegExp(`^${PREFIX}([0-9a-z]+)_([0-9a-f]+)(_staging)?$`);

/**
 * A scratch schema left by a selftest that did not finish (killed) is dropped by the next one
 * when it is older than this (a server: another host's selftest may be running now), or at
 * once on the embedded warehouse (its lock says no other process has it open).
 */
const LEFTOVER_HOURS = 2;

class CheckFailed extends Error {}

export async function warehouseSelftest(ctx: CommandContext): Promise<number> {
  const config = ctx.config();
  const checks: Check[] = [];
  const now = hostNow(ctx.env);
  const names = { main: `${PREFIX}${now.toString(36)}_${randomBytes(3).toString('hex')}`, staging: '' };
  names.staging = `${names.main}_staging`;
  // An embedded warehouse that does not exist yet is not created for a test: a temporary one
  // stands in (the engine is the same code), removed afterwards.
  const temp = temporaryEmbedded(config);
  const lakePlace = selftestLake(config);
  let wh: Warehouse | null = null;
  try {
    try {
      wh = await openWarehouse(temp?.config ?? config, { log: ctx.log });
      // Redshift's engine opens without a call: this is its first.
      await wh.query('SELECT 1 AS one');
      checks.push({ check: 'connect', ok: true, detail: temp ? `${wh.describe} (a temporary embedded warehouse: none exists at ${temp.instead} yet, and a test creates none there)` : wh.describe });
    } catch (e) {
      checks.push(failure('connect', e, 'check the warehouse settings and that it is reachable from here (halo-data doctor)'));
      return report(ctx, checks, names.main, null);
    }
    await runChecks(config, wh, names, lakePlace.url, checks, now);
    return report(ctx, checks, names.main, wh.describe);
  } finally {
    await wh?.close().catch(() => {});
    temp?.cleanup();
    lakePlace.cleanup();
  }
}

async function runChecks(config: HaloConfig, wh: Warehouse, names: { main: string; staging: string }, lakeUrl: string, checks: Check[], now: number): Promise<void> {
  /** Runs one check: its detail on success; a failure is its line (and stops the checks after it). */
  const check = async (name: string, fn: () => Promise<string | { detail: string; warn?: boolean }>) => {
    try {
      const r = await fn();
      checks.push({ check: name, ok: true, ...(typeof r === 'string' ? { detail: r } : r) });
    } catch (e) {
      checks.push(failure(name, e, 'the detail names the statement or the count that differed; halo-data doctor checks the configuration'));
      throw new CheckFailed(name);
    }
  };
  if (wh.engine === 'redshift-data') {
    const { probeDataApiFeatures } = await import('../warehouse/redshift/features.js');
    const { RedshiftDataWarehouse } = await import('../warehouse/redshift/engine.js');
    if (wh instanceof RedshiftDataWarehouse) {
      for (const f of await probeDataApiFeatures(wh.api)) {
        checks.push(f.ok ? { check: f.name, ok: true, warn: f.warn, detail: f.detail } : { ...failure(f.name, f.error ?? new Error(f.detail), 'the Data API this engine needs is not answering as relied on'), detail: f.detail });
      }
    }
  }
  const scoped = new ScopedWarehouse(wh, names);
  const memberKey = randomBytes(32).toString('base64');
  let created = false;
  // Ctrl-C on a server: the scratch pair is dropped before the process exits (the embedded
  // warehouse runs statements on this thread: the next selftest drops it there).
  const off = wh.engine === 'pglite' ? () => {} : onInterrupt(async () => { if (created) await dropScratch(wh, names).catch(() => {}); });
  try {
    await check('leftovers', () => leftovers(wh, now));
    await check('scratch schema', async () => {
      await wh.query(`CREATE SCHEMA ${names.main}`);
      created = true;
      return `created ${names.main} (and ${names.staging} at init); ${SCHEMA} and ${STAGING_SCHEMA} are never touched`;
    });
    await check('init', async () => {
      const r = await initSchema(scoped);
      const again = await initSchema(scoped);
      const v = await currentVersion(scoped);
      if (v !== SCHEMA_VERSION || again.applied.length) throw new Error(`schema version ${v} after init (expected ${SCHEMA_VERSION}); a second init applied ${again.applied.join(', ') || 'nothing'}`);
      return `migrations ${r.applied.join(', ')} applied, version ${v}; a second init applied nothing`;
    });
    let batches: BatchEntry[] = [];
    await check('stage', async () => {
      batches = await stageSelftestBatches(config, lakeUrl, memberKey);
      return `${batches.map((b) => `${b.manifest!.schema.name} batch ${b.batchId} (${b.manifest!.counts.validRows} rows)`).join(', ')} in ${lakeUrl}`;
    });
    const lake = await openLake({ ...config, lake: { ...config.lake, url: lakeUrl } });
    const rows = (b: BatchEntry) => b.manifest!.counts.validRows;
    await check('load --no-merge', async () => {
      for (const b of batches) {
        const r = await loadBatch(scoped, lake, b, undefined, { force: false, merge: false, memberKey });
        if (r.status !== 'staged') throw new Error(`batch ${b.batchId} ended ${r.status}, not staged`);
        const table = persistentStaging(b.manifest!.schema.name === 'merchant_inventory' ? INVENTORY_STAGING : CLAIM_STAGING, b.batchId);
        const n = await count(scoped, `SELECT COUNT(*) AS n FROM ${table}`);
        if (n !== rows(b)) throw new Error(`staging table of batch ${b.batchId} holds ${n} rows; its manifest has ${rows(b)}`);
      }
      await expectLedger(scoped, batches, 'staged');
      const facts = await tableCounts(scoped);
      if (facts.fact_inventory_current || facts.fact_inventory_history || facts.fact_claim) throw new Error('staged batches reached the star schema before merge');
      return `staging rows = manifest rows (${batches.map(rows).join(' + ')}); ledger: staged; star schema untouched`;
    });
    let merged: Record<string, number> = {};
    await check('merge', async () => {
      let newest = await newestLoaded(scoped);
      for (const b of batches) {
        const r = await mergeBatch(scoped, b, { memberKey, newestLoaded: newest });
        if (newest === undefined || r.batchId > newest) newest = r.batchId;
      }
      merged = await tableCounts(scoped);
      const wrong = Object.entries(SELFTEST_EXPECTED).filter(([t, n]) => merged[t] !== n);
      if (wrong.length) throw new Error(`after merge: ${wrong.map(([t, n]) => `${t} ${merged[t]} (expected ${n})`).join(', ')}`);
      const left = await count(scoped, `SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = '${STAGING_SCHEMA}'`);
      if (left) throw new Error(`${left} staging table(s) left after merge`);
      await expectLedger(scoped, batches, 'loaded');
      return `${describeCounts(merged)}; staging tables dropped; ledger: loaded`;
    });
    const same = async (what: string) => {
      const after = await tableCounts(scoped);
      const diff = Object.keys(merged).filter((t) => after[t] !== merged[t]);
      if (diff.length) throw new Error(`${what} changed counts: ${diff.map((t) => `${t} ${merged[t]} → ${after[t]}`).join(', ')}`);
    };
    await check('load again', async () => {
      const view = await ledgerView(scoped, batches.map((b) => b.batchId));
      for (const b of batches) {
        const r = await loadBatch(scoped, lake, b, view.statuses.get(b.batchId), { force: false, merge: true, memberKey, newestLoaded: view.newestLoaded });
        if (r.status !== 'skipped') throw new Error(`batch ${b.batchId} was ${r.status} again instead of skipped (the ledger has it as loaded)`);
      }
      await same('loading again');
      return 'both batches skipped (the ledger has them); the same counts';
    });
    await check('replay', async () => {
      const view = await ledgerView(scoped, batches.map((b) => b.batchId));
      for (const b of batches) {
        const r = await loadBatch(scoped, lake, b, view.statuses.get(b.batchId), { force: true, merge: true, memberKey, newestLoaded: view.newestLoaded });
        if (r.status !== 'loaded') throw new Error(`batch ${b.batchId} ended ${r.status}, not loaded`);
      }
      await same('the replay');
      return 'both batches loaded again from the lake; the same counts, nothing doubled';
    });
    await check('ledger', async () => {
      await expectLedger(scoped, batches, 'loaded');
      return `one row per batch (${batches.length}), status loaded, rows as the manifests say, no error`;
    });
    await check('uniqueness', async () => {
      const dups = await duplicateKeys(scoped);
      if (dups.length) throw new Error(`duplicates: ${dups.map((d) => `${d.table} (${d.key}): ${d.keys} key(s) more than once`).join('; ')}`);
      return 'no natural key of a dimension, no fact grain, no batch id more than once';
    });
    await check('status', async () => {
      const v = await currentVersion(scoped);
      const counts = await tableCounts(scoped);
      return `warehouse status reads version ${v} and ${Object.keys(counts).length} tables`;
    });
  } catch (e) {
    if (!(e instanceof CheckFailed)) throw e;
  } finally {
    off();
    // Always, even after a failure (or before the schema was made: a half-made pair goes too).
    await check('drop scratch schema', async () => {
      await dropScratch(wh, names);
      const still = await scratchSchemas(wh);
      if (still.includes(names.main) || still.includes(names.staging)) throw new Error(`${names.main} is still there after DROP SCHEMA`);
      return `dropped ${names.main} and ${names.staging}`;
    }).catch((e) => { if (!(e instanceof CheckFailed)) throw e; });
  }
}

/** One ledger row per batch, with the status and the manifests' rows, and no error. */
async function expectLedger(wh: Warehouse, batches: BatchEntry[], status: string): Promise<void> {
  const r = await wh.query<{ batch_id: string; status: string; rows_total: number | string; rows_loaded: number | string; error: string | null }>(
    `SELECT batch_id, status, rows_total, rows_loaded, error FROM ${SCHEMA}.etl_batch ORDER BY batch_id`);
  if (r.rows.length !== batches.length) throw new Error(`the ledger has ${r.rows.length} rows for ${batches.length} batches`);
  for (const b of batches) {
    const row = r.rows.find((x) => x.batch_id === b.batchId);
    if (!row) throw new Error(`the ledger has no row for batch ${b.batchId}`);
    const m = b.manifest!;
    if (row.status !== status || Number(row.rows_loaded) !== m.counts.validRows || Number(row.rows_total) !== m.counts.rows || row.error) {
      throw new Error(`ledger row of ${b.batchId}: status ${row.status}, rows ${row.rows_loaded} of ${row.rows_total}${row.error ? ', an error' : ''} (expected ${status}, ${m.counts.validRows} of ${m.counts.rows})`);
    }
  }
}

async function count(wh: Warehouse, sql: string): Promise<number> {
  const r = await wh.query<{ n: number | string }>(sql);
  return Number(r.rows[0]?.n ?? 0);
}

const describeCounts = (c: Record<string, number>) => Object.keys(SELFTEST_EXPECTED).map((t) => `${t} ${c[t]}`).join(', ');

/** The scratch schemas in the database (this run's and any left by one that did not finish). */
async function scratchSchemas(wh: Warehouse): Promise<string[]> {
  const r = await wh.query<{ name: string }>(`SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE '${PREFIX}%'`);
  return r.rows.map((x) => String(x.name).trim()).filter((n) => SCRATCH.test(n));
}

async function dropScratch(wh: Warehouse, names: { main: string; staging: string }): Promise<void> {
  // Only names this command makes (checked), never the real schemas.
  for (const n of [names.staging, names.main]) {
    if (!SCRATCH.test(n)) throw new Error(`refusing to drop ${n}: not a selftest scratch schema`);
    await wh.query(`DROP SCHEMA IF EXISTS ${n} CASCADE`);
  }
}

/**
 * Scratch schemas an earlier selftest left (killed before its drop): dropped when older than
 * LEFTOVER_HOURS or on the embedded warehouse; younger ones on a server are named and left
 * (another selftest may be using them).
 */
async function leftovers(wh: Warehouse, now: number): Promise<string | { detail: string; warn: boolean }> {
  const found = await scratchSchemas(wh);
  const mains = [...new Set(found.map((n) => n.replace(/_staging$/, '')))];
  if (!mains.length) return 'no scratch schema left by an earlier selftest';
  const dropped: string[] = [];
  const kept: string[] = [];
  for (const main of mains) {
    const started = parseInt(SCRATCH.exec(main)![1], 36);
    const old = !Number.isFinite(started) || now - started > LEFTOVER_HOURS * 3_600_000;
    if (wh.engine === 'pglite' || old) {
      await dropScratch(wh, { main, staging: `${main}_staging` });
      dropped.push(main);
    } else kept.push(main);
  }
  const parts = [
    ...(dropped.length ? [`dropped ${dropped.join(', ')} (left by a selftest that did not finish)`] : []),
    ...(kept.length ? [`left ${kept.join(', ')}: made less than ${LEFTOVER_HOURS} h ago, perhaps by a selftest running elsewhere now (a selftest after that drops it)`] : []),
  ];
  return kept.length ? { detail: parts.join('; '), warn: true } : parts.join('; ');
}

/** A failed check's line; its exit code: 3 a warehouse out of reach, 2 configuration, else 1. */
function failure(check: string, e: unknown, fix: string): Check {
  const message = redactDbMessage(String((e as Error)?.message ?? e));
  const exitCode = e instanceof HaloError && (e.fault === 'config' || e.fault === 'usage' || e.code === 'warehouse-unreachable') ? exitCodeFor(e) : 1;
  return { check, ok: false, detail: message, fix: e instanceof HaloError && e.hint ? e.hint : fix, exitCode };
}

function report(ctx: CommandContext, checks: Check[], schema: string, warehouse: string | null): number {
  const exitCode = checks.reduce((c, k) => (k.ok ? c : worse(c, k.exitCode ?? 1)), 0);
  // --log-format json: one event line (a cron job's log holds only JSON objects).
  writeResult(ctx, exitCode === 0 ? 'selftest passed' : 'selftest failed', { ok: exitCode === 0, warehouse, schema, checks: checksJson(checks), ...(ctx.jsonLines ? { exitCode } : {}) },
    () => printChecks(ctx, checks, exitCode));
  return exitCode;
}

/** The config pointed at a temporary embedded warehouse, when the configured one does not exist. */
function temporaryEmbedded(config: HaloConfig): { config: HaloConfig; instead: string; cleanup(): void } | null {
  const folder = embeddedFolder(config);
  // Locked: another process has it open (perhaps creating it right now): wait for it instead.
  if (!folder || holdsEmbeddedDatabase(folder) || existsSync(`${folder}.lock`)) return null;
  const dir = mkdtempSync(join(tmpdir(), 'halo-data-selftest-wh-'));
  return {
    config: { ...config, warehouse: { ...config.warehouse, path: join(dir, 'warehouse') } },
    instead: folder,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
