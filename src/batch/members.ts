import { createReadStream, createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';

/**
 * One gzip member in a local part file, and the input file whose rows it holds. Parts are
 * concatenated gzip members (one per chunk of a file), so the members of one input file can
 * be taken out of a part by copying the others' byte ranges: what a file refused after some
 * of its rows were written needs (issue 14: a CSV found broken half-way is left out whole).
 */
export interface Member { file: number; offset: number; length: number; rows: number; raw: number }

export interface Rewritten { bytes: number; rows: number; uncompressed: number; sha256: string; members: Member[] }

/** Rewrites `path` without the members of `drop`'s files; the new file replaces it. */
export async function rewriteWithout(path: string, members: Member[], drop: ReadonlySet<number>): Promise<Rewritten> {
  const tmp = `${path}.withdraw`;
  const out = createWriteStream(tmp);
  const hash = createHash('sha256');
  const kept: Member[] = [];
  let bytes = 0, rows = 0, uncompressed = 0;
  try {
    for (const m of members) {
      if (drop.has(m.file)) continue;
      kept.push({ ...m, offset: bytes });
      bytes += m.length;
      rows += m.rows;
      uncompressed += m.raw;
      const range = createReadStream(path, { start: m.offset, end: m.offset + m.length - 1 });
      range.on('data', (d) => hash.update(d));
      await pipeline(range, out, { end: false });
    }
    out.end();
    await once(out, 'finish');
  } catch (e) {
    out.destroy();
    throw e;
  }
  await rename(tmp, path);
  return { bytes, rows, uncompressed, sha256: hash.digest('hex'), members: kept };
}
