/**
 * Self-tests of the SFTP test infrastructure: a real OpenSSH server (skipped without root and
 * openssh-server), the in-process ssh2 server, and the fault-injecting TCP proxy in front of it.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { sshdAvailable, startSshd, type TestSshd } from '../support/sshd.js';
import { startSftpServer, ed25519KeyPair, type TestSftpServer } from '../support/sftp-server.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { fingerprintOf, parseKnownHosts, verifyHostKey } from '../../src/sources/host-keys.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** A host key's fingerprint as `ssh-keygen -lf` prints it: the product's own function, checked here against ssh-keygen's. */
const fingerprint = fingerprintOf;

/** Connects as the server's user, accepting only the host key with fingerprint `expected`. */
async function connect(s: TestSshd | TestSftpServer, opts: { port?: number; expected?: string; privateKey?: string } = {}): Promise<SftpClient> {
  const client = new SftpClient();
  await client.connect({
    host: s.host,
    port: opts.port ?? s.port,
    username: s.user,
    privateKey: opts.privateKey ?? s.privateKey,
    hostVerifier: (key: Buffer) => fingerprint(key) === (opts.expected ?? s.hostKeySha256),
    readyTimeout: 5_000,
  });
  return client;
}

/** The fingerprint of the key in a one-line known_hosts file, checked against its host pattern. */
function knownHostsFingerprint(s: TestSshd | TestSftpServer): string {
  const [host, , key] = readFileSync(s.knownHostsFile, 'utf8').trim().split(' ');
  assert.equal(host, `[127.0.0.1]:${s.port}`);
  return fingerprint(Buffer.from(key, 'base64'));
}

describe('sshd: a real OpenSSH server', { skip: !sshdAvailable() && 'needs root and /usr/sbin/sshd (apt-get install openssh-server)' }, () => {
  let sshd: TestSshd;
  before(async () => { sshd = await startSshd(); });
  after(async () => { await sshd?.stop(); });

  test('connects verifying the host key; put, list and get a file under root', async () => {
    assert.match(sshd.hostKeySha256, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal(knownHostsFingerprint(sshd), sshd.hostKeySha256);
    const client = await connect(sshd);
    try {
      assert.equal(await client.cwd(), sshd.root, 'the session starts in root');
      const body = randomBytes(100_000);
      await client.mkdir(`${sshd.root}/inbox`);
      await client.put(body, `${sshd.root}/inbox/claims.csv`);
      assert.deepEqual((await client.list('inbox')).map((e) => [e.name, e.size]), [['claims.csv', body.length]]);
      assert.equal(sha256(await client.get(`${sshd.root}/inbox/claims.csv`) as Buffer), sha256(body));
      assert.equal(sha256(readFileSync(join(sshd.root, 'inbox', 'claims.csv'))), sha256(body));
    } finally { await client.end(); }
  });

  test("the source's host-key check: known_hosts accepts this server's key, and refuses it once the key changes", async () => {
    let presented: Buffer | null = null;
    const client = new SftpClient();
    await client.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: sshd.privateKey, readyTimeout: 5_000,
      hostVerifier: (key: Buffer) => { presented = key; return verifyHostKey(key, sshd.host, sshd.port, { knownHosts: parseKnownHosts(readFileSync(sshd.knownHostsFile, 'utf8')) }).ok; } });
    await client.end();
    assert.ok(presented);
    assert.equal(fingerprintOf(presented), sshd.hostKeySha256, 'the same fingerprint as ssh-keygen -lf');
    // The old known_hosts against a new key: "changed", never accepted.
    const before = parseKnownHosts(readFileSync(sshd.knownHostsFile, 'utf8'));
    await sshd.rotateHostKey();
    const verdicts: string[] = [];
    const again = new SftpClient();
    await assert.rejects(again.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: sshd.privateKey, readyTimeout: 5_000,
      hostVerifier: (key: Buffer) => { const v = verifyHostKey(key, sshd.host, sshd.port, { knownHosts: before }); verdicts.push(v.ok ? 'ok' : v.why); return v.ok; } }));
    await again.end().catch(() => {});
    assert.deepEqual(verdicts, ['changed']);
  });

  test('after rotateHostKey the old fingerprint is rejected and open sessions are cut', async () => {
    const old = sshd.hostKeySha256;
    const open = await connect(sshd);
    await sshd.rotateHostKey();
    assert.notEqual(sshd.hostKeySha256, old);
    assert.equal(knownHostsFingerprint(sshd), sshd.hostKeySha256);
    await assert.rejects(open.list(sshd.root));
    await open.end().catch(() => {});
    await assert.rejects(connect(sshd, { expected: old }), /verification failed/i);
    const client = await connect(sshd);
    await client.end();
  });
});

describe('the in-process SFTP server', () => {
  let server: TestSftpServer;
  before(async () => {
    server = await startSftpServer();
    mkdirSync(join(server.root, 'inbox'));
    writeFileSync(join(server.root, 'inbox', 'stock.csv'), 'sku,qty\nA1,3\n');
  });
  after(async () => { await server?.stop(); });

  test('lists and gets a file, counting requests by type', async () => {
    assert.equal(knownHostsFingerprint(server), server.hostKeySha256);
    const client = await connect(server);
    for (const k of Object.keys(server.requests)) delete server.requests[k];
    try {
      const list = await client.list('/inbox');
      assert.deepEqual(list.map((e) => [e.type, e.name, e.size]), [['-', 'stock.csv', 13]]);
      assert.equal(String(await client.get('/inbox/stock.csv')), 'sku,qty\nA1,3\n');
    } finally { await client.end(); }
    // Counted after end(): get() resolves before its handle's CLOSE has gone out.
    const { OPENDIR, READDIR, OPEN, READ, CLOSE } = server.requests;
    assert.deepEqual({ OPENDIR, OPEN, CLOSE }, { OPENDIR: 1, OPEN: 1, CLOSE: 2 }, JSON.stringify(server.requests));
    assert.ok(READDIR >= 1 && READ >= 1, JSON.stringify(server.requests));
  });

  test('moves a file into a new archive/ folder, but never overwrites one', async () => {
    writeFileSync(join(server.root, 'inbox', 'done.csv'), 'x\n');
    writeFileSync(join(server.root, 'inbox', 'again.csv'), 'y\n');
    const client = await connect(server);
    try {
      await client.mkdir('/archive');
      await client.rename('/inbox/done.csv', '/archive/done.csv');
      assert.ok(existsSync(join(server.root, 'archive', 'done.csv')) && !existsSync(join(server.root, 'inbox', 'done.csv')));
      await assert.rejects(client.rename('/inbox/again.csv', '/archive/done.csv'));
    } finally { await client.end(); }
  });

  test('refuses paths climbing out of root, writes and unknown keys', async () => {
    const client = await connect(server);
    try {
      // user_ed25519 exists next to root: refused, not merely missing.
      await assert.rejects(client.get('/../user_ed25519'), /denied/i);
      await assert.rejects(client.list('/inbox/../..'), /denied/i);
      await assert.rejects(client.put(Buffer.from('x'), '/inbox/new.csv'), /denied/i);
    } finally { await client.end(); }
    const stranger = ed25519KeyPair().private;
    await assert.rejects(connect(server, { privateKey: stranger }), /authentication/i);
  });
});

describe('the TCP proxy', () => {
  let server: TestSftpServer;
  const body = randomBytes(2 * 1024 * 1024);
  before(async () => {
    server = await startSftpServer();
    writeFileSync(join(server.root, 'big.bin'), body);
  });
  after(async () => { await server?.stop(); });

  test('cutAfterBytes breaks the first download mid-file; the next connection succeeds', async () => {
    const proxy = await startTcpProxy(server, { cutAfterBytes: 256 * 1024, onlyFirst: 1 });
    try {
      const first = await connect(server, { port: proxy.port });
      const reads = server.requests.READ ?? 0;
      await assert.rejects(first.get('/big.bin'));
      assert.ok(server.requests.READ > reads, 'the cut came during the download, not before it');
      await first.end().catch(() => {});
      const second = await connect(server, { port: proxy.port });
      assert.equal(sha256(await second.get('/big.bin') as Buffer), sha256(body));
      await second.end();
      assert.equal(proxy.connections, 2);
    } finally { await proxy.stop(); }
  });

  test('stallAfterBytes holds the download for stallMs, then it completes', async () => {
    const proxy = await startTcpProxy(server, { stallAfterBytes: 128 * 1024, stallMs: 600 });
    try {
      const client = await connect(server, { port: proxy.port });
      const started = Date.now();
      assert.equal(sha256(await client.get('/big.bin') as Buffer), sha256(body));
      assert.ok(Date.now() - started >= 500, `took ${Date.now() - started} ms`);
      await client.end();
    } finally { await proxy.stop(); }
  });
});
