import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { ulid } from 'ulid';
import {
  FETCH_RECORD, REFUSED_RECORD, STAGE_RECORD, readJson, writeFetchRecord, writeJsonAtomic,
  type FetchRecord, type RefusedRecord, type StageRecord,
} from './landed.js';
import { crashpoint } from '../util/crashpoint.js';

/**
 * Files `run` left out, kept in `<landing>/<source>/refused/<fetch id>/` with their reasons
 * (`.refused.json`), and the way back in: `retry` moves chosen files into a new landed fetch,
 * which the normal run path then stages and loads.
 */
export interface RefusedFile {
  source: string;
  fetchId: string;
  /** The name at the source. */
  path: string;
  /** Where it is kept now. */
  file: string;
  landedAs: string;
  code: string;
  message: string;
  refusedAt: string;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const RETRY_PLAN = '.retry.json';
const refusedRoot = (landingRoot: string, source: string) => join(landingRoot, source, 'refused');

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
}

/** The files of a source still waiting in refused/, oldest first (a file moved out by a retry is not listed). */
export async function listRefused(landingRoot: string, source: string): Promise<RefusedFile[]> {
  const out: RefusedFile[] = [];
  for (const fetchId of (await names(refusedRoot(landingRoot, source))).filter((n) => ULID.test(n)).sort()) {
    const folder = join(refusedRoot(landingRoot, source), fetchId);
    const rec = await readJson<RefusedRecord>(join(folder, REFUSED_RECORD)) ?? await legacyRecord(folder, fetchId, source);
    for (const f of rec?.files ?? []) {
      const file = join(folder, f.landedAs);
      if (!(await stat(file).catch(() => null))?.isFile()) continue;
      out.push({ source, fetchId, path: f.path, file, landedAs: f.landedAs, code: f.code, message: f.message, refusedAt: rec!.refusedAt });
    }
  }
  return out;
}

/** A folder refused before `.refused.json` existed: its reasons are in `.staged.json`, its time is the folder's. */
async function legacyRecord(folder: string, fetchId: string, source: string): Promise<RefusedRecord | null> {
  const fetched = await readJson<FetchRecord>(join(folder, FETCH_RECORD));
  const staged = await readJson<StageRecord>(join(folder, STAGE_RECORD));
  if (!fetched || !staged) return null;
  const left = new Map(staged.left.map((l) => [l.path, l]));
  const when = (await stat(folder)).mtime.toISOString();
  return {
    fetchId, source, refusedAt: when,
    files: fetched.files.filter((x) => left.has(x.path)).map((x) => ({ path: x.path, landedAs: x.landedAs, code: left.get(x.path)!.code, message: left.get(x.path)!.message })),
  };
}

async function sha256Of(file: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const c of createReadStream(file)) { h.update(c as Buffer); bytes += (c as Buffer).length; }
  return { sha256: h.digest('hex'), bytes };
}

/**
 * Moves refused files of one source back as a new landed fetch (`<landing>/<source>/<new id>/`
 * with `.fetch.json`), to be staged by the run path; `maxRejectRate` applies to that fetch
 * only. Crash-safe: the files go into a hidden folder with the plan first, and the folder is
 * renamed into place only once `.fetch.json` is in it (finishRetries completes a plan a crash
 * interrupted). The caller holds the run lock.
 */
export async function retryRefused(landingRoot: string, source: string, files: RefusedFile[], opts: { maxRejectRate?: number; now?: number } = {}): Promise<string> {
  const fetchId = ulid(opts.now);
  const tmp = join(landingRoot, source, `.retry-${fetchId}`);
  await mkdir(tmp, { recursive: true });
  // Taken as they are now: an operator may have fixed the file in place.
  const record: FetchRecord = { fetchId, source, files: [], retry: { of: [...new Set(files.map((f) => f.fetchId))], ...(opts.maxRejectRate !== undefined ? { maxRejectRate: opts.maxRejectRate } : {}) } };
  const used = new Set<string>();
  for (const f of files) {
    // Two refused fetches may hold the same name: keep both, under their fetch's folder.
    const landedAs = used.has(f.landedAs) ? `${f.fetchId}/${f.landedAs}` : f.landedAs;
    used.add(landedAs);
    record.files.push({ path: f.path, landedAs, ...await sha256Of(f.file) });
  }
  await writeJsonAtomic(join(tmp, RETRY_PLAN), { record, from: files.map((f) => f.file) });
  for (let i = 0; i < files.length; i++) {
    const to = join(tmp, record.files[i].landedAs);
    await mkdir(dirname(to), { recursive: true });
    await rename(files[i].file, to);
    crashpoint('retry:file-moved');
  }
  await commitRetry(landingRoot, source, tmp, record);
  await tidyRefused(landingRoot, source);
  return fetchId;
}

async function commitRetry(landingRoot: string, source: string, tmp: string, record: FetchRecord): Promise<void> {
  await writeFetchRecord(tmp, record);
  await rename(tmp, join(landingRoot, source, record.fetchId));
  await rm(join(landingRoot, source, record.fetchId, RETRY_PLAN), { force: true });
}

/**
 * Completes retries a crash interrupted: the files already moved become the new fetch (the
 * others are still in refused/ and still listed); an empty plan folder goes.
 */
export async function finishRetries(landingRoot: string, source: string): Promise<void> {
  for (const n of await names(join(landingRoot, source))) {
    if (!n.startsWith('.retry-')) continue;
    const tmp = join(landingRoot, source, n);
    const plan = await readJson<{ record: FetchRecord }>(join(tmp, RETRY_PLAN));
    const present = [];
    for (const f of plan?.record.files ?? []) if ((await stat(join(tmp, f.landedAs)).catch(() => null))?.isFile()) present.push(f);
    if (plan && present.length) await commitRetry(landingRoot, source, tmp, { ...plan.record, files: present });
    else await rm(tmp, { recursive: true, force: true });
  }
  await tidyRefused(landingRoot, source);
}

/** Refused folders whose files have all been retried go (a folder with no record of its files is left alone). */
async function tidyRefused(landingRoot: string, source: string): Promise<void> {
  for (const fetchId of (await names(refusedRoot(landingRoot, source))).filter((n) => ULID.test(n))) {
    const folder = join(refusedRoot(landingRoot, source), fetchId);
    const rec = await readJson<RefusedRecord>(join(folder, REFUSED_RECORD)) ?? await legacyRecord(folder, fetchId, source);
    if (!rec) continue;
    let waiting = false;
    for (const f of rec.files) if ((await stat(join(folder, f.landedAs)).catch(() => null))?.isFile()) waiting = true;
    if (!waiting) await rm(folder, { recursive: true, force: true });
  }
}

/**
 * Files of a source that a later fetch staged under the same name (the partner sent a fixed
 * version, and it loaded): their refused copies of older fetches are no longer waiting, and
 * go (the lake keeps the version that loaded). Without this the list and the metric would
 * report a file the partner has long fixed.
 */
export async function supersedeRefused(landingRoot: string, source: string, loaded: { fetchId: string; paths: string[] }): Promise<number> {
  const names = new Set(loaded.paths);
  let n = 0;
  for (const f of await listRefused(landingRoot, source)) {
    if (f.fetchId >= loaded.fetchId || !names.has(f.path)) continue;
    await rm(f.file, { force: true });
    n++;
  }
  if (n) await tidyRefused(landingRoot, source);
  return n;
}
