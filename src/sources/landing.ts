import { join, sep } from 'node:path';
import { DataError } from '../errors.js';

/**
 * A source's file name as a path in the landing folder, or a refusal: a name that would
 * leave the folder (`..`, an absolute path), or carries bytes no file name should (control
 * characters, backslashes, NUL), never reaches the disk.
 */
export function landingPath(landingRoot: string, source: string, remotePath: string): string {
  const parts = remotePath.split('/').filter((p) => p !== '' && p !== '.');
  const bad = parts.find((p) => p === '..' || /[\x00-\x1f\x7f\\]/.test(p) || p.length > 255);
  if (bad !== undefined || parts.length === 0) {
    throw new DataError('unsafe-name', `source '${source}': refusing the file name ${JSON.stringify(remotePath.slice(0, 200))}: it would not stay inside the landing folder`);
  }
  const path = join(landingRoot, source, ...parts);
  if (!path.startsWith(join(landingRoot, source) + sep)) throw new DataError('unsafe-name', `source '${source}': refusing the file name ${JSON.stringify(remotePath.slice(0, 200))}`);
  return path;
}
