import { HaloError, ServiceError } from '../errors.js';
import type { HostKeyVerdict } from './host-keys.js';

/**
 * The SFTP source's failures, sorted by what retrying can do about them. A dropped, reset,
 * timed-out or stalled connection is transient: try again, reconnecting. A status the server
 * answered with (no such file, permission denied) or a refused host key or login is not.
 */

/** SFTP v3 status codes (draft-ietf-secsh-filexfer-02 §7) that this source acts on. */
export const SFTP_STATUS = { EOF: 1, NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, NO_CONNECTION: 6, CONNECTION_LOST: 7 } as const;

/** A fault of the link, not of the request: the connection is dropped and the step tried again. */
export class TransientError extends Error {
  constructor(readonly code: 'timeout' | 'stall' | 'connection-lost', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/**
 * The server's host key is not one we know. Fault 'config' (exit 2), not 'service': no retry
 * or wait fixes it, an operator must check the fingerprint with the server's owner and pin it
 * (an unknown key) or find out why it changed (a rebuilt server, or someone in the middle).
 * Treating it as an outage (exit 3) would invite cron wrappers to retry a possible attack.
 */
export class HostKeyError extends HaloError {
  constructor(
    readonly why: Exclude<HostKeyVerdict, { ok: true }>['why'],
    readonly fingerprint: string,
    message: string,
    hint: string,
  ) {
    super(`host-key-${why}`, 'config', message, { hint });
  }
}

/** The numeric SFTP status an error carries, if the server answered with one. */
export function sftpStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Whether trying again (on a fresh connection) may help. Anything but a status the server
 * chose to answer with, a refused key or login, or one of our typed errors counts as the link
 * failing (or the server's generic FAILURE): ssh2 reports a cut socket as 'No response from server', resets as ECONNRESET, a
 * server that is down as ECONNREFUSED, a handshake that never finished as a timeout.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof TransientError) return true;
  if (err instanceof HaloError) return false;
  const status = sftpStatus(err);
  // FAILURE is SFTP v3's catch-all (a server-side I/O error among others): worth another try.
  if (status !== undefined) return status === SFTP_STATUS.FAILURE || status === SFTP_STATUS.NO_CONNECTION || status === SFTP_STATUS.CONNECTION_LOST;
  const message = String((err as Error)?.message ?? err);
  if (/authentication methods failed|Cannot parse privateKey|verification failed/i.test(message)) return false;
  return true;
}

/** What the network errors of a connection attempt mean, in words ("connect ECONNREFUSED 10.0.0.5:22" says it in code). */
const NETWORK_ERRNO: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'unknown host name',
  EAI_AGAIN: 'host name lookup failed (DNS)',
  ECONNRESET: 'connection reset',
};

/** The errno name of a failure or of what caused it (a TransientError wraps ssh2's error). */
function errnoOf(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | null, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) return e.code;
  }
  return undefined;
}

/** A short, secret-free account of a failure for messages: ssh2's text never carries a key or password. */
export function describeFailure(err: unknown): string {
  const e = err as { message?: string; code?: unknown } | null;
  const code = typeof e?.code === 'string' && /^E[A-Z_]+$/.test(e.code) ? e.code : undefined;
  if (code && NETWORK_ERRNO[code]) return `${NETWORK_ERRNO[code]} (${code})`;
  const message = (e?.message ?? String(err)).replace(/^(getConnection|connect|sftp|list|get|end): /, '');
  // An errno name (EPIPE) says more than ssh2's wording; our own codes do not.
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/**
 * The server could not be reached at all: refused, timed out, no route, unknown name. A
 * ServiceError (exit 3: it may be down for a while); doctor reports it as the connection
 * failing, not as a host-key problem (no key was ever seen).
 */
export class UnreachableError extends ServiceError {
  constructor(source: string, host: string, port: number, err: unknown) {
    const errno = errnoOf(err);
    const why = errno && NETWORK_ERRNO[errno] ? NETWORK_ERRNO[errno] : describeFailure(err);
    super('sftp-unreachable', `source '${source}': cannot connect to ${host}:${port} (${why})`,
      { cause: err, hint: 'check host and port, that the SFTP server is up, and the network path (firewall, VPN)' });
  }
}
