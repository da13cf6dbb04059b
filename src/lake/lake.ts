import type { Readable } from 'node:stream';

/**
 * Where batches live: S3, or a local folder (the embedded default). Keys are '/'-separated
 * paths under the lake's root. There is no delete: the lake is the platform's backup.
 */
export interface LakeObject { key: string; size: number; lastModified: Date }

export interface PutResult { bytes: number; sha256: string }

export interface Lake {
  /** The lake's URL (s3://bucket/prefix or a folder), for messages and manifests. */
  readonly url: string;
  /** Writes an object whole: a reader never sees half of it. Returns its size and SHA-256 (checked after writing). */
  put(key: string, body: Readable | Uint8Array, contentType?: string): Promise<PutResult>;
  get(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /** Objects under a prefix, in key order. */
  list(prefix: string): AsyncIterable<LakeObject>;
  /**
   * The names of the "folders" directly under `prefix` (which ends with '/'): S3's common
   * prefixes with delimiter '/', a local folder's sub-folders. One request per 1000 names,
   * however many objects lie below them (finding a source's newest batch reads two levels).
   */
  listFolders(prefix: string): Promise<string[]>;
  /**
   * Deletes a `doctor` probe object: only keys under PROBE_PREFIX, so nothing else in the
   * backup can ever be deleted through this.
   */
  removeProbe(key: string): Promise<void>;
  /** The URL of one object (s3://… or file://…), as a COPY manifest names it. */
  objectUrl(key: string): string;
}

/** Where `doctor` writes, reads and deletes its probe object (never a batch: not a source name). */
export const PROBE_PREFIX = '_halo-data-probe/';

export function assertProbeKey(key: string): void {
  if (!key.startsWith(PROBE_PREFIX) || key.includes('..')) throw new Error(`refusing to delete ${key}: only probe objects under ${PROBE_PREFIX} are ever deleted`);
}
