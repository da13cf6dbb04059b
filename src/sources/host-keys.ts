import { createHash, createHmac } from 'node:crypto';

/**
 * SFTP host-key checking, never trust-on-first-use: a server's key must be in a known_hosts
 * file or match a pinned SHA-256 fingerprint, else the source stops. Written here rather
 * than taken from ssh2 because ssh2 only hands over the key; what counts as "known" is ours.
 */

/** 'SHA256:<base64, no padding>' of a key blob, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

export interface KnownHost {
  marker: '' | '@revoked' | '@cert-authority';
  /** Plain patterns (`host`, `[host]:port`, wildcards, `!negations`), or one hashed entry. */
  patterns: string[];
  hashed: { salt: Buffer; hash: Buffer } | null;
  keyType: string;
  keyBlob: Buffer;
}

/** The lines of a known_hosts file that parse; comments, blanks and odd lines are skipped. */
export function parseKnownHosts(text: string): KnownHost[] {
  const out: KnownHost[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHost['marker'] = '';
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHost['marker'];
    if (fields.length < 3) continue;
    const [hosts, keyType, b64] = fields;
    const keyBlob = Buffer.from(b64, 'base64');
    if (keyBlob.length === 0) continue;
    const h = /^\|1\|([^|]+)\|([^|]+)$/.exec(hosts);
    out.push({
      marker, keyType, keyBlob,
      patterns: h ? [] : hosts.split(','),
      hashed: h ? { salt: Buffer.from(h[1], 'base64'), hash: Buffer.from(h[2], 'base64') } : null,
    });
  }
  return out;
}

/** How OpenSSH names a host in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function hostToken(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function glob(pattern: string, text: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  return re.test(text);
}

function entryMatches(e: KnownHost, token: string): boolean {
  if (e.hashed) return createHmac('sha1', e.hashed.salt).update(token).digest().equals(e.hashed.hash);
  let hit = false;
  for (const p of e.patterns) {
    if (p.startsWith('!')) { if (glob(p.slice(1), token)) return false; continue; }
    if (glob(p, token)) hit = true;
  }
  return hit;
}

export type HostKeyVerdict =
  | { ok: true; fingerprint: string }
  | { ok: false; fingerprint: string; why: 'unknown' | 'changed' | 'revoked' | 'pin-mismatch' };

/**
 * The verdict on the key a server presented. With a pinned fingerprint only the pin counts;
 * otherwise the known_hosts entries for `[host]:port`: a revoked key is refused, a listed key
 * is accepted, a host listed with other keys has changed its key, an unlisted host is unknown.
 */
export function verifyHostKey(keyBlob: Buffer, host: string, port: number, known: { pinnedSha256?: string; knownHosts?: KnownHost[] }): HostKeyVerdict {
  const fingerprint = fingerprintOf(keyBlob);
  if (known.pinnedSha256) {
    const pin = known.pinnedSha256.startsWith('SHA256:') ? known.pinnedSha256 : `SHA256:${known.pinnedSha256}`;
    return pin.replace(/=+$/, '') === fingerprint ? { ok: true, fingerprint } : { ok: false, fingerprint, why: 'pin-mismatch' };
  }
  const token = hostToken(host, port);
  const mine = (known.knownHosts ?? []).filter((e) => e.marker !== '@cert-authority' && entryMatches(e, token));
  if (mine.some((e) => e.marker === '@revoked' && e.keyBlob.equals(keyBlob))) return { ok: false, fingerprint, why: 'revoked' };
  const listed = mine.filter((e) => e.marker === '');
  if (listed.some((e) => e.keyBlob.equals(keyBlob))) return { ok: true, fingerprint };
  return { ok: false, fingerprint, why: listed.length ? 'changed' : 'unknown' };
}
