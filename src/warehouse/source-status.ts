import type { Warehouse } from './warehouse.js';
import { SCHEMA } from './sql/ddl.js';
import { INVENTORY_STATE_VERSION } from './schema.js';

/** One source as `warehouse status` shows it. */
export interface SourceStatus {
  source: string;
  /** The newest observation of its inventory (MAX(observed_at) over the merchants its loaded batches covered); null: no inventory loaded. */
  lastObservedAt: string | null;
  /** Merchants its loaded inventory batches covered. */
  merchants: number;
  /** The batch of its latest load (the highest load_seq: the last one committed, which may be a late, older batch). */
  lastLoadedBatch: string;
  lastLoadedAt: string | null;
}

/**
 * Per source with a loaded batch: the last observed time and the last load. Read from
 * etl_batch_merchant and etl_batch.load_seq, which schema version 3 adds: on an older
 * warehouse the answer is null (warehouse status then says to run warehouse init), never a
 * failed query. Times are read as text (node-postgres would read a TIMESTAMP as local time;
 * the Data API gives text anyway) and shown as UTC ISO times. One statement (one Data API
 * call); ROW_NUMBER and COUNT(DISTINCT) are in Redshift's SQL.
 */
export async function sourceStatuses(wh: Warehouse, version: number): Promise<SourceStatus[] | null> {
  if (version < INVENTORY_STATE_VERSION) return null;
  const r = await wh.query<{ source: string; batch_id: string; loaded_at: string | null; last_observed: string | null; merchants: string | number | null }>(
    `SELECT b.source, b.batch_id, CAST(b.finished_at AS VARCHAR(32)) AS loaded_at, CAST(o.last_observed AS VARCHAR(32)) AS last_observed, o.merchants
       FROM (SELECT source, batch_id, finished_at,
                    ROW_NUMBER() OVER (PARTITION BY source ORDER BY COALESCE(load_seq, 0) DESC, finished_at DESC, batch_id DESC) AS rn
               FROM ${SCHEMA}.etl_batch WHERE status = 'loaded') b
       LEFT JOIN (SELECT source, MAX(observed_at) AS last_observed, COUNT(DISTINCT merchant_id) AS merchants
                    FROM ${SCHEMA}.etl_batch_merchant GROUP BY source) o ON o.source = b.source
      WHERE b.rn = 1
      ORDER BY b.source`);
  return r.rows.map((x) => ({
    source: x.source,
    lastObservedAt: isoTime(x.last_observed),
    merchants: Number(x.merchants ?? 0),
    lastLoadedBatch: x.batch_id,
    lastLoadedAt: isoTime(x.loaded_at),
  }));
}

/** A TIMESTAMP as the warehouse writes it as text (`2026-11-21 10:30:00[.123456]`, stored in UTC) → `2026-11-21T10:30:00.123Z`. */
export function isoTime(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?/.exec(v);
  if (!m) return v;
  const ms = m[3] ? m[3].slice(1, 4).padEnd(3, '0') : '000';
  return `${m[1]}T${m[2]}.${ms}Z`;
}
