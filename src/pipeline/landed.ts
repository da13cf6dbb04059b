import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { FetchState } from '../sources/state.js';

/**
 * The landing folder's bookkeeping. Each fetch lands in `<landing>/<source>/<fetch id>/`;
 * two small records in that folder say how far it got, so a crash at any point is picked up
 * where it stopped and nothing is staged or loaded twice:
 *
 *   no `.fetch.json`   unfinished fetch   → recoverUnfinishedFetches keeps what the state took
 *   `.fetch.json`      fetched            → run stages it (batch ids fixed by the fetch id)
 *   `.staged.json`     staged             → run loads its batches, then removes the folder
 *                                           (or moves it under `refused/` when files were left out,
 *                                           with `.refused.json`: each file's reason; see refused.ts)
 */
export const FETCH_RECORD = '.fetch.json';
export const STAGE_RECORD = '.staged.json';
export const REFUSED_RECORD = '.refused.json';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export interface FetchRecord {
  fetchId: string;
  source: string;
  /**
   * `path`: the name at the source; `landedAs`: relative to the fetch folder; `mtimeMs`: the
   * source's mtime when it was listed (absent in records of older versions), so archiving
   * can tell the fetched file from a replacement.
   */
  files: Array<{ path: string; bytes: number; mtimeMs?: number; sha256: string; landedAs: string }>;
  /** A fetch made by `refused retry` from files refused before: not archived on the source again; its own reject rate. */
  retry?: { of: string[]; maxRejectRate?: number };
}

/** Beside refused files (`refused/<fetch id>/.refused.json`): why each was left out, so listing them needs no re-validation. */
export interface RefusedRecord {
  fetchId: string;
  source: string;
  refusedAt: string;
  files: Array<{ path: string; landedAs: string; code: string; message: string }>;
}

export interface StageRecord {
  batches: Array<{ batchId: string; prefix: string; schema: string; files: number; rows: number; rejectedRows: number }>;
  /** Files left out of every batch, with why (unreadable, schema not recognised, too many rejects). */
  left: Array<{ path: string; code: string; message: string }>;
  /** Remote files moved to archive/ on the server (the source's `archive: true`). */
  archived: boolean;
}

export interface LandedFetch { fetchId: string; folder: string; record: FetchRecord; staged: StageRecord | null }

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await rename(tmp, file);
}

export const writeFetchRecord = (folder: string, r: FetchRecord) => writeJsonAtomic(join(folder, FETCH_RECORD), r);
export const writeStageRecord = (folder: string, r: StageRecord) => writeJsonAtomic(join(folder, STAGE_RECORD), r);

export async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

async function fetchFolders(landingRoot: string, source: string): Promise<string[]> {
  const dir = join(landingRoot, source);
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
  return names.filter((n) => ULID.test(n)).sort();
}

/**
 * Finishes fetch folders a crash left without a record: partial downloads go; a landed file
 * stays only when the fetch state took it (else the next fetch takes it again, and keeping
 * it would land it twice); the record is written for what stayed, or the folder goes.
 */
export async function recoverUnfinishedFetches(landingRoot: string, source: string, state: FetchState): Promise<void> {
  const byLanded = new Map<string, [string, FetchState['taken'][string]]>();
  for (const [path, t] of Object.entries(state.taken)) byLanded.set(t.landedAs.split(sep).join('/'), [path, t]);
  for (const fetchId of await fetchFolders(landingRoot, source)) {
    const folder = join(landingRoot, source, fetchId);
    if (await readJson(join(folder, FETCH_RECORD))) continue;
    const files: FetchRecord['files'] = [];
    for (const e of await readdir(folder, { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      const full = join(e.parentPath, e.name);
      const key = relative(landingRoot, full).split(sep).join('/');
      const taken = byLanded.get(key);
      if (!taken || /\.part-\d+$/.test(e.name)) { await rm(full, { force: true }); continue; }
      files.push({ path: taken[0], bytes: taken[1].size, mtimeMs: taken[1].mtimeMs, sha256: taken[1].sha256, landedAs: relative(folder, full).split(sep).join('/') });
    }
    if (files.length) await writeFetchRecord(folder, { fetchId, source, files: files.sort((a, b) => a.path.localeCompare(b.path)) });
    else await rm(folder, { recursive: true, force: true });
  }
}

/** Finished fetch folders of a source, oldest first, with how far each got. */
export async function landedFetches(landingRoot: string, source: string): Promise<LandedFetch[]> {
  const out: LandedFetch[] = [];
  for (const fetchId of await fetchFolders(landingRoot, source)) {
    const folder = join(landingRoot, source, fetchId);
    const record = await readJson<FetchRecord>(join(folder, FETCH_RECORD));
    if (!record) continue;
    out.push({ fetchId, folder, record, staged: await readJson<StageRecord>(join(folder, STAGE_RECORD)) });
  }
  return out;
}

/**
 * A fetch whose batches are all loaded: gone when every file made it into a batch (the lake's
 * raw/ copy is the backup); else the files left out stay, moved to
 * `<landing>/<source>/refused/<fetch id>/`, for someone to look at.
 */
export async function retireFetch(landingRoot: string, f: LandedFetch, now = new Date()): Promise<string | null> {
  const left = new Map(f.staged?.left.map((l) => [l.path, l]) ?? []);
  if (left.size) {
    for (const x of f.record.files) if (!left.has(x.path)) await rm(join(f.folder, x.landedAs), { force: true });
    const files = f.record.files.filter((x) => left.has(x.path))
      .map((x) => ({ path: x.path, landedAs: x.landedAs, code: left.get(x.path)!.code, message: left.get(x.path)!.message }));
    // Written before the move: a crash between the two only makes the next run write it again.
    await writeJsonAtomic(join(f.folder, REFUSED_RECORD), { fetchId: f.fetchId, source: f.record.source, refusedAt: now.toISOString(), files } satisfies RefusedRecord);
    const to = join(landingRoot, f.record.source, 'refused', f.fetchId);
    await mkdir(join(landingRoot, f.record.source, 'refused'), { recursive: true });
    await rename(f.folder, to);
    return to;
  }
  await rm(f.folder, { recursive: true, force: true });
  return null;
}
