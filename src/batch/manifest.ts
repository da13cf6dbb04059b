/**
 * A batch's manifest: written last, so a batch without one is incomplete and never loaded.
 * Versioned: readers refuse a format version they do not know. The version says the parts'
 * shape:
 * - 1: the schema's fields as normalised, personal ones (member_id, patient_name,
 *   patient_dob) in clear; the warehouse hashes member_id in SQL with the member key.
 * - 2: no personal field; member_id is replaced by member_key, its keyed hash computed while
 *   the part was written (batch/part-shape.ts). Loading needs no key.
 * Both still load and replay.
 */
import { INVENTORY_MODES, type InventoryMode } from '../config/types.js';

export const MANIFEST_FORMAT = 'halo-data-batch';
export const MANIFEST_VERSION = 2;
/** Versions this halo-data reads. */
export const KNOWN_MANIFEST_VERSIONS: readonly number[] = [1, 2];
export const MANIFEST_NAME = 'manifest.json';
export const COPY_MANIFEST_NAME = 'copy.manifest';
export const LINES_COPY_MANIFEST_NAME = 'copy-claim_line.manifest';
/** Columns of the claim_line parts of a claim_pdf batch. */
export const CLAIM_LINE_COLUMNS = ['claim_id', 'line_no', 'description', 'quantity', 'unit_price', 'amount', 'source_file', 'source_page'] as const;

export interface ManifestFile {
  /** Name under raw/. */
  name: string;
  /**
   * The file's name at its source (a run's remote path, a stage's file name), when it differs
   * from `name` (made safe, shortened when long, numbered when two share one). Optional:
   * batches written before it lack it, and readers need not know it.
   */
  original?: string;
  bytes: number;
  sha256: string;
  format: string | null;
  rows: number;
  validRows: number;
  rejectedRows: number;
}

export interface ManifestPart {
  key: string;
  rows: number;
  bytes: number;
  uncompressedBytes: number;
  sha256: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  /** 1: parts with personal values in clear; 2: parts without them (member_key instead). */
  version: 1 | 2;
  batchId: string;
  source: string;
  schema: { name: string; version: number };
  /** Normalised columns, in part order (no header line in the parts). */
  columns: string[];
  createdAt: string;
  /**
   * The batch's place in its source's order: the time part of its id, in milliseconds, from
   * the source's sequence (batch/sequence.ts; greater than every earlier batch of the source,
   * whatever the host clock said). Optional: batches written before it lack it (their id's
   * time is the same number), and readers need not know it.
   */
  sequence?: number;
  tool: { name: string; version: string };
  files: ManifestFile[];
  parts: ManifestPart[];
  rejects: { key: string; rows: number; bytes: number; sha256: string } | null;
  copyManifest: string;
  counts: { files: number; rows: number; validRows: number; rejectedRows: number };
  /**
   * merchant_inventory batches: whether each merchant's rows are its whole catalogue (`full`:
   * a product absent is delisted) or only what changed (`delta`). Taken from the source's
   * config (or `stage --inventory`) when the batch is staged, and read from here on every
   * load and replay, never from the config of the day: a batch loads the same way forever.
   * Optional: batches written before it lack it, and are full (inventoryMode).
   */
  inventory?: InventoryMode;
  /** claim_pdf batches: the claims' line items, a table of their own. */
  claimLines?: { columns: string[]; parts: ManifestPart[]; copyManifest: string };
}

export function parseManifest(text: string, where: string): Manifest {
  const m = JSON.parse(text) as Manifest;
  if (m.format !== MANIFEST_FORMAT) throw new Error(`${where}: not a halo-data batch manifest`);
  if (!KNOWN_MANIFEST_VERSIONS.includes(m.version)) {
    throw new Error(`${where}: batch format version ${m.version} is not known to this halo-data (knows ${KNOWN_MANIFEST_VERSIONS.join(', ')})`);
  }
  // A mode this halo-data does not know (a newer one wrote it) must not be loaded as another:
  // read as full, a partial file would delist a merchant's whole catalogue.
  if (m.inventory !== undefined && !INVENTORY_MODES.includes(m.inventory)) {
    throw new Error(`${where}: inventory mode ${JSON.stringify(m.inventory)} is not known to this halo-data (knows ${INVENTORY_MODES.join(', ')})`);
  }
  return m;
}

/** How a batch's inventory rows are read: its manifest's mode; absent (batches staged before the mode existed) is full. */
export function inventoryMode(m: Pick<Manifest, 'inventory'>): InventoryMode {
  return m.inventory ?? 'full';
}

/** Whether a batch's parts hold members as member_key (version 2) rather than member_id and the other personal fields in clear (version 1). */
export function partsArePseudonymised(m: Pick<Manifest, 'version'>): boolean {
  return m.version >= 2;
}

/** Where a batch lives in the lake: <source>/dt=YYYY-MM-DD/<batch_id>/ */
export function batchPrefix(source: string, batchId: string, createdAt: Date): string {
  return `${source}/dt=${createdAt.toISOString().slice(0, 10)}/${batchId}`;
}
