/**
 * The inventory changes feed (`halo-data changes`): fact_inventory_history read in the order
 * loads committed it, a page at a time, with each version's previous values.
 *
 * Order: load_seq (the load that wrote the version: a late batch's versions come with the
 * load that brought them), then batch_id, then product_sk. Pages are keyset-paginated on those
 * three columns, written out as ORs (Redshift has no row-value comparison `(a, b) > (x, y)`),
 * so a page costs the same wherever it starts and no cursor is held between queries (PGlite
 * has none across our query API; the Data API pages results anyway). product_sk rather than
 * merchant + SKU within a batch: history carries it, so a page is cut before dim_product is
 * joined, and an index on (load_seq, batch_id, product_sk) could serve it alone.
 *
 * The feed ends at the newest load when it starts (`upTo`): loads that commit while it is read
 * are the next call's, and the position it hands back (that load's batch id) is exact.
 */
import type { Warehouse, StepParam } from './warehouse.js';
import { SCHEMA } from './sql/ddl.js';
import { UsageError } from '../errors.js';

/** Rows per query: a page is held in memory, never the feed. */
export const CHANGES_PAGE_ROWS = 10_000;

/** Where the feed starts: after a loaded batch's load, or after the loads finished by a time. */
export type Since =
  | { kind: 'batch'; batchId: string }
  /** `at` in UTC as the warehouse's naive TIMESTAMP text ('YYYY-MM-DD HH:MM:SS.mmm'). */
  | { kind: 'time'; at: string };

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;
const TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * `--since` as a batch id (26-character ULID) or an ISO date or date-time. A time without a
 * zone is UTC (the warehouse keeps UTC). Anything else is a usage error naming the value.
 */
export function parseSince(text: string): Since {
  const t = text.trim();
  if (ULID.test(t)) return { kind: 'batch', batchId: t.toUpperCase() };
  const m = TIME.exec(t);
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
    const ms = Math.floor(Number(`0${frac || '.0'}`) * 1000);
    const local = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms);
    const check = new Date(local);
    // Date.UTC rolls 2026-02-30 over to March: a date that is not one is refused, not moved.
    const real = check.getUTCFullYear() === +y && check.getUTCMonth() === +mo - 1 && check.getUTCDate() === +d
      && check.getUTCHours() === +h && check.getUTCMinutes() === +mi && check.getUTCSeconds() === +s;
    if (real) {
      let offsetMin = 0;
      if (zone.toUpperCase() !== 'Z') {
        const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
        offsetMin = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
      }
      const at = new Date(local - offsetMin * 60_000).toISOString();
      return { kind: 'time', at: `${at.slice(0, 10)} ${at.slice(11, 23)}` };
    }
  }
  throw new UsageError('bad-option', `--since takes a batch id (26 characters) or an ISO date or date-time such as 2026-12-07 or 2026-12-07T08:00:00Z (got '${text}')`,
    { hint: 'halo-data batches list shows batch ids; a time without a zone is UTC' });
}

/** The part of history a call reads: versions written by loads after `afterSeq`, up to `upToSeq` (whose batch is `upToBatch`). */
export interface FeedBounds { afterSeq: string; upToSeq: string; upToBatch: string }

/** The position after the last row read: the keyset the next page starts after. */
export interface FeedPosition { loadSeq: string; batchId: string; productSk: string }

/**
 * What the feed reads, or null when no load committed after `since` (nothing to print). A
 * batch id the ledger does not have, or has never loaded, is a usage error naming it.
 */
export async function feedBounds(wh: Warehouse, since: Since): Promise<FeedBounds | null> {
  let afterSeq: string;
  if (since.kind === 'batch') {
    const r = await wh.query<{ load_seq: unknown }>(`SELECT CAST(load_seq AS VARCHAR(20)) AS load_seq FROM ${SCHEMA}.etl_batch WHERE batch_id = $1`, [since.batchId]);
    const seq = r.rows[0]?.load_seq;
    if (seq === null || seq === undefined) {
      throw new UsageError('unknown-batch', r.rows.length
        ? `batch ${since.batchId} was never loaded into the warehouse: --since takes a loaded batch (the "next" of a previous call)`
        : `the warehouse has no batch ${since.batchId}: --since takes a loaded batch (the "next" of a previous call)`,
      { hint: 'halo-data batches list --status loaded shows them; or give a time: --since 2026-12-07T08:00:00Z' });
    }
    afterSeq = String(seq);
  } else {
    // The last load finished by then: every later load is read. A batch loaded again later
    // carries its new load_seq and finish time, so this can only start earlier, never skip.
    const r = await wh.query<{ s: unknown }>(`SELECT CAST(MAX(load_seq) AS VARCHAR(20)) AS s FROM ${SCHEMA}.etl_batch WHERE finished_at <= CAST($1 AS TIMESTAMP)`, [since.at]);
    afterSeq = r.rows[0]?.s === null || r.rows[0]?.s === undefined ? '0' : String(r.rows[0].s);
  }
  const top = await wh.query<{ load_seq: unknown; batch_id: string }>(
    `SELECT CAST(load_seq AS VARCHAR(20)) AS load_seq, batch_id FROM ${SCHEMA}.etl_batch WHERE load_seq = (SELECT MAX(load_seq) FROM ${SCHEMA}.etl_batch)`);
  const last = top.rows[0];
  if (!last || BigInt(String(last.load_seq)) <= BigInt(afterSeq)) return null;
  return { afterSeq, upToSeq: String(last.load_seq), upToBatch: last.batch_id };
}

/** One change as the feed prints it. Prices are the warehouse's decimal text (exact), stock whole numbers. */
export interface Change {
  kind: 'new' | 'changed' | 'delisted' | 'relisted';
  merchant_id: string;
  merchant_sku: string;
  barcode: string | null;
  old_price: string | null;
  old_stock: number | null;
  new_price: string;
  new_stock: number;
  is_listed: boolean;
  /** The version's valid_from, ISO 8601 UTC. */
  observed_at: string;
  /** The batch whose observation opened the version. */
  batch: string;
}

/** The columns of a change, in the order CSV prints them. */
export const CHANGE_COLUMNS = ['kind', 'merchant_id', 'merchant_sku', 'barcode', 'old_price', 'old_stock', 'new_price', 'new_stock', 'is_listed', 'observed_at', 'batch'] as const;

/** Collects parameters as the SQL is written, so a statement binds exactly the ones it uses (PostgreSQL requires it). */
class Params {
  readonly values: StepParam[] = [];
  add(v: StepParam): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/**
 * One page's query: up to `limit` versions after `after` (or from the start of `bounds`),
 * with the previous version's price and stock by batch order (LAG over the whole history of
 * the page's products, so a previous version an earlier load wrote is found too).
 */
export function changesPageQuery(bounds: FeedBounds, after: FeedPosition | null, source: string | undefined, limit = CHANGES_PAGE_ROWS): { sql: string; params: StepParam[] } {
  const p = new Params();
  const h = `${SCHEMA}.fact_inventory_history`;
  const where: string[] = [`h.load_seq <= CAST(${p.add(bounds.upToSeq)} AS BIGINT)`];
  if (after) {
    const seq = p.add(after.loadSeq);
    const batch = p.add(after.batchId);
    // (load_seq, batch_id, product_sk) > (seq, batch, sk), expanded; the first conjunct lets a
    // range scan (index or sort key) start at the position.
    where.push(`h.load_seq >= CAST(${seq} AS BIGINT)`,
      `(h.load_seq > CAST(${seq} AS BIGINT) OR (h.load_seq = CAST(${seq} AS BIGINT) AND (h.batch_id > ${batch} OR (h.batch_id = ${batch} AND h.product_sk > CAST(${p.add(after.productSk)} AS BIGINT)))))`);
  } else {
    where.push(`h.load_seq > CAST(${p.add(bounds.afterSeq)} AS BIGINT)`);
  }
  const bySource = source !== undefined;
  if (bySource) where.push(`vb.source = ${p.add(source)}`);
  const sql = `WITH page AS (
  SELECT h.product_sk, h.batch_id, h.load_seq, h.change_kind, h.selling_price, h.stock_qty, h.is_listed, h.valid_from
  FROM ${h} h${bySource ? ` JOIN ${SCHEMA}.etl_batch vb ON vb.batch_id = h.batch_id` : ''}
  WHERE ${where.join('\n    AND ')}
  ORDER BY h.load_seq, h.batch_id, h.product_sk
  LIMIT ${Math.trunc(limit)}
), prev AS (
  SELECT x.product_sk, x.batch_id,
    LAG(x.selling_price) OVER (PARTITION BY x.product_sk ORDER BY x.batch_id) AS old_price,
    LAG(x.stock_qty) OVER (PARTITION BY x.product_sk ORDER BY x.batch_id) AS old_stock
  FROM ${h} x
  WHERE x.product_sk IN (SELECT product_sk FROM page)
)
SELECT CAST(g.load_seq AS VARCHAR(20)) AS load_seq, CAST(g.product_sk AS VARCHAR(20)) AS product_sk, g.batch_id, g.change_kind,
  d.merchant_id, d.merchant_sku, d.barcode,
  CAST(v.old_price AS VARCHAR(32)) AS old_price, v.old_stock,
  CAST(g.selling_price AS VARCHAR(32)) AS new_price, g.stock_qty AS new_stock, g.is_listed,
  CAST(g.valid_from AS VARCHAR(32)) AS valid_from
FROM page g
JOIN prev v ON v.product_sk = g.product_sk AND v.batch_id = g.batch_id
JOIN ${SCHEMA}.dim_product d ON d.product_sk = g.product_sk
ORDER BY g.load_seq, g.batch_id, g.product_sk`;
  return { sql, params: p.values };
}

/** A page's row as the engines return it (types differ: text, numbers, booleans as 't'). */
export interface ChangeRowRaw {
  load_seq: unknown; product_sk: unknown; batch_id: string; change_kind: string;
  merchant_id: string; merchant_sku: string; barcode: string | null;
  old_price: unknown; old_stock: unknown; new_price: unknown; new_stock: unknown; is_listed: unknown; valid_from: unknown;
}

const numberOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The warehouse's TIMESTAMP text ('2026-12-07 08:00:00.123456', UTC) as ISO 8601 with Z and milliseconds. */
export function isoUtc(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(String(v));
  if (!m) return String(v);
  return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
}

export function decodeChange(r: ChangeRowRaw): Change {
  return {
    kind: r.change_kind as Change['kind'],
    merchant_id: r.merchant_id, merchant_sku: r.merchant_sku, barcode: r.barcode ?? null,
    old_price: textOrNull(r.old_price), old_stock: numberOrNull(r.old_stock),
    new_price: String(r.new_price), new_stock: Number(r.new_stock),
    is_listed: r.is_listed === true || r.is_listed === 't' || r.is_listed === 'true',
    observed_at: isoUtc(r.valid_from), batch: r.batch_id,
  };
}

/** The feed, a page at a time: no more than one page is held. */
export async function* readChanges(wh: Warehouse, bounds: FeedBounds, opts: { source?: string; pageRows?: number } = {}): AsyncGenerator<Change[]> {
  const limit = opts.pageRows ?? CHANGES_PAGE_ROWS;
  let after: FeedPosition | null = null;
  for (;;) {
    const q = changesPageQuery(bounds, after, opts.source, limit);
    const rows = (await wh.query<ChangeRowRaw>(q.sql, q.params)).rows;
    if (rows.length === 0) return;
    yield rows.map(decodeChange);
    if (rows.length < limit) return;
    const last = rows[rows.length - 1];
    after = { loadSeq: String(last.load_seq), batchId: last.batch_id, productSk: String(last.product_sk) };
  }
}
