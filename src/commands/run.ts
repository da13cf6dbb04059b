import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CommandContext } from './context.js';
import type { HaloConfig } from '../config/types.js';
import { resolvePath } from '../config/load.js';
import { chosenSources } from '../sources/open.js';
import { openLake } from '../lake/open.js';
import { openWarehouse } from '../warehouse/open.js';
import { initSchema } from '../warehouse/schema.js';
import type { Lake } from '../lake/lake.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { Logger } from '../output/logger.js';
import { runSource, worse, type SourceRun } from '../pipeline/run.js';
import { acquireLock, DEFAULT_STALE_SECONDS, type Lock } from '../util/lock.js';
import { writeMetricsFile, type Metric } from '../output/metrics.js';
import { formatBytes } from '../output/size.js';
import { HaloError, UsageError, InterruptedError, exitCodeFor } from '../errors.js';
import { onInterruptReport } from '../util/interrupt.js';
import { writeResult } from '../output/result.js';
import { errorFacts } from '../output/error-facts.js';
import { crashpoint } from '../util/crashpoint.js';
import { hostNow } from '../util/clock.js';
import { parseDuration } from '../util/duration.js';

export interface RunCommandOptions {
  sources: string[]; maxRejectRate: number; metricsFile?: string;
  /** --allow-shrink: full-catalogue inventory batches load even when far smaller than a merchant's listed products. */
  allowShrink?: boolean;
}

interface RunState { lastSuccess: Record<string, string> }

/**
 * The cron job: for each source fetch → stage → load → merge, one run at a time (a lock),
 * a summary per source, and optionally the figures for Prometheus. One source's trouble does
 * not stop the others; the exit code is the worst any source earned (src/errors.ts).
 */
export async function runCommand(opts: RunCommandOptions, ctx: CommandContext): Promise<number> {
  const startedAt = new Date();
  const t0 = performance.now();
  const results: SourceRun[] = [];
  const facts = (exitCode: number, error?: unknown): Record<string, unknown> => ({
    ok: exitCode === 0, exitCode, startedAt: startedAt.toISOString(), seconds: (performance.now() - t0) / 1000, sources: results,
    ...(error === undefined ? {} : { error: errorDocument(error) }),
  });
  // --json and --log-format json always get their result on stdout: a run that could not start
  // (config, the run lock held) or was interrupted says so there too, not only on stderr.
  const machine = ctx.json || ctx.jsonLines;
  const unhook = onInterruptReport((signal, exitCode) => {
    if (machine) writeResult(ctx, 'run interrupted', facts(exitCode, new InterruptedError(`the run was ${signal === 'SIGTERM' ? 'terminated (SIGTERM)' : 'interrupted (SIGINT)'}: what it had finished is kept, the next run goes on from there`)), () => {});
  });
  let written = false;
  try {
    return await runSources(opts, ctx, results, facts, () => { written = true; });
  } catch (e) {
    if (machine && !written) writeResult(ctx, 'run failed', facts(exitCodeFor(e), e), () => {});
    throw e;
  } finally {
    unhook();
  }
}

function errorDocument(e: unknown): { code: string; message: string; hint?: string } {
  const f = errorFacts(e);
  return { code: f.code, message: f.message, ...(f.hint ? { hint: f.hint } : {}) };
}

async function runSources(opts: RunCommandOptions, ctx: CommandContext, results: SourceRun[], facts: (exitCode: number, error?: unknown) => Record<string, unknown>, written: () => void): Promise<number> {
  if (!(opts.maxRejectRate >= 0 && opts.maxRejectRate <= 1)) throw new UsageError('bad-option', '--max-reject-rate must be between 0 and 1');
  const config = ctx.config();
  const sources = chosenSources(config, opts.sources);
  const lock = await takeRunLock(config, ctx);
  const startedAt = new Date(facts(0).startedAt as string);
  const t0 = performance.now();
  const res = runResources(config, ctx.log);
  const progress = ctx.progress('running…', 'run');
  try {
    for (const s of sources) {
      const r = await runSource(s, {
        config, log: ctx.log, memberKey: ctx.env.HALO_DATA_MEMBER_KEY, maxRejectRate: opts.maxRejectRate, now: hostNow(ctx.env),
        lake: res.lake, warehouse: res.warehouse,
        progress, allowShrink: opts.allowShrink === true,
      });
      results.push(r);
      progress.done(`${r.source}: ${r.exitCode === 0 ? 'done' : 'finished with problems'} in ${r.seconds.total.toFixed(1)} s`, r.exitCode === 0);
    }
    crashpoint('run:before-unlock');
  } finally {
    progress.stop();
    await res.close();
    lock.release();
  }
  const seconds = (performance.now() - t0) / 1000;
  let exitCode = results.reduce((c, r) => worse(c, r.exitCode), 0);
  // A source or merchant with no file past its bound fails the run (cron's mail, CI's red),
  // though every step worked: the data in the warehouse is that old.
  if (results.some((r) => r.freshness?.overdue.count)) exitCode = worse(exitCode, 1);

  // The run's state and metrics files: a failure to write them is reported after the
  // summary (the sources' results are printed whatever happens here), and fails the run.
  let after: unknown = null;
  try {
    const stateFile = join(resolvePath(config, './.halo-data/state'), 'run.json');
    const state = readRunState(stateFile);
    for (const r of results) if (r.exitCode === 0) state.lastSuccess[r.source] = new Date().toISOString();
    writeRunState(stateFile, state);
    if (opts.metricsFile) writeMetricsFile(resolvePath(config, opts.metricsFile), metricsOf(results, state, startedAt, seconds));
  } catch (e) {
    after = e;
    exitCode = worse(exitCode, exitCodeFor(e));
  }

  // Under --log-format json the result below is the run's last event (on stdout): not said twice.
  if (!ctx.jsonLines) ctx.log.info('run finished', { exitCode, seconds: Number(seconds.toFixed(2)), sources: results.length });
  writeResult(ctx, 'run finished', { ...facts(exitCode, after === null ? undefined : after), seconds }, () => printSummary(ctx, results, seconds));
  written();
  if (after !== null) throw after;
  return exitCode;
}

/**
 * The run lock (run, refused retry: the landing folder is theirs). Runs never overlap and
 * never queue: a second one exits at once (cron tries again).
 */
export async function takeRunLock(config: HaloConfig, ctx: CommandContext): Promise<Lock> {
  const lock = await acquireLock({
    file: resolvePath(config, './.halo-data/run.lock'), what: 'the run lock', code: 'run-locked',
    staleSeconds: config.locks?.staleSeconds ?? DEFAULT_STALE_SECONDS, waitSeconds: 0,
    advice: 'Runs never overlap; this one will happen at the next schedule.',
  });
  if (lock.tookOver) ctx.log.warn(lock.tookOver.message);
  return lock;
}

/**
 * The lake and warehouse a run uses, opened on first use; the warehouse's star schema is
 * created or upgraded when it is opened (so a deleted warehouse is made again).
 */
export function runResources(config: HaloConfig, log?: Logger): { lake: () => Promise<Lake>; warehouse: () => Promise<Warehouse>; close: () => Promise<void> } {
  let lake: Promise<Lake> | null = null;
  let wh: Promise<Warehouse> | null = null;
  return {
    lake: () => (lake ??= openLake(config)),
    warehouse: () => (wh ??= openWarehouse(config, { log }).then(async (w) => { await initSchema(w); return w; })),
    close: async () => { if (wh) await (await wh.catch(() => null))?.close(); },
  };
}

function readRunState(file: string): RunState {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as RunState;
    if (v && typeof v.lastSuccess === 'object') return v;
  } catch {
    // first run
  }
  return { lastSuccess: {} };
}

function writeRunState(file: string, state: RunState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp-${process.pid}`, JSON.stringify(state) + '\n');
  renameSync(`${file}.tmp-${process.pid}`, file);
}

function metricsOf(results: SourceRun[], state: RunState, startedAt: Date, seconds: number): Metric[] {
  const per = (name: string, help: string, value: (r: SourceRun) => number, type: Metric['type'] = 'gauge'): Metric =>
    ({ name, help, type, samples: results.map((r) => ({ labels: { source: r.source }, value: value(r) })) });
  const lastSuccess = Object.entries(state.lastSuccess)
    .filter(([source]) => results.some((r) => r.source === source))
    .map(([source, at]) => ({ labels: { source }, value: Date.parse(at) / 1000 }));
  return [
    { name: 'halo_data_run_last_success_timestamp_seconds', help: 'When this source last ran without a problem (Unix time).', type: 'gauge', samples: lastSuccess },
    per('halo_data_run_success', '1 when the last run of this source had no problem, else 0.', (r) => (r.exitCode === 0 ? 1 : 0)),
    per('halo_data_run_exit_code', 'The exit code the last run of this source earned (0 ok, 1 data, 2 config, 3 service).', (r) => r.exitCode),
    per('halo_data_run_duration_seconds', 'How long the last run of this source took.', (r) => Number(r.seconds.total.toFixed(3))),
    per('halo_data_run_files_fetched', 'Files the last run fetched from this source.', (r) => r.fetch?.files ?? 0),
    per('halo_data_run_bytes_fetched', 'Bytes the last run fetched from this source.', (r) => r.fetch?.bytes ?? 0),
    per('halo_data_run_batches_loaded', 'Batches the last run loaded for this source.', (r) => r.loaded.filter((l) => l.status === 'loaded').length),
    per('halo_data_run_rows_loaded', 'Rows the last run loaded for this source.', (r) => r.rowsLoaded),
    per('halo_data_run_rows_rejected', 'Rows rejected in the batches the last run staged for this source.', (r) => r.rowsRejected),
    per('halo_data_run_files_left_out', 'Files the last run could not stage (unreadable, unknown schema, too many rejects).', (r) => r.left.length),
    per('halo_data_refused_files', 'Files of this source waiting in refused/ (halo-data refused list; refused retry stages them again).', (r) => r.refusedWaiting.count),
    ...freshnessMetrics(results),
    per('halo_data_run_batches_reconciled', 'Batches the last run loaded from the lake because the warehouse ledger lacked them.', (r) => r.reconciled.length),
    { name: 'halo_data_run_timestamp_seconds', help: 'When the last run started (Unix time).', type: 'gauge', samples: [{ value: Math.floor(startedAt.getTime() / 1000) }] },
    { name: 'halo_data_run_total_duration_seconds', help: 'How long the last run took, all sources.', type: 'gauge', samples: [{ value: Number(seconds.toFixed(3)) }] },
  ];
}

/**
 * Freshness per source, from the lake's record (freshness/record.ts): never a label per
 * merchant (thousands of series); merchants only as counts, named by `halo-data status`.
 * A sample is left out where there is no value (no file ever, no expectEvery).
 */
function freshnessMetrics(results: SourceRun[]): Metric[] {
  const per = (name: string, help: string, value: (f: NonNullable<SourceRun['freshness']>) => number | null): Metric => ({
    name, help, type: 'gauge',
    samples: results.flatMap((r) => { const v = r.freshness ? value(r.freshness) : null; return v === null ? [] : [{ labels: { source: r.source }, value: v }]; }),
  });
  const unix = (iso: string | null) => (iso === null ? null : Math.floor(Date.parse(iso) / 1000));
  return [
    per('halo_data_source_last_file_timestamp_seconds', 'When this source last sent a file (its fetch time, Unix time).', (f) => unix(f.lastFileAt)),
    per('halo_data_source_last_file_age_seconds', 'Seconds since this source last sent a file (since first watched, when it never did).', (f) => f.ageSeconds),
    per('halo_data_source_last_load_timestamp_seconds', "When a batch of this source last loaded into the warehouse (Unix time).", (f) => unix(f.lastLoadAt)),
    per('halo_data_source_expect_every_seconds', "The source's expectEvery: a file is expected at least this often.", (f) => (f.expectEvery === null ? null : parseDuration(f.expectEvery))),
    per('halo_data_source_merchants_late', 'Merchants of this source with no file for longer than expectEvery (halo-data status names them).', (f) => f.late),
    per('halo_data_source_overdue', 'This source (nothing at all) and its merchants with no file for longer than lateAfter: run and status exit 1.', (f) => (f.expectEvery === null ? null : f.overdue.count)),
  ];
}

/** An age as people say it: 40 s, 12 min, 5 h, 3 days. */
export function age(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400 * 2) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86400)} days`;
}

const n = (x: number) => x.toLocaleString('en-US');
const plural = (k: number, w: string) => `${n(k)} ${w}${k === 1 ? '' : 's'}`;

/** The reminder of files waiting in refused/ (run's summary, status): reason and age each, the list bounded. */
export function printRefusedWaiting(w: (s: string) => void, c: CommandContext['color'], refused: SourceRun['refusedWaiting']): void {
  if (!refused.count) return;
  w(`  ${c.yellow(`${plural(refused.count, 'file')} waiting in refused/`)} (halo-data refused list; halo-data refused retry stages them again):`);
  for (const f of refused.files) w(`    ${f.path} (${f.code}, ${age(f.ageSeconds)}): ${f.message}`);
  if (refused.count > refused.files.length) w(`    … and ${n(refused.count - refused.files.length)} more`);
}

function printFreshness(w: (s: string) => void, c: CommandContext['color'], f: NonNullable<SourceRun['freshness']>): void {
  if (f.lastFileAt === null) w(`  ${c.yellow('no file received yet')}${f.ageSeconds !== null ? ` (watched for ${age(f.ageSeconds)})` : ''}`);
  if (f.overdue.count) {
    const more = f.overdue.count - f.overdue.names.length;
    w(`  ${c.red(`late past ${f.lateAfter}`)} (no file for longer; exit 1): ${f.overdue.names.join(', ')}${more ? ` and ${n(more)} more (halo-data status lists them)` : ''}`);
  } else if (f.late) w(`  ${c.yellow(`${plural(f.late, 'merchant')} late`)} (no file within ${f.expectEvery}; halo-data status lists them)`);
  else if (f.state === 'late') w(`  ${c.yellow('late')}: no file within ${f.expectEvery}`);
}

export function printSummary(ctx: CommandContext, results: SourceRun[], seconds: number): void {
  const c = ctx.color;
  const w = (s: string) => ctx.stdout.write(s + '\n');
  for (const r of results) {
    w(`${c.bold(r.source)} (${r.describe}): ${r.exitCode === 0 ? c.green('ok') : c.red(`problems (exit ${r.exitCode})`)} in ${r.seconds.total.toFixed(1)} s`);
    if (r.fetch) {
      w(`  fetched ${plural(r.fetch.files, 'file')} (${formatBytes(r.fetch.bytes)}); ${n(r.fetch.unchanged)} unchanged${r.fetch.waiting.length ? `; ${r.fetch.waiting.length} still being written (taken once stable)` : ''}`);
      for (const x of r.fetch.refused) w(`  ${c.red('refused')} ${x.path}: ${x.why}`);
    }
    for (const b of r.staged) w(`  staged ${b.batchId} ${b.schema}: ${plural(b.files, 'file')}, ${plural(b.rows, 'row')}${b.rejectedRows ? `, ${n(b.rejectedRows)} rejected` : ''}`);
    const reconciled = new Set(r.reconciled);
    for (const l of r.loaded) w(`  ${l.status} ${l.batchId}: ${plural(l.rows, 'row')} in ${l.seconds.toFixed(1)} s${reconciled.has(l.batchId) ? ' (from the lake: the warehouse ledger lacked it)' : ''}`);
    if (!r.staged.length && !r.loaded.length && !r.error && !r.failedBatches.length) w('  nothing new to load');
    for (const l of r.left) w(`  ${c.yellow('left out')} ${l.path} (${l.code}): ${l.message}`);
    for (const f of r.refusedFolders) w(`  files left out are kept in ${f}`);
    for (const x of r.notArchived) w(`  ${c.yellow('not archived')} ${x.path}: ${x.why}`);
    printRefusedWaiting(w, c, r.refusedWaiting);
    if (r.freshness) printFreshness(w, c, r.freshness);
    for (const f of r.failedBatches) w(`  ${c.red('not loaded')} ${f.batchId} (${f.code}): ${f.message} — the next run tries again`);
    if (r.error) w(`  ${c.red('error')} (${r.error.code}): ${r.error.message}`);
    if (r.error?.hint) w(`    ${c.yellow('fix:')} ${r.error.hint}`);
  }
  w(`${plural(results.length, 'source')} in ${seconds.toFixed(1)} s`);
}
