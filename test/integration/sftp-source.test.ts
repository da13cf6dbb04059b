/**
 * The SFTP source against the in-process ssh2 server (request counts, faults through the TCP
 * proxy) and, where the machine allows, a real OpenSSH sshd: globs over merchant folders,
 * downloads that survive a cut or a stall by resuming, a dead server reported as exit 3,
 * host keys never trusted unless known or pinned, keys with passphrases, growing files left
 * until stable, odd names refused, archive/. Fetching goes through fetchSource, as the CLI does.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, utimesSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startSftpServer, type TestSftpServer } from '../support/sftp-server.js';
import { sshdAvailable, startSshd, type TestSshd } from '../support/sshd.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { tempDir } from '../support/tmp.js';
import { loadConfig } from '../../src/config/load.js';
import { openSource } from '../../src/sources/open.js';
import { SftpSource, HostKeyError, probeHostKey, checkSftp, sftpSettings } from '../../src/sources/sftp.js';
import { fetchSource, type FetchOptions } from '../../src/pipeline/fetch.js';
import { ConfigError, ServiceError, exitCodeFor } from '../../src/errors.js';
import { merchantFromPath } from '../../src/schemas/profiles.js';
import { MissingFolderError } from '../../src/sources/remote-glob.js';

const tmp = tempDir('halo-sftp-source-');
after(() => tmp.cleanup());
let counter = 0;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const HOUR_AGO = new Date(Date.now() - 3600_000);

type Server = Pick<TestSftpServer, 'host' | 'port' | 'user' | 'privateKeyFile' | 'knownHostsFile' | 'hostKeySha256'>;

/** A config file with one sftp source (fast retries, short timeouts), loaded and opened as the CLI does. */
async function source(server: Server, extra: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Promise<SftpSource> {
  const dir = join(tmp.path, `cfg-${counter++}`);
  mkdirSync(dir);
  const file = join(dir, 'halo-data.config.json');
  writeFileSync(file, JSON.stringify({ sources: [{
    name: 'merchants', type: 'sftp', host: server.host, port: server.port, user: server.user, privateKeyFile: server.privateKeyFile,
    knownHostsFile: server.knownHostsFile, paths: ['/inbox/*.{csv,bin}'],
    timeoutSeconds: 5, retryDelaySeconds: 0.05, ...extra,
  }] }));
  const config = loadConfig({ configFile: file, env, cwd: dir });
  const src = await openSource(config, config.sources[0]);
  assert.ok(src instanceof SftpSource);
  return src;
}

/** fetchSource into a landing folder of its own; every file counts as stable unless told otherwise. */
function fetchInto(src: SftpSource, o: Partial<FetchOptions> = {}) {
  const work = join(tmp.path, `fetch-${counter++}`);
  const opts: FetchOptions = { landingRoot: join(work, 'landing'), stateFile: join(work, 'state.json'), stableAfterMs: 0, dryRun: false, ...o };
  return { work, landing: opts.landingRoot, run: () => fetchSource(src, opts) };
}

function put(root: string, rel: string, body: string | Buffer, mtime: Date = HOUR_AGO): void {
  const f = join(root, rel);
  mkdirSync(join(f, '..'), { recursive: true });
  writeFileSync(f, body);
  utimesSync(f, mtime, mtime);
}

/** Every file under `dir`, relative, sorted ([] when it does not exist). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; parentPath: string; name: string }>)
    .filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

/** How many files the default pattern ('/inbox/*.{csv,bin}') matches on the in-process server now. */
let inboxFiles: () => number = () => 0;

const resetCounts = (s: TestSftpServer) => { for (const k of Object.keys(s.requests)) delete s.requests[k]; };

describe('sftp source: the in-process server', () => {
  let server: TestSftpServer;
  const big = randomBytes(4 * 1024 * 1024 + 123);
  before(async () => {
    server = await startSftpServer();
    put(server.root, 'inbox/big.bin', big);
  });
  after(async () => { await server?.stop(); });
  before(() => { inboxFiles = () => readdirSync(join(server.root, 'inbox')).filter((n) => /\.(csv|bin)$/.test(n)).length; });

  test('globs over merchant folders: only matches, .done markers, one listing per folder, no STAT; fetched and named by merchant', async () => {
    const r = server.root;
    put(r, 'merchants/M001/inbox/stock.csv', 'sku,qty\nA,1\n');
    put(r, 'merchants/M001/inbox/stock.csv.done', '');
    put(r, 'merchants/M002/inbox/stock.xlsx', 'xlsx bytes');
    put(r, 'merchants/M002/inbox/notes.txt', 'not matched');
    put(r, 'merchants/M002/inbox/sub/deep.csv', 'too deep');
    put(r, 'merchants/M003/outbox/x.csv', 'no inbox');
    put(r, 'merchants/.hidden/inbox/x.csv', 'dot folder');
    const src = await source(server, { paths: ['/merchants/*/inbox/*.{csv,xls,xlsx}'] });
    try {
      resetCounts(server);
      const files = await src.list();
      assert.deepEqual(files.map((f) => [f.path, f.size, f.doneMarker]), [
        ['/merchants/M001/inbox/stock.csv', 12, true],
        ['/merchants/M002/inbox/stock.xlsx', 10, false],
      ]);
      assert.equal(files[0].mtimeMs, Math.floor(HOUR_AGO.getTime() / 1000) * 1000);
      // /merchants, then each merchant's inbox directly (M003's is missing: one refused OPENDIR).
      assert.equal(server.requests.OPENDIR, 4, JSON.stringify(server.requests));
      assert.equal(server.requests.STAT ?? 0, 0);
      assert.equal(server.requests.LSTAT ?? 0, 0);
      assert.equal(server.requests.READDIR, 6, 'one batch and one EOF per folder listed');

      const f = fetchInto(src);
      const out = await f.run();
      assert.deepEqual(out.fetched.map((x) => x.path), ['/merchants/M001/inbox/stock.csv', '/merchants/M002/inbox/stock.xlsx']);
      assert.equal(readFileSync(out.fetched[0].landedAs!, 'utf8'), 'sku,qty\nA,1\n');
      assert.match(out.fetched[0].landedAs!, new RegExp(`landing/merchants/${out.fetchId}/merchants/M001/inbox/stock\\.csv$`));
      const config = { sources: [{ name: 'merchants', type: 'sftp', merchantIdFrom: '/merchants/{merchant_id}/inbox/' }] } as never;
      assert.equal(merchantFromPath(config, out.fetched[1].path), 'M002');
      // Again with nothing new: no bytes move.
      const again = await f.run();
      assert.equal(again.bytes, 0);
      assert.equal(again.unchanged, 2);
    } finally { await src.close(); }
  });

  test('a multi-MB file lands byte for byte, several downloads sharing one connection', async () => {
    for (let i = 0; i < 6; i++) put(server.root, `inbox/small-${i}.csv`, `n,${i}\n`.repeat(1000 * i));
    const src = await source(server);
    try {
      const out = await fetchInto(src, { concurrency: 4 }).run();
      assert.equal(out.fetched.length, inboxFiles());
      const b = out.fetched.find((x) => x.path === '/inbox/big.bin')!;
      assert.equal(b.sha256, sha256(big));
      assert.equal(sha256(readFileSync(b.landedAs!)), sha256(big));
      for (const x of out.fetched.filter((y) => y.path !== '/inbox/big.bin')) {
        assert.equal(sha256(readFileSync(x.landedAs!)), sha256(readFileSync(join(server.root, x.path))));
      }
      assert.equal(src.stats.connects, 1);
      assert.equal(src.stats.retries, 0);
    } finally { await src.close(); }
  });

  test('a download cut mid-file resumes on a new connection; the landed file is identical', async () => {
    const proxy = await startTcpProxy(server, { cutAfterBytes: 1024 * 1024, onlyFirst: 1 });
    const src = await source({ ...server, port: proxy.port }, { paths: ['/inbox/big.bin'], hostKeySha256: server.hostKeySha256 });
    try {
      const out = await fetchInto(src).run();
      assert.equal(out.fetched.length, 1);
      assert.equal(sha256(readFileSync(out.fetched[0].landedAs!)), sha256(big));
      assert.ok(proxy.connections >= 2, `${proxy.connections} connections`);
      assert.equal(src.stats.resumes, 1, JSON.stringify(src.stats));
      assert.ok(src.stats.bytesRead - big.length < big.length, `re-read ${src.stats.bytesRead - big.length} bytes: resumed, not restarted`);
      assert.equal(src.stats.bytesRead, big.length, 'not one byte read twice');
    } finally { await src.close(); await proxy.stop(); }
  });

  test('four downloads cut at once share one reconnect and all resume', async () => {
    const parts = Array.from({ length: 4 }, () => randomBytes(1024 * 1024));
    parts.forEach((b, i) => put(server.root, `many/part-${i}.bin`, b));
    // Cut at 3 MiB of 4: some download is mid-file with bytes landed, however the four interleave.
    // At 1.5 MiB, with ssh2's pure-JS ciphers (npm 11 skips its native build), the first file could
    // take it all while the others had landed nothing yet: they restarted from 0, no resume to see.
    const proxy = await startTcpProxy(server, { cutAfterBytes: 3 * 1024 * 1024, onlyFirst: 1 });
    const src = await source({ ...server, port: proxy.port }, { paths: ['/many/*.bin'], hostKeySha256: server.hostKeySha256 });
    try {
      const out = await fetchInto(src, { concurrency: 4 }).run();
      assert.equal(out.fetched.length, 4);
      for (const f of out.fetched) assert.equal(sha256(readFileSync(f.landedAs!)), sha256(parts[Number(/part-(\d)/.exec(f.path)![1])]));
      assert.equal(src.stats.connects, 2, 'one new connection for all four, not one each');
      assert.ok(src.stats.resumes >= 1, JSON.stringify(src.stats));
      assert.equal(src.stats.bytesRead, 4 * 1024 * 1024, 'nothing read twice');
    } finally { await src.close(); await proxy.stop(); }
  });

  test('a stall trips the watchdog; the retry resumes and completes', async () => {
    const proxy = await startTcpProxy(server, { stallAfterBytes: 512 * 1024, stallMs: 4000, onlyFirst: 1 });
    const src = await source({ ...server, port: proxy.port }, { paths: ['/inbox/big.bin'], hostKeySha256: server.hostKeySha256, stallSeconds: 0.3, minBytesPerSecond: 1024 });
    try {
      const out = await fetchInto(src).run();
      assert.equal(sha256(readFileSync(out.fetched[0].landedAs!)), sha256(big));
      assert.ok(src.stats.retries >= 1 && proxy.connections >= 2, JSON.stringify(src.stats));
      assert.equal(src.stats.resumes, 1);
    } finally { await src.close(); await proxy.stop(); }
  });

  test('a link cut on every connection: after the retries, a ServiceError (exit 3) naming source, host and file; nothing landed', async () => {
    const proxy = await startTcpProxy(server, { cutAfterBytes: 400 * 1024 });
    const src = await source({ ...server, port: proxy.port }, { paths: ['/inbox/big.bin'], hostKeySha256: server.hostKeySha256, retries: 2 });
    const f = fetchInto(src);
    try {
      await assert.rejects(f.run(), (e: unknown) => {
        assert.ok(e instanceof ServiceError, String(e));
        assert.equal(exitCodeFor(e), 3);
        assert.match(e.message, /source 'merchants'/);
        assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${proxy.port}`));
        assert.match(e.message, /\/inbox\/big\.bin/);
        assert.match(e.message, /after 3 attempts/);
        return true;
      });
      assert.equal(proxy.connections, 3);
      assert.deepEqual(filesUnder(f.landing), [], 'no partial file left behind');
    } finally { await src.close(); await proxy.stop(); }
  });

  test('a server that is down: ServiceError (exit 3) after the retries', async () => {
    const port = await new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
    const src = await source({ ...server, port }, { retries: 1 });
    try {
      await assert.rejects(fetchInto(src).run(), (e: unknown) => e instanceof ServiceError && exitCodeFor(e) === 3 && /listing on 127\.0\.0\.1:\d+ failed after 2 attempts/.test(e.message));
      assert.equal(src.stats.connects, 2);
    } finally { await src.close(); }
  });

  test('an unknown host key is refused, naming the fingerprint and the fix; nothing is fetched', async () => {
    const empty = join(tmp.path, `known_hosts-${counter++}`);
    writeFileSync(empty, '# nothing known\n');
    const src = await source({ ...server, knownHostsFile: empty });
    const f = fetchInto(src);
    try {
      await assert.rejects(f.run(), (e: unknown) => {
        assert.ok(e instanceof HostKeyError, String(e));
        assert.equal(e.code, 'host-key-unknown');
        assert.equal(exitCodeFor(e), 2);
        assert.ok(e.message.includes(server.hostKeySha256), e.message);
        assert.match(e.message, new RegExp(`source 'merchants': the host key of 127\\.0\\.0\\.1:${server.port} is not known`));
        assert.match(e.hint ?? '', /halo-data doctor --trust-host merchants/);
        return true;
      });
      assert.equal(src.stats.connects, 1, 'not retried');
      assert.deepEqual(filesUnder(f.work), []);
    } finally { await src.close(); }
  });

  test('a pinned fingerprint is enough (no known_hosts); a wrong pin is refused', async () => {
    const nowhere = join(tmp.path, 'no-such-known-hosts');
    const ok = await source({ ...server, knownHostsFile: nowhere }, { hostKeySha256: server.hostKeySha256 });
    try { assert.equal((await ok.list()).length, inboxFiles()); } finally { await ok.close(); }
    const wrongPin = 'SHA256:' + 'A'.repeat(43);
    const bad = await source(server, { hostKeySha256: wrongPin });
    try {
      await assert.rejects(bad.list(), (e: unknown) => e instanceof HostKeyError && e.code === 'host-key-pin-mismatch' && e.message.includes(server.hostKeySha256) && e.message.includes(wrongPin));
    } finally { await bad.close(); }
  });

  test('a key with a passphrase from a file works; a wrong passphrase is a ConfigError that does not quote it', { skip: spawnSync('ssh-keygen', ['-?'], { stdio: 'ignore' }).error !== undefined && 'needs ssh-keygen (openssh-client)' }, async () => {
    const dir = join(tmp.path, `key-${counter++}`);
    mkdirSync(dir);
    const key = join(dir, 'id_ed25519');
    copyFileSync(server.privateKeyFile, key);
    const passphrase = 'correct horse battery staple';
    const enc = spawnSync('ssh-keygen', ['-q', '-p', '-f', key, '-P', '', '-N', passphrase], { encoding: 'utf8' });
    assert.equal(enc.status, 0, enc.stderr);
    const good = join(dir, 'passphrase');
    writeFileSync(good, `${passphrase}\n`);
    const src = await source({ ...server, privateKeyFile: key }, { passphraseFile: good });
    try { assert.equal((await src.list()).length, inboxFiles()); } finally { await src.close(); }

    const wrong = join(dir, 'wrong');
    writeFileSync(wrong, 'hunter2-not-it\n');
    const bad = await source({ ...server, privateKeyFile: key }, { passphraseFile: wrong });
    try {
      await assert.rejects(bad.list(), (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(e.message, /cannot use the private key .*id_ed25519 with the passphrase in .*wrong: wrong or missing passphrase/);
        assert.ok(!e.message.includes('hunter2') && !(e.hint ?? '').includes('hunter2'));
        return true;
      });
      assert.equal(bad.stats.connects, 1, 'not retried');
    } finally { await bad.close(); }
  });

  test('a password from an environment variable: a missing variable and a refused login are ConfigErrors that never show it', async () => {
    const missing = await source(server, { privateKeyFile: undefined, passwordEnv: 'HALO_TEST_SFTP_NO_SUCH_VAR' });
    try {
      await assert.rejects(missing.list(), (e: unknown) => e instanceof ConfigError && /HALO_TEST_SFTP_NO_SUCH_VAR \(the password\) is not set/.test(e.message));
    } finally { await missing.close(); }
    process.env.HALO_TEST_SFTP_PASSWORD = 'pa55-not-accepted';
    const refused = await source(server, { privateKeyFile: undefined, passwordEnv: 'HALO_TEST_SFTP_PASSWORD' });
    try {
      await assert.rejects(refused.list(), (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${server.port} refused the login of user 'halo' \\(tried password from \\$HALO_TEST_SFTP_PASSWORD\\)`));
        assert.ok(!e.message.includes('pa55') && !(e.hint ?? '').includes('pa55'));
        return true;
      });
      assert.equal(refused.stats.connects, 1, 'not retried');
    } finally { await refused.close(); delete process.env.HALO_TEST_SFTP_PASSWORD; }
  });

  test('ssh-agent: agent: true logs in with the key the agent holds', { skip: spawnSync('ssh-agent', ['-?'], { stdio: 'ignore' }).error !== undefined && 'needs ssh-agent (openssh-client)' }, async () => {
    const sock = join(tmp.path, `agent-${counter++}.sock`);
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
      const add = spawnSync('ssh-add', [server.privateKeyFile], { env: { ...process.env, SSH_AUTH_SOCK: sock }, encoding: 'utf8' });
      assert.equal(add.status, 0, add.stderr);
      process.env.SSH_AUTH_SOCK = sock;
      const src = await source(server, { privateKeyFile: undefined, agent: true }, { SSH_AUTH_SOCK: sock });
      try { assert.equal((await src.list()).length, inboxFiles()); } finally { await src.close(); }
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK; else process.env.SSH_AUTH_SOCK = saved;
      const exited = new Promise((r) => agent.once('exit', r));
      agent.kill('SIGTERM');
      await exited;
    }
  });

  test('a file still growing is not taken until it is unchanged across two listings', async () => {
    put(server.root, 'growing/stock.csv', 'sku,qty\n', new Date());
    const src = await source(server, { paths: ['/growing/*.csv'] });
    try {
      const f = fetchInto(src, { stableAfterMs: 3600_000 });
      const first = await f.run();
      assert.deepEqual(first.waiting.map((w) => w.path), ['/growing/stock.csv']);
      appendFileSync(join(server.root, 'growing/stock.csv'), 'A,1\n');
      const second = await f.run();
      assert.deepEqual([second.fetched.length, second.waiting.map((w) => w.why)], [0, ['still changing since the last listing']]);
      const third = await f.run();
      assert.deepEqual(third.fetched.map((x) => x.path), ['/growing/stock.csv']);
      assert.equal(readFileSync(third.fetched[0].landedAs!, 'utf8'), 'sku,qty\nA,1\n');
    } finally { await src.close(); }
  });

  test('remote names with control characters or backslashes (..\\..) are refused by landing; the rest land', async () => {
    put(server.root, 'odd/bell\x07.csv', 'x\n');
    put(server.root, 'odd/x\\..\\..\\escape.csv', 'x\n');
    put(server.root, 'odd/fine.csv', 'ok\n');
    const src = await source(server, { paths: ['/odd/*.csv'] });
    try {
      const f = fetchInto(src);
      const out = await f.run();
      assert.deepEqual(out.fetched.map((x) => x.path), ['/odd/fine.csv']);
      assert.deepEqual(out.refused.map((x) => x.path).sort(), ['/odd/bell?.csv', '/odd/x\\..\\..\\escape.csv']);
      for (const r of out.refused) assert.match(r.why, /refusing the file name/);
      // Only the one file landed (the fetch folder may also hold fetchSource's own dot-files).
      assert.deepEqual(filesUnder(f.landing).map((p) => p.split('/').pop()!).filter((n) => !n.startsWith('.')), ['fine.csv']);
    } finally { await src.close(); }
  });

  test('archive moves the file into archive/ beside it (made when missing), adds a suffix when taken, never deletes', async () => {
    put(server.root, 'arch/inbox/a.csv', 'first\n');
    const src = await source(server, { paths: ['/arch/inbox/*.csv'], archive: true });
    try {
      await src.archive('/arch/inbox/a.csv');
      assert.equal(readFileSync(join(server.root, 'arch/inbox/archive/a.csv'), 'utf8'), 'first\n');
      assert.ok(!existsSync(join(server.root, 'arch/inbox/a.csv')));
      await src.archive('/arch/inbox/a.csv'); // moved already: nothing to do
      put(server.root, 'arch/inbox/a.csv', 'second\n');
      await src.archive('/arch/inbox/a.csv');
      assert.equal(readFileSync(join(server.root, 'arch/inbox/archive/a.csv'), 'utf8'), 'first\n');
      assert.equal(readFileSync(join(server.root, 'arch/inbox/archive/a-2.csv'), 'utf8'), 'second\n');
      assert.deepEqual(await src.list(), [], 'archive/ is not listed again by the source');
      assert.equal(server.requests.REMOVE ?? 0, 0);
    } finally { await src.close(); }
  });

  test('doctor: probeHostKey shows the key without logging in; checkSftp checks key, login and listing', async () => {
    const config = loadConfig({ env: {}, cwd: tmp.path });
    const settings = sftpSettings(config, { name: 'merchants', type: 'sftp', host: server.host, port: server.port, user: server.user, privateKeyFile: server.privateKeyFile, knownHostsFile: server.knownHostsFile, paths: ['/inbox/*'] });
    const probe = await probeHostKey(settings);
    assert.equal(probe.fingerprint, server.hostKeySha256);
    assert.equal(probe.keyType, 'ssh-ed25519');
    assert.equal(probe.knownHostsLine, readFileSync(server.knownHostsFile, 'utf8').trim());
    assert.deepEqual(probe.verdict, { ok: true, fingerprint: server.hostKeySha256 });
    const rows = await checkSftp(settings);
    assert.deepEqual(rows.map((r) => [r.ok, r.check]), [[true, `merchants: host key of 127.0.0.1:${server.port}`], [true, 'merchants: login as halo'], [true, 'merchants: listing']]);
    assert.equal(rows[2].detail.split(' ')[0], String(readdirSync(join(server.root, 'inbox')).length));
    assert.match(rows[2].detail, /files? match \/inbox\/\*$/);

    const unknown = { ...settings, knownHostsFile: join(tmp.path, 'none') };
    assert.equal((await probeHostKey(unknown)).verdict.ok, false);
    const bad = await checkSftp(unknown);
    assert.equal(bad.length, 1);
    assert.equal(bad[0].ok, false);
    assert.ok(bad[0].detail.includes(server.hostKeySha256));
    assert.match(bad[0].fix ?? '', /doctor --trust-host merchants/);
  });
});

describe('sftp source: a real OpenSSH server', { skip: !sshdAvailable() && 'needs root, /usr/sbin/sshd, ssh-keygen and unshare (apt-get install openssh-server)' }, () => {
  let sshd: TestSshd;
  let knownHosts: string;
  const big = randomBytes(3 * 1024 * 1024 + 7);
  before(async () => {
    sshd = await startSshd();
    put(sshd.root, 'merchants/M1/inbox/stock.csv', 'sku,qty\nA,1\n');
    put(sshd.root, 'merchants/M2/inbox/big.bin', big);
    // Our own copy: rotateHostKey rewrites the server's known_hosts file.
    knownHosts = join(tmp.path, 'sshd_known_hosts');
    copyFileSync(sshd.knownHostsFile, knownHosts);
  });
  after(async () => { await sshd?.stop(); });
  const server = (): Server => ({ ...sshd, knownHostsFile: knownHosts });

  test('lists with absolute paths and fetches through known_hosts', async () => {
    const src = await source(server(), { paths: [`${sshd.root}/merchants/*/inbox/*.{csv,bin}`] });
    try {
      const out = await fetchInto(src).run();
      assert.deepEqual(out.fetched.map((x) => x.path), [`${sshd.root}/merchants/M1/inbox/stock.csv`, `${sshd.root}/merchants/M2/inbox/big.bin`]);
      assert.equal(out.fetched[1].sha256, sha256(big));
      assert.equal(src.stats.requests.STAT ?? 0, 0);
    } finally { await src.close(); }
  });

  test('relative patterns start where the server logs us in', async () => {
    const src = await source(server(), { paths: ['merchants/M1/inbox/*.csv'] });
    try { assert.deepEqual((await src.list()).map((f) => f.path), [`${sshd.root}/merchants/M1/inbox/stock.csv`]); } finally { await src.close(); }
  });

  test('against sshd: a missing fixed folder is a config error (exit 2); an existing empty one is no files', async () => {
    mkdirSync(join(sshd.root, 'empty-inbox'), { recursive: true });
    const wrong = await source(server(), { paths: [`${sshd.root}/merchantz/*/inbox/*.csv`] });
    try {
      await assert.rejects(wrong.list(), (e: unknown) => e instanceof MissingFolderError && exitCodeFor(e) === 2
        && e.folder === `${sshd.root}/merchantz` && e.nearest === sshd.root && e.message.includes(`on ${sshd.host}:${sshd.port}`));
    } finally { await wrong.close(); }
    const empty = await source(server(), { paths: [`${sshd.root}/empty-inbox/*.csv`] });
    try { assert.deepEqual(await empty.list(), []); } finally { await empty.close(); }
  });

  test('a download cut mid-file resumes against sshd', async () => {
    const proxy = await startTcpProxy(sshd, { cutAfterBytes: 1024 * 1024, onlyFirst: 1 });
    const src = await source({ ...server(), port: proxy.port }, { paths: [`${sshd.root}/merchants/M2/inbox/big.bin`], hostKeySha256: sshd.hostKeySha256 });
    try {
      const out = await fetchInto(src).run();
      assert.equal(sha256(readFileSync(out.fetched[0].landedAs!)), sha256(big));
      assert.ok(proxy.connections >= 2);
      assert.equal(src.stats.resumes, 1);
      assert.equal(src.stats.bytesRead, big.length);
    } finally { await src.close(); await proxy.stop(); }
  });

  test('archive against sshd: RENAME into a new archive/ folder', async () => {
    put(sshd.root, 'arch/a.csv', 'a\n');
    const src = await source(server(), { paths: [`${sshd.root}/arch/*.csv`], archive: true });
    try {
      await src.archive(`${sshd.root}/arch/a.csv`);
      assert.ok(existsSync(join(sshd.root, 'arch/archive/a.csv')) && !existsSync(join(sshd.root, 'arch/a.csv')));
      put(sshd.root, 'arch/a.csv', 'again\n');
      await src.archive(`${sshd.root}/arch/a.csv`);
      assert.equal(readFileSync(join(sshd.root, 'arch/archive/a-2.csv'), 'utf8'), 'again\n');
    } finally { await src.close(); }
  });

  test('archive against sshd moves only what was fetched: a file replaced since is put back', async () => {
    put(sshd.root, 'arch2/b.csv', 'fetched\n');
    const path = `${sshd.root}/arch2/b.csv`;
    const src = await source(server(), { paths: [`${sshd.root}/arch2/*.csv`], archive: true });
    try {
      const [listed] = await src.list();
      assert.equal(await src.archive(path, { size: listed.size, mtimeMs: listed.mtimeMs }), 'archived');
      put(sshd.root, 'arch2/b.csv', 'fetched\n');
      const [again] = await src.list();
      put(sshd.root, 'arch2/b.csv', 'replaced, longer\n'); // after the listing, before the archive
      assert.equal(await src.archive(path, { size: again.size, mtimeMs: again.mtimeMs }), 'changed');
      assert.equal(readFileSync(join(sshd.root, 'arch2/b.csv'), 'utf8'), 'replaced, longer\n');
      assert.deepEqual(readdirSync(join(sshd.root, 'arch2/archive')), ['b.csv']);
    } finally { await src.close(); }
  });

  // Last: it changes the server's key.
  test('a changed host key (the server rebuilt) is refused, naming the new fingerprint; nothing is fetched', async () => {
    const old = sshd.hostKeySha256;
    await sshd.rotateHostKey();
    assert.notEqual(sshd.hostKeySha256, old);
    const src = await source(server(), { paths: [`${sshd.root}/merchants/*/inbox/*.csv`] });
    const f = fetchInto(src);
    try {
      await assert.rejects(f.run(), (e: unknown) => {
        assert.ok(e instanceof HostKeyError, String(e));
        assert.equal(e.code, 'host-key-changed');
        assert.equal(exitCodeFor(e), 2);
        assert.ok(e.message.includes(sshd.hostKeySha256), e.message);
        assert.match(e.message, /has CHANGED/);
        assert.match(e.hint ?? '', /--trust-host merchants/);
        return true;
      });
      assert.deepEqual(filesUnder(f.work), []);
    } finally { await src.close(); }
  });
});
