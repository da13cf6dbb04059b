import { HaloError } from '../errors.js';
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

/** A short, secret-free account of a failure for messages: ssh2's text never carries a key or password. */
export function describeFailure(err: unknown): string {
  const e = err as { message?: string; code?: unknown } | null;
  const message = (e?.message ?? String(err)).replace(/^(getConnection|connect|sftp|list|get|end): /, '');
  // An errno name (ECONNREFUSED) says more than ssh2's wording; our own codes do not.
  return typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code) && !message.includes(e.code) ? `${message} (${e.code})` : message;
}
