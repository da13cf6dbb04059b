import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError, asDiskFull } from '../errors.js';

/**
 * A file the user named on the command line (`validate -o report.xml`), written whole or not
 * at all (a temporary name beside it, then a rename): a CI step never reads half a report.
 * A folder that is missing or not writable is the user's to fix: a usage error (exit 2) that
 * names the folder as they typed it (a path they typed is theirs to see, never masked); a
 * full disk is a DiskFullError (exit 1).
 */
export function writeOutputFile(typed: string, cwd: string, text: string, what: string): void {
  const target = resolve(cwd, typed);
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw outputFileError(e, typed, what);
  }
}

/**
 * Checks, before any work, that the file's folder exists and can be written to, so that a
 * long validate does not end in "the folder does not exist". The write itself still reports
 * what changed in between.
 */
export function checkOutputFolder(typed: string, cwd: string, what: string): void {
  const target = resolve(cwd, typed);
  const folder = dirname(target);
  try {
    if (!statSync(folder).isDirectory()) throw Object.assign(new Error(folder), { code: 'ENOTDIR' });
    if (statSync(target, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error(target), { code: 'EISDIR' });
    accessSync(folder, constants.W_OK);
  } catch (e) {
    throw outputFileError(e, typed, what);
  }
}

const FOLDER_FAULTS: Record<string, (folder: string) => string> = {
  ENOENT: (folder) => `the folder ${folder} does not exist`,
  ENOTDIR: (folder) => `${folder} is not a folder`,
  EACCES: (folder) => `no permission to write in ${folder}`,
  EPERM: (folder) => `no permission to write in ${folder}`,
  EROFS: (folder) => `${folder} is on a read-only file system`,
};

function outputFileError(e: unknown, typed: string, what: string): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code ?? '';
  const folder = dirname(typed);
  if (code === 'EISDIR') return new UsageError('bad-output-file', `cannot write ${what} to ${typed}: it is a folder`, { hint: 'name a file, e.g. -o report.txt', cause: e });
  const why = FOLDER_FAULTS[code];
  if (why) return new UsageError('bad-output-file', `cannot write ${what} to ${typed}: ${why(folder)} (${code})`, { hint: 'create the folder or name a file in a folder you can write to', cause: e });
  return asDiskFull(e, folder, `${what} was not written`);
}
