import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:net';

/**
 * A real OpenSSH server (Debian's openssh-server) for the tests: `sshd -D` on a free 127.0.0.1
 * port, with its config, keys and log in a temporary folder, public-key login only and SFTP by
 * internal-sftp. It needs root (see sshdAvailable), so the user is root: PermitRootLogin allows keys.
 *
 * No chroot: ChrootDirectory needs root and every path component root-owned and not group or
 * world writable, so never under /tmp. Instead the SFTP session starts in `root` (internal-sftp
 * -d) and the client sees the real absolute paths: `root` is both the local folder to put files
 * in and the remote path to ask for. Relative remote paths resolve from `root` too.
 */
export interface TestSshd {
  host: '127.0.0.1';
  port: number;
  user: string;
  privateKeyFile: string;
  privateKey: string;
  knownHostsFile: string;
  /** 'SHA256:<base64 without padding>', as `ssh-keygen -lf` prints it. */
  hostKeySha256: string;
  root: string;
  /** Restart on the same port with a NEW host key (open sessions are cut), as a rebuilt server would. */
  rotateHostKey: () => Promise<void>;
  stop: () => Promise<void>;
}

const SSHD = '/usr/sbin/sshd';

/**
 * Root is needed: sshd's privilege separation, and the PID namespace that keeps its sessions
 * from outliving it (see launch). ssh-keygen comes with openssh-client, unshare with util-linux.
 */
export function sshdAvailable(): boolean {
  const has = (cmd: string) => spawnSync(cmd, ['--help'], { stdio: 'ignore' }).error === undefined;
  return process.getuid?.() === 0 && existsSync(SSHD) && has('ssh-keygen') && has('unshare');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

/** A new ed25519 key pair at `file` and `file.pub`; returns its 'SHA256:...' fingerprint. */
function keygen(file: string): string {
  rmSync(file, { force: true });
  rmSync(`${file}.pub`, { force: true });
  const gen = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'halo-test', '-f', file], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`ssh-keygen failed: ${gen.stderr}`);
  const fp = spawnSync('ssh-keygen', ['-l', '-f', `${file}.pub`], { encoding: 'utf8' });
  return fp.stdout.split(' ')[1]; // "256 SHA256:... comment (ED25519)"
}

function writeConfig(dir: string, port: number, root: string): string {
  const file = join(dir, 'sshd_config');
  writeFileSync(file, [
    'ListenAddress 127.0.0.1',
    `Port ${port}`,
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    // The temporary folder is under /tmp (world writable), which StrictModes would refuse.
    'StrictModes no',
    'UsePAM no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'UseDNS no',
    'AllowTcpForwarding no',
    'X11Forwarding no',
    // Quoted for a start folder with spaces. (Not ForceCommand: it keeps the quotes, the chdir
    // fails and the session silently starts in the home folder.)
    `Subsystem sftp internal-sftp -d "${root}"`,
    'LogLevel VERBOSE',
    '',
  ].join('\n'));
  return file;
}

/** Resolves once the port answers with an SSH banner: sshd has loaded its keys and listens. */
function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.setTimeout(1000, () => { s.destroy(); resolve(false); });
    s.once('data', (d) => { s.destroy(); resolve(d.toString('latin1').startsWith('SSH-')); });
    s.once('error', () => resolve(false));
  });
}

async function launch(config: string, log: string, port: number): Promise<ChildProcess> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation wants it
  // sshd runs as init of its own PID namespace. A session leaves its internal-sftp process
  // behind on disconnect; as init, sshd reaps it (this machine's init is slow to). And when sshd
  // exits, the kernel ends every session with it, so nothing outlives stop().
  const child = spawn('unshare', ['--pid', '--fork', '--kill-child=SIGTERM', SSHD, '-D', '-f', config, '-E', log], { stdio: 'ignore' });
  const started = Date.now();
  while (!(await banner(port))) {
    const tail = () => (existsSync(log) ? readFileSync(log, 'utf8').slice(-800) : '');
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sshd exited: ${tail()}`);
    if (Date.now() - started > 10_000) { await terminate(child); throw new Error(`sshd did not start: ${tail()}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

/** The pids whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(name));
    } catch { /* exited meanwhile */ }
  }
  return found;
}

/**
 * SIGTERM to sshd itself (unshare's child), then unshare exits with it, once the namespace is
 * empty: the port is free again for a restart. SIGKILL to the lot if that takes over 5 s.
 */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  const sshd = childrenOf(child.pid);
  for (const pid of sshd) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
  if (sshd.length === 0) child.kill('SIGTERM'); // not forked yet: --kill-child passes it on
  const timer = setTimeout(() => { for (const pid of sshd) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } } child.kill('SIGKILL'); }, 5_000);
  await exited;
  clearTimeout(timer);
}

export async function startSshd(opts: { root?: string } = {}): Promise<TestSshd> {
  if (!sshdAvailable()) throw new Error('sshd needs root, openssh-server and unshare (apt-get install openssh-server)');
  const dir = mkdtempSync(join(tmpdir(), 'halo-sshd-'));
  const root = opts.root ?? join(dir, 'root');
  mkdirSync(root, { recursive: true });
  const hostKey = join(dir, 'host_ed25519');
  const userKey = join(dir, 'user_ed25519');
  const port = await freePort();
  keygen(userKey);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${userKey}.pub`));
  const config = writeConfig(dir, port, root);
  const log = join(dir, 'sshd.log');
  const knownHostsFile = join(dir, 'known_hosts');
  const newHostKey = () => {
    const fp = keygen(hostKey);
    writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    return fp;
  };
  let child: ChildProcess;
  const server: TestSshd = {
    host: '127.0.0.1',
    port,
    user: userInfo().username,
    privateKeyFile: userKey,
    privateKey: readFileSync(userKey, 'utf8'),
    knownHostsFile,
    hostKeySha256: newHostKey(),
    root,
    rotateHostKey: async () => {
      await terminate(child);
      server.hostKeySha256 = newHostKey();
      child = await launch(config, log, port);
    },
    stop: async () => {
      await terminate(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try { child = await launch(config, log, port); } catch (e) { rmSync(dir, { recursive: true, force: true }); throw e; }
  return server;
}
