import type { Warehouse } from './warehouse.js';
import { SCHEMA } from './sql/ddl.js';

/**
 * What must be unique in the star schema: each dimension's natural key and each fact's
 * grain (and one current version per merchant). Redshift declares keys and never enforces
 * them, so this is asserted by query, never left to a constraint.
 */
export const NATURAL_KEYS: ReadonlyArray<{ table: string; key: string; where?: string }> = [
  { table: 'etl_batch', key: 'batch_id' },
  { table: 'schema_version', key: 'version' },
  { table: 'dim_date', key: 'date_key' },
  { table: 'dim_merchant', key: 'merchant_id', where: 'is_current' },
  { table: 'dim_product', key: 'merchant_id, merchant_sku' },
  { table: 'dim_provider', key: 'provider_id, provider_name' },
  { table: 'dim_member', key: 'member_key' },
  { table: 'dim_diagnosis', key: 'icd10_code' },
  { table: 'etl_batch_merchant', key: 'batch_id, merchant_id' },
  { table: 'fact_inventory_current', key: 'product_sk' },
  { table: 'fact_inventory_current', key: 'merchant_id, merchant_sku' },
  { table: 'fact_inventory_history', key: 'product_sk, batch_id' },
  { table: 'fact_inventory_history', key: 'product_sk', where: 'is_current' },
  { table: 'fact_claim', key: 'claim_id' },
  { table: 'fact_claim_diagnosis', key: 'claim_id, diagnosis_sk' },
  { table: 'fact_claim_line', key: 'claim_id, line_no' },
];

/**
 * The tables holding a key more than once, with how many keys repeat: one statement (on
 * Redshift one Data API call) for all of them. Empty when every key is unique.
 */
export async function duplicateKeys(wh: Warehouse): Promise<Array<{ table: string; key: string; keys: number }>> {
  const parts = NATURAL_KEYS.map((k, i) => `SELECT ${i} AS i, COUNT(*) AS n FROM (SELECT ${k.key} FROM ${SCHEMA}.${k.table}${k.where ? ` WHERE ${k.where}` : ''}
    GROUP BY ${k.key} HAVING COUNT(*) > 1) AS d${i}`);
  const r = await wh.query<{ i: number | string; n: number | string }>(parts.join(' UNION ALL '));
  return r.rows.filter((row) => Number(row.n) > 0).map((row) => ({ ...NATURAL_KEYS[Number(row.i)], keys: Number(row.n) }))
    .map(({ table, key, keys }) => ({ table, key, keys }));
}
