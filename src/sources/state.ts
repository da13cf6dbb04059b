import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * What a source's earlier fetches saw and took, one JSON file per source, replaced whole
 * (temporary name + rename) so a crash leaves the old state or the new one.
 * - `taken`: files fetched, with the size, mtime and SHA-256 they had: a file is fetched
 *   again only when one of them changed.
 * - `seen`: the previous listing's size and mtime of files not yet taken: a file unchanged
 *   across two listings has stopped growing (is not being uploaded).
 */
export interface TakenFile { size: number; mtimeMs: number; sha256: string; fetchedAt: string; landedAs: string }
export interface FetchState { version: 1; taken: Record<string, TakenFile>; seen: Record<string, { size: number; mtimeMs: number }> }

export function readState(file: string): FetchState {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as FetchState;
    if (v && v.version === 1 && v.taken && v.seen) return v;
  } catch {
    // none yet (or unreadable: start over, which at worst fetches files again)
  }
  return { version: 1, taken: {}, seen: {} };
}

export function writeState(file: string, state: FetchState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(state) + '\n');
  renameSync(tmp, file);
}
