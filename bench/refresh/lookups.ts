/**
 * The read model's latency: one product's best price by barcode, and a basket of barcodes,
 * against v_product_best_price, each query timed alone from the client (round trip included).
 * Barcodes are drawn (seeded) from those the warehouse holds, so every lookup has offers to rank.
 */
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { SCHEMA } from '../../src/warehouse/sql/ddl.js';
import { Prng } from '../generate/prng.js';

export interface Latency { count: number; medianMs: number; p99Ms: number; maxMs: number }

export interface Lookups {
  /** Distinct barcodes in the warehouse (the pool the lookups draw from). */
  barcodes: number;
  single: Latency;
  basket: Latency;
  basketSize: number;
  /** Single lookups that found an in-stock offer. */
  answered: number;
  /** Median of merchants_in_stock over the answered single lookups. */
  medianMerchantsInStock: number;
}

const COLUMNS = 'product_key, merchant_id, merchant_sku, selling_price, stock_qty, merchants_in_stock';
/** Queries run first and not counted: the first ones pay for plans and cold pages. */
const WARM_UP = 20;

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function latency(ms: number[]): Latency {
  const s = [...ms].sort((a, b) => a - b);
  return { count: s.length, medianMs: percentile(s, 0.5), p99Ms: percentile(s, 0.99), maxMs: s[s.length - 1] };
}

export async function measureLookups(wh: Warehouse, opts: { count: number; basketSize: number; seed: number }): Promise<Lookups> {
  // A product key without '/' is a barcode (the others are merchant_id/merchant_sku).
  const pool = (await wh.query<{ k: string }>(`SELECT DISTINCT product_key AS k FROM ${SCHEMA}.fact_inventory_current WHERE product_key NOT LIKE '%/%'`)).rows.map((r) => r.k).sort();
  if (pool.length === 0) throw new Error('the warehouse holds no barcodes to look up');
  const rng = new Prng(opts.seed);
  const draw = () => pool[Math.floor(rng.next() * pool.length)];

  const one = `SELECT ${COLUMNS} FROM ${SCHEMA}.v_product_best_price WHERE product_key = $1`;
  const single: number[] = [];
  const inStock: number[] = [];
  for (let i = 0; i < WARM_UP + opts.count; i++) {
    const t0 = performance.now();
    const r = await wh.query<{ merchants_in_stock: unknown }>(one, [draw()]);
    const ms = performance.now() - t0;
    if (i < WARM_UP) continue;
    single.push(ms);
    if (r.rows.length) inStock.push(Number(r.rows[0].merchants_in_stock));
  }

  const placeholders = Array.from({ length: opts.basketSize }, (_, i) => `$${i + 1}`).join(', ');
  const many = `SELECT ${COLUMNS} FROM ${SCHEMA}.v_product_best_price WHERE product_key IN (${placeholders})`;
  const basket: number[] = [];
  for (let i = 0; i < WARM_UP + opts.count; i++) {
    const keys = Array.from({ length: opts.basketSize }, draw);
    const t0 = performance.now();
    await wh.query(many, keys);
    const ms = performance.now() - t0;
    if (i >= WARM_UP) basket.push(ms);
  }
  inStock.sort((a, b) => a - b);
  return {
    barcodes: pool.length, single: latency(single), basket: latency(basket), basketSize: opts.basketSize,
    answered: inStock.length, medianMerchantsInStock: inStock.length ? percentile(inStock, 0.5) : 0,
  };
}
