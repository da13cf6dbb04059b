import { createReadStream } from 'node:fs';
import iconv from 'iconv-lite';
import type { Readable } from 'node:stream';
import { lastRecordEnd } from './boundaries.js';
import { isAsciiCompatible, type Encoding } from './encoding.js';

/**
 * 1 MB chunks: measured against 2 and 4 MB on the 1 M-row benchmark, the smallest gave the
 * lowest peak RSS (each worker's heap holds about one chunk's garbage) and no loss of speed.
 */
export const CHUNK_BYTES = 1 << 20;
/**
 * A record with no end within this many bytes of its start is an unterminated quote or not a
 * CSV at all (limits.csvRecordBytes overrides it). Checked as the file is read (see
 * recordChunks), so the bytes held for one record stay bounded: a record within the limit is
 * always read, one longer than the limit plus min(limit, 1 MB) (its line end included) is
 * always refused.
 */
export const MAX_RECORD_BYTES = 32 << 20;

export type ByteChunk =
  | { kind: 'records'; bytes: Uint8Array }
  /** No record boundary within the record limit: reading stopped at the start of that record. */
  | { kind: 'too-long'; bytes: number };

/**
 * The text bytes of a CSV in an ASCII-compatible encoding. UTF-16 is transcoded to UTF-8
 * on the fly (the BOM is dropped), so everything downstream can cut at line feeds.
 */
export function openTextBytes(path: string, encoding: Encoding, bomLength: number): { stream: Readable; encoding: Encoding } {
  if (isAsciiCompatible(encoding)) {
    return { stream: createReadStream(path, { start: bomLength, highWaterMark: 1 << 20 }), encoding };
  }
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const decoded = raw.pipe(iconv.decodeStream(encoding));
  const utf8 = decoded.pipe(iconv.encodeStream('utf-8')) as unknown as Readable;
  // Errors on the source must reach the consumer of the last stream.
  raw.on('error', (e) => utf8.destroy(e));
  return { stream: utf8, encoding: 'utf-8' };
}

/** Joins the pending reads into one buffer with an ArrayBuffer of its own (transferable to a worker). */
function joinOwned(parts: Buffer[], length: number): Buffer {
  const out = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const p of parts) { p.copy(out, at); at += p.length; }
  return out;
}

/**
 * Cuts a byte stream that starts at a record boundary into chunks of whole records, each of
 * about `target` bytes or less. Memory holds at most one chunk (or one record of at most
 * `maxRecord` bytes) plus the reader's buffer; each byte is copied once. A record that does
 * not end within `maxRecord` bytes ends the stream with 'too-long'; the chunks before it hold
 * every record before it. The last chunk is whatever follows the last record end (a last
 * line without its line feed, or a quoted field that is never closed: the tokenizer says so).
 */
export async function* recordChunks(stream: AsyncIterable<Buffer>, skip: number, delimiter: string,
  target = CHUNK_BYTES, maxRecord = MAX_RECORD_BYTES): AsyncGenerator<ByteChunk> {
  const delim = delimiter.charCodeAt(0);
  const step = Math.min(target, maxRecord);
  let parts: Buffer[] = [];
  let pending = 0;
  let toSkip = skip;
  for await (let read of stream) {
    if (toSkip > 0) {
      if (read.length <= toSkip) { toSkip -= read.length; continue; }
      read = read.subarray(toSkip);
      toSkip = 0;
    }
    // Reads are at most `target` bytes with the default sizes (one piece); a smaller target
    // (the tests') or record limit cuts a read into several, so the limit is checked at least
    // every `step` bytes: a record longer than maxRecord + step is always refused.
    for (let at = 0; at < read.length; at += step) {
      const data = at === 0 && read.length <= step ? read : read.subarray(at, at + step);
      parts.push(data);
      pending += data.length;
      if (pending < target && pending <= maxRecord) continue;
      const buf = joinOwned(parts, pending);
      const end = lastRecordEnd(buf, delim);
      if (end <= 0) {
        if (pending > maxRecord) { yield { kind: 'too-long', bytes: pending }; return; }
        parts = [buf];
        continue;
      }
      // The tail (part of one record) is copied out; the chunk keeps the big buffer.
      const tail = Buffer.from(buf.subarray(end));
      yield { kind: 'records', bytes: buf.subarray(0, end) };
      // The tail holds no record end: past the limit already, it is one record too long.
      if (tail.length > maxRecord) { yield { kind: 'too-long', bytes: tail.length }; return; }
      parts = tail.length ? [tail] : [];
      pending = tail.length;
    }
  }
  if (pending > 0) {
    const buf = joinOwned(parts, pending);
    if (pending > maxRecord && lastRecordEnd(buf, delim) <= 0) { yield { kind: 'too-long', bytes: pending }; return; }
    yield { kind: 'records', bytes: buf };
  }
}

/** Reads up to `max` bytes from the start of a stream without consuming the file twice. */
export async function readSample(path: string, encoding: Encoding, bomLength: number, max: number): Promise<{ bytes: Uint8Array; atEof: boolean }> {
  const { stream } = openTextBytes(path, encoding, bomLength);
  const parts: Buffer[] = [];
  let total = 0;
  let atEof = true;
  try {
    for await (const data of stream as AsyncIterable<Buffer>) {
      parts.push(data);
      total += data.length;
      if (total >= max) { atEof = false; break; }
    }
  } finally {
    stream.destroy();
  }
  const all = Buffer.concat(parts, total);
  return { bytes: all.subarray(0, Math.min(total, max)), atEof: atEof && total <= max };
}
