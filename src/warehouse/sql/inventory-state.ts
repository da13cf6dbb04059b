import { differs } from './differs.js';
import type { Dialect, Step } from '../warehouse.js';
import { SCHEMA } from './ddl.js';
import { STATE_COLUMNS, currentFromHistory, productKey, restitch, statesDiffer } from './inventory-v3.js';

/**
 * The difference between an inventory batch and what the warehouse holds, and its writing:
 * the one home of that rule (issue 17). Computed in the warehouse, against
 * fact_inventory_current, inside the batch's load transaction — see ARCHITECTURE.md
 * ("Inventory state") for why there and not at stage time.
 *
 * The model: a product's history is the run-length encoding of what the loaded batches
 * observed of it, in batch order (the source's sequence): a full batch observes every product
 * of the merchants it holds (one it does not list is delisted), a delta batch only the
 * products it lists. A full batch opens a version where its observation differs from the
 * version in force (price, stock, expiry, listed); a delta batch opens one for every row it
 * lists (its rows are changes by definition, and recording each is what lets a late older
 * batch know that this newer one re-stated a value). The history is therefore a function of
 * the set of batches loaded, whatever the order they arrived in, and:
 * - a batch newer than everything loaded (the common case) compares with the current row;
 * - a late batch (some newer batch is loaded) is put in its place: the version in force
 *   before it is found in the history, its own versions are opened against that, and the
 *   next observation after it (the merchant's next full batch, unless a delta batch restated
 *   the product first) is re-judged against the new state — a version there is taken out when
 *   it now equals it, or put in when the observation there (the old state, which that full
 *   batch saw unchanged) now differs;
 * - a batch already loaded changes nothing (its observations are in).
 * Parameters: $1 batch id, $2 source, $5 the batch's time (ISO: its observed time where its
 * rows have no updated_at).
 */
import type { InventoryMode } from '../../config/types.js';

export type { InventoryMode };

export interface InventoryStateOptions {
  /** The batch's rows, one per merchant × SKU (de-duplicated). */
  src: string;
  mode: InventoryMode;
  /** A batch newer than this one is loaded: this one is put in its place. */
  late: boolean;
  /** Refuse a full catalogue listing under this percentage of a merchant's listed products (0: never). */
  shrinkGuardPercent: number;
}

const t = (name: string) => `${SCHEMA}.${name}`;
const BATCH = 'CAST($1 AS VARCHAR(26))';
/** This load's place in the ledger's load order (its own ledger row is written last, in this transaction). */
const LOAD_SEQ = `(SELECT COALESCE(MAX(load_seq), 0) + 1 FROM ${t('etl_batch')} WHERE batch_id <> ${BATCH})`;
const HISTORY_COLUMNS = `product_sk, merchant_sk, batch_id, change_kind, ${STATE_COLUMNS}, valid_from, valid_to, is_current, load_seq`;

const sql = (text: string): Step => ({ kind: 'sql', sql: text });

/**
 * A full catalogue much smaller than what a merchant lists now is a truncated upload far more
 * often than a pharmacy emptying its shelves: it is refused, not applied as a mass delisting.
 */
function shrinkGuard(o: InventoryStateOptions, listedBefore: string): Step[] {
  if (o.mode !== 'full' || o.shrinkGuardPercent <= 0) return [];
  return [{
    kind: 'guard', label: 'inventory shrink',
    sql: `SELECT CAST(CASE WHEN COUNT(*) = 0 THEN '0' ELSE 'inventory-shrink' END AS INTEGER) AS shrink_check
      FROM inv_m m JOIN (SELECT merchant_id, COUNT(*) AS listed FROM ${listedBefore} WHERE is_listed GROUP BY merchant_id) AS c
        ON c.merchant_id = m.merchant_id
      WHERE m.products * 100 < c.listed * ${Math.trunc(o.shrinkGuardPercent)}`,
    refusal: { code: 'inventory-shrink', message: 'a full catalogue in this batch lists too few of a merchant\'s products' },
  }];
}

/** The statements that write a batch's inventory state, after its dimensions are merged. */
export function inventoryState(d: Dialect, o: InventoryStateOptions): Step[] {
  const merchants = [
    sql(d.tempTableAs('inv_m', `SELECT merchant_id, COUNT(*) AS products, COALESCE(MAX(updated_at), CAST($5 AS TIMESTAMP)) AS observed_at
      FROM ${o.src} GROUP BY merchant_id`)),
    sql(`INSERT INTO ${t('etl_batch_merchant')} (batch_id, merchant_id, source, inventory, observed_at, products)
      SELECT ${BATCH}, merchant_id, CAST($2 AS VARCHAR(64)), '${o.mode}', observed_at, products FROM inv_m`),
  ];
  return [...merchants, ...(o.late ? lateBatch(d, o) : newestBatch(d, o))];
}

/** The batch's rows with their keys, merchant and observed time. */
function observed(src: string): string {
  return `SELECT p.product_sk, m.merchant_sk, s.merchant_id, s.merchant_sku, ${productKey('p.barcode', 's.merchant_id', 's.merchant_sku')} AS product_key,
      s.selling_price, s.stock_qty, s.expiry_date, TRUE AS is_listed, im.observed_at AS valid_from
    FROM ${src} s
    JOIN ${t('dim_product')} p ON p.merchant_id = s.merchant_id AND p.merchant_sku = s.merchant_sku
    JOIN ${t('dim_merchant')} m ON m.merchant_id = s.merchant_id AND m.is_current
    JOIN inv_m im ON im.merchant_id = s.merchant_id`;
}

/**
 * Newer than every loaded batch: the version in force is the current row. One pass over the
 * batch's rows and its merchants' current rows (a full join on the natural key; a left join
 * for a delta batch) finds what is new, changed, relisted and delisted; only those are
 * written (a refresh where 2 % changed writes 2 % of rows), and a current row whose product
 * key alone moved (a barcode corrected) gets it without a version. The dimension merges ran
 * first, so the batch's barcode is dim_product's, and only new products need dim_product
 * (for their surrogate key).
 */
function newestBatch(d: Dialect, o: InventoryStateOptions): Step[] {
  const c = t('fact_inventory_current');
  const full = o.mode === 'full';
  const seen = 's.merchant_id IS NOT NULL';
  const expiry = differs('c.expiry_date', 's.expiry_date');
  const listedDiffers = full ? `(NOT c.is_listed OR c.selling_price <> s.selling_price OR c.stock_qty <> s.stock_qty OR ${expiry})` : 'TRUE';
  const key = productKey('s.barcode', 's.merchant_id', 's.merchant_sku');
  const pick = (listed: string, unlisted: string) => `CASE WHEN ${seen} THEN ${listed} ELSE ${unlisted} END`;
  return [
    ...shrinkGuard(o, t('fact_inventory_current')),
    sql(d.tempTableAs('inv_mm', `SELECT im.merchant_id, im.observed_at, m.merchant_sk FROM inv_m im
      JOIN ${t('dim_merchant')} m ON m.merchant_id = im.merchant_id AND m.is_current`)),
    sql(d.tempTableAs('inv_new', `SELECT c.product_sk, mm.merchant_sk, mm.merchant_id, ${pick('s.merchant_sku', 'c.merchant_sku')} AS merchant_sku,
        ${pick(key, 'c.product_key')} AS product_key, ${pick('s.selling_price', 'c.selling_price')} AS selling_price,
        ${pick('s.stock_qty', '0')} AS stock_qty, ${pick('s.expiry_date', 'c.expiry_date')} AS expiry_date,
        ${pick('TRUE', 'FALSE')} AS is_listed, mm.observed_at AS valid_from,
        CASE WHEN c.product_sk IS NULL THEN 'new' WHEN NOT (${seen}) THEN 'delisted' WHEN NOT c.is_listed THEN 'relisted' ELSE 'changed' END AS change_kind,
        CASE WHEN c.product_sk IS NULL OR NOT (${seen}) OR ${listedDiffers} THEN 1 ELSE 0 END AS opens
      FROM ${o.src} s ${full ? 'FULL' : 'LEFT'} JOIN (SELECT cc.product_sk, cc.merchant_id, cc.merchant_sku, cc.product_key, cc.selling_price, cc.stock_qty, cc.expiry_date, cc.is_listed
          FROM ${c} cc JOIN inv_m im ON im.merchant_id = cc.merchant_id) AS c
        ON c.merchant_id = s.merchant_id AND c.merchant_sku = s.merchant_sku
      JOIN inv_mm mm ON mm.merchant_id = ${pick('s.merchant_id', 'c.merchant_id')}
      WHERE c.product_sk IS NULL OR (NOT (${seen}) AND c.is_listed) OR (${seen} AND (${listedDiffers} OR c.product_key <> ${key}))`)),
    ...d.analyze('inv_new').map(sql),
    // New products' surrogate keys (dim_product was merged first).
    sql(`UPDATE inv_new SET product_sk = p.product_sk FROM ${t('dim_product')} p
      WHERE inv_new.product_sk IS NULL AND p.merchant_id = inv_new.merchant_id AND p.merchant_sku = inv_new.merchant_sku`),
    sql(`UPDATE ${t('fact_inventory_history')} SET valid_to = n.valid_from, is_current = FALSE
      FROM inv_new n WHERE ${t('fact_inventory_history')}.product_sk = n.product_sk AND ${t('fact_inventory_history')}.is_current AND n.opens = 1`),
    sql(`INSERT INTO ${t('fact_inventory_history')} (${HISTORY_COLUMNS})
      SELECT n.product_sk, n.merchant_sk, ${BATCH}, n.change_kind, n.selling_price, n.stock_qty, n.expiry_date, n.is_listed, n.valid_from,
        CAST(NULL AS TIMESTAMP), TRUE, ${LOAD_SEQ}
      FROM inv_new n WHERE n.opens = 1`),
    sql(`UPDATE ${c} SET merchant_sk = n.merchant_sk, product_key = n.product_key, selling_price = n.selling_price, stock_qty = n.stock_qty,
        expiry_date = n.expiry_date, is_listed = n.is_listed, observed_at = n.valid_from, batch_id = ${BATCH}
      FROM inv_new n WHERE ${c}.product_sk = n.product_sk AND n.opens = 1 AND n.change_kind <> 'new'`),
    sql(`UPDATE ${c} SET product_key = n.product_key FROM inv_new n WHERE ${c}.product_sk = n.product_sk AND n.opens = 0`),
    sql(`INSERT INTO ${c} (product_sk, merchant_sk, merchant_id, merchant_sku, product_key, ${STATE_COLUMNS}, observed_at, batch_id)
      SELECT n.product_sk, n.merchant_sk, n.merchant_id, n.merchant_sku, n.product_key, n.selling_price, n.stock_qty, n.expiry_date, n.is_listed, n.valid_from, ${BATCH}
      FROM inv_new n WHERE n.change_kind = 'new'`),
  ];
}

/**
 * Older than some loaded batch: put in its place among the versions (see the module comment).
 * Reads the history of its merchants' products: slower than the newest batch's path, and
 * only for batches that arrive late (a retry after a failure, a replay).
 */
function lateBatch(d: Dialect, o: InventoryStateOptions): Step[] {
  const h = t('fact_inventory_history');
  const c = t('fact_inventory_current');
  const cov = t('etl_batch_merchant');
  const vxProducts = 'SELECT product_sk FROM inv_vx';
  // What the next full batch saw (v, the old state in force: unlisted when there was none)
  // differs from the new state in force (n).
  const expiry = differs('n.expiry_date', 'v.expiry_date');
  const sawDiffers = `(CASE WHEN v.is_listed THEN (CASE WHEN NOT n.is_listed OR n.selling_price <> v.selling_price OR n.stock_qty <> v.stock_qty OR ${expiry} THEN 1 ELSE 0 END)
    WHEN n.is_listed THEN 1 ELSE 0 END) = 1`;
  return [
    sql(d.tempTableAs('inv_obs', observed(o.src))),
    // The version in force just before this batch, for every product of its merchants.
    sql(d.tempTableAs('inv_prev', `SELECT x.product_sk, x.merchant_sk, x.merchant_id, x.selling_price, x.stock_qty, x.expiry_date, x.is_listed FROM (
        SELECT v.product_sk, v.merchant_sk, p.merchant_id, v.selling_price, v.stock_qty, v.expiry_date, v.is_listed,
          ROW_NUMBER() OVER (PARTITION BY v.product_sk ORDER BY v.batch_id DESC) AS rn
        FROM ${h} v JOIN ${t('dim_product')} p ON p.product_sk = v.product_sk JOIN inv_m im ON im.merchant_id = p.merchant_id
        WHERE v.batch_id < ${BATCH}) AS x WHERE x.rn = 1`)),
    // Judged at its place: against what its merchants listed just before it, not today.
    ...shrinkGuard(o, 'inv_prev'),
    // The versions this batch opens.
    sql(d.tempTableAs('inv_vx', `SELECT o.product_sk, o.merchant_sk, o.merchant_id, o.selling_price, o.stock_qty, o.expiry_date, o.is_listed, o.valid_from
      FROM inv_obs o LEFT JOIN inv_prev v ON v.product_sk = o.product_sk
      WHERE v.product_sk IS NULL OR ${o.mode === 'delta' ? 'TRUE' : statesDiffer('o', 'v')}`)),
    ...(o.mode === 'full' ? [sql(`INSERT INTO inv_vx (product_sk, merchant_sk, merchant_id, ${STATE_COLUMNS}, valid_from)
      SELECT v.product_sk, v.merchant_sk, v.merchant_id, v.selling_price, 0, v.expiry_date, FALSE, im.observed_at
      FROM inv_prev v JOIN inv_m im ON im.merchant_id = v.merchant_id LEFT JOIN inv_obs o ON o.product_sk = v.product_sk
      WHERE v.is_listed AND o.product_sk IS NULL`)] : []),
    // The next observation after this batch that it changes the meaning of: the merchant's next
    // full batch, unless a delta batch listed the product before it (that version stands).
    sql(d.tempTableAs('inv_next', `SELECT x.product_sk, x.merchant_sk, x.selling_price, x.stock_qty, x.expiry_date, x.is_listed, nf.batch_id AS n_batch, nf.observed_at AS n_observed
      FROM inv_vx x JOIN (SELECT b.merchant_id, b.batch_id, b.observed_at, ROW_NUMBER() OVER (PARTITION BY b.merchant_id ORDER BY b.batch_id) AS rn
          FROM ${cov} b JOIN inv_m im ON im.merchant_id = b.merchant_id WHERE b.batch_id > ${BATCH} AND b.inventory = 'full') AS nf
        ON nf.merchant_id = x.merchant_id AND nf.rn = 1
      WHERE NOT EXISTS (SELECT 1 FROM ${h} dv JOIN ${cov} db ON db.batch_id = dv.batch_id AND db.merchant_id = x.merchant_id AND db.inventory = 'delta'
        WHERE dv.product_sk = x.product_sk AND dv.batch_id > ${BATCH} AND dv.batch_id < nf.batch_id)`)),
    // No version there: that batch saw the state in force before this one (or the product
    // absent). Now that this one changed the state, what it saw is a change again.
    sql(`INSERT INTO ${h} (${HISTORY_COLUMNS})
      SELECT n.product_sk, n.merchant_sk, n.n_batch, 'changed',
        CASE WHEN v.is_listed THEN v.selling_price ELSE n.selling_price END, CASE WHEN v.is_listed THEN v.stock_qty ELSE 0 END,
        CASE WHEN v.is_listed THEN v.expiry_date ELSE n.expiry_date END, CASE WHEN v.is_listed THEN TRUE ELSE FALSE END,
        n.n_observed, CAST(NULL AS TIMESTAMP), FALSE, ${LOAD_SEQ}
      FROM inv_next n LEFT JOIN inv_prev v ON v.product_sk = n.product_sk
      WHERE NOT EXISTS (SELECT 1 FROM ${h} e WHERE e.product_sk = n.product_sk AND e.batch_id = n.n_batch)
        AND ${sawDiffers}`),
    // A version there that now equals the state in force is no change any more.
    sql(`DELETE FROM ${h} USING inv_next n WHERE ${h}.product_sk = n.product_sk AND ${h}.batch_id = n.n_batch AND NOT ${statesDiffer(h, 'n')}`),
    sql(`INSERT INTO ${h} (${HISTORY_COLUMNS})
      SELECT x.product_sk, x.merchant_sk, ${BATCH}, 'changed', x.selling_price, x.stock_qty, x.expiry_date, x.is_listed, x.valid_from,
        CAST(NULL AS TIMESTAMP), FALSE, ${LOAD_SEQ}
      FROM inv_vx x`),
    // A delisted version keeps the price and expiry of the version before it: the one right
    // after this batch, if delisted, now follows this batch's.
    sql(d.tempTableAs('inv_after', `SELECT a.product_sk, MIN(a.batch_id) AS batch_id FROM ${h} a JOIN inv_vx x ON x.product_sk = a.product_sk
      WHERE a.batch_id > ${BATCH} GROUP BY a.product_sk`)),
    // Its load_seq moves to this load's: the changes feed then carries the new values (a
    // consumer holding that version applies them: its batch is not older than the one it holds).
    sql(`UPDATE ${h} SET selling_price = x.selling_price, expiry_date = x.expiry_date, load_seq = ${LOAD_SEQ} FROM inv_vx x JOIN inv_after a ON a.product_sk = x.product_sk
      WHERE ${h}.product_sk = x.product_sk AND ${h}.batch_id = a.batch_id AND x.is_listed AND NOT ${h}.is_listed`),
    ...restitch(d, vxProducts).map(sql),
    sql(`DELETE FROM ${c} WHERE product_sk IN (${vxProducts})`),
    sql(currentFromHistory(vxProducts)),
  ];
}
