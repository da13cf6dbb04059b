import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, chownSync, existsSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import pg from 'pg';

/**
 * A real PostgreSQL server (Debian's postgresql package) for the tests: initdb in a
 * temporary folder, started on a free 127.0.0.1 port with its socket in that folder, stopped
 * and removed after. PostgreSQL refuses to run as root, so as root it runs as `postgres`.
 */
export interface TestPostgres { url: string; stop: () => Promise<void> }

function binDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(base, v, 'bin', 'postgres'))) return join(base, v, 'bin');
  }
  const w = spawnSync('sh', ['-c', 'dirname "$(command -v postgres)"'], { encoding: 'utf8' });
  return w.status === 0 && w.stdout.trim() ? w.stdout.trim() : null;
}

export function postgresAvailable(): boolean {
  return binDir() !== null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'halo-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] as const : [cmd, args] as const);
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(id.stdout), Number(gid.stdout));
  }
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, 'halo-test\n', { mode: 0o600 });
  if (asRoot) spawnSync('chown', ['postgres:postgres', pwfile]);
  const [c1, a1] = run(join(bin, 'initdb'), ['-D', data, '-U', 'halo', '--pwfile', pwfile, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-sync']);
  const init = spawnSync(c1, a1, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const [c2, a2] = run(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off']);
  const server: ChildProcess = spawn(c2, a2, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr!.on('data', (d) => { log += d; });
  const url = `postgresql://halo@127.0.0.1:${port}/postgres`;
  const started = Date.now();
  for (;;) {
    const client = new pg.Client({ connectionString: url.replace('//halo@', '//halo:halo-test@') });
    try { await client.connect(); await client.end(); break; } catch {
      await client.end().catch(() => {});
      if (server.exitCode !== null || Date.now() - started > 30_000) throw new Error(`PostgreSQL did not start: ${log.slice(-500)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    stop: async () => {
      // Signal the postmaster itself (runuser does not pass signals on): SIGINT is a fast shutdown.
      const pidFile = join(data, 'postmaster.pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
      const exited = server.exitCode === null ? new Promise((r) => server.once('exit', r)) : Promise.resolve();
      if (pid > 0) { try { process.kill(pid, 'SIGINT'); } catch { /* already gone */ } }
      const timer = setTimeout(() => { try { if (pid > 0) process.kill(pid, 'SIGKILL'); } catch { /* gone */ } server.kill('SIGKILL'); }, 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The password of the test server: given to the CLI as PGPASSWORD, as users do. */
export const TEST_PGPASSWORD = 'halo-test';

/** A URL of the test server with its password in it (for pg clients and the emulator). */
export function withTestPassword(url: string): string {
  const u = new URL(url);
  u.password = TEST_PGPASSWORD;
  return u.toString();
}

/** A new database on the test server; its URL, with the password. */
export async function createTestDatabase(server: TestPostgres, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: withTestPassword(server.url) });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(withTestPassword(server.url));
  u.pathname = `/${name}`;
  return u.toString();
}
