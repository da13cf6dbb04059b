import { join, sep } from 'node:path';
import { DataError } from '../errors.js';
import { boundedName, nameHash } from '../util/bounded-name.js';

/** The landed path below `<landing>/<source>/` at most this many bytes (PATH_MAX is 4096; the landing root comes on top). */
const MAX_RELATIVE_BYTES = 1024;

/**
 * A source's file name as a path in the landing folder, or a refusal: a name that would
 * leave the folder (`..`, an absolute path), or carries bytes no file name should (control
 * characters, backslashes, NUL), never reaches the disk.
 *
 * The path is bounded so that no name a partner chooses can make landing fail: each part
 * over MAX_NAME_BYTES is shortened (its start, a hash of it, its extension; see
 * boundedName), and a path still too long has its leading folders replaced by one hash
 * (the folders nearest the file, where merchantIdFrom finds a merchant, are kept longest).
 * The original name stays in the fetch record and the batch manifest.
 */
export function landingPath(landingRoot: string, source: string, remotePath: string): string {
  const parts = remotePath.split('/').filter((p) => p !== '' && p !== '.');
  const bad = parts.find((p) => p === '..' || /[\x00-\x1f\x7f\\]/.test(p));
  if (bad !== undefined || parts.length === 0) {
    throw new DataError('unsafe-name', `source '${source}': refusing the file name ${JSON.stringify(remotePath.slice(0, 200))}: it would not stay inside the landing folder`);
  }
  let bounded = parts.map((p) => boundedName(p));
  const size = (ps: string[]) => ps.reduce((n, p) => n + Buffer.byteLength(p) + 1, 0);
  // parts[0] is the fetch id, the last the file; folders between go first, as one hash.
  for (let drop = 1; size(bounded) > MAX_RELATIVE_BYTES && drop < parts.length - 1; drop++) {
    bounded = [bounded[0], nameHash(parts.slice(1, drop + 1).join('/')), ...parts.slice(drop + 1).map((p) => boundedName(p))];
  }
  const path = join(landingRoot, source, ...bounded);
  if (!path.startsWith(join(landingRoot, source) + sep)) throw new DataError('unsafe-name', `source '${source}': refusing the file name ${JSON.stringify(remotePath.slice(0, 200))}`);
  return path;
}
