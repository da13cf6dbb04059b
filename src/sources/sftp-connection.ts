import { readFileSync } from 'node:fs';
import SftpClient from 'ssh2-sftp-client';
import type { ConnectConfig, FileEntryWithStats, SFTPWrapper, Stats } from 'ssh2';
import { ConfigError } from '../errors.js';
import { hostToken, parseKnownHosts, verifyHostKey, type HostKeyVerdict, type KnownHost } from './host-keys.js';
import { HostKeyError, SFTP_STATUS, TransientError, describeFailure, sftpStatus } from './sftp-errors.js';
import { describeLogin, loginSecrets } from './sftp-login.js';
import type { SftpSettings } from './sftp-settings.js';

/**
 * One SSH connection with its SFTP channel, and the shared reconnect around it.
 * ssh2-sftp-client makes the connection (its connect() handles ssh2's event choreography);
 * requests then go straight to the SFTP channel it hands back, because the listing and the
 * resumable, pipelined download need handles, offsets and READDIR's attributes, which its
 * higher-level calls hide. Every request is counted by type (sshd cannot count them for a
 * benchmark) and, but READ, has a deadline.
 */

/** Counters shared by every connection of a source. */
export interface LinkStats { connects: number; requests: Record<string, number> }

type Callback<T> = (err: Error | undefined | null, value?: T) => void;

export class SftpLink {
  private deadFlag = false;
  constructor(
    private readonly client: SftpClient,
    private readonly sftp: SFTPWrapper,
    private readonly timeoutMs: number,
    private readonly stats: LinkStats,
  ) {
    sftp.on('close', () => { this.deadFlag = true; });
    sftp.on('error', () => { this.deadFlag = true; });
  }

  get dead(): boolean { return this.deadFlag; }
  markDead(): void { this.deadFlag = true; }

  /** The largest READ the server answers in full (ssh2 learns it from limits@openssh.com). */
  get maxReadLen(): number {
    const n = (this.sftp as unknown as { _maxReadLen?: unknown })._maxReadLen;
    return typeof n === 'number' && n > 0 ? n : 32 * 1024 - 2048;
  }

  /** One request: counted, failed at once on a dead link, and (when timed) failed after the deadline, which also drops the link. */
  private call<T>(type: string, timed: boolean, send: (cb: Callback<T>) => void): Promise<T> {
    if (this.deadFlag) return Promise.reject(new TransientError('connection-lost', 'the connection was lost'));
    this.stats.requests[type] = (this.stats.requests[type] ?? 0) + 1;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (timed) {
        timer = setTimeout(() => {
          this.destroy();
          reject(new TransientError('timeout', `no answer to ${type} within ${this.timeoutMs / 1000} s`));
        }, this.timeoutMs);
      }
      try {
        send((err, value) => {
          clearTimeout(timer);
          if (err) reject(err); else resolve(value as T);
        });
      } catch (e) {
        // ssh2 throws when the channel is no longer writable.
        clearTimeout(timer);
        this.deadFlag = true;
        reject(new TransientError('connection-lost', describeFailure(e), { cause: e }));
      }
    });
  }

  opendir(path: string): Promise<Buffer> { return this.call('OPENDIR', true, (cb) => this.sftp.opendir(path, cb)); }

  /** The next batch of a folder's entries, or null at its end. */
  async readdir(handle: Buffer): Promise<FileEntryWithStats[] | null> {
    try {
      return await this.call<FileEntryWithStats[]>('READDIR', true, (cb) => this.sftp.readdir(handle, cb));
    } catch (e) {
      if (sftpStatus(e) === SFTP_STATUS.EOF) return null;
      throw e;
    }
  }

  close(handle: Buffer): Promise<void> { return this.call('CLOSE', true, (cb) => this.sftp.close(handle, cb)); }
  /** Opens for reading only. */
  open(path: string): Promise<Buffer> { return this.call('OPEN', true, (cb) => this.sftp.open(path, 'r', cb)); }
  fstat(handle: Buffer): Promise<Stats> { return this.call('FSTAT', true, (cb) => this.sftp.fstat(handle, cb)); }
  lstat(path: string): Promise<Stats> { return this.call('LSTAT', true, (cb) => this.sftp.lstat(path, cb)); }
  realpath(path: string): Promise<string> { return this.call('REALPATH', true, (cb) => this.sftp.realpath(path, cb)); }
  /** SFTP v3 RENAME: fails when the target exists (never posix-rename, which would replace it). */
  rename(from: string, to: string): Promise<void> { return this.call('RENAME', true, (cb) => this.sftp.rename(from, to, cb)); }
  mkdir(path: string): Promise<void> { return this.call('MKDIR', true, (cb) => this.sftp.mkdir(path, cb)); }

  /**
   * Up to `length` bytes at `offset`, or null at the end of the file. Not timed: a read may
   * legitimately be slow, and the download's stall watchdog judges the rate instead.
   */
  read(handle: Buffer, offset: number, length: number): Promise<Buffer | null> {
    const buf = Buffer.allocUnsafe(length);
    return this.call<Buffer | null>('READ', false, (cb) => this.sftp.read(handle, buf, 0, length, offset, (err, n) => {
      if (err) cb(err); else cb(undefined, n === 0 ? null : buf.subarray(0, n));
    }));
  }

  /** Cuts the connection now (a stalled peer may never answer a polite end). */
  destroy(): void {
    this.deadFlag = true;
    (this.client as unknown as { client: { destroy(): void } }).client.destroy();
  }

  /** Ends politely, but not for longer than a second or two. */
  async end(): Promise<void> {
    if (this.deadFlag) return this.destroy();
    this.deadFlag = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.client.end().catch(() => false), new Promise((r) => { timer = setTimeout(r, 2000); })]);
    clearTimeout(timer);
    (this.client as unknown as { client: { destroy(): void } }).client.destroy();
  }
}

/** The known_hosts entries (none when the file is missing: every key is then unknown). */
function readKnownHosts(file: string): KnownHost[] {
  try { return parseKnownHosts(readFileSync(file, 'utf8')); } catch { return []; }
}

/** The key type named inside an SSH public-key blob (its first string). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const n = blob.readUInt32BE(0);
  return n > 0 && n < 64 && blob.length >= 4 + n ? blob.toString('latin1', 4, 4 + n) : 'unknown';
}

const ALGORITHMS_FOR: Record<string, string[]> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * Ask first for the key types known_hosts lists for this host, as OpenSSH does: a server with
 * several host keys would otherwise present another type and look "changed".
 */
function hostKeyAlgorithms(s: SftpSettings, known: KnownHost[]): ConnectConfig['algorithms'] {
  const types = [...new Set(known.filter((e) => verifyHostKey(e.keyBlob, s.host, s.port, { knownHosts: [e] }).ok).map((e) => e.keyType))];
  const algos = types.flatMap((t) => ALGORITHMS_FOR[t] ?? [t]).filter((a) => /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|rsa-sha2-(256|512)|ssh-rsa)$/.test(a));
  return algos.length ? { serverHostKey: { remove: algos, prepend: algos } as never } : undefined;
}

/** What the host-key check saw: the key presented and the verdict on it. */
export interface PresentedKey { blob: Buffer; verdict: HostKeyVerdict }

/** The typed refusal for a key that is not known, with what to do about it. */
export function hostKeyError(s: SftpSettings, key: PresentedKey): HostKeyError {
  const v = key.verdict as Exclude<HostKeyVerdict, { ok: true }>;
  const at = `${s.host}:${s.port}`;
  const presented = `${v.fingerprint} (${keyTypeOf(key.blob)})`;
  const trust = `halo-data doctor --trust-host ${s.name}`;
  const token = hostToken(s.host, s.port);
  switch (v.why) {
    case 'unknown':
      return new HostKeyError(v.why, v.fingerprint,
        `source '${s.name}': the host key of ${at} is not known: it presented ${presented}, and ${s.knownHostsFile} has no entry for ${token}. Nothing was trusted or downloaded.`,
        `check that fingerprint with the server's operator, then pin it: \`${trust}\` prints the known_hosts line and the hostKeySha256 value`);
    case 'changed':
      return new HostKeyError(v.why, v.fingerprint,
        `source '${s.name}': the host key of ${at} has CHANGED: it presented ${presented}, which is not the key ${s.knownHostsFile} lists for ${token}. This may be someone in the middle, or a rebuilt server. Nothing was downloaded.`,
        `ask the server's operator whether the key changed and what its fingerprint is; only then replace the entry for ${token} (\`${trust}\` prints the new line)`);
    case 'revoked':
      return new HostKeyError(v.why, v.fingerprint,
        `source '${s.name}': ${at} presented a REVOKED host key ${presented} (@revoked in ${s.knownHostsFile}). Nothing was downloaded.`,
        'the server must be given a new host key; ask its operator');
    case 'pin-mismatch':
      return new HostKeyError(v.why, v.fingerprint,
        `source '${s.name}': the host key of ${at} does not match hostKeySha256: it presented ${presented}, the config pins ${s.hostKeySha256}. Nothing was downloaded.`,
        `ask the server's operator whether the key changed; only then update hostKeySha256 (\`${trust}\` prints the presented fingerprint)`);
  }
}

/**
 * Connects and logs in, verifying the host key first (known_hosts, or the pinned SHA-256);
 * never trusting a key on first use. With `probe`, stops right after the key is seen,
 * without logging in (doctor's --trust-host), and returns only the key.
 */
export async function connectSftp(s: SftpSettings, stats: LinkStats, opts: { probe: true }): Promise<PresentedKey>;
export async function connectSftp(s: SftpSettings, stats: LinkStats, opts?: { probe?: false }): Promise<SftpLink>;
export async function connectSftp(s: SftpSettings, stats: LinkStats, opts: { probe?: boolean } = {}): Promise<SftpLink | PresentedKey> {
  const known = s.hostKeySha256 ? [] : readKnownHosts(s.knownHostsFile);
  const secrets = opts.probe ? {} : loginSecrets(s);
  let presented: PresentedKey | null = null;
  // Events after connect() settles (a later drop) only mark the link dead; ssh2-sftp-client's
  // default listeners would print to the console.
  const holder: { link?: SftpLink } = {};
  const onGone = () => holder.link?.markDead();
  const client = new SftpClient(`halo-${s.name}`, { error: onGone, end: onGone, close: onGone });
  const destroy = () => (client as unknown as { client: { destroy(): void } }).client.destroy();
  const config: ConnectConfig = {
    host: s.host,
    port: s.port,
    username: s.user,
    readyTimeout: s.timeoutMs,
    algorithms: s.hostKeySha256 ? undefined : hostKeyAlgorithms(s, known),
    hostVerifier: (key: Buffer) => {
      const verdict = verifyHostKey(key, s.host, s.port, { pinnedSha256: s.hostKeySha256, knownHosts: known });
      presented = { blob: Buffer.from(key), verdict };
      return opts.probe ? false : verdict.ok;
    },
    ...secrets,
  };
  stats.connects++;
  let timer: NodeJS.Timeout | undefined;
  try {
    // readyTimeout covers TCP, handshake and login; this also bounds opening the SFTP channel.
    const sftp = await Promise.race([
      client.connect(config),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new TransientError('timeout', `no SFTP session within ${(2 * s.timeoutMs) / 1000} s`)), 2 * s.timeoutMs); }),
    ]);
    // SFTP requests are small and pipelined: with Nagle's algorithm on, each waits for the ACK
    // of the one before (a delayed ACK: up to 40 ms). Against a server that also leaves Nagle
    // on (the in-process test server), this halved the listing time of 200 folders.
    (client as unknown as { client: { setNoDelay(v: boolean): void } }).client.setNoDelay(true);
    holder.link = new SftpLink(client, sftp, s.timeoutMs, stats);
    return holder.link;
  } catch (e) {
    destroy();
    const seen = presented as PresentedKey | null;
    if (opts.probe && seen) return seen;
    if (seen && !seen.verdict.ok) throw hostKeyError(s, seen);
    const message = describeFailure(e);
    if (/Cannot parse privateKey/i.test(message)) {
      const reason = message.replace(/^.*Cannot parse privateKey:\s*/i, '');
      const how = s.passphraseFile ? `the passphrase in ${s.passphraseFile}` : s.passphraseEnv ? `the passphrase in $${s.passphraseEnv}` : 'no passphrase';
      throw new ConfigError(`source '${s.name}': cannot use the private key ${s.privateKeyFile} with ${how}: ${/passphrase|integrity|decrypt/i.test(reason) ? 'wrong or missing passphrase' : reason}`,
        { hint: 'check privateKeyFile and passphraseFile / passphraseEnv (`ssh-keygen -y -f KEYFILE` asks for the passphrase and tests it)' });
    }
    if (/authentication methods failed/i.test(message)) {
      throw new ConfigError(`source '${s.name}': ${s.host}:${s.port} refused the login of user '${s.user}' (tried ${describeLogin(s) || 'no method'})`,
        { hint: 'check user and that the server accepts this key (its authorized_keys), password or agent key' });
    }
    if (e instanceof Error && !(e instanceof TransientError)) throw new TransientError(/timed out/i.test(message) ? 'timeout' : 'connection-lost', message, { cause: e });
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The source's connection, shared by every list, download and archive running at once, and
 * replaced when it dies: the first caller after a drop starts the new connection and the
 * others wait on the same one, so concurrent retries never open a connection each.
 */
export class SftpConnector {
  readonly stats: LinkStats = { connects: 0, requests: {} };
  private current: Promise<SftpLink> | null = null;

  constructor(private readonly settings: SftpSettings) {}

  async link(): Promise<SftpLink> {
    // Twice at most: a dead link is replaced once; a new one dying at once is the caller's retry to make.
    for (let i = 0; i < 2; i++) {
      const p = (this.current ??= connectSftp(this.settings, this.stats));
      let link: SftpLink;
      try { link = await p; } catch (e) {
        if (this.current === p) this.current = null;
        throw e;
      }
      if (!link.dead) return link;
      if (this.current === p) this.current = null;
    }
    throw new TransientError('connection-lost', 'the connection closed as soon as it opened');
  }

  async close(): Promise<void> {
    const p = this.current;
    this.current = null;
    if (!p) return;
    const link = await p.catch(() => null);
    await link?.end();
  }
}
