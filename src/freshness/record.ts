import type { SourceConfig } from '../config/types.js';
import type { Lake } from '../lake/lake.js';
import type { Manifest } from '../batch/manifest.js';
import { asListed, merchantIdRegex } from '../schemas/profiles.js';

/**
 * Freshness per source and per merchant: when the last file came and when the last batch
 * holding it loaded. Kept in the lake (`_halo-data/freshness/<source>.json`), not in the
 * machine's state folder or the warehouse: the lake is what a new machine, a rebuilt
 * warehouse and a replay all share (a replay reloads batches; it does not make files arrive),
 * and `status` can read it without opening or creating a warehouse. `run` rewrites it whole
 * at the end of each source (under the run lock); no batch listing ever matches its key
 * (batches live under `<source>/dt=…/`, and a source name cannot start with `_`).
 */
export interface FreshnessEntry {
  /** When the last file was received (its fetch's time), ISO. */
  lastFileAt?: string;
  /** Its name at the source (a file name is not personal data: `refused list` prints it too). */
  lastFile?: string;
  /** When the last batch holding its files was loaded, ISO. */
  lastLoadAt?: string;
  lastBatchId?: string;
  /** Valid rows loaded by that batch (of this merchant's files, for a merchant). */
  rows?: number;
}

export interface FreshnessRecord extends FreshnessEntry {
  format: 'halo-data-freshness';
  version: 1;
  source: string;
  /** The first run that looked at this source: a source that never sent anything is late from here. */
  since: string;
  /** The last run that looked at it. */
  checkedAt: string;
  /** Per merchant (merchantIdFrom), by id. */
  merchants: Record<string, FreshnessEntry>;
}

export const freshnessKey = (source: string) => `_halo-data/freshness/${source}.json`;

export async function readFreshness(lake: Lake, source: string): Promise<FreshnessRecord | null> {
  if (!(await lake.exists(freshnessKey(source)))) return null;
  const chunks: Buffer[] = [];
  for await (const c of await lake.get(freshnessKey(source))) chunks.push(c as Buffer);
  const rec = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FreshnessRecord;
  if (rec.format !== 'halo-data-freshness' || rec.version !== 1) throw new Error(`${freshnessKey(source)}: not a freshness record this halo-data knows`);
  rec.merchants ??= {};
  return rec;
}

export async function writeFreshness(lake: Lake, rec: FreshnessRecord): Promise<void> {
  await lake.put(freshnessKey(rec.source), Buffer.from(JSON.stringify(rec) + '\n'), 'application/json');
}

export function newRecord(source: string, now: Date): FreshnessRecord {
  return { format: 'halo-data-freshness', version: 1, source, since: now.toISOString(), checkedAt: now.toISOString(), merchants: {} };
}

/** The merchant a file of this source belongs to, by the source's own merchantIdFrom only. */
export function merchantOf(s: SourceConfig, path: string): string | undefined {
  if (!s.merchantIdFrom) return undefined;
  return merchantIdRegex(s.merchantIdFrom).exec(asListed(path))?.[1];
}

const later = (a: string | undefined, b: string) => (a === undefined || Date.parse(b) > Date.parse(a));

/** A file received at `at` (its fetch's time): the source's and its merchant's last file, when later. */
export function noteReceived(rec: FreshnessRecord, merchant: string | undefined, file: string, at: Date): void {
  const iso = at.toISOString();
  const printable = file.replace(/[\x00-\x1f\x7f]/g, '?');
  for (const e of entries(rec, merchant)) {
    if (later(e.lastFileAt, iso)) { e.lastFileAt = iso; e.lastFile = printable; }
  }
}

/**
 * A batch loaded at `at`: its files' merchants (and the source) get it as their last load,
 * with the valid rows of their files; a batch older than the one already noted is ignored
 * (reconcile may load an old batch after a newer one).
 */
export function noteLoaded(rec: FreshnessRecord, s: SourceConfig, m: Manifest, at: Date): void {
  const rows = new Map<string | undefined, number>();
  for (const f of m.files) {
    const merchant = merchantOf(s, f.original ?? f.name);
    if (merchant !== undefined) rows.set(merchant, (rows.get(merchant) ?? 0) + f.validRows);
  }
  // A batch id starts with its fetch's time (run.ts batchIdFor): the batches of one fetch (one
  // per schema) share it and add up; an older fetch's batch changes nothing.
  const time = m.batchId.slice(0, 10);
  const apply = (e: FreshnessEntry, n: number) => {
    const last = e.lastBatchId?.slice(0, 10);
    if (last !== undefined && last > time) return;
    e.rows = last === time && e.lastBatchId !== m.batchId ? (e.rows ?? 0) + n : n;
    e.lastBatchId = m.batchId;
    e.lastLoadAt = at.toISOString();
  };
  apply(rec, m.counts.validRows);
  for (const [merchant, n] of rows) apply((rec.merchants[merchant!] ??= {}), n);
}

function entries(rec: FreshnessRecord, merchant: string | undefined): FreshnessEntry[] {
  return merchant === undefined ? [rec] : [rec, (rec.merchants[merchant] ??= {})];
}
