import type { Dialect } from '../warehouse.js';
import { merchantInventory } from '../../schemas/builtin/merchant-inventory.js';
import { insuranceClaim } from '../../schemas/builtin/insurance-claim.js';
import { claimLineFields } from '../../schemas/builtin/claim-pdf.js';
import { columnType } from '../../schemas/widths.js';
import { inventoryV3 } from './inventory-v3.js';

/**
 * The star schema, versioned: `warehouse init` applies the versions a warehouse lacks, in
 * order, and records each in halo.schema_version. Every statement lists its columns.
 */
export const SCHEMA = 'halo';
export const SCHEMA_VERSION = 3;

export function migrations(d: Dialect): Array<{ version: number; statements: string[] }> {
  const t = (name: string) => `${SCHEMA}.${name}`;
  // Columns that hold a schema's values take their type (VARCHAR width in bytes) from the
  // schema, where validation enforces it: one number for both. Changing one changes a
  // column, so it needs a migration for warehouses that exist.
  const inv = (name: string) => columnType(merchantInventory.fields, name);
  const claim = (name: string) => columnType(insuranceClaim.fields, name);
  const line = (name: string) => columnType(claimLineFields, name);
  return [{
    version: 1,
    statements: [
      `CREATE TABLE IF NOT EXISTS ${t('etl_batch')} (batch_id VARCHAR(26) NOT NULL PRIMARY KEY, source VARCHAR(64) NOT NULL, schema_name VARCHAR(64) NOT NULL,
        schema_version INTEGER NOT NULL, status VARCHAR(16) NOT NULL, rows_total BIGINT, rows_loaded BIGINT, manifest_sha256 VARCHAR(64),
        started_at TIMESTAMP, finished_at TIMESTAMP, error VARCHAR(2000))`,
      `CREATE TABLE IF NOT EXISTS ${t('dim_date')} (date_key INTEGER NOT NULL PRIMARY KEY, full_date DATE NOT NULL, year SMALLINT NOT NULL,
        month SMALLINT NOT NULL, day SMALLINT NOT NULL)${d.tableOptions('dim_date')}`,
      `CREATE TABLE IF NOT EXISTS ${t('dim_merchant')} (merchant_sk ${d.identity} PRIMARY KEY, merchant_id ${inv('merchant_id')} NOT NULL,
        source VARCHAR(64) NOT NULL, valid_from TIMESTAMP NOT NULL, valid_to TIMESTAMP, is_current BOOLEAN NOT NULL)${d.tableOptions('dim_merchant')}`,
      `CREATE TABLE IF NOT EXISTS ${t('dim_product')} (product_sk ${d.identity} PRIMARY KEY, merchant_id ${inv('merchant_id')} NOT NULL,
        merchant_sku ${inv('merchant_sku')} NOT NULL, product_name ${inv('product_name')} NOT NULL, barcode ${inv('barcode')}, unit ${inv('unit')},
        updated_at TIMESTAMP, batch_id VARCHAR(26) NOT NULL, UNIQUE (merchant_id, merchant_sku))${d.tableOptions('dim_product')}`,
      `CREATE TABLE IF NOT EXISTS ${t('fact_inventory_snapshot')} (batch_id VARCHAR(26) NOT NULL, merchant_sk BIGINT NOT NULL,
        product_sk BIGINT NOT NULL, date_key INTEGER NOT NULL, selling_price DECIMAL(14,2) NOT NULL, stock_qty INTEGER NOT NULL,
        expiry_date DATE, observed_at TIMESTAMP, PRIMARY KEY (batch_id, product_sk))${d.tableOptions('fact_inventory_snapshot')}`,
      `CREATE TABLE IF NOT EXISTS ${t('dim_provider')} (provider_sk ${d.identity} PRIMARY KEY, provider_id ${claim('provider_id')} NOT NULL,
        provider_name ${claim('provider_name')} NOT NULL, UNIQUE (provider_id, provider_name))${d.tableOptions('dim_provider')}`,
      `CREATE TABLE IF NOT EXISTS ${t('dim_member')} (member_sk ${d.identity} PRIMARY KEY, member_key VARCHAR(64) NOT NULL UNIQUE)${d.tableOptions('dim_member')}`,
      `CREATE TABLE IF NOT EXISTS ${t('dim_diagnosis')} (diagnosis_sk ${d.identity} PRIMARY KEY, icd10_code VARCHAR(16) NOT NULL UNIQUE)${d.tableOptions('dim_diagnosis')}`,
      `CREATE TABLE IF NOT EXISTS ${t('fact_claim')} (claim_id ${claim('claim_id')} NOT NULL PRIMARY KEY, policy_number ${claim('policy_number')} NOT NULL,
        member_sk BIGINT NOT NULL, provider_sk BIGINT NOT NULL, claim_type ${claim('claim_type')} NOT NULL, admission_date_key INTEGER NOT NULL,
        discharge_date_key INTEGER, diagnosis_codes ${claim('diagnosis_codes')} NOT NULL, claimed_amount ${claim('claimed_amount')} NOT NULL,
        approved_amount ${claim('approved_amount')}, currency ${claim('currency')} NOT NULL, batch_id VARCHAR(26) NOT NULL)${d.tableOptions('fact_claim')}`,
      `CREATE TABLE IF NOT EXISTS ${t('fact_claim_diagnosis')} (claim_id ${claim('claim_id')} NOT NULL, diagnosis_sk BIGINT NOT NULL,
        PRIMARY KEY (claim_id, diagnosis_sk))${d.tableOptions('fact_claim_diagnosis')}`,
      `CREATE TABLE IF NOT EXISTS ${t('fact_claim_line')} (claim_id ${line('claim_id')} NOT NULL, line_no INTEGER NOT NULL,
        description ${line('description')} NOT NULL, quantity INTEGER, unit_price ${line('unit_price')}, amount ${line('amount')} NOT NULL,
        batch_id VARCHAR(26) NOT NULL, PRIMARY KEY (claim_id, line_no))${d.tableOptions('fact_claim_line')}`,
    ],
  }, {
    // v2: batches loaded with --no-merge wait in tables of their own here until `merge`; the
    // bulk-load indexes of the engine (PostgreSQL: BRIN on the snapshot's batch).
    version: 2,
    statements: ['CREATE SCHEMA IF NOT EXISTS halo_staging', ...d.v2Extras],
  }, {
    // v3: inventory as current state + change-only history (the snapshot's rows become
    // history, and the snapshot goes), the best-price view, the load order (etl_batch.load_seq).
    version: 3,
    statements: inventoryV3(d),
  }];
}
