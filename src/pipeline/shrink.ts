import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { recordChunks } from '../loaders/csv/chunks.js';
import { tokenize } from '../loaders/csv/tokenizer.js';
import type { Lake } from '../lake/lake.js';
import type { BatchEntry } from '../batch/catalog.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { SCHEMA } from '../warehouse/sql/ddl.js';
import { INVENTORY_STAGING } from '../warehouse/sql/merge.js';
import { DataError } from '../errors.js';

/**
 * The shrink guard's message. The guard itself runs inside the load's transaction
 * (warehouse/sql/inventory-state.ts), where it can only fail; which merchant and what counts
 * are found here, after the rollback, and only then: the batch's parts are read again
 * (merchant and SKU of each row) and the warehouse asked what those merchants list now.
 */
export interface Shrunk { merchant: string; listedInBatch: number; listedNow: number }

const MERCHANT = INVENTORY_STAGING.columns.indexOf('merchant_id');
const SKU = INVENTORY_STAGING.columns.indexOf('merchant_sku');

/** Distinct SKUs per merchant in the batch's parts. */
async function productsPerMerchant(lake: Lake, entry: BatchEntry): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const part of entry.manifest?.parts ?? []) {
    // The parts are our own RFC 4180 CSV (batch/csv-out.ts), read with the file reader's tokenizer, a chunk of whole records at a time.
    const text = Readable.from(await lake.get(`${entry.prefix}/${part.key}`) as AsyncIterable<Buffer>).pipe(createGunzip());
    for await (const chunk of recordChunks(text, 0, ',')) {
      if (chunk.kind !== 'records') break;
      tokenize(Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength).toString('utf8'), ',', (row) => {
        const m = row[MERCHANT];
        let skus = out.get(m);
        if (!skus) out.set(m, (skus = new Set()));
        skus.add(row[SKU]);
      });
    }
  }
  return out;
}

/** Merchants whose count in the batch is under `percent` of what they list now. */
async function shrunk(wh: Warehouse, batch: Map<string, number>, percent: number): Promise<Shrunk[]> {
  const ids = [...batch.keys()];
  const found: Shrunk[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    const r = await wh.query<{ merchant_id: string; n: string | number }>(
      `SELECT merchant_id, COUNT(*) AS n FROM ${SCHEMA}.fact_inventory_current WHERE is_listed AND merchant_id IN (${chunk.map((_, j) => `$${j + 1}`).join(', ')}) GROUP BY merchant_id`, chunk);
    for (const row of r.rows) {
      const listedNow = Number(row.n);
      const listedInBatch = batch.get(row.merchant_id) ?? 0;
      if (listedInBatch * 100 < listedNow * percent) found.push({ merchant: row.merchant_id, listedInBatch, listedNow });
    }
  }
  return found.sort((a, b) => a.merchant.localeCompare(b.merchant));
}

function refusal(batchId: string, percent: number, found: Shrunk[], cause: unknown): DataError {
  const n = (x: number) => x.toLocaleString('en-US');
  const which = found.length
    ? found.slice(0, 5).map((s) => `merchant ${s.merchant} lists ${n(s.listedInBatch)} product${s.listedInBatch === 1 ? '' : 's'} in it, ${n(s.listedNow)} now`).join('; ')
      + (found.length > 5 ? `; and ${found.length - 5} more merchant${found.length === 6 ? '' : 's'}` : '')
    : 'a merchant lists too few of its products in it';
  return new DataError('inventory-shrink',
    `batch ${batchId}: a full catalogue under ${percent} % of what the merchant lists now is not applied as a mass delisting: ${which}; nothing of the batch was loaded`,
    { cause, hint: 'a truncated upload must not empty a pharmacy: check the file with the merchant; if the catalogue really shrank, load it with --allow-shrink (warehouse.shrinkGuardPercent sets the share; 0 turns the guard off)' });
}

/** The refusal of a batch loaded from the lake (its staging was rolled back: its parts are read again). */
export async function shrinkError(wh: Warehouse, lake: Lake, entry: BatchEntry, percent: number, cause: unknown): Promise<DataError> {
  const found = await productsPerMerchant(lake, entry)
    .then((b) => shrunk(wh, new Map([...b].map(([m, skus]) => [m, skus.size])), percent))
    .catch(() => [] as Shrunk[]);
  return refusal(entry.batchId, percent, found, cause);
}

/** The refusal of a --no-merge batch being merged (its rows wait in `kept`). */
export async function keptShrinkError(wh: Warehouse, entry: BatchEntry, kept: string, percent: number, cause: unknown): Promise<DataError> {
  const found = await wh.query<{ merchant_id: string; n: string | number }>(`SELECT merchant_id, COUNT(DISTINCT merchant_sku) AS n FROM ${kept} GROUP BY merchant_id`)
    .then((r) => shrunk(wh, new Map(r.rows.map((row) => [row.merchant_id, Number(row.n)])), percent))
    .catch(() => [] as Shrunk[]);
  return refusal(entry.batchId, percent, found, cause);
}
