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
import { stage } from './stage.js';
import { validate } from './validate.js';
import { readManifest, type BatchEntry } from '../batch/catalog.js';
import { batchPrefix } from '../batch/manifest.js';
import { ledgerView, loadBatch, type LoadOutcome } from './load.js';
import { HaloError, exitCodeFor } from '../errors.js';
import { crashpoint } from '../util/crashpoint.js';

/**
 * One source's run: fetch → stage → load (merged), each step picking up whatever an earlier,
 * interrupted run left in the landing folder (see landed.ts). Every batch is its own
 * transaction; a batch that fails does not stop the others.
 */
export interface SourceRun {
  source: string;
  describe: string;
  /** 0 when all went well, else the exit code this source's trouble calls for (cli.md). */
  exitCode: number;
  error: { code: string; message: string; hint?: string } | null;
  fetch: Pick<SourceFetch, 'fetchId' | 'listed' | 'unchanged' | 'bytes' | 'waiting' | 'refused'> & { files: number } | null;
  staged: StageRecord['batches'];
  left: Array<StageRecord['left'][number] & { fetchId: string }>;
  loaded: LoadOutcome[];
  failedBatches: Array<{ batchId: string; code: string; message: string }>;
  /** Where fetches with files left out were moved, for someone to look at. */
  refusedFolders: string[];
  rowsLoaded: number;
  /** Rows rejected in the batches this run staged (they are in each batch's rejects file). */
  rowsRejected: number;
  seconds: { fetch: number; stage: number; load: number; total: number };
}

export interface RunDeps {
  config: HaloConfig;
  lake: () => Promise<Lake>;
  warehouse: () => Promise<Warehouse>;
  log: Logger;
  memberKey?: string;
  maxRejectRate: number;
  now?: number;
  onStep?: (text: string) => void;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The batch id of one schema's files of one fetch: the fetch's time, and a random part that
 * is a hash of (fetch id, schema). Staging the same fetch again after a crash therefore
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
    source: s.name, describe: s.type, exitCode: 0, error: null, fetch: null, staged: [], left: [], loaded: [], failedBatches: [], refusedFolders: [],
    rowsLoaded: 0, rowsRejected: 0, seconds: { fetch: 0, stage: 0, load: 0, total: 0 },
  };
  const landingRoot = resolvePath(deps.config, deps.config.landing ?? './.halo-data/landing');
  let src: Source | null = null;
  try {
    // 1. Fetch. A source that cannot be reached still lets what landed earlier go on.
    let t = performance.now();
    deps.onStep?.(`${s.name}: fetching`);
    try {
      src = await openSource(deps.config, s);
      out.describe = src.describe;
      const f = await fetchSource(src, {
        landingRoot, stateFile: join(resolvePath(deps.config, './.halo-data/state'), `fetch-${s.name}.json`),
        stableAfterMs: (s.stableAfterSeconds ?? 60) * 1000, dryRun: false, now: deps.now, concurrency: s.concurrency,
      });
      out.fetch = { fetchId: f.fetchId, listed: f.listed, files: f.fetched.length, unchanged: f.unchanged, bytes: f.bytes, waiting: f.waiting, refused: f.refused };
      deps.log.info('fetched', { source: s.name, files: f.fetched.length, bytes: f.bytes, unchanged: f.unchanged, waiting: f.waiting.length, refused: f.refused.length });
      if (f.refused.length) out.exitCode = Math.max(out.exitCode, 1);
    } catch (e) {
      if (!(e instanceof HaloError) || e.fault === 'interrupted' || e.fault === 'internal') throw e;
      noteError(out, e);
      deps.log.error('fetch failed', { source: s.name, code: e.code, error: e.message, ...(e.hint ? { hint: e.hint } : {}) });
    }
    out.seconds.fetch = since(t);

    // 2. Stage every fetched folder not staged yet.
    t = performance.now();
    const landed = await landedFetches(landingRoot, s.name);
    for (const f of landed) {
      if (f.staged) continue;
      deps.onStep?.(`${s.name}: staging fetch ${f.fetchId} (${f.record.files.length} files)`);
      crashpoint('run:before-stage');
      f.staged = await stageFetch(f, s, deps);
      crashpoint('run:before-stage-record');
      await writeStageRecord(f.folder, f.staged);
      crashpoint('run:after-stage-record');
      if (s.archive && src?.archive) {
        await archiveFetch(src, f, deps);
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
    out.seconds.load = since(t);
  } catch (e) {
    if (!(e instanceof HaloError) || e.fault === 'interrupted') throw e;
    noteError(out, e);
    deps.log.error('run stopped for this source', { source: s.name, code: e.code, error: e.message });
  } finally {
    await src?.close().catch(() => {});
    out.seconds.total = since(started);
  }
  return out;
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
 * written) is taken as it is. Unreadable files are left out and named; a schema's files
 * with too many rejected rows are left out whole (no batch), as `stage` would refuse them.
 */
async function stageFetch(f: LandedFetch, s: SourceConfig, deps: RunDeps): Promise<StageRecord> {
  const rec: StageRecord = { batches: [], left: [], archived: false };
  const paths = f.record.files.map((x) => join(f.folder, x.landedAs));
  const nameOf = new Map(f.record.files.map((x) => [join(f.folder, x.landedAs), x.path]));
  const groups = new Map<string, string[]>();
  if (s.schema) groups.set(s.schema, paths);
  else {
    // No schema configured: a header-only guess would need every loader twice; a validate pass
    // is simpler and its cost is paid only by sources that do not say what they hold.
    const report = await validate({ inputs: paths, config: deps.config, maxErrors: 1, threads: 1 });
    for (const o of report.files) {
      if (!o.schema) {
        const unreadable = o.rows === 0 && o.errorCount > 0;
        rec.left.push({ path: nameOf.get(o.path) ?? o.path, code: o.problems[0]?.code ?? 'unknown-schema',
          message: unreadable ? 'could not be read (halo-data validate shows why)' : 'no schema recognised from its headers' });
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
      // Written before a crash: take it as it is; files not in it (by content) were left out.
      const m = await readManifest(lake, prefix);
      rec.batches.push({ batchId, prefix, schema, files: m.counts.files, rows: m.counts.validRows, rejectedRows: m.counts.rejectedRows });
      const inBatch = new Set(m.files.map((x) => x.sha256));
      const shaOf = new Map(f.record.files.map((x) => [join(f.folder, x.landedAs), x.sha256]));
      for (const p of files) {
        if (!inBatch.has(shaOf.get(p) ?? '')) rec.left.push({ path: nameOf.get(p) ?? p, code: 'unreadable-file', message: 'could not be read (halo-data validate shows why)' });
      }
      continue;
    }
    try {
      const r = await stage({
        inputs: files, schema, source: s.name, config: deps.config, maxRejectRate: deps.maxRejectRate, id: { batchId, createdAt }, skipUnreadable: true,
      });
      const m = r.manifest;
      rec.batches.push({ batchId, prefix: r.prefix, schema, files: m.counts.files, rows: m.counts.validRows, rejectedRows: m.counts.rejectedRows });
      for (const x of r.skipped) rec.left.push({ path: nameOf.get(x.path) ?? x.path, code: x.code, message: `could not be read${x.where ? ` (at${x.where.slice(1)})` : ''}; halo-data validate shows why` });
      deps.log.info('batch written', { source: s.name, batch: batchId, schema, files: m.counts.files, rows: m.counts.rows, rejected: m.counts.rejectedRows });
    } catch (e) {
      // Bad data stops this schema's batch only; anything else (lake unreachable…) stops the run.
      if (!(e instanceof HaloError) || e.fault !== 'data') throw e;
      for (const p of files) rec.left.push({ path: nameOf.get(p) ?? p, code: e.code, message: e.message });
      deps.log.warn('batch not written', { source: s.name, schema, files: files.length, code: e.code, error: e.message });
    }
  }
  return rec;
}

/** Moves each remote file of a staged fetch into archive/ beside it; one already gone was moved before. */
async function archiveFetch(src: Source, f: LandedFetch, deps: RunDeps): Promise<void> {
  const left = new Set(f.staged!.left.map((l) => l.path));
  for (const file of f.record.files) {
    if (left.has(file.path)) continue; // not in the lake: stays where the partner put it
    await src.archive!(file.path);
  }
  deps.log.info('archived on the source', { source: f.record.source, files: f.record.files.length - left.size });
}

async function loadLanded(landed: LandedFetch[], landingRoot: string, deps: RunDeps, out: SourceRun): Promise<void> {
  const pending = landed.filter((f) => f.staged);
  if (!pending.length) return;
  const ids = pending.flatMap((f) => f.staged!.batches.map((b) => b.batchId));
  const lake = await deps.lake();
  const wh = await deps.warehouse();
  const view = await ledgerView(wh, ids);
  let newest = view.newestLoaded;
  for (const f of pending) {
    let allLoaded = true;
    for (const b of f.staged!.batches) {
      const status = view.statuses.get(b.batchId);
      if (status === 'loaded') continue;
      deps.onStep?.(`${out.source}: loading batch ${b.batchId} (${b.rows.toLocaleString('en-US')} rows)`);
      const entry: BatchEntry = {
        batchId: b.batchId, source: out.source, date: b.prefix.split('/')[1]?.slice(3) ?? '', prefix: b.prefix, status: 'complete',
        manifest: await readManifest(lake, b.prefix), objects: 0, bytes: 0, lastModified: new Date(),
      };
      try {
        const r = await loadBatch(wh, lake, entry, status, { force: false, merge: true, memberKey: deps.memberKey, newestLoaded: newest });
        if (r.status === 'loaded' && (newest === undefined || r.batchId > newest)) newest = r.batchId;
        out.loaded.push(r);
        out.rowsLoaded += r.rows;
        deps.log.info('batch loaded', { source: out.source, batch: r.batchId, rows: r.rows, seconds: Number(r.seconds.toFixed(2)) });
      } catch (e) {
        if (!(e instanceof HaloError) || e.fault === 'interrupted') throw e;
        allLoaded = false;
        out.failedBatches.push({ batchId: b.batchId, code: e.code, message: e.message });
        out.exitCode = worse(out.exitCode, exitCodeFor(e));
        deps.log.error('batch not loaded (the next run tries again)', { source: out.source, batch: b.batchId, code: e.code, error: e.message });
        if (e.fault !== 'data') throw e; // the warehouse is unreachable: the other batches would fail the same way
      }
    }
    crashpoint('run:before-retire');
    if (allLoaded) {
      const moved = await retireFetch(landingRoot, f);
      if (moved) out.refusedFolders.push(moved);
      crashpoint('run:after-retire');
    }
  }
}
