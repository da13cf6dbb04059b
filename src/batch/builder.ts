import { createReadStream as openRead, createWriteStream, type WriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { mkdtemp, mkdir, rm, stat, readdir } from 'node:fs/promises';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, basename, dirname } from 'node:path';
import { decodeTime, ulid } from 'ulid';
import type { Lake } from '../lake/lake.js';
import type { RowSink } from '../files/file-accumulator.js';
import type { FileOutcome } from '../files/file-outcome.js';
import type { SchemaSpec } from '../schemas/types.js';
import type { InventoryMode } from '../config/types.js';
import { VERSION } from '../version.js';
import { rewriteWithout, type Member } from './members.js';
import { partFields, partShaper } from './part-shape.js';
import { crashpoint } from '../util/crashpoint.js';
import { asDiskFull, DiskFullError } from '../errors.js';
import {
  MANIFEST_FORMAT, MANIFEST_VERSION, MANIFEST_NAME, COPY_MANIFEST_NAME, LINES_COPY_MANIFEST_NAME, CLAIM_LINE_COLUMNS, batchPrefix,
  type Manifest, type ManifestPart,
} from './manifest.js';

/** Parts of ~128 MB uncompressed: Redshift COPY reads a batch's parts in parallel. */
export const DEFAULT_PART_BYTES = 128 * 1024 ** 2;

interface OpenPart { file: string; stream: WriteStream; rows: number; uncompressed: number; hash: ReturnType<typeof createHash>; bytes: number; members: Member[] }

/** A table's run of parts: the schema's rows, or claim PDFs' line items. */
class PartSeries {
  open: OpenPart | null = null;
  done: ManifestPart[] = [];
  /** The gzip members of each done part, and whose (withdraw()). */
  members: Member[][] = [];
  constructor(readonly dir: string, readonly keyDir: string) {}
}

/**
 * Builds one batch: normalised rows (gzip members from the accumulators) go to local part
 * files, rotated by size; rejects to one file. publish() then puts raw files, parts,
 * rejects and the COPY manifest into the lake, and the manifest last.
 */
export class BatchBuilder {
  readonly batchId: string;
  readonly createdAt: Date;
  readonly prefix: string;
  private dir = '';
  private main!: PartSeries;
  private lines!: PartSeries;
  private rejects: { stream: WriteStream; rows: number; bytes: number; hash: ReturnType<typeof createHash>; file: string; members: Member[]; sha256?: string } | null = null;
  private lock: Promise<void> = Promise.resolve();
  /** Rewrites normalised lines into the part's shape (personal fields out, member_key in); null: unchanged. */
  private readonly shape: ((lines: Uint8Array) => Uint8Array) | null;

  /**
   * `id` fixes the batch id and time (run derives them from the fetch, so staging the same
   * landed files again after a crash writes the same batch, not a second one). `memberKey`:
   * HALO_DATA_MEMBER_KEY, required when the schema holds personal data (a ConfigError here,
   * before anything is read or written). `inventory`: a merchant_inventory batch's mode, put in
   * its manifest (stage.ts decides it and refuses it for other schemas).
   */
  constructor(private readonly lake: Lake, readonly source: string, private readonly schema: SchemaSpec, private readonly partBytes = DEFAULT_PART_BYTES,
    id?: { batchId: string; createdAt: Date }, memberKey?: string, private readonly inventory?: InventoryMode) {
    this.shape = partShaper(schema, memberKey);
    this.batchId = id?.batchId ?? ulid();
    this.createdAt = id?.createdAt ?? new Date();
    this.prefix = batchPrefix(source, this.batchId, this.createdAt);
  }

  async open(): Promise<void> {
    await sweepStaleBuildFolders();
    try {
      this.dir = await mkdtemp(join(tmpdir(), `halo-batch-${this.batchId}-`));
      await mkdir(join(this.dir, 'claim_line'));
    } catch (e) {
      if (this.dir) await rm(this.dir, { recursive: true, force: true });
      throw asDiskFull(e, `${tmpdir()} (batch build folders: TMPDIR)`, `batch ${this.batchId} was not started: nothing was written`);
    }
    this.main = new PartSeries(this.dir, 'normalized');
    this.lines = new PartSeries(join(this.dir, 'claim_line'), 'normalized/claim_line');
  }

  /**
   * A sink for the rows of input file number `file` (any number that names it: withdraw()
   * takes the same); all sinks write into the same parts, serialised.
   */
  sink(file = 0): RowSink {
    return {
      ...(this.shape ? { shape: this.shape } : {}),
      write: (member, rows, raw) => this.serial(() => this.writePart(this.main, member, rows, raw, file)),
      writeRejects: (member, rows) => this.serial(() => this.writeRejects(member, rows, file)),
      writeLines: (member, rows, raw) => this.serial(() => this.writePart(this.lines, member, rows, raw, file)),
    };
  }

  /**
   * Takes every row written for these files out of the batch (parts and rejects), before
   * publish(): a file refused after some of its rows were written (a CSV whose quote is never
   * closed is found broken at its end) must leave nothing in the batch. Parts left with no
   * row are dropped. Rare, so it rewrites the parts concerned rather than keeping files apart.
   */
  async withdraw(files: Iterable<number>): Promise<void> {
    const drop = new Set(files);
    if (drop.size === 0) return;
    await this.lock;
    for (const series of [this.main, this.lines]) {
      if (series.open) await this.closePart(series);
      const done: ManifestPart[] = [];
      const members: Member[][] = [];
      for (let i = 0; i < series.done.length; i++) {
        const part = series.done[i];
        let list = series.members[i];
        if (list.some((m) => drop.has(m.file))) {
          const path = join(series.dir, basename(part.key));
          const r = await rewriteWithout(path, list, drop);
          if (r.rows === 0) { await rm(path, { force: true }); continue; }
          Object.assign(part, { rows: r.rows, bytes: r.bytes, uncompressedBytes: r.uncompressed, sha256: r.sha256 });
          list = r.members;
        }
        done.push(part);
        members.push(list);
      }
      series.done = done;
      series.members = members;
    }
    const rj = this.rejects;
    if (rj && rj.members.some((m) => drop.has(m.file))) {
      await this.endRejects();
      const r = await rewriteWithout(rj.file, rj.members, drop);
      if (r.rows === 0) {
        await rm(rj.file, { force: true });
        this.rejects = null;
      } else {
        Object.assign(rj, { rows: r.rows, bytes: r.bytes, members: r.members, sha256: r.sha256 });
      }
    }
    this.sealed = true;
  }

  /** Set by withdraw(): the parts are final, a later write would be a bug. */
  private sealed = false;

  private async endRejects(): Promise<void> {
    const r = this.rejects;
    if (!r || r.sha256 !== undefined) return;
    r.stream.end();
    await once(r.stream, 'finish');
    r.sha256 = r.hash.digest('hex');
  }

  /** A write error of a local part file: it fails publish() (and never crashes the process as an unheard 'error'). */
  private writeError: Error | null = null;

  private watched(stream: WriteStream): WriteStream {
    stream.on('error', (e) => { this.writeError ??= e; });
    return stream;
  }

  /**
   * A full disk, in the build folder or in the lake, named with what was kept: nothing in
   * the lake, or an incomplete batch (no manifest: nothing loads it; staging again rewrites
   * it). The build folder itself goes in close().
   */
  private diskFull(e: unknown): unknown {
    const dropped = 'its build folder is removed';
    if (e instanceof DiskFullError) {
      return new DiskFullError(e.folder, `${e.kept}; batch ${this.batchId} is incomplete in the lake (no manifest: nothing loads it, staging the files again rewrites it); ${dropped}`, e.errno);
    }
    return asDiskFull(e, `${dirname(this.dir)} (batch build folders: TMPDIR)`, `nothing of batch ${this.batchId} was put into the lake; ${dropped}`);
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.lock.then(fn).catch((e) => { throw this.diskFull(e); });
    this.lock = run.catch(() => {});
    return run;
  }

  private async writePart(series: PartSeries, member: Uint8Array, rows: number, raw: number, file: number): Promise<void> {
    if (this.sealed) throw new Error('rows written to a batch after withdraw()');
    if (series.open && series.open.uncompressed + raw > this.partBytes && series.open.rows > 0) await this.closePart(series);
    if (!series.open) {
      const path = join(series.dir, `part-${String(series.done.length).padStart(5, '0')}.csv.gz`);
      series.open = { file: path, stream: this.watched(createWriteStream(path)), rows: 0, uncompressed: 0, hash: createHash('sha256'), bytes: 0, members: [] };
    }
    const p = series.open;
    p.members.push({ file, offset: p.bytes, length: member.length, rows, raw });
    p.hash.update(member);
    p.bytes += member.length;
    p.rows += rows;
    p.uncompressed += raw;
    if (!p.stream.write(member)) await once(p.stream, 'drain');
    crashpoint('stage:part-written');
  }

  private async closePart(series: PartSeries): Promise<void> {
    const p = series.open!;
    series.open = null;
    p.stream.end();
    await once(p.stream, 'finish');
    series.done.push({ key: `${series.keyDir}/${basename(p.file)}`, rows: p.rows, bytes: p.bytes, uncompressedBytes: p.uncompressed, sha256: p.hash.digest('hex') });
    series.members.push(p.members);
  }

  private async writeRejects(member: Uint8Array, rows: number, fileIndex: number): Promise<void> {
    if (this.sealed) throw new Error('rows written to a batch after withdraw()');
    if (!this.rejects) {
      const file = join(this.dir, 'rejects.ndjson.gz');
      this.rejects = { file, stream: this.watched(createWriteStream(file)), rows: 0, bytes: 0, hash: createHash('sha256'), members: [] };
    }
    const r = this.rejects;
    r.members.push({ file: fileIndex, offset: r.bytes, length: member.length, rows, raw: 0 });
    r.hash.update(member);
    r.bytes += member.length;
    r.rows += rows;
    if (!r.stream.write(member)) await once(r.stream, 'drain');
  }

  /** Puts everything into the lake, the manifest last; returns the manifest. */
  /** `onUploaded` is told the bytes put into the lake so far, of all it will put (progress). */
  async publish(outcomes: FileOutcome[], rawNames: string[], originals: string[] = [], onUploaded?: (bytes: number, total: number) => void): Promise<Manifest> {
    try {
      return await this.publishAll(outcomes, rawNames, originals, onUploaded);
    } catch (e) {
      throw this.diskFull(e);
    }
  }

  private async publishAll(outcomes: FileOutcome[], rawNames: string[], originals: string[], onUploaded?: (bytes: number, total: number) => void): Promise<Manifest> {
    await this.lock;
    for (const series of [this.main, this.lines]) if (series.open) await this.closePart(series);
    if (this.writeError) throw this.writeError;
    crashpoint('stage:before-publish');
    let rejects: Manifest['rejects'] = null;
    if (this.rejects) {
      await this.endRejects();
      rejects = { key: 'rejects.ndjson.gz', rows: this.rejects.rows, bytes: this.rejects.bytes, sha256: this.rejects.sha256! };
    }
    let uploaded = 0;
    const total = (await Promise.all(outcomes.map((o) => stat(o.path).then((x) => x.size, () => 0)))).reduce((a, b) => a + b, 0)
      + [...this.main.done, ...this.lines.done].reduce((a, p) => a + p.bytes, 0) + (rejects?.bytes ?? 0);
    const createReadStream = (path: string) => counted(openRead(path), (n) => { uploaded += n; onUploaded?.(uploaded, total); });
    const files: Manifest['files'] = [];
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i];
      const put = await this.lake.put(`${this.prefix}/raw/${rawNames[i]}`, createReadStream(o.path), 'application/octet-stream');
      const size = (await stat(o.path)).size;
      if (put.bytes !== size) throw new Error(`${o.path} changed while it was staged (${size} bytes on disk, ${put.bytes} copied)`);
      const original = originals[i] !== undefined && originals[i] !== rawNames[i] ? { original: originals[i] } : {};
      files.push({ name: rawNames[i], ...original, bytes: put.bytes, sha256: put.sha256, format: o.format, rows: o.rows, validRows: o.validRows, rejectedRows: o.rows - o.validRows });
    }
    crashpoint('stage:after-raw');
    for (const series of [this.main, this.lines]) {
      for (const p of series.done) {
        const put = await this.lake.put(`${this.prefix}/${p.key}`, createReadStream(join(series.dir, basename(p.key))), 'application/gzip');
        if (put.sha256 !== p.sha256) throw new Error(`${p.key}: SHA-256 after writing differs from the one computed while building`);
      }
    }
    if (rejects && this.rejects) {
      const put = await this.lake.put(`${this.prefix}/${rejects.key}`, createReadStream(this.rejects.file), 'application/gzip');
      if (put.sha256 !== rejects.sha256) throw new Error('rejects: SHA-256 after writing differs');
    }
    // Redshift's COPY manifests, one per table: every part mandatory, so a missing part fails the load.
    const copyManifest = (parts: ManifestPart[]) => Buffer.from(JSON.stringify({
      entries: parts.map((p) => ({ url: this.lake.objectUrl(`${this.prefix}/${p.key}`), mandatory: true, meta: { content_length: p.bytes } })),
    }, null, 2) + '\n');
    await this.lake.put(`${this.prefix}/${COPY_MANIFEST_NAME}`, copyManifest(this.main.done), 'application/json');
    if (this.lines.done.length) await this.lake.put(`${this.prefix}/${LINES_COPY_MANIFEST_NAME}`, copyManifest(this.lines.done), 'application/json');
    const counts = { files: files.length, rows: 0, validRows: 0, rejectedRows: 0 };
    for (const f of files) { counts.rows += f.rows; counts.validRows += f.validRows; counts.rejectedRows += f.rejectedRows; }
    const manifest: Manifest = {
      format: MANIFEST_FORMAT, version: MANIFEST_VERSION, batchId: this.batchId, source: this.source,
      schema: { name: this.schema.name, version: this.schema.version },
      columns: [...partFields(this.schema).map((f) => f.name), 'source_file', 'source_row'],
      createdAt: this.createdAt.toISOString(), sequence: decodeTime(this.batchId), tool: { name: 'halo-data', version: VERSION },
      files, parts: this.main.done, rejects, copyManifest: COPY_MANIFEST_NAME, counts,
      ...(this.inventory ? { inventory: this.inventory } : {}),
      ...(this.lines.done.length ? {
        claimLines: { columns: [...CLAIM_LINE_COLUMNS], parts: this.lines.done, copyManifest: LINES_COPY_MANIFEST_NAME },
      } : {}),
    };
    crashpoint('stage:before-manifest');
    await this.lake.put(`${this.prefix}/${MANIFEST_NAME}`, Buffer.from(JSON.stringify(manifest, null, 2) + '\n'), 'application/json');
    return manifest;
  }

  /** Removes the local working folder (the lake keeps what was published). */
  async close(): Promise<void> {
    // Writes still queued (a refused stage ends while rows are in flight) finish first: a
    // stream destroyed under a pending write would report it to nobody.
    await this.lock.catch(() => {});
    this.main?.open?.stream.destroy();
    this.lines?.open?.stream.destroy();
    this.rejects?.stream.destroy();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** A build folder untouched this long belongs to a stage that was killed (no build lasts a day). */
const STALE_MS = 24 * 3600 * 1000;

/**
 * A stage killed with SIGKILL (or a power cut) cannot remove its local build folder; the next
 * stage removes such folders once they are a day old. Best effort: a folder that cannot be
 * read or removed is left alone.
 */
async function sweepStaleBuildFolders(): Promise<void> {
  const root = tmpdir();
  let names: string[];
  try {
    names = (await readdir(root)).filter((n) => n.startsWith('halo-batch-'));
  } catch {
    return;
  }
  for (const name of names) {
    try {
      const s = await stat(join(root, name));
      if (Date.now() - s.mtimeMs > STALE_MS) await rm(join(root, name), { recursive: true, force: true });
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/** A file's bytes as they are read, counted (bytes uploaded to the lake, for progress). */
function counted(from: Readable, add: (n: number) => void): Readable {
  const t = new Transform({ transform(chunk: Buffer, _enc, done) { add(chunk.length); done(null, chunk); } });
  // pipe() does not pass errors on: a read error must fail the put.
  from.on('error', (e) => t.destroy(e));
  return from.pipe(t);
}
