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

export async function listBatches(lake: Lake, filter: { source?: string } = {}): Promise<BatchEntry[]> {
  const byPrefix = new Map<string, BatchEntry>();
  for await (const o of lake.list(filter.source ? `${filter.source}/` : '')) {
    const m = BATCH_DIR.exec(o.key);
    if (!m) continue;
    const prefix = m[0].slice(0, -1);
    let e = byPrefix.get(prefix);
    if (!e) {
      e = { batchId: m[3], source: m[1], date: m[2], prefix, status: 'incomplete', manifest: null, objects: 0, bytes: 0, lastModified: new Date(0) };
      byPrefix.set(prefix, e);
    }
    e.objects++;
    e.bytes += o.size;
    if (o.lastModified > e.lastModified) e.lastModified = o.lastModified;
    if (o.key === `${prefix}/${MANIFEST_NAME}`) e.status = 'complete';
  }
  const entries = [...byPrefix.values()].sort((a, b) => (a.batchId < b.batchId ? -1 : 1));
  for (const e of entries) {
    if (e.status === 'complete') e.manifest = await readManifest(lake, e.prefix);
  }
  return entries;
}

export async function readManifest(lake: Lake, prefix: string): Promise<Manifest> {
  const chunks: Buffer[] = [];
  for await (const c of await lake.get(`${prefix}/${MANIFEST_NAME}`)) chunks.push(c as Buffer);
  return parseManifest(Buffer.concat(chunks).toString('utf8'), `${prefix}/${MANIFEST_NAME}`);
}
