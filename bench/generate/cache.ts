/**
 * Where generated benchmark inputs live, and how they are written safely.
 *
 * Files are cached in bench/.data/ (gitignored) under a name that carries the generator
 * version, the row count and the seed: a rerun with the same parameters reuses the file. A
 * file is written under a temporary name and renamed into place only when complete, so an
 * interrupted run never leaves a truncated file that a later run would trust.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATOR_VERSION } from './inventory-model.js';
import { removeAtExit, removeNow } from '../support/cleanup.js';

export const DATA_DIR = fileURLToPath(new URL('../.data/', import.meta.url));

export interface GeneratedFile {
  path: string;
  /** Data rows (not counting header, title or blank rows). */
  rows: number;
  bytes: number;
  seed: number;
  /** True when the file was already in the cache. */
  cached: boolean;
  /** Time spent generating (0 when cached). */
  seconds: number;
}

export function cachedPath(kind: string, rows: number, seed: number, ext: string, dir = DATA_DIR): string {
  return path.join(dir, `${kind}-v${GENERATOR_VERSION}-r${rows}-s${seed}.${ext}`);
}

/**
 * Returns the cached file, or runs `write(tmpPath)` and renames its output into place.
 * The temporary name keeps the extension (SheetJS picks the format from it).
 */
export async function ensureCached(
  target: string,
  rows: number,
  seed: number,
  write: (tmpPath: string) => Promise<void>,
): Promise<GeneratedFile> {
  if (fs.existsSync(target)) {
    return { path: target, rows, seed, bytes: fs.statSync(target).size, cached: true, seconds: 0 };
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const ext = path.extname(target);
  const tmp = `${target.slice(0, -ext.length)}.tmp-${process.pid}${ext}`;
  const started = performance.now();
  removeAtExit(tmp); // also on Ctrl-C mid-generation
  try {
    await write(tmp);
    fs.renameSync(tmp, target);
  } finally {
    removeNow(tmp); // a no-op once renamed
  }
  const seconds = (performance.now() - started) / 1000;
  return { path: target, rows, seed, bytes: fs.statSync(target).size, cached: false, seconds };
}
