import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ulid } from 'ulid';
import type { Source, RemoteFile } from '../sources/source.js';
import { landingPath } from '../sources/landing.js';
import { readState, writeState, type FetchState } from '../sources/state.js';
import { recoverUnfinishedFetches, writeFetchRecord } from './landed.js';
import { crashpoint } from '../util/crashpoint.js';
import type { StepProgress } from '../output/progress.js';
import { DataError, asDiskFull } from '../errors.js';

export interface FetchOptions {
  /** The landing folder; each fetch lands in `<landing>/<source>/<fetch id>/`, never over an earlier one. */
  landingRoot: string;
  stateFile: string;
  /** A file this old (by mtime) is taken even if seen only once. */
  stableAfterMs: number;
  dryRun: boolean;
  /** Downloads at once per source. */
  concurrency?: number;
  now?: number;
  /**
   * The time part of the fetch id (and so of its batch ids), given now: the source's
   * sequence (batch/sequence.ts), so ids never go backwards with the host clock. Asked only
   * when something is to be downloaded. Without it, now.
   */
  sequence?: (now: number) => Promise<number>;
  /** Told the files and bytes downloaded so far, of those to take (step `fetch`). */
  progress?: StepProgress;
}

export interface FetchedFile { path: string; bytes: number; mtimeMs: number; sha256: string | null; landedAs: string | null }
export interface SourceFetch {
  source: string;
  describe: string;
  fetchId: string;
  listed: number;
  fetched: FetchedFile[];
  unchanged: number;
  waiting: Array<{ path: string; why: string }>;
  refused: Array<{ path: string; why: string }>;
  bytes: number;
}

/** A source's name as safe to print: control characters (a terminal's escape sequences) shown as '?'. */
const printable = (p: string) => p.replace(/[\x00-\x1f\x7f]/g, '?');

/** A file-system error on a path in the landing folder (not at the source). */
function landingFault(e: unknown, landingRoot: string): boolean {
  const err = e as NodeJS.ErrnoException;
  return typeof err?.code === 'string' && typeof err.path === 'string' && resolve(err.path).startsWith(resolve(landingRoot) + sep);
}

/** Landing errors that are the folder's, not one file's: every other file would fail the same way. */
const FOLDER_FAULTS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE']);

/** State is saved every this many files, so a crash refetches at most these. */
const SAVE_EVERY = 100;

/**
 * One source's fetch: list, keep what is new or changed since the state file says, and only
 * once it is stable — a `.done` marker, or unchanged since the previous listing, or older than
 * `stableAfterMs` — so a file still being uploaded is never taken. Each file lands under a
 * temporary name, is checked (size as listed; SHA-256 computed) and renamed; a file whose
 * content is what was taken before (only touched) is not landed again.
 */
export async function fetchSource(src: Source, o: FetchOptions): Promise<SourceFetch> {
  const now = o.now ?? Date.now();
  const state: FetchState = readState(o.stateFile);
  if (!o.dryRun) await recoverUnfinishedFetches(o.landingRoot, src.name, state);
  const out: SourceFetch = { source: src.name, describe: src.describe, fetchId: '', listed: 0, fetched: [], unchanged: 0, waiting: [], refused: [], bytes: 0 };
  o.progress?.begin('fetch', `${src.name}: listing`, {}, { source: src.name });
  const listing = await src.list();
  crashpoint('fetch:after-list');
  out.listed = listing.length;
  const seen: FetchState['seen'] = {};
  const todo: Array<{ file: RemoteFile; dest: string }> = [];
  const dests = new Map<string, string>();
  const stable: RemoteFile[] = []; // to take, once the fetch has its id
  for (const f of listing) {
    const taken = state.taken[f.path];
    if (taken && taken.size === f.size && taken.mtimeMs === f.mtimeMs) { out.unchanged++; continue; }
    const before = state.seen[f.path];
    const settled = f.doneMarker || now - f.mtimeMs >= o.stableAfterMs || (before !== undefined && before.size === f.size && before.mtimeMs === f.mtimeMs);
    if (!settled) {
      seen[f.path] = { size: f.size, mtimeMs: f.mtimeMs };
      out.waiting.push({ path: printable(f.path), why: before ? 'still changing since the last listing' : 'new and recent: taken once unchanged at the next listing' });
      continue;
    }
    stable.push(f);
  }
  const fetchId = ulid(stable.length && !o.dryRun && o.sequence ? await o.sequence(now) : now);
  out.fetchId = fetchId;
  for (const f of stable) {
    let dest: string;
    try {
      dest = landingPath(join(o.landingRoot), src.name, `${fetchId}/${f.path}`);
    } catch (e) {
      out.refused.push({ path: printable(f.path), why: (e as Error).message });
      continue;
    }
    // Shortened names carry a hash of the original, so two files meeting here is all but
    // impossible; if they do, the second waits for another fetch rather than overwrite.
    if (dests.has(dest)) {
      out.waiting.push({ path: printable(f.path), why: `its landing name is taken in this fetch by ${printable(dests.get(dest)!)}: taken by the next fetch` });
      continue;
    }
    dests.set(dest, f.path);
    todo.push({ file: f, dest });
  }
  if (o.dryRun) {
    for (const t of todo) { out.fetched.push({ path: t.file.path, bytes: t.file.size, mtimeMs: t.file.mtimeMs, sha256: null, landedAs: null }); out.bytes += t.file.size; }
    return out;
  }
  let filesDone = 0, bytesDone = 0;
  o.progress?.begin('fetch', `${src.name}: fetching`, { files: 0, filesTotal: todo.length, bytes: 0, bytesTotal: todo.reduce((n, t) => n + t.file.size, 0) }, { source: src.name });
  let sinceSave = 0;
  const save = () => { writeState(o.stateFile, { version: 1, taken: state.taken, seen }); sinceSave = 0; };
  const one = async ({ file, dest }: { file: RemoteFile; dest: string }) => {
    const tmp = `${dest}.part-${process.pid}`;
    await mkdir(dirname(dest), { recursive: true });
    try {
      let got: { bytes: number; sha256: string };
      try {
        got = await src.download(file, tmp);
      } catch (e) {
        // Moved or deleted by the partner between the listing and now: nothing to take, not a failure.
        if ((e instanceof DataError && e.code === 'remote-file-gone') || ((e as NodeJS.ErrnoException).code === 'ENOENT' && !landingFault(e, o.landingRoot))) {
          out.waiting.push({ path: printable(file.path), why: 'gone since the listing (moved or deleted at the source)' });
          return;
        }
        throw e;
      }
      const { bytes, sha256 } = got;
      if (bytes !== file.size) {
        seen[file.path] = { size: bytes, mtimeMs: file.mtimeMs };
        out.waiting.push({ path: printable(file.path), why: `changed while it was copied (${file.size} bytes listed, ${bytes} read)` });
        return;
      }
      const taken = state.taken[file.path];
      if (taken && taken.sha256 === sha256) {
        // Touched, not changed: nothing new to land.
        state.taken[file.path] = { ...taken, size: file.size, mtimeMs: file.mtimeMs };
        out.unchanged++;
        return;
      }
      crashpoint('fetch:before-rename');
      await rename(tmp, dest);
      state.taken[file.path] = { size: file.size, mtimeMs: file.mtimeMs, sha256, fetchedAt: new Date(now).toISOString(), landedAs: relative(o.landingRoot, dest) };
      out.fetched.push({ path: file.path, bytes, mtimeMs: file.mtimeMs, sha256, landedAs: dest });
      out.bytes += bytes;
      if (++sinceSave >= SAVE_EVERY) save();
    } finally {
      await rm(tmp, { force: true });
    }
  };
  // A few downloads at once; the first failure stops the rest and is reported after the state is saved.
  const queue = todo.slice();
  let failure: unknown = null;
  const worker = async () => {
    while (queue.length && failure === null) {
      const next = queue.shift()!;
      try {
        await one(next);
        o.progress?.count({ files: ++filesDone, bytes: (bytesDone += next.file.size) });
      } catch (e) {
        // This file's name or path cannot be written here: it is refused and named, the others go on.
        if (landingFault(e, o.landingRoot) && !FOLDER_FAULTS.has((e as NodeJS.ErrnoException).code!)) {
          out.refused.push({ path: printable(next.file.path), why: `cannot be written to the landing folder (${(e as NodeJS.ErrnoException).code}): ${printable((e as Error).message)}` });
          continue;
        }
        failure ??= asDiskFull(e, join(o.landingRoot, src.name), `${printable(next.file.path)} was not landed (its partial download is removed); files landed before it are kept, and the next fetch takes the rest`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 4) }, worker));
  out.fetched.sort((a, b) => a.path.localeCompare(b.path));
  crashpoint('fetch:before-state');
  save();
  crashpoint('fetch:before-record');
  // The record marks the fetch folder finished (run stages only finished ones). Written after
  // the state: a crash between the two leaves an unfinished folder whose files the state
  // lists, which recoverUnfinishedFetches finishes next time.
  if (out.fetched.length) {
    const folder = join(o.landingRoot, src.name, fetchId);
    await writeFetchRecord(folder, {
      fetchId, source: src.name,
      files: out.fetched.map((f) => ({ path: f.path, bytes: f.bytes, mtimeMs: f.mtimeMs, sha256: f.sha256!, landedAs: relative(folder, f.landedAs!) })),
    });
  }
  if (failure !== null) throw failure;
  return out;
}
