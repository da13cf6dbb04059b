import { mkdir, stat } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { dirname, join, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import picomatch from 'picomatch';
import type { Source, RemoteFile } from './source.js';
import { ConfigError } from '../errors.js';
import { MissingFolderError } from './remote-glob.js';
import { checkMerchantIdFrom } from '../schemas/profiles.js';

const isDir = async (p: string) => (await stat(p).catch(() => null))?.isDirectory() === true;

/**
 * A folder and globs below it (`paths`, default every supported file, recursively). As with
 * an SFTP source, a listing that shows the config is wrong is an error (exit 2): the folder,
 * or a pattern's fixed folder below it, missing; or a merchantIdFrom matching no file listed.
 */
export class LocalSource implements Source {
  readonly describe: string;

  /** `create`: the embedded default inbox is ours to make; a configured folder that is missing is a mistake. */
  constructor(readonly name: string, private readonly root: string, private readonly patterns: string[], private readonly create = false, private readonly merchantIdFrom?: string) {
    this.describe = `local folder ${root}`;
  }

  async list(): Promise<Array<RemoteFile & { doneMarker: boolean }>> {
    if (this.create) await mkdir(this.root, { recursive: true });
    const st = await stat(this.root).catch(() => null);
    if (!st?.isDirectory()) throw new ConfigError(`source '${this.name}': the folder ${this.root} does not exist`, { hint: 'check the source\'s path' });
    // Patterns are relative to the root: a leading '/' means the root, not the machine's.
    const rel = this.patterns.map((p) => p.replace(/^\/+/, ''));
    for (const [i, p] of rel.entries()) await this.checkFixedFolder(p, this.patterns[i]);
    const names = (await glob(rel, { cwd: this.root, onlyFiles: true, dot: false, followSymbolicLinks: false })).sort();
    const all = new Set(await glob(rel.map((p) => `${p}.done`), { cwd: this.root, onlyFiles: true }));
    const out: Array<RemoteFile & { doneMarker: boolean }> = [];
    for (const name of names) {
      if (name.endsWith('.done')) continue;
      const s = await stat(join(this.root, name)).catch(() => null);
      if (!s?.isFile()) continue; // gone since the listing
      out.push({ path: name, size: s.size, mtimeMs: Math.trunc(s.mtimeMs), doneMarker: all.has(`${name}.done`) });
    }
    checkMerchantIdFrom(this.name, this.merchantIdFrom, out.map((f) => f.path));
    return out;
  }

  /** A pattern's leading plain folders (before its first wildcard, or its file name) must exist. */
  private async checkFixedFolder(pattern: string, configured: string): Promise<void> {
    const scan = picomatch.scan(pattern);
    const fixed = resolve(this.root, scan.isGlob ? scan.base : dirname(scan.base));
    if (await isDir(fixed)) return;
    let nearest = dirname(fixed);
    while (nearest !== this.root && nearest !== dirname(nearest) && !(await isDir(nearest))) nearest = dirname(nearest);
    throw new MissingFolderError(fixed, configured, nearest, { source: this.name });
  }

  async download(file: RemoteFile, dest: string): Promise<{ bytes: number; sha256: string }> {
    const hash = createHash('sha256');
    let bytes = 0;
    await pipeline(createReadStream(resolve(this.root, file.path)), async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) { hash.update(chunk); bytes += chunk.length; yield chunk; }
    }, createWriteStream(dest));
    return { bytes, sha256: hash.digest('hex') };
  }

  async close(): Promise<void> {}
}
