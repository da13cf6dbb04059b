import { existsSync, rmdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Runs `fn`, then removes the folders it made on the way to `dir` (those missing before),
 * deepest first, as long as they are empty. For checks that must write to prove a folder is
 * writable (doctor's landing and local-lake probes) yet leave nothing behind: a folder that
 * now holds something (another process wrote there meanwhile) is kept.
 */
export async function undoingNewFolders<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.push(d);
  try {
    return await fn();
  } finally {
    for (const d of missing) {
      try { rmdirSync(d); } catch { break; /* not empty, or gone: the ones above stay too */ }
    }
  }
}
