import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { decodeTime } from 'ulid';
import type { HaloConfig, SourceConfig } from '../config/types.js';
import { resolvePath } from '../config/load.js';
import type { Lake } from '../lake/lake.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { Logger } from '../output/logger.js';
import { openSource } from '../sources/open.js';
import type { Source } from '../sources/source.js';
import { fetchSource, type SourceFetch } from './fetch.js';
import { landedFetches, retireFetch, writeStageRecord, type LandedFetch, type StageRecord } from './landed.js';
import { stage, NothingStagedError } from './stage.js';
import { shrinkGuard } from './shrink-guard.js';
import { validate } from '../files/validate.js';
import { isUnreadable, rejectRateVerdict, unreadableVerdict, type FileVerdict } from '../files/file-verdict.js';
import { finishRetries, listRefused, supersedeRefused } from './refused.js';
import { inLoadOrder, listSourceBatches, readManifest, recentDates, type BatchEntry } from '../batch/catalog.js';
import { batchPrefix } from '../batch/manifest.js';
import { nextSequence } from '../batch/sequence.js';
import { ledgerView, loadBatch, conflictRetries, type LedgerStatus, type LoadOutcome } from './load.js';
import { HaloError, exitCodeFor } from '../errors.js';
import type { StepProgress } from '../output/progress.js';
import { crashpoint } from '../util/crashpoint.js';
import type { Manifest } from '../batch/manifest.js';
import { updateFreshness, type SourceFreshness } from '../freshness/run-update.js';

/**
 * One source's run: fetch → stage → load (merged), each step picking up whatever an earlier,
 * interrupted run left in the landing folder (see landed.ts). Every batch is its own
 * transaction; a batch that fails does not stop the others.
 */
export interface SourceRun {
  source: string;
  describe: string;
  /** 0 when all went well, else the exit code this source's trouble calls for (src/errors.ts: exitCodeFor). */
  exitCode: number;
  error: { code: string; message: string; hint?: string } | null;
  fetch: Pick<SourceFetch, 'fetchId' | 'listed' | 'unchanged' | 'bytes' | 'waiting' | 'refused'> & { files: number } | null;
  staged: StageRecord['batches'];
  left: Array<StageRecord['left'][number] & { fetchId: string }>;
  loaded: LoadOutcome[];
  failedBatches: Array<{ batchId: string; code: string; message: string }>;
  /** Files archive: true left on the source: replaced since they were fetched (the next run takes them). */
  notArchived: Array<{ path: string; why: string }>;
  /** Where fetches with files left out were moved, for someone to look at. */
  refusedFolders: string[];
  /** Files waiting in refused/ after this run (this run's and earlier runs'), oldest first; at most REFUSED_SHOWN. */
  refusedWaiting: { count: number; files: Array<{ fetchId: string; path: string; code: string; message: string; refusedAt: string; ageSeconds: number }> };
  /** Batches loaded from the lake because the warehouse ledger lacked them (a deleted or restored warehouse). */
  reconciled: string[];
  rowsLoaded: number;
  /** Rows rejected in the batches this run staged (they are in each batch's rejects file). */
  rowsRejected: number;
  seconds: { fetch: number; stage: number; load: number; total: number };
  /** When this source and its merchants last sent a file and last loaded, judged against expectEvery (null: the record could not be updated; see error). */
  freshness: SourceFreshness | null;
}

export interface RunDeps {
  config: HaloConfig;
  lake: () => Promise<Lake>;
  warehouse: () => Promise<Warehouse>;
  log: Logger;
  memberKey?: string;
  maxRejectRate: number;
  now?: number;
  /** Told each step's counts (fetch, stage, upload, open, load, copy, merge): output/progress.ts. */
  progress?: StepProgress;
  /** false: no fetch from the source, only what is landed (refused retry). */
  fetch?: boolean;
  /** --allow-shrink: full-catalogue inventory batches load even when far smaller than a merchant's listed products. */
  allowShrink?: boolean;
}

/** How many refused files a run's summary names (the count is always whole; `refused list` shows all). */
export const REFUSED_SHOWN = 20;
const DEFAULT_RECONCILE_DAYS = 7;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The batch id of one schema's files of one fetch: the fetch's time (the source's sequence,
 * never the host clock alone: see batch/sequence.ts), and a random part that is a hash of
 * (fetch id, schema). Staging the same fetch again after a crash therefore
 * writes the same batch (or finds it written), never a second copy of the same rows.
 */
export function batchIdFor(fetchId: string, schema: string): string {
  const h = createHash('sha256').update(`${fetchId}\0${schema}`).digest();
  let rand = '';
  for (let i = 0; i < 16; i++) rand += CROCKFORD[h[i] & 31];
  return fetchId.slice(0, 10) + rand;
}

const since = (t: number) => (performance.now() - t) / 1000;

export async function runSource(s: SourceConfig, deps: RunDeps): Promise<SourceRun> {
  const started = performance.now();
  const out: SourceRun = {
    source: s.name, describe: s.type, exitCode: 0, error: null, fetch: null, staged: [], left: [], loaded: [], failedBatches: [], notArchived: [], refusedFolders: [],
    refusedWaiting: { count: 0, files: [] }, reconciled: [],
    rowsLoaded: 0, rowsRejected: 0, seconds: { fetch: 0, stage: 0, load: 0, total: 0 }, freshness: null,
  };
  loadedManifests.set(out, []);
  let landed: LandedFetch[] = [];
  const landingRoot = resolvePath(deps.config, deps.config.landing ?? './.halo-data/landing');
  let src: Source | null = null;
  try {
    // 1. Fetch. A source that cannot be reached still lets what landed earlier go on.
    let t = performance.now();
    if (deps.fetch !== false) try {
      src = await openSource(deps.config, s);
      out.describe = src.describe;
      const f = await fetchSource(src, {
        landingRoot, stateFile: join(resolvePath(deps.config, './.halo-data/state'), `fetch-${s.name}.json`),
        stableAfterMs: (s.stableAfterSeconds ?? 60) * 1000, dryRun: false, now: deps.now, concurrency: s.concurrency, progress: deps.progress,
        sequence: (now) => nextSequence(s.name, now, { lake: deps.lake, stateDir: resolvePath(deps.config, './.halo-data/state'), landingRoot }),
      });
      out.fetch = { fetchId: f.fetchId, listed: f.listed, files: f.fetched.length, unchanged: f.unchanged, bytes: f.bytes, waiting: f.waiting, refused: f.refused };
      deps.log.info('fetched', { source: s.name, files: f.fetched.length, bytes: f.bytes, unchanged: f.unchanged, waiting: f.waiting.length, refused: f.refused.length });
      if (f.refused.length) out.exitCode = Math.max(out.exitCode, 1);
    } catch (caught) {
      const e = asHaloError(caught);
      noteError(out, e);
      deps.log.error('fetch failed', { source: s.name, code: e.code, error: e.message, ...(e.hint ? { hint: e.hint } : {}) });
    }
    out.seconds.fetch = since(t);

    // 2. Stage every fetched folder not staged yet.
    t = performance.now();
    await finishRetries(landingRoot, s.name);
    landed = await landedFetches(landingRoot, s.name);
    for (const f of landed) {
      if (f.staged) continue;
      crashpoint('run:before-stage');
      f.staged = await stageFetch(f, s, deps);
      crashpoint('run:before-stage-record');
      await writeStageRecord(f.folder, f.staged);
      crashpoint('run:after-stage-record');
      // A retried fetch is not archived: the partner may have put a new file under that name since.
      if (s.archive && src?.archive && !f.record.retry) {
        out.notArchived.push(...await archiveFetch(src, f, deps));
        f.staged.archived = true;
        await writeStageRecord(f.folder, f.staged);
      }
      out.staged.push(...f.staged.batches);
      for (const b of f.staged.batches) out.rowsRejected += b.rejectedRows;
    }
    for (const f of landed) for (const l of f.staged?.left ?? []) out.left.push({ ...l, fetchId: f.fetchId });
    if (out.left.length) out.exitCode = Math.max(out.exitCode, 1);
    out.seconds.stage = since(t);

    // 3. Load every staged batch the ledger does not have as loaded; retire finished fetches.
    t = performance.now();
    await loadLanded(landed, landingRoot, deps, out);
    // 4. The lake's recent batches the ledger lacks (a deleted or restored warehouse).
    await reconcile(s.name, new Set(landed.flatMap((f) => f.staged?.batches.map((b) => b.batchId) ?? [])), deps, out);
    out.seconds.load = since(t);
  } catch (caught) {
    const e = asHaloError(caught);
    noteError(out, e);
    deps.log.error('run stopped for this source', { source: s.name, code: e.code, error: e.message });
  } finally {
    await src?.close().catch(() => {});
    out.seconds.total = since(started);
  }
  out.refusedWaiting = await refusedWaiting(landingRoot, s.name, deps.now ?? Date.now());
  // After everything else: what arrived and what loaded, even when a step failed (an
  // unreachable server makes the source late; that must show, not stop the record).
  try {
    out.freshness = await updateFreshness(s, { lake: deps.lake, now: deps.now ?? Date.now() }, landed, loadedManifests.get(out) ?? []);
  } catch (caught) {
    const e = asHaloError(caught);
    noteError(out, e);
    deps.log.error('freshness record not updated', { source: s.name, code: e.code, error: e.message });
  }
  return out;
}

/** The manifests of the batches a source's run loaded (for the freshness record), kept beside its result, not in it. */
const loadedManifests = new WeakMap<SourceRun, Manifest[]>();

/**
 * An error as this source's result: an interruption goes on up (the run stops); anything
 * else, even one nobody foresaw (a bug, an errno), is recorded for this source, which then
 * counts as failed (exit 1), and the next source is still run and the summary still printed.
 */
function asHaloError(e: unknown): HaloError {
  if (e instanceof HaloError) {
    if (e.fault === 'interrupted') throw e;
    return e;
  }
  return new HaloError('internal', 'internal', `internal error: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** The files of a source waiting in refused/, oldest first, at most REFUSED_SHOWN of them, with their age at `now`. */
export async function refusedWaiting(landingRoot: string, source: string, now: number): Promise<SourceRun['refusedWaiting']> {
  const all = await listRefused(landingRoot, source).catch(() => []);
  return {
    count: all.length,
    files: all.slice(0, REFUSED_SHOWN).map((f) => ({
      fetchId: f.fetchId, path: f.path, code: f.code, message: f.message, refusedAt: f.refusedAt, ageSeconds: Math.max(0, Math.round((now - Date.parse(f.refusedAt)) / 1000)),
    })),
  };
}

function noteError(out: SourceRun, e: HaloError): void {
  out.error ??= { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  out.exitCode = worse(out.exitCode, exitCodeFor(e));
}

/** The exit code that says more: a configuration error (2), then an unreachable service (3), then bad data (1). */
export function worse(a: number, b: number): number {
  const rank = (c: number) => (c === 2 ? 3 : c === 3 ? 2 : c === 1 ? 1 : 0);
  return rank(b) > rank(a) ? b : a;
}

/**
 * Stages one fetch: one batch per schema (the source's, or each file's guessed from its
 * headers), ids fixed by the fetch. A batch already in the lake (a crash after it was
 * written) is taken as it is. Each file is judged alone: an unreadable file, or one whose own
 * share of rejected rows is over the rate, is left out with its own reason and the others
 * make the batch.
 */
async function stageFetch(f: LandedFetch, s: SourceConfig, deps: RunDeps): Promise<StageRecord> {
  const rec: StageRecord = { batches: [], left: [], archived: false };
  const maxRejectRate = f.record.retry?.maxRejectRate ?? deps.maxRejectRate;
  const paths = f.record.files.map((x) => join(f.folder, x.landedAs));
  const nameOf = new Map(f.record.files.map((x) => [join(f.folder, x.landedAs), x.path]));
  const leave = (v: FileVerdict) => rec.left.push({ ...v, path: nameOf.get(v.path) ?? v.path });
  const inBatches = new Set<string>();
  const groups = new Map<string, string[]>();
  if (s.schema) groups.set(s.schema, paths);
  else {
    // No schema configured: a header-only guess would need every loader twice; a validate pass
    // is simpler and its cost is paid only by sources that do not say what they hold.
    const report = await validate({ inputs: paths, config: deps.config, maxErrors: 1, threads: 1 });
    for (const o of report.files) {
      if (!o.schema) {
        leave(isUnreadable(o) ? unreadableVerdict(o) : { path: o.path, code: o.problems[0]?.code ?? 'unknown-schema', message: 'no schema recognised from its headers' });
        continue;
      }
      groups.set(o.schema, [...(groups.get(o.schema) ?? []), o.path]);
    }
  }
  const lake = await deps.lake();
  for (const [schema, files] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const batchId = batchIdFor(f.fetchId, schema);
    const createdAt = new Date(decodeTime(f.fetchId));
    const prefix = batchPrefix(s.name, batchId, createdAt);
    if (await lake.exists(`${prefix}/manifest.json`)) {
      // Written before a crash: take it as it is; files not in it (by content) were left out,
      // and are judged again alone for their reason (paid only after such a crash).
      const m = await readManifest(lake, prefix);
      rec.batches.push({ batchId, prefix, schema, files: m.counts.files, rows: m.counts.validRows, rejectedRows: m.counts.rejectedRows });
      const inBatch = new Set(m.files.map((x) => x.sha256));
      for (const x of inBatch) inBatches.add(x);
      const shaOf = new Map(f.record.files.map((x) => [join(f.folder, x.landedAs), x.sha256]));
      const out = files.filter((p) => !inBatch.has(shaOf.get(p) ?? ''));
      if (out.length) {
        const again = await validate({ inputs: out, schema, source: s.name, config: deps.config, maxErrors: 1, threads: 1, pathAtSource: (p) => nameOf.get(p) });
        for (const o of again.files) leave(isUnreadable(o) ? unreadableVerdict(o) : rejectRateVerdict(o, maxRejectRate) ?? { path: o.path, code: 'left-out', message: 'left out of the batch' });
      }
      continue;
    }
    try {
      const r = await stage({
        inputs: files, schema, source: s.name, config: deps.config, maxRejectRate, id: { batchId, createdAt }, skipUnreadable: true, perFileRejectRate: true,
        originalNames: nameOf, progress: deps.progress, memberKey: deps.memberKey, inventory: s.inventory,
      });
      const m = r.manifest;
      rec.batches.push({ batchId, prefix: r.prefix, schema, files: m.counts.files, rows: m.counts.validRows, rejectedRows: m.counts.rejectedRows });
      for (const x of m.files) inBatches.add(x.sha256);
      for (const v of [...r.skipped, ...r.refused]) leave(v);
      deps.log.info('batch written', { source: s.name, batch: batchId, schema, files: m.counts.files, rows: m.counts.rows, rejected: m.counts.rejectedRows });
    } catch (e) {
      // Bad data stops this schema's batch only; anything else (lake unreachable…) stops the run.
      if (!(e instanceof HaloError) || e.fault !== 'data') throw e;
      if (e instanceof NothingStagedError) for (const v of e.files) leave(v);
      else for (const p of files) leave({ path: p, code: e.code, message: e.message });
      // Nothing staged: each file's own reason is logged below, not the first file's code for all.
      deps.log.warn('batch not written', { source: s.name, schema, files: files.length, code: e instanceof NothingStagedError ? 'nothing-staged' : e.code, error: e.message });
    }
  }
  // The invariant retiring the fetch relies on: every file is in a batch or left out with a
  // reason. A file in neither would be removed from landing (and archived on the source)
  // without being in the lake — how issue 15's binary file vanished. Kept in refused/ instead.
  const named = new Set(rec.left.map((l) => l.path));
  for (const x of f.record.files) {
    if (named.has(x.path) || inBatches.has(x.sha256)) continue;
    deps.log.error('a file is in no batch and has no reason: kept in refused/ (a halo-data bug: please report it)', { source: s.name, file: x.path });
    rec.left.push({ path: x.path, code: 'not-staged', message: 'in no batch and left out with no reason of its own (halo-data validate shows what it holds)' });
  }
  for (const l of rec.left) deps.log.warn('file left out', { source: s.name, file: l.path, code: l.code, reason: l.message });
  return rec;
}

/**
 * Moves each remote file of a staged fetch into archive/ beside it; one already gone was
 * moved before. Only the bytes that were fetched are archived: a file replaced since (size
 * or mtime differs from the fetch record) stays for the next run, and is returned.
 */
async function archiveFetch(src: Source, f: LandedFetch, deps: RunDeps): Promise<Array<{ path: string; why: string }>> {
  const left = new Set(f.staged!.left.map((l) => l.path));
  const kept: Array<{ path: string; why: string }> = [];
  for (const file of f.record.files) {
    if (left.has(file.path)) continue; // not in the lake: stays where the partner put it
    const outcome = await src.archive!(file.path, { size: file.bytes, mtimeMs: file.mtimeMs });
    if (outcome === 'changed') {
      const shown = file.path.replace(/[\x00-\x1f\x7f]/g, '?'); // a name as safe to print
      kept.push({ path: shown, why: 'changed since fetched: left for the next run' });
      deps.log.warn('not archived: changed since fetched, left for the next run', { source: f.record.source, file: shown });
    }
  }
  deps.log.info('archived on the source', { source: f.record.source, files: f.record.files.length - left.size - kept.length });
  return kept;
}

/** The warehouse (opened, or created, on first use: seconds for an embedded one), as a progress step. */
function openWarehouseStep(deps: RunDeps, source: string): Promise<Warehouse> {
  deps.progress?.begin('open', `${source}: opening the warehouse`, {}, { source });
  return deps.warehouse();
}

async function loadLanded(landed: LandedFetch[], landingRoot: string, deps: RunDeps, out: SourceRun): Promise<void> {
  const pending = landed.filter((f) => f.staged);
  if (!pending.length) return;
  const ids = pending.flatMap((f) => f.staged!.batches.map((b) => b.batchId));
  const wh = await openWarehouseStep(deps, out.source);
  const view = await ledgerView(wh, ids);
  const newest = { id: view.newestLoaded };
  for (const f of pending) {
    let allLoaded = true;
    for (const b of f.staged!.batches) {
      if (!(await loadOne(b, view.statuses.get(b.batchId), newest, deps, out))) allLoaded = false;
    }
    crashpoint('run:before-retire');
    if (allLoaded) {
      const left = new Set(f.staged!.left.map((l) => l.path));
      const moved = await retireFetch(landingRoot, f, new Date(deps.now ?? Date.now()));
      if (moved) out.refusedFolders.push(moved);
      const gone = await supersedeRefused(landingRoot, out.source, { fetchId: f.fetchId, paths: f.record.files.map((x) => x.path).filter((p) => !left.has(p)) });
      if (gone) deps.log.info('refused files superseded by a version that loaded', { source: out.source, files: gone });
      crashpoint('run:after-retire');
    }
  }
}

/**
 * Loads one batch unless the ledger has it as loaded; false when it failed (a data problem:
 * noted, the next run tries again). A warehouse that cannot be reached stops the source.
 */
async function loadOne(b: { batchId: string; prefix: string; rows?: number }, status: LedgerStatus | undefined, newest: { id?: string }, deps: RunDeps, out: SourceRun): Promise<boolean> {
  if (status === 'loaded') return true;
  const lake = await deps.lake();
  const wh = await openWarehouseStep(deps, out.source);
  const entry: BatchEntry = {
    batchId: b.batchId, source: out.source, date: b.prefix.split('/')[1]?.slice(3) ?? '', prefix: b.prefix, status: 'complete',
    manifest: await readManifest(lake, b.prefix), objects: 0, bytes: 0, lastModified: new Date(),
  };
  try {
    const r = await loadBatch(wh, lake, entry, status, {
      force: false, merge: true, memberKey: deps.memberKey, newestLoaded: newest.id, progress: deps.progress,
      ...conflictRetries(deps.config, deps.log, { source: out.source, batch: b.batchId }), ...shrinkGuard(deps.config, deps.allowShrink === true),
    });
    if (r.status === 'loaded' && (newest.id === undefined || r.batchId > newest.id)) newest.id = r.batchId;
    out.loaded.push(r);
    if (r.status === 'loaded') loadedManifests.get(out)?.push(entry.manifest!);
    out.rowsLoaded += r.rows;
    deps.log.info('batch loaded', { source: out.source, batch: r.batchId, rows: r.rows, seconds: Number(r.seconds.toFixed(2)) });
    return true;
  } catch (e) {
    if (!(e instanceof HaloError) || e.fault === 'interrupted') throw e;
    out.failedBatches.push({ batchId: b.batchId, code: e.code, message: e.message });
    out.exitCode = worse(out.exitCode, exitCodeFor(e));
    deps.log.error('batch not loaded (the next run tries again)', { source: out.source, batch: b.batchId, code: e.code, error: e.message });
    if (e.fault !== 'data') throw e; // the warehouse is unreachable: the other batches would fail the same way
    return false;
  }
}

/**
 * Ensures the star schema (opening the warehouse does: see commands/run.ts), then loads, in
 * load order, the complete batches of this source in the lake, dated within
 * `run.reconcileDays`, that the ledger lacks or has as failed or staged, and that no landed
 * fetch holds (those were just tried). Costs one lake listing per day of the window (on
 * S3, a LIST request per date and per 1,000 objects) and one ledger query per 100 batches.
 */
async function reconcile(source: string, handled: Set<string>, deps: RunDeps, out: SourceRun): Promise<void> {
  const wh = await openWarehouseStep(deps, source);
  const days = deps.config.run?.reconcileDays ?? DEFAULT_RECONCILE_DAYS;
  if (days === 0) return;
  const lake = await deps.lake();
  const found = (await listSourceBatches(lake, source, recentDates(new Date(deps.now ?? Date.now()), days)))
    .filter((e) => e.status === 'complete' && !handled.has(e.batchId));
  if (!found.length) return;
  const view = await ledgerView(wh, found.map((e) => e.batchId));
  const missing = inLoadOrder(found.filter((e) => view.statuses.get(e.batchId) !== 'loaded'));
  if (!missing.length) return;
  deps.log.warn('the warehouse ledger lacks batches the lake holds: loading them', { source, batches: missing.length });
  const newest = { id: view.newestLoaded };
  for (const e of missing) {
    if (await loadOne(e, view.statuses.get(e.batchId), newest, deps, out)) out.reconciled.push(e.batchId);
  }
}
