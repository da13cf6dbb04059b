import type { FileHandle } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';
import type { RemoteFile } from './source.js';
import type { SftpLink } from './sftp-connection.js';
import { TransientError } from './sftp-errors.js';

/**
 * Downloading one remote file: pipelined READs written in order to the local file and hashed
 * as they are written (one pass), a stall watchdog, and resuming after a dropped connection
 * from the bytes already written, with the hash state of those bytes kept.
 */

/** What survives between attempts: the bytes written so far and the hash of exactly those. */
export interface DownloadState { written: number; hash: Hash }

export const newDownloadState = (): DownloadState => ({ written: 0, hash: createHash('sha256') });

/**
 * Fails `stalled` when fewer than `minBytesPerSecond` arrived over a whole `stallMs` window
 * (at least one byte, so a zero floor still catches a link that went silent).
 */
export class StallWatchdog {
  readonly stalled: Promise<never>;
  private bytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(stallMs: number, minBytesPerSecond: number) {
    let fail!: (e: Error) => void;
    this.stalled = new Promise<never>((_, reject) => { fail = reject; });
    this.stalled.catch(() => {}); // raced, not always awaited
    const floor = Math.max(1, (minBytesPerSecond * stallMs) / 1000);
    this.timer = setInterval(() => {
      if (this.bytes < floor) fail(new TransientError('stall', `${this.bytes} bytes in ${stallMs / 1000} s (under ${minBytesPerSecond} bytes/s)`));
      this.bytes = 0;
    }, stallMs);
  }

  add(n: number): void { this.bytes += n; }
  stop(): void { clearInterval(this.timer); }
}

/** Bytes in flight per download: enough to fill a long link, bounded in memory. */
const IN_FLIGHT_BYTES = 2 * 1024 * 1024;

/**
 * Reads from `start` to the end of the file, handing each piece to `sink` in file order.
 * Requests are pipelined: up to ~2 MB in flight, cut so the last one ends at the listed size,
 * plus one probe at that size which answers EOF in the same round trip (a 1 KB file costs
 * one READ round trip, not two). A file that grew keeps being read until EOF (the caller sees
 * more bytes than listed); a short answer is followed by a request for the rest.
 */
export async function readPipelined(link: SftpLink, handle: Buffer, start: number, listedSize: number, watchdog: StallWatchdog, sink: (chunk: Buffer) => Promise<void>): Promise<void> {
  const chunk = link.maxReadLen;
  const window = Math.min(64, Math.max(4, Math.floor(IN_FLIGHT_BYTES / chunk)));
  interface Req { off: number; len: number; p: Promise<Buffer | null> }
  const queue: Req[] = [];
  let next = start;
  const issue = (off: number, len: number): Req => {
    const p = link.read(handle, off, len).then((b) => { if (b) watchdog.add(b.length); return b; });
    p.catch(() => {}); // a request after the failing one fails too; the head's failure is the one reported
    return { off, len, p };
  };
  const fill = () => {
    while (queue.length < window && next <= listedSize) {
      const len = next < listedSize ? Math.min(chunk, listedSize - next) : chunk;
      queue.push(issue(next, len));
      next += len;
    }
  };
  fill();
  while (queue.length) {
    const head = queue.shift()!;
    const data = await Promise.race([head.p, watchdog.stalled]);
    if (data === null) return;
    if (head.off + data.length > listedSize) {
      // Longer than listed: it is being written. Stop here (fetch sees the size differ and
      // takes it once stable) rather than follow a file that may grow without end.
      await sink(data);
      return;
    }
    await sink(data);
    if (data.length < head.len) queue.unshift(issue(head.off + data.length, head.len - data.length));
    fill();
  }
}

/** Writes all of `chunk` at `position` (a write may be partial). */
export async function writeAll(out: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await out.write(chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
  }
}

export interface AttemptOptions { stallMs: number; minBytesPerSecond: number; onResume: () => void; onBytes: (n: number) => void }

/**
 * One attempt at `file` on `link`, continuing from `state`. Resuming checks first (one FSTAT)
 * that the remote file is still the one listed; if it changed, the copy starts over.
 */
export async function downloadAttempt(link: SftpLink, file: RemoteFile, out: FileHandle, state: DownloadState, o: AttemptOptions): Promise<void> {
  const handle = await link.open(file.path);
  const watchdog = new StallWatchdog(o.stallMs, o.minBytesPerSecond);
  try {
    if (state.written > 0) {
      const st = await link.fstat(handle);
      if (st.size !== file.size || (st.mtime ?? 0) * 1000 !== file.mtimeMs) {
        await out.truncate(0);
        state.written = 0;
        state.hash = createHash('sha256');
      } else {
        o.onResume();
      }
    }
    await readPipelined(link, handle, state.written, file.size, watchdog, async (chunk) => {
      await writeAll(out, chunk, state.written);
      state.hash.update(chunk);
      state.written += chunk.length;
      o.onBytes(chunk.length);
    });
  } finally {
    watchdog.stop();
    // Not awaited: its answer changes nothing, and waiting would add a round trip per file.
    link.close(handle).catch(() => {});
  }
}
