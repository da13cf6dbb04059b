import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, readdir, rm, rmdir } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { assertProbeKey, type Lake, type LakeObject, type PutResult } from './lake.js';
import { crashpoint } from '../util/crashpoint.js';
import { asDiskFull } from '../errors.js';

/**
 * A lake in a local folder. An object is written under a temporary name beside its place,
 * flushed, then renamed: a reader (or a crash) never sees half an object.
 */
export class LocalLake implements Lake {
  readonly url: string;
  constructor(readonly root: string) {
    this.url = root;
  }

  private path(key: string): string {
    if (key.split('/').some((p) => p === '..' || p === '')) throw new Error(`bad lake key: ${key}`);
    return join(this.root, ...key.split('/'));
  }

  objectUrl(key: string): string {
    return pathToFileURL(this.path(key)).href;
  }

  async put(key: string, body: Readable | Uint8Array, _contentType?: string): Promise<PutResult> {
    const target = this.path(key);
    const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    const hash = createHash('sha256');
    let bytes = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) { hash.update(chunk); bytes += chunk.length; done(null, chunk); },
    });
    try {
      await mkdir(dirname(target), { recursive: true });
      const source = body instanceof Uint8Array ? Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]) : body;
      await pipeline(source, count, createWriteStream(tmp, { flush: true }));
      crashpoint('lake:before-rename');
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw asDiskFull(e, this.root, `the lake object ${key} was not written (its temporary file is removed)`);
    }
    return { bytes, sha256: hash.digest('hex') };
  }

  async get(key: string): Promise<Readable> {
    return createReadStream(this.path(key));
  }

  async removeProbe(key: string): Promise<void> {
    assertProbeKey(key);
    await rm(this.path(key), { force: true });
    await rmdir(dirname(this.path(key))).catch(() => {}); // the probe folder, when empty
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.path(key)).then((s) => s.isFile(), () => false);
  }

  async listFolders(prefix: string): Promise<string[]> {
    const base = prefix.replace(/\/+$/, '');
    const dir = base ? this.path(base) : this.root;
    const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  }

  async *list(prefix: string): AsyncIterable<LakeObject> {
    const base = prefix.replace(/\/+$/, '');
    const start = base ? this.path(base) : this.root;
    const walk = async function* (dir: string): AsyncIterable<string> {
      let entries;
      try { entries = await readdir(dir, { withFileTypes: true }); } catch { return; }
      entries.sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) yield* walk(full);
        else if (e.isFile() && !/\.tmp-\d+-[0-9a-f]{8}$/.test(e.name)) yield full;
      }
    };
    for await (const file of walk(start)) {
      const st = await stat(file).catch(() => null);
      if (!st) continue;
      const key = file.slice(this.root.length + 1).split(sep).join('/');
      yield { key, size: st.size, lastModified: st.mtime };
    }
  }
}
