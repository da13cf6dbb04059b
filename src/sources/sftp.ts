import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import type { FileEntryWithStats } from 'ssh2';
import type { ArchiveOutcome, Source, RemoteFile } from './source.js';
import { ConfigError, DataError, HaloError, ServiceError, exitCodeFor } from '../errors.js';
import { MissingFolderError, compilePattern, walkRemote, type DirEntry } from './remote-glob.js';
import { checkMerchantIdFrom } from '../schemas/profiles.js';
import { SftpConnector, connectSftp, keyTypeOf, type SftpLink } from './sftp-connection.js';
import { downloadAttempt, newDownloadState } from './sftp-download.js';
import { SFTP_STATUS, UnreachableError, describeFailure, isTransient, sftpStatus } from './sftp-errors.js';
import { describeLogin } from './sftp-login.js';
import { hostToken, type HostKeyVerdict } from './host-keys.js';
import type { SftpSettings } from './sftp-settings.js';

export type { SftpSettings } from './sftp-settings.js';
export { sftpSettings } from './sftp-settings.js';
export { HostKeyError } from './sftp-errors.js';

/** What the source did, for tests and the benchmark: SFTP requests by type, connections, bytes, resumes. */
export interface SftpStats {
  connects: number;
  requests: Record<string, number>;
  /** Bytes received into downloads (a resumed file's re-read bytes count again). */
  bytesRead: number;
  /** Downloads continued from where a dropped connection left them. */
  resumes: number;
  /** Steps tried again after a transient fault. */
  retries: number;
}

const ARCHIVE_DIR = 'archive';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A folder entry as the walker needs it, from the attributes READDIR carries (no STAT). */
function toEntry(e: FileEntryWithStats): DirEntry {
  const a = e.attrs;
  const type = a.mode !== undefined ? (a.isDirectory() ? 'd' : a.isFile() ? '-' : 'l') : e.longname.charAt(0);
  return { name: e.filename, kind: type === 'd' ? 'dir' : type === '-' ? 'file' : 'other', size: a.size ?? 0, mtimeMs: (a.mtime ?? 0) * 1000 };
}

/** `stock.csv` → `stock-2.csv`: a name not yet taken in archive/. */
function suffixed(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}-${n}${name.slice(dot)}` : `${name}-${n}`;
}

/**
 * A merchant SFTP server: lists the files its patterns match (listing only the folders they
 * reach, concurrently, on one connection), downloads them resumably, and optionally moves
 * them into `archive/`. One connection serves every call at once (SFTP pipelines requests);
 * a step failing on the link (reset, closed, timed out, stalled) is retried with exponential
 * backoff on a new connection, then reported as a ServiceError (exit 3).
 */
export class SftpSource implements Source {
  readonly name: string;
  readonly describe: string;
  private readonly conn: SftpConnector;
  private readonly counters = { bytesRead: 0, resumes: 0, retries: 0 };
  private base: string | null = null;

  constructor(private readonly s: SftpSettings) {
    this.name = s.name;
    this.describe = `sftp ${s.user}@${s.host}:${s.port}`;
    this.conn = new SftpConnector(s);
  }

  get stats(): SftpStats {
    return { connects: this.conn.stats.connects, requests: this.conn.stats.requests, ...this.counters };
  }

  /** Logs in (doctor's check); list and download connect on their own. */
  async connect(): Promise<void> {
    await this.retrying('connecting', (link) => Promise.resolve(link));
  }

  /**
   * Files the patterns match. A listing that shows the config is wrong is a configuration
   * error (exit 2), not an empty inbox: a pattern's fixed folder missing on the server, or a
   * merchantIdFrom that finds a merchant in none of the files listed.
   */
  async list(): Promise<Array<RemoteFile & { doneMarker: boolean }>> {
    const files = await this.retrying('listing', async (link) => {
      const base = await this.baseFolder(link);
      const patterns = this.s.patterns.map((p) => {
        try { return compilePattern(p, base); } catch (e) {
          throw e instanceof ConfigError ? new ConfigError(`source '${this.name}': ${e.message}`, { hint: e.hint }) : e;
        }
      });
      const skipDirs = new Set(this.s.archive ? [ARCHIVE_DIR] : []);
      return walkRemote(patterns, (dir) => this.listDir(link, dir), { concurrency: this.s.listConcurrency, skipDirs }).catch((e) => {
        throw e instanceof MissingFolderError ? new MissingFolderError(e.folder, e.pattern, e.nearest, { source: this.name, on: `${this.s.host}:${this.s.port}` }) : e;
      });
    });
    checkMerchantIdFrom(this.name, this.s.merchantIdFrom, files.map((f) => f.path));
    return files;
  }

  async download(file: RemoteFile, dest: string): Promise<{ bytes: number; sha256: string }> {
    const out = await open(dest, 'w');
    const state = newDownloadState();
    try {
      await this.retrying(`downloading ${file.path}`, (link) => downloadAttempt(link, file, out, state, {
        stallMs: this.s.stallMs,
        minBytesPerSecond: this.s.minBytesPerSecond,
        onResume: () => { this.counters.resumes++; },
        onBytes: (n) => { this.counters.bytesRead += n; },
      }).catch((e) => { throw this.fileFailure(e, file.path); }));
    } finally {
      await out.close();
    }
    return { bytes: state.written, sha256: state.hash.digest('hex') };
  }

  /**
   * Moves `remotePath` to `archive/` beside it: one RENAME when the folder exists. SFTP v3
   * RENAME never replaces a file, so a taken name is found by its failure and a suffix
   * added. A source file already gone was moved before (a run stopped after archiving).
   *
   * With `fetched`, only the bytes that were fetched are archived: the file is renamed first
   * and the renamed file is then checked (LSTAT: size, mtime). A RENAME moves one file
   * whole, so what is checked is exactly what was moved — a partner's replacement (upload
   * and rename over it) that lands any time before our RENAME is seen, with no window
   * between a check and the move. A moved file that is not what was fetched goes back to
   * its name (or, if a newer upload took that name meanwhile, beside it with a suffix) for
   * the next run to fetch.
   */
  async archive(remotePath: string, fetched?: { size: number; mtimeMs?: number }): Promise<ArchiveOutcome> {
    const moved = await this.moveToArchive(remotePath);
    if (moved === null) return 'gone';
    if (!fetched) return 'archived';
    return this.retrying(`checking ${moved} against what was fetched`, async (link) => {
      const st = await link.lstat(moved).catch((e) => { throw this.fileFailure(e, moved); });
      const same = st.size === fetched.size && (fetched.mtimeMs === undefined || st.mtime === Math.floor(fetched.mtimeMs / 1000));
      if (same) return 'archived';
      const dir = posix.dirname(remotePath);
      const name = posix.basename(remotePath);
      for (let n = 1; n <= 1000; n++) {
        const back = n === 1 ? remotePath : posix.join(dir, suffixed(name, n));
        try {
          await link.rename(moved, back);
          return 'changed';
        } catch (e) {
          const status = sftpStatus(e);
          if (status !== SFTP_STATUS.FAILURE) throw this.fileFailure(e, moved);
        }
      }
      throw new DataError('archive-full', `source '${this.name}': cannot put ${moved} back: ${dir} already holds 1000 files named like ${name}`);
    });
  }

  /** The RENAME into archive/; the name it got there, or null when the file was gone already. */
  private async moveToArchive(remotePath: string): Promise<string | null> {
    const dir = posix.join(posix.dirname(remotePath), ARCHIVE_DIR);
    const name = posix.basename(remotePath);
    return this.retrying(`archiving ${remotePath}`, async (link) => {
      const exists = (p: string) => link.lstat(p).then(() => true, (e) => {
        if (sftpStatus(e) === SFTP_STATUS.NO_SUCH_FILE) return false;
        throw e;
      });
      let dirExists = false;
      for (let n = 1; n <= 1000; n++) {
        const target = posix.join(dir, n === 1 ? name : suffixed(name, n));
        try {
          await link.rename(remotePath, target);
          return target;
        } catch (e) {
          // Why did it fail? The file gone (moved before), no archive/ yet, or the name taken.
          const status = sftpStatus(e);
          if (status !== SFTP_STATUS.NO_SUCH_FILE && status !== SFTP_STATUS.FAILURE) throw this.fileFailure(e, remotePath);
          if (!(await exists(remotePath))) return null;
          if (!dirExists && !(await exists(dir))) {
            await link.mkdir(dir).catch(async (err) => { if (!(await exists(dir))) throw this.fileFailure(err, dir); });
            dirExists = true;
            n--; // the same name again, now that the folder exists
            continue;
          }
          dirExists = true;
          if (!(await exists(target))) throw this.fileFailure(e, remotePath);
        }
      }
      throw new DataError('archive-full', `source '${this.name}': ${dir} already holds 1000 files named like ${name}`);
    });
  }

  async close(): Promise<void> {
    await this.conn.close();
  }

  /** Where relative patterns start: the configured `path`, else the folder the server logs us into. */
  private async baseFolder(link: SftpLink): Promise<string> {
    if (this.base !== null) return this.base;
    const configured = this.s.base;
    const needed = this.s.patterns.some((p) => !p.trim().startsWith('/'));
    if (configured?.startsWith('/')) this.base = posix.normalize(configured);
    else if (!needed) this.base = '/';
    else this.base = await link.realpath(configured ?? '.');
    return this.base;
  }

  /** OPENDIR, READDIR until EOF, CLOSE (not waited for): the whole cost of a folder. */
  private async listDir(link: SftpLink, dir: string): Promise<DirEntry[] | null> {
    let handle: Buffer;
    try {
      handle = await link.opendir(dir);
    } catch (e) {
      if (sftpStatus(e) === SFTP_STATUS.NO_SUCH_FILE) return null; // e.g. a merchant without an inbox yet
      throw this.fileFailure(e, dir);
    }
    const entries: DirEntry[] = [];
    try {
      for (;;) {
        const batch = await link.readdir(handle);
        if (!batch) break;
        for (const e of batch) entries.push(toEntry(e));
      }
    } finally {
      link.close(handle).catch(() => {});
    }
    return entries;
  }

  /** A status the server answered for one path, as a typed error naming the source, host and path. */
  private fileFailure(e: unknown, path: string): unknown {
    const status = sftpStatus(e);
    const where = `source '${this.name}': ${this.s.host}:${this.s.port}`;
    if (status === SFTP_STATUS.NO_SUCH_FILE) return new DataError('remote-file-gone', `${where}: ${path} is gone (moved or deleted since it was listed)`, { cause: e });
    if (status === SFTP_STATUS.PERMISSION_DENIED) {
      return new HaloError('sftp-permission-denied', 'config', `${where}: permission denied for ${path} (user '${this.s.user}')`, { cause: e, hint: 'ask the server\'s operator for read access (and rename/mkdir for archive: true), or narrow paths' });
    }
    return e;
  }

  /**
   * Runs `step` on the shared connection; a transient fault drops that connection and tries
   * again after 1×, 2×, 4×… retryDelay (at most 30 s), on a new one. Anything else (a refused
   * key or login, a missing file) is thrown as it is.
   */
  private async retrying<T>(what: string, step: (link: SftpLink) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let link: SftpLink | null = null;
      try {
        link = await this.conn.link();
        return await step(link);
      } catch (e) {
        if (!isTransient(e)) throw e;
        link?.destroy();
        if (attempt >= this.s.retries) {
          throw new ServiceError('sftp-unreachable',
            `source '${this.name}': ${what} on ${this.s.host}:${this.s.port} failed after ${attempt + 1} attempt${attempt ? 's' : ''}: ${describeFailure(e)}`,
            { cause: e, hint: `check that the server is up and reachable (halo-data doctor); timeouts: timeoutSeconds ${this.s.timeoutMs / 1000}, stallSeconds ${this.s.stallMs / 1000}, retries ${this.s.retries}` });
        }
        this.counters.retries++;
        await sleep(Math.min(30_000, this.s.retryDelayMs * 2 ** attempt));
      }
    }
  }
}

/** doctor --trust-host: the key a server presents, and what the config makes of it. */
export interface ProbedHostKey {
  fingerprint: string;
  keyType: string;
  /** The line to add to known_hosts to trust it (after checking the fingerprint with the server's operator). */
  knownHostsLine: string;
  verdict: HostKeyVerdict;
}

/**
 * Connects just far enough to see the host key, and disconnects without logging in or
 * trusting anything. A server that cannot be reached is a ServiceError (exit 3).
 */
export async function probeHostKey(s: SftpSettings): Promise<ProbedHostKey> {
  let key;
  try {
    key = await connectSftp(s, { connects: 0, requests: {} }, { probe: true });
  } catch (e) {
    if (e instanceof HaloError) throw e;
    throw new UnreachableError(s.name, s.host, s.port, e);
  }
  const keyType = keyTypeOf(key.blob);
  return { fingerprint: key.verdict.fingerprint, keyType, knownHostsLine: `${hostToken(s.host, s.port)} ${keyType} ${key.blob.toString('base64')}`, verdict: key.verdict };
}

export interface SftpCheck { check: string; ok: boolean; detail: string; fix?: string; /** For a failed check: the exit code its error calls for (exitCodeFor in src/errors.ts). */ exitCode?: number }

/**
 * doctor's checks of one SFTP source, in order, stopping at the first that fails: the host
 * key (known or pinned), the login, and the listing (how many files the patterns match).
 * Never throws for what it checks; each failure is a row with its fix. No retries: doctor
 * reports what it finds now.
 */
export async function checkSftp(s: SftpSettings): Promise<SftpCheck[]> {
  const rows: SftpCheck[] = [];
  const at = `${s.host}:${s.port}`;
  const fail = (check: string, e: unknown, fix?: string) => {
    rows.push({ check, ok: false, detail: e instanceof Error ? e.message : String(e), fix: (e as HaloError).hint ?? fix, exitCode: exitCodeFor(e) });
    return rows;
  };
  let key: ProbedHostKey;
  // No key seen means no connection: that is the failing check, not the host key.
  try { key = await probeHostKey(s); } catch (e) { return fail(`${s.name}: ${e instanceof UnreachableError ? 'connection to' : 'host key of'} ${at}`, e); }
  const keyCheck = `${s.name}: host key of ${at}`;
  if (key.verdict.ok) {
    rows.push({ check: keyCheck, ok: true, detail: `${key.fingerprint} (${key.keyType}) ${s.hostKeySha256 ? 'matches hostKeySha256' : `is in ${s.knownHostsFile}`}` });
  } else {
    const why = { unknown: `is not in ${s.knownHostsFile}`, changed: `has CHANGED from the key in ${s.knownHostsFile}`, revoked: 'is revoked', 'pin-mismatch': `does not match hostKeySha256 ${s.hostKeySha256}` }[key.verdict.why];
    rows.push({ check: keyCheck, ok: false, detail: `${key.fingerprint} (${key.keyType}) ${why}`,
      fix: `check the fingerprint with the server's operator, then \`halo-data doctor --trust-host ${s.name}\` prints the line to pin`, exitCode: 2 });
    return rows;
  }
  const src = new SftpSource({ ...s, retries: 0 });
  try {
    try { await src.connect(); } catch (e) { return fail(`${s.name}: login as ${s.user}`, e, 'check user and credentials'); }
    rows.push({ check: `${s.name}: login as ${s.user}`, ok: true, detail: `logged in with ${describeLogin(s)}` });
    try {
      const files = await src.list();
      rows.push({ check: `${s.name}: listing`, ok: true, detail: `${files.length} file${files.length === 1 ? '' : 's'} match ${s.patterns.join(', ')}` });
    } catch (e) { return fail(`${s.name}: listing`, e, 'check paths'); }
  } finally {
    await src.close();
  }
  return rows;
}
