import { differs } from './differs.js';
import type { Dialect } from '../warehouse.js';
import { merchantInventory } from '../../schemas/builtin/merchant-inventory.js';
import { columnType } from '../../schemas/widths.js';

/**
 * Schema version 3: inventory as state, not as snapshots (issue 17).
 *
 * - `etl_batch.load_seq`: 1, 2, 3 … in the order loads committed; the changes feed's order
 *   (a late batch's versions are written by a later load than their batch id says).
 * - `etl_batch_merchant`: which merchants each loaded inventory batch covered, in which mode,
 *   observed when, listing how many products. A full batch observed every product of its
 *   merchants, so this and the history together say what any loaded batch saw: what lets a
 *   late batch be put in its place (warehouse/sql/inventory-state.ts).
 * - `fact_inventory_current` (merchant × product) and `fact_inventory_history` (change-only).
 * - `v_product_best_price`.
 * The snapshot's rows are turned into history the way loading them in order would have, and
 * the snapshot goes (at the platform's cadence it grew by 528 M rows a day).
 */
const H = 'halo';
const merchantId = columnType(merchantInventory.fields, 'merchant_id');
const merchantSku = columnType(merchantInventory.fields, 'merchant_sku');
const keyBytes = (f: string) => Number(/\((\d+)\)/.exec(columnType(merchantInventory.fields, f))![1]);
/** A barcode, or merchant_id '/' merchant_sku for a product without a valid one. */
export const PRODUCT_KEY_TYPE = `VARCHAR(${Math.max(keyBytes('barcode'), keyBytes('merchant_id') + 1 + keyBytes('merchant_sku'))})`;
export const productKey = (barcode: string, merchant: string, sku: string) => `COALESCE(${barcode}, ${merchant} || '/' || ${sku})`;

/** The columns of a version (history) and of the current state, in this order. */
export const STATE_COLUMNS = 'selling_price, stock_qty, expiry_date, is_listed';

export function inventoryTables(d: Dialect): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${H}.etl_batch_merchant (batch_id VARCHAR(26) NOT NULL, merchant_id ${merchantId} NOT NULL, source VARCHAR(64) NOT NULL,
      inventory VARCHAR(8) NOT NULL, observed_at TIMESTAMP NOT NULL, products INTEGER NOT NULL, PRIMARY KEY (batch_id, merchant_id))${d.tableOptions('etl_batch_merchant')}`,
    `CREATE TABLE IF NOT EXISTS ${H}.fact_inventory_current (product_sk BIGINT NOT NULL PRIMARY KEY, merchant_sk BIGINT NOT NULL,
      merchant_id ${merchantId} NOT NULL, merchant_sku ${merchantSku} NOT NULL, product_key ${PRODUCT_KEY_TYPE} NOT NULL,
      selling_price DECIMAL(14,2) NOT NULL, stock_qty INTEGER NOT NULL, expiry_date DATE, is_listed BOOLEAN NOT NULL,
      observed_at TIMESTAMP NOT NULL, batch_id VARCHAR(26) NOT NULL)${d.tableOptions('fact_inventory_current')}`,
    `CREATE TABLE IF NOT EXISTS ${H}.fact_inventory_history (product_sk BIGINT NOT NULL, merchant_sk BIGINT NOT NULL, batch_id VARCHAR(26) NOT NULL,
      change_kind VARCHAR(8) NOT NULL, selling_price DECIMAL(14,2) NOT NULL, stock_qty INTEGER NOT NULL, expiry_date DATE, is_listed BOOLEAN NOT NULL,
      valid_from TIMESTAMP NOT NULL, valid_to TIMESTAMP, is_current BOOLEAN NOT NULL, load_seq BIGINT NOT NULL,
      PRIMARY KEY (product_sk, batch_id))${d.tableOptions('fact_inventory_history')}`,
  ];
}

/**
 * Per product key, the cheapest listed offer in stock (ties: the lowest merchant id, then
 * SKU) and how many merchants stock it. Every window is partitioned by product_key alone, so
 * PostgreSQL pushes `WHERE product_key = …` down to the index on it: one product's lookup
 * reads that product's offers, not the table. merchants_in_stock counts distinct merchants
 * (a merchant may sell one barcode under two SKUs): the rank up plus the rank down, less one.
 */
export function bestPriceView(): string {
  return `CREATE VIEW ${H}.v_product_best_price AS
    SELECT b.product_key, p.barcode, p.product_name, b.merchant_id, b.merchant_sku, b.product_sk, b.selling_price, b.stock_qty, b.merchants_in_stock
    FROM (SELECT c.product_key, c.merchant_id, c.merchant_sku, c.product_sk, c.selling_price, c.stock_qty,
        ROW_NUMBER() OVER (PARTITION BY c.product_key ORDER BY c.selling_price, c.merchant_id, c.merchant_sku) AS price_rank,
        DENSE_RANK() OVER (PARTITION BY c.product_key ORDER BY c.merchant_id) + DENSE_RANK() OVER (PARTITION BY c.product_key ORDER BY c.merchant_id DESC) - 1 AS merchants_in_stock
      FROM ${H}.fact_inventory_current c WHERE c.is_listed AND c.stock_qty > 0) AS b
    JOIN ${H}.dim_product p ON p.merchant_id = b.merchant_id AND p.merchant_sku = b.merchant_sku
    WHERE b.price_rank = 1`;
}

/** Two states differ: price, stock or expiry of listed ones, or the listed state (two unlisted states are equal). */
export function statesDiffer(a: string, b: string): string {
  // Never NULL: it is also used under NOT.
  const expiry = differs(`${a}.expiry_date`, `${b}.expiry_date`);
  return `(${a}.is_listed <> ${b}.is_listed OR (${a}.is_listed AND (${a}.selling_price <> ${b}.selling_price OR ${a}.stock_qty <> ${b}.stock_qty OR ${expiry})))`;
}

/**
 * valid_to, is_current and change_kind of every version of the products in `products` (a
 * query of product_sk), from their neighbours in batch order: after versions were put in or
 * taken out, and for the upgrade.
 */
export function restitch(d: Dialect, products: string, temp = 'inv_stitch'): string[] {
  return [
    d.tempTableAs(temp, `SELECT h.product_sk, h.batch_id,
        LEAD(h.valid_from) OVER (PARTITION BY h.product_sk ORDER BY h.batch_id) AS valid_to,
        CASE WHEN LEAD(h.batch_id) OVER (PARTITION BY h.product_sk ORDER BY h.batch_id) IS NULL THEN TRUE ELSE FALSE END AS is_current,
        CASE WHEN NOT h.is_listed THEN 'delisted'
          WHEN LAG(h.batch_id) OVER (PARTITION BY h.product_sk ORDER BY h.batch_id) IS NULL THEN 'new'
          WHEN LAG(CASE WHEN h.is_listed THEN 1 ELSE 0 END) OVER (PARTITION BY h.product_sk ORDER BY h.batch_id) = 0 THEN 'relisted'
          ELSE 'changed' END AS change_kind
      FROM ${H}.fact_inventory_history h WHERE h.product_sk IN (${products})`),
    `UPDATE ${H}.fact_inventory_history SET valid_to = s.valid_to, is_current = s.is_current, change_kind = s.change_kind
      FROM ${temp} s WHERE ${H}.fact_inventory_history.product_sk = s.product_sk AND ${H}.fact_inventory_history.batch_id = s.batch_id
        AND (${H}.fact_inventory_history.is_current <> s.is_current OR ${H}.fact_inventory_history.change_kind <> s.change_kind
          OR ${differs(`${H}.fact_inventory_history.valid_to`, 's.valid_to')})`,
  ];
}

/**
 * The snapshot's rows as the versions that loading them in order would have opened. Each
 * v2 batch was a full catalogue of the merchants it held (v2 had no delta sources). A
 * product's snapshot row opens a version when it is its first (new), when the product was
 * absent from the merchant's covering batch before it (relisted), or when its values differ
 * from its previous row (changed); a product absent from the merchant's next covering batch
 * gets a delisted version there.
 */
function fromSnapshot(d: Dialect): string[] {
  const covered = `SELECT batch_id, merchant_id, observed_at,
      LAG(batch_id) OVER (PARTITION BY merchant_id ORDER BY batch_id) AS prev_cov,
      LEAD(batch_id) OVER (PARTITION BY merchant_id ORDER BY batch_id) AS next_cov FROM ${H}.etl_batch_merchant`;
  const w = 'OVER (PARTITION BY f.product_sk ORDER BY f.batch_id)';
  const expiryDiffers = differs('o.expiry_date', 'o.prev_expiry');
  const seq = (batch: string) => `(SELECT e.load_seq FROM ${H}.etl_batch e WHERE e.batch_id = ${batch})`;
  return [
    // load_seq for the loads made before it existed: their commit order is lost; batch order is the nearest.
    `UPDATE ${H}.etl_batch SET load_seq = r.n FROM (SELECT batch_id, ROW_NUMBER() OVER (ORDER BY batch_id) AS n FROM ${H}.etl_batch WHERE status = 'loaded') AS r
      WHERE ${H}.etl_batch.batch_id = r.batch_id`,
    // Observed: the merchant's latest updated_at in the batch, else when the batch was loaded (its id's time is not readable in SQL).
    `INSERT INTO ${H}.etl_batch_merchant (batch_id, merchant_id, source, inventory, observed_at, products)
      SELECT f.batch_id, p.merchant_id, MAX(e.source), 'full', COALESCE(MAX(f.observed_at), MAX(e.started_at), MAX(e.finished_at), CAST('1970-01-01' AS TIMESTAMP)), COUNT(*)
      FROM ${H}.fact_inventory_snapshot f JOIN ${H}.dim_product p ON p.product_sk = f.product_sk JOIN ${H}.etl_batch e ON e.batch_id = f.batch_id
      GROUP BY f.batch_id, p.merchant_id`,
    d.tempTableAs('v3_obs', `SELECT f.product_sk, f.merchant_sk, f.batch_id, f.selling_price, f.stock_qty, f.expiry_date, c.prev_cov, c.next_cov,
        LAG(f.batch_id) ${w} AS prev_b, LEAD(f.batch_id) ${w} AS next_b,
        LAG(f.selling_price) ${w} AS prev_price, LAG(f.stock_qty) ${w} AS prev_stock, LAG(f.expiry_date) ${w} AS prev_expiry
      FROM ${H}.fact_inventory_snapshot f JOIN ${H}.dim_product p ON p.product_sk = f.product_sk
      JOIN (${covered}) AS c ON c.batch_id = f.batch_id AND c.merchant_id = p.merchant_id`),
    `INSERT INTO ${H}.fact_inventory_history (product_sk, merchant_sk, batch_id, change_kind, ${STATE_COLUMNS}, valid_from, valid_to, is_current, load_seq)
      SELECT o.product_sk, o.merchant_sk, o.batch_id, 'changed', o.selling_price, o.stock_qty, o.expiry_date, TRUE, b.observed_at, CAST(NULL AS TIMESTAMP), FALSE, COALESCE(${seq('o.batch_id')}, 0)
      FROM v3_obs o JOIN ${H}.dim_product p ON p.product_sk = o.product_sk
      JOIN ${H}.etl_batch_merchant b ON b.batch_id = o.batch_id AND b.merchant_id = p.merchant_id
      WHERE o.prev_b IS NULL OR o.prev_cov IS NULL OR o.prev_b <> o.prev_cov
        OR o.selling_price <> o.prev_price OR o.stock_qty <> o.prev_stock OR ${expiryDiffers}`,
    `INSERT INTO ${H}.fact_inventory_history (product_sk, merchant_sk, batch_id, change_kind, ${STATE_COLUMNS}, valid_from, valid_to, is_current, load_seq)
      SELECT o.product_sk, o.merchant_sk, o.next_cov, 'delisted', o.selling_price, 0, o.expiry_date, FALSE, b.observed_at, CAST(NULL AS TIMESTAMP), FALSE, COALESCE(${seq('o.next_cov')}, 0)
      FROM v3_obs o JOIN ${H}.dim_product p ON p.product_sk = o.product_sk
      JOIN ${H}.etl_batch_merchant b ON b.batch_id = o.next_cov AND b.merchant_id = p.merchant_id
      WHERE o.next_cov IS NOT NULL AND (o.next_b IS NULL OR o.next_b <> o.next_cov)`,
    ...restitch(d, `SELECT DISTINCT product_sk FROM v3_obs`, 'v3_stitch'),
    currentFromHistory(`SELECT DISTINCT product_sk FROM v3_obs`),
    `DROP TABLE ${H}.fact_inventory_snapshot`,
  ];
}

/** The current rows of `products` (a query of product_sk), from their current versions. */
export function currentFromHistory(products: string): string {
  return `INSERT INTO ${H}.fact_inventory_current (product_sk, merchant_sk, merchant_id, merchant_sku, product_key, ${STATE_COLUMNS}, observed_at, batch_id)
    SELECT h.product_sk, h.merchant_sk, p.merchant_id, p.merchant_sku, ${productKey('p.barcode', 'p.merchant_id', 'p.merchant_sku')},
      h.selling_price, h.stock_qty, h.expiry_date, h.is_listed, h.valid_from, h.batch_id
    FROM ${H}.fact_inventory_history h JOIN ${H}.dim_product p ON p.product_sk = h.product_sk
    WHERE h.is_current AND h.product_sk IN (${products})`;
}

export function inventoryV3(d: Dialect): string[] {
  return [
    `ALTER TABLE ${H}.etl_batch ADD COLUMN load_seq BIGINT`,
    ...inventoryTables(d),
    ...fromSnapshot(d),
    bestPriceView(),
    ...d.v3Extras,
  ];
}
