/**
 * SFTP host keys: known_hosts entries (plain, [host]:port, hashed, wildcards, negations,
 * @revoked) and pinned fingerprints decide; nothing unknown is ever trusted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createHmac, randomBytes } from 'node:crypto';
import { fingerprintOf, parseKnownHosts, verifyHostKey, hostToken } from '../../src/sources/host-keys.js';

/** An ed25519 public key as SSH's wire blob: string "ssh-ed25519", string key. */
function newKey(): Buffer {
  const x = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([str(Buffer.from('ssh-ed25519')), str(x)]);
}
const line = (hosts: string, key: Buffer, marker = '') => `${marker ? marker + ' ' : ''}${hosts} ssh-ed25519 ${key.toString('base64')}`;

const A = newKey();
const B = newKey();

test('fingerprints are SHA256: and unpadded base64, as ssh-keygen -lf prints them', () => {
  const fp = fingerprintOf(A);
  assert.match(fp, /^SHA256:[A-Za-z0-9+/]{43}$/);
});

test('a listed key is accepted, on port 22 by name and on other ports as [host]:port', () => {
  const known = parseKnownHosts(`# comment\n\n${line('sftp.example', A)}\n${line('[sftp.example]:2222', B)}\n`);
  assert.equal(hostToken('h', 22), 'h');
  assert.equal(hostToken('h', 2222), '[h]:2222');
  assert.deepEqual(verifyHostKey(A, 'sftp.example', 22, { knownHosts: known }), { ok: true, fingerprint: fingerprintOf(A) });
  assert.equal(verifyHostKey(B, 'sftp.example', 2222, { knownHosts: known }).ok, true);
  // The port-22 key is not the 2222 server's key: that server's key "changed".
  assert.deepEqual(verifyHostKey(A, 'sftp.example', 2222, { knownHosts: known }), { ok: false, fingerprint: fingerprintOf(A), why: 'changed' });
  assert.equal((verifyHostKey(A, 'other.example', 22, { knownHosts: known }) as { why: string }).why, 'unknown');
});

test('hashed hosts, wildcards and negations', () => {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update('[10.0.0.5]:2222').digest();
  const known = parseKnownHosts([
    line(`|1|${salt.toString('base64')}|${hash.toString('base64')}`, A),
    line('*.merchants.example,!evil.merchants.example', B),
  ].join('\n'));
  assert.equal(verifyHostKey(A, '10.0.0.5', 2222, { knownHosts: known }).ok, true);
  assert.equal((verifyHostKey(A, '10.0.0.5', 22, { knownHosts: known }) as { why: string }).why, 'unknown');
  assert.equal(verifyHostKey(B, 'a.merchants.example', 22, { knownHosts: known }).ok, true);
  assert.equal((verifyHostKey(B, 'evil.merchants.example', 22, { knownHosts: known }) as { why: string }).why, 'unknown');
});

test('@revoked refuses a key even when also listed; @cert-authority lines are not host keys', () => {
  const known = parseKnownHosts([line('sftp.example', A), line('sftp.example', A, '@revoked'), line('*', B, '@cert-authority')].join('\n'));
  assert.equal((verifyHostKey(A, 'sftp.example', 22, { knownHosts: known }) as { why: string }).why, 'revoked');
  assert.equal((verifyHostKey(B, 'sftp.example', 22, { knownHosts: known }) as { why: string }).why, 'changed');
});

test('a pinned fingerprint decides alone (with or without the SHA256: prefix)', () => {
  const pin = fingerprintOf(A);
  assert.equal(verifyHostKey(A, 'x', 22, { pinnedSha256: pin }).ok, true);
  assert.equal(verifyHostKey(A, 'x', 22, { pinnedSha256: pin.slice('SHA256:'.length) }).ok, true);
  assert.equal((verifyHostKey(B, 'x', 22, { pinnedSha256: pin, knownHosts: parseKnownHosts(line('x', B)) }) as { why: string }).why, 'pin-mismatch');
});

test('nothing known: nothing trusted', () => {
  assert.equal((verifyHostKey(A, 'x', 22, {}) as { why: string }).why, 'unknown');
});
