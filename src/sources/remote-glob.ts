import { posix } from 'node:path';
import picomatch from 'picomatch';
import { ConfigError, HaloError } from '../errors.js';

/**
 * Globs over a remote tree where every folder listing is a network round trip: a pattern is
 * cut into per-folder segments and only the folders it can reach are listed. A run of plain
 * names is walked without listing (`/merchants/M1/inbox`: no listing of `/merchants/M1`; a
 * missing folder below a wildcard answers "no such file" and is skipped: a merchant without an
 * inbox yet); a segment with wildcards lists its
 * folder once and keeps the entries its matcher accepts, deciding file or folder from the
 * attributes the listing already carries (no STAT per entry). Listings run concurrently,
 * bounded, and a folder reached by two patterns is listed once.
 *
 * Matching is picomatch's, one segment at a time: `*`, `?`, `[...]`, brace sets (without a
 * `/` inside), `**` for any depth. As with the local source, names starting with a dot are
 * matched only by a segment that starts with one, and `**` does not enter dot-folders.
 * Symbolic links are neither followed nor listed (telling what they point to would cost a
 * STAT each). A name `X.done` marks `X` as complete and is never a file of its own.
 * `skipDirs` (the source's own `archive/` folders) are entered only when a pattern names them.
 *
 * A pattern's fixed folder (its leading plain names, before the first wildcard or the file
 * name) must exist: a missing one is a wrong path, never an empty inbox, and is a
 * MissingFolderError (exit 2) rather than "0 files", which would make every run a silent no-op.
 */

export type Segment =
  | { kind: 'literal'; name: string }
  | { kind: 'match'; source: string; test: (name: string) => boolean }
  | { kind: 'globstar' };

export interface CompiledPattern {
  /** The pattern as configured, for messages. */
  source: string;
  /** Segments below '/', in order. */
  segments: Segment[];
}

export interface DirEntry { name: string; kind: 'file' | 'dir' | 'other'; size: number; mtimeMs: number }
/** A folder's entries, or null when there is no such folder. */
export type ListDir = (dir: string) => Promise<DirEntry[] | null>;
export interface FoundFile { path: string; size: number; mtimeMs: number; doneMarker: boolean }

/**
 * A pattern's fixed folder does not exist: the path is wrong (a typo, another root), so the
 * source would never list a file. A configuration fault (exit 2). `nearest` is the deepest
 * folder above it that does exist, to help spot the typo.
 */
export class MissingFolderError extends HaloError {
  constructor(readonly folder: string, readonly pattern: string, readonly nearest: string | null, context: { source?: string; on?: string } = {}) {
    super('source-folder-missing', 'config',
      `${context.source ? `source '${context.source}': ` : ''}the folder ${folder} does not exist${context.on ? ` on ${context.on}` : ''} (path pattern ${JSON.stringify(pattern)} starts there)`,
      { hint: `check the source's path and paths${nearest ? `: the nearest folder that exists is ${nearest}` : ''} (an empty folder is fine; a missing one is a wrong path)` });
  }
}

/** The folder a compiled pattern starts listing in: its leading literal segments, the file segment excluded. */
export function fixedFolder(p: CompiledPattern): string {
  const names: string[] = [];
  for (const seg of p.segments.slice(0, -1)) {
    if (seg.kind !== 'literal') break;
    names.push(seg.name);
  }
  return '/' + names.join('/');
}

/** Splits on '/' outside brace sets and bracket classes; a '/' inside braces is refused (a segment at a time cannot honour it). */
function splitSegments(pattern: string, source: string): string[] {
  const out: string[] = [];
  let cur = '';
  let braces = 0;
  let bracket = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) { cur += c + pattern[++i]; continue; }
    if (bracket) { if (c === ']') bracket = false; cur += c; continue; }
    if (c === '[') bracket = true;
    else if (c === '{') braces++;
    else if (c === '}' && braces > 0) braces--;
    else if (c === '/') {
      if (braces > 0) throw new ConfigError(`the path pattern ${JSON.stringify(source)} has a '/' inside a brace set`, { hint: 'write one pattern per folder instead, e.g. ["/a/*.csv", "/b/*.csv"]' });
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * A pattern as segments under '/'. Relative patterns are taken from `base` (an absolute
 * remote folder); `.` and `..` are resolved as a path would be, empty segments dropped.
 */
export function compilePattern(pattern: string, base: string): CompiledPattern {
  const trimmed = pattern.trim();
  if (!trimmed) throw new ConfigError('an empty path pattern', { hint: 'paths: ["/merchants/*/inbox/*.csv"]' });
  const abs = posix.normalize(trimmed.startsWith('/') ? trimmed : posix.join(base, trimmed));
  const parts = splitSegments(abs, pattern).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ConfigError(`the path pattern ${JSON.stringify(pattern)} climbs above '/'`);
  if (parts.length === 0) throw new ConfigError(`the path pattern ${JSON.stringify(pattern)} names a folder, not files`, { hint: 'add a file pattern, e.g. "/inbox/*.csv"' });
  const segments: Segment[] = parts.map((p) => {
    if (p === '**') return { kind: 'globstar' };
    if (!p.includes('\\') && !picomatch.scan(p).isGlob) return { kind: 'literal', name: p };
    const isMatch = picomatch(p, { dot: p.startsWith('.') });
    return { kind: 'match', source: p, test: (name: string) => isMatch(name) };
  });
  return { source: pattern, segments };
}

/** At most `limit` of the wrapped calls run at once; the rest queue in call order. */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try { return await task(); } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** A name a folder may hand back that must never be walked into: it would not stay below its folder. */
const unsafeDirName = (name: string) => name === '.' || name === '..' || name.includes('/') || name.includes('\0');

/**
 * Every file the patterns match, each once, sorted by path (code-unit order, like the local
 * source), with its size, mtime and whether `X.done` sits beside it.
 */
export async function walkRemote(patterns: CompiledPattern[], listDir: ListDir, opts: { concurrency?: number; skipDirs?: ReadonlySet<string> } = {}): Promise<FoundFile[]> {
  const skip = opts.skipDirs ?? new Set<string>();
  const limit = limiter(Math.max(1, opts.concurrency ?? 16));
  const listings = new Map<string, Promise<DirEntry[] | null>>();
  const list = (dir: string) => {
    let p = listings.get(dir);
    if (!p) { p = limit(() => listDir(dir)); listings.set(dir, p); }
    return p;
  };
  const found = new Map<string, FoundFile>();

  const missing: CompiledPattern[] = [];

  /** `fixed`: this is the pattern's fixed folder (reached by plain names only), which must exist. */
  const walk = async (segs: Segment[], dir: string, states: number[], fixed: CompiledPattern | null): Promise<void> => {
    // States are indexes into segs; a globstar may also match nothing, so its next index is live too.
    const live = new Set<number>();
    for (const s of states) { live.add(s); for (let k = s; k < segs.length && segs[k].kind === 'globstar'; k++) live.add(k + 1); }
    live.delete(segs.length);
    if (live.size === 0) return;
    // One plain folder name ahead and more to come: step into it without listing this folder.
    if (live.size === 1) {
      const [k] = live;
      const seg = segs[k];
      if (seg.kind === 'literal' && k < segs.length - 1) return walk(segs, posix.join(dir, seg.name), [k + 1], fixed);
    }
    const entries = await list(dir);
    if (!entries) {
      if (fixed) missing.push(fixed);
      return;
    }
    const files = new Set(entries.filter((e) => e.kind === 'file').map((e) => e.name));
    const below: Array<Promise<void>> = [];
    for (const e of entries) {
      const next = new Set<number>();
      let take = false;
      for (const k of live) {
        const seg = segs[k];
        const last = k === segs.length - 1;
        if (seg.kind === 'globstar') {
          if (e.name.startsWith('.') || (e.kind === 'dir' && skip.has(e.name))) continue;
          if (e.kind === 'dir') next.add(k);
          if (last && e.kind === 'file') take = true;
          continue;
        }
        const hit = seg.kind === 'literal' ? e.name === seg.name : seg.test(e.name);
        if (!hit) continue;
        if (last) { if (e.kind === 'file') take = true; } else if (e.kind === 'dir' && (seg.kind === 'literal' || !skip.has(e.name))) next.add(k + 1);
      }
      const path = posix.join(dir, e.name);
      if (take && !e.name.endsWith('.done')) {
        // The name is kept as the server gave it (it is not joined or normalised beyond this
        // folder): landing decides whether it is safe, and says so when it is not.
        const full = `${dir === '/' ? '' : dir}/${e.name}`;
        found.set(full, { path: full, size: e.size, mtimeMs: e.mtimeMs, doneMarker: files.has(`${e.name}.done`) });
      }
      if (next.size && e.kind === 'dir' && !unsafeDirName(e.name)) below.push(walk(segs, path, [...next], null));
    }
    await Promise.all(below);
  };

  await Promise.all(patterns.map((p) => walk(p.segments, '/', [0], p)));
  // Reported after every listing has settled (none left in flight on the connection).
  if (missing.length) {
    const first = missing[0];
    const folder = fixedFolder(first);
    let nearest: string | null = posix.dirname(folder);
    while (nearest !== '/' && !(await list(nearest))) nearest = posix.dirname(nearest);
    throw new MissingFolderError(folder, first.source, nearest === folder ? null : nearest);
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
