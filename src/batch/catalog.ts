import type { Lake } from '../lake/lake.js';
import { MANIFEST_NAME, parseManifest, type Manifest } from './manifest.js';

/** What the lake holds: one entry per batch folder, complete (manifest) or not. */
export interface BatchEntry {
  batchId: string;
  source: string;
  date: string;
  prefix: string;
  status: 'complete' | 'incomplete';
  manifest: Manifest | null;
  objects: number;
  bytes: number;
  /** Newest object's time: how old an incomplete batch is. */
  lastModified: Date;
}

const BATCH_DIR = /^([^/]+)\/dt=(\d{4}-\d{2}-\d{2})\/([0-9A-HJKMNP-TV-Z]{26})\//;

/**
 * The order batches are loaded in when several wait (run's reconciliation, replay, batches
 * list): by batch id today. Kept in this one function so a per-source sequence can replace it.
 */
export function inLoadOrder<T extends { batchId: string }>(batches: T[]): T[] {
  return [...batches].sort((a, b) => (a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0));
}

/** Groups listed objects into batch folders (complete when the manifest is among them); no manifest is read. */
async function collect(objects: AsyncIterable<{ key: string; size: number; lastModified: Date }>, into: Map<string, BatchEntry>): Promise<void> {
  for await (const o of objects) {
    const m = BATCH_DIR.exec(o.key);
    if (!m) continue;
    const prefix = m[0].slice(0, -1);
    let e = into.get(prefix);
    if (!e) {
      e = { batchId: m[3], source: m[1], date: m[2], prefix, status: 'incomplete', manifest: null, objects: 0, bytes: 0, lastModified: new Date(0) };
      into.set(prefix, e);
    }
    e.objects++;
    e.bytes += o.size;
    if (o.lastModified > e.lastModified) e.lastModified = o.lastModified;
    if (o.key === `${prefix}/${MANIFEST_NAME}`) e.status = 'complete';
  }
}

export async function listBatches(lake: Lake, filter: { source?: string } = {}): Promise<BatchEntry[]> {
  const byPrefix = new Map<string, BatchEntry>();
  await collect(lake.list(filter.source ? `${filter.source}/` : ''), byPrefix);
  const entries = inLoadOrder([...byPrefix.values()]);
  for (const e of entries) {
    if (e.status === 'complete') e.manifest = await readManifest(lake, e.prefix);
  }
  return entries;
}

/**
 * One source's batch folders, without reading any manifest (`manifest` stays null): of the
 * given dates only (one listing of `<source>/dt=<date>/` each: on S3 one LIST request per
 * date and per 1,000 objects), or of every date (one LIST per 1,000 objects of the source).
 */
export async function listSourceBatches(lake: Lake, source: string, dates?: string[]): Promise<BatchEntry[]> {
  const byPrefix = new Map<string, BatchEntry>();
  if (!dates) await collect(lake.list(`${source}/`), byPrefix);
  else for (const d of dates) await collect(lake.list(`${source}/dt=${d}/`), byPrefix);
  return inLoadOrder([...byPrefix.values()]);
}

/** The UTC dates of the last `days` days up to tomorrow (a batch dated by a host a little ahead still counts). */
export function recentDates(now: Date, days: number): string[] {
  const out: string[] = [];
  const day = 86_400_000;
  const today = Math.floor(now.getTime() / day) * day;
  for (let t = today - days * day; t <= today + day; t += day) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export async function readManifest(lake: Lake, prefix: string): Promise<Manifest> {
  const chunks: Buffer[] = [];
  for await (const c of await lake.get(`${prefix}/${MANIFEST_NAME}`)) chunks.push(c as Buffer);
  return parseManifest(Buffer.concat(chunks).toString('utf8'), `${prefix}/${MANIFEST_NAME}`);
}
