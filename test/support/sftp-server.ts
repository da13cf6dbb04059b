import { mkdtempSync, mkdirSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { open, stat, lstat, readdir, rename, mkdir, access, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import ssh2, { type Connection, type SFTPWrapper, type Attributes, type ParsedKey } from 'ssh2';

const { Server, utils } = ssh2; // CommonJS: no named exports in ESM
const { STATUS_CODE, OPEN_MODE } = utils.sftp;

/**
 * An SFTP server in this process (the ssh2 package's Server) on 127.0.0.1: public-key login
 * for one user, a folder served read-only (plus RENAME and MKDIR, for an 'archive/' move), and
 * a count of SFTP requests by type so a test can count round trips. Unlike sshd it needs no
 * root and no package, and it can be made to misbehave later.
 *
 * Remote '/' is `root`; relative paths resolve from '/'; a path climbing above '/' is refused
 * (PERMISSION_DENIED). Symbolic links are not special-cased: do not put any in `root`.
 */
export interface TestSftpServer {
  host: '127.0.0.1';
  port: number;
  user: string;
  privateKey: string;
  privateKeyFile: string;
  knownHostsFile: string;
  /** 'SHA256:<base64 without padding>', as `ssh-keygen -lf` prints it. */
  hostKeySha256: string;
  /** The local folder served as '/'. */
  root: string;
  /** SFTP requests received, by type ('OPEN', 'READ', ...), refused ones included. */
  requests: Record<string, number>;
  /**
   * Called with each request (type and its arguments) before it is answered: a test does
   * something at exactly that moment (a partner replacing a file just before our RENAME).
   */
  beforeAnswer: ((type: string, args: unknown[]) => Promise<void> | void) | null;
  stop: () => Promise<void>;
}

type Handle = { kind: 'file'; fd: FileHandle } | { kind: 'dir'; local: string; listed: boolean };

/** The segments of a remote path under '/', or null when it climbs above '/'. */
function segments(remote: string): string[] | null {
  const out: string[] = [];
  for (const part of remote.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') out.push(part);
    else if (out.pop() === undefined) return null;
  }
  return out;
}

function attrsOf(st: Stats): Attributes {
  return { mode: st.mode, uid: st.uid, gid: st.gid, size: st.size, atime: Math.floor(st.atimeMs / 1000), mtime: Math.floor(st.mtimeMs / 1000) };
}

/** An `ls -l` line: ssh2-sftp-client's list() takes the type and rights from its first 10 characters. */
function longname(name: string, st: Stats): string {
  const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : '-';
  const rights = [...'rwxrwxrwx'].map((c, i) => (st.mode & (0o400 >> i) ? c : '-')).join('');
  return `${type}${rights} 1 halo halo ${String(st.size).padStart(10)} ${st.mtime.toISOString().slice(0, 10)} ${name}`;
}

function statusOf(err: unknown): number {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return STATUS_CODE.NO_SUCH_FILE;
  if (code === 'EACCES' || code === 'EPERM') return STATUS_CODE.PERMISSION_DENIED;
  return STATUS_CODE.FAILURE;
}

class Refused extends Error { constructor(readonly status: number) { super('refused'); } }

/** Answers one session's SFTP requests from `root`. Returns a function closing its open files. */
function serveSftp(sftp: SFTPWrapper, root: string, requests: Record<string, number>, hooks: { beforeAnswer: TestSftpServer['beforeAnswer'] }): () => Promise<void> {
  const handles = new Map<number, Handle>();
  let nextHandle = 0;
  const local = (remote: string) => {
    const segs = segments(remote);
    if (segs === null) throw new Refused(STATUS_CODE.PERMISSION_DENIED);
    return join(root, ...segs);
  };
  const handleOf = (buf: Buffer) => {
    const h = buf.length === 4 ? handles.get(buf.readUInt32BE(0)) : undefined;
    if (!h) throw new Refused(STATUS_CODE.FAILURE);
    return h;
  };
  const newHandle = (reqId: number, h: Handle) => {
    const id = nextHandle++;
    handles.set(id, h);
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(id, 0);
    sftp.handle(reqId, buf);
  };
  // Every request is counted, then answered; a failure becomes its SFTP status. Answers go
  // out one at a time in the order asked, as OpenSSH's sftp-server sends them: answered
  // concurrently, pipelined READs came back out of order, so a cut link could land nothing of
  // a file although a megabyte of it had crossed (the client writes in file order).
  let queue: Promise<void> = Promise.resolve();
  const on = <A extends unknown[]>(type: string, answer: (reqId: number, ...args: A) => Promise<void>) => {
    (sftp as unknown as NodeJS.EventEmitter).on(type, (reqId: number, ...args: A) => {
      requests[type] = (requests[type] ?? 0) + 1;
      queue = queue.then(() => hooks.beforeAnswer?.(type, args)).then(() => answer(reqId, ...args)).catch((err) => {
        try { sftp.status(reqId, err instanceof Refused ? err.status : statusOf(err)); } catch { /* the session is gone */ }
      });
    });
  };

  on('REALPATH', async (reqId, remote: string) => {
    const segs = segments(remote);
    if (segs === null) throw new Refused(STATUS_CODE.PERMISSION_DENIED);
    const path = `/${segs.join('/')}`;
    sftp.name(reqId, [{ filename: path, longname: path, attrs: {} as Attributes }]);
  });
  on('STAT', async (reqId, remote: string) => sftp.attrs(reqId, attrsOf(await stat(local(remote)))));
  on('LSTAT', async (reqId, remote: string) => sftp.attrs(reqId, attrsOf(await lstat(local(remote)))));
  on('OPEN', async (reqId, remote: string, flags: number) => {
    const writing = OPEN_MODE.WRITE | OPEN_MODE.APPEND | OPEN_MODE.CREAT | OPEN_MODE.TRUNC;
    if (flags & writing) throw new Refused(STATUS_CODE.PERMISSION_DENIED);
    newHandle(reqId, { kind: 'file', fd: await open(local(remote), 'r') });
  });
  on('READ', async (reqId, buf: Buffer, offset: number, length: number) => {
    const h = handleOf(buf);
    if (h.kind !== 'file') throw new Refused(STATUS_CODE.FAILURE);
    const { bytesRead, buffer } = await h.fd.read(Buffer.alloc(length), 0, length, offset);
    if (bytesRead === 0) sftp.status(reqId, STATUS_CODE.EOF);
    else sftp.data(reqId, buffer.subarray(0, bytesRead));
  });
  on('FSTAT', async (reqId, buf: Buffer) => {
    const h = handleOf(buf);
    sftp.attrs(reqId, attrsOf(h.kind === 'file' ? await h.fd.stat() : await stat(h.local)));
  });
  on('OPENDIR', async (reqId, remote: string) => {
    const dir = local(remote);
    if (!(await stat(dir)).isDirectory()) throw new Refused(STATUS_CODE.NO_SUCH_FILE);
    newHandle(reqId, { kind: 'dir', local: dir, listed: false });
  });
  on('READDIR', async (reqId, buf: Buffer) => {
    // The whole folder in one answer, then EOF: test folders are small.
    const h = handleOf(buf);
    if (h.kind !== 'dir' || h.listed) return sftp.status(reqId, h.kind === 'dir' ? STATUS_CODE.EOF : STATUS_CODE.FAILURE);
    h.listed = true;
    const names = await readdir(h.local);
    const entries = await Promise.all(names.map(async (filename) => {
      const st = await lstat(join(h.local, filename));
      return { filename, longname: longname(filename, st), attrs: attrsOf(st) };
    }));
    sftp.name(reqId, entries);
  });
  on('CLOSE', async (reqId, buf: Buffer) => {
    const h = handleOf(buf);
    handles.delete(buf.readUInt32BE(0));
    if (h.kind === 'file') await h.fd.close();
    sftp.status(reqId, STATUS_CODE.OK);
  });
  on('RENAME', async (reqId, from: string, to: string) => {
    // As OpenSSH does for SFTP v3: never replace an existing file.
    const target = local(to);
    if (await access(target).then(() => true, () => false)) throw new Refused(STATUS_CODE.FAILURE);
    await rename(local(from), target);
    sftp.status(reqId, STATUS_CODE.OK);
  });
  on('MKDIR', async (reqId, remote: string) => {
    await mkdir(local(remote));
    sftp.status(reqId, STATUS_CODE.OK);
  });

  return async () => {
    for (const h of handles.values()) if (h.kind === 'file') await h.fd.close().catch(() => {});
    handles.clear();
  };
}

/** Accepts `user` with `key` (signature checked) and nothing else. */
function authenticate(client: Connection, user: string, key: ParsedKey): void {
  client.on('authentication', (ctx) => {
    const ok = ctx.method === 'publickey' && ctx.username === user && ctx.key.algo === key.type
      && ctx.key.data.equals(key.getPublicSSH())
      && (!ctx.signature || key.verify(ctx.blob!, ctx.signature, ctx.hashAlgo));
    if (ok) ctx.accept(); else ctx.reject(['publickey']);
  });
}

/**
 * An OpenSSH-format ed25519 key pair from ssh2. Its generateKeyPairSync (1.17) strips every
 * leading zero byte of the public key, so about 1 pair in 256 is malformed and ssh2 itself
 * refuses it ("Malformed OpenSSH private key"): draw until it reads back.
 */
export function ed25519KeyPair(): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}

function parse(key: string): ParsedKey {
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) throw parsed;
  return Array.isArray(parsed) ? parsed[0] : parsed;
}

export async function startSftpServer(opts: { root?: string } = {}): Promise<TestSftpServer> {
  const hostKey = ed25519KeyPair();
  const userKey = ed25519KeyPair();
  const dir = mkdtempSync(join(tmpdir(), 'halo-sftp-'));
  const root = opts.root ?? join(dir, 'root');
  mkdirSync(root, { recursive: true });
  const user = 'halo';
  const requests: Record<string, number> = {};
  const clients = new Set<Connection>();
  const closers = new Set<() => Promise<void>>();
  const allowed = parse(userKey.public);

  const hooks: { beforeAnswer: TestSftpServer['beforeAnswer'] } = { beforeAnswer: null };
  const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    clients.add(client);
    client.on('error', () => { /* a cut connection (the fault proxy) is expected */ });
    client.on('close', () => clients.delete(client));
    authenticate(client, user, allowed);
    client.on('ready', () => client.on('session', (accept) => accept().on('sftp', (acceptSftp) => {
      const close = serveSftp(acceptSftp(), root, requests, hooks);
      closers.add(close);
      client.on('close', () => { closers.delete(close); void close(); });
    })));
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); })
    .catch((e) => { rmSync(dir, { recursive: true, force: true }); throw e; });
  const port = (server.address() as { port: number }).port;

  const privateKeyFile = join(dir, 'user_ed25519');
  writeFileSync(privateKeyFile, userKey.private, { mode: 0o600 });
  const knownHostsFile = join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostKey.public.split(' ').slice(0, 2).join(' ')}\n`);
  const blob = parse(hostKey.public).getPublicSSH();
  return {
    host: '127.0.0.1',
    port,
    user,
    privateKey: userKey.private,
    privateKeyFile,
    knownHostsFile,
    hostKeySha256: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
    root,
    requests,
    get beforeAnswer() { return hooks.beforeAnswer; },
    set beforeAnswer(f) { hooks.beforeAnswer = f; },
    stop: async () => {
      // Not client.end(): that only half-closes, and close() would wait on a peer that never
      // answers (behind a stalled proxy). ssh2 keeps the socket private.
      for (const client of clients) (client as unknown as { _sock: Socket })._sock.destroy();
      await Promise.all([...closers].map((close) => close()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
