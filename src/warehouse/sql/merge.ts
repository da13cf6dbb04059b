import { differs } from './differs.js';
import type { Dialect } from '../warehouse.js';
import { SCHEMA } from './ddl.js';
import type { FieldSpec } from '../../schemas/types.js';
import { merchantInventory } from '../../schemas/builtin/merchant-inventory.js';
import { insuranceClaim } from '../../schemas/builtin/insurance-claim.js';
import { claimLineFields } from '../../schemas/builtin/claim-pdf.js';
import { sqlType } from '../../schemas/widths.js';
import { partFields } from '../../batch/part-shape.js';
import type { Step } from '../warehouse.js';
import { inventoryState, type InventoryMode } from './inventory-state.js';

/**
 * Staging tables and the merges of a batch into the star schema, per schema. Written once
 * for every engine; parameters: $1 batch id, $2 source, $3 load time, $4 snapshot date key,
 * $5 member hash key. Staging is per batch (temporary: gone at commit), so two loads never
 * share one, and is de-duplicated before merging (a later file or row wins).
 */
const t = (name: string) => `${SCHEMA}.${name}`;

export interface Staging { table: string; columns: string[]; types: string[] }

/**
 * A staging table holds a schema's normalised rows as the batch's parts have them: the
 * schema's fields in order (types and widths from the schema, the same numbers validation
 * enforces), then where each row came from.
 */
function stagingOf(table: string, fields: readonly FieldSpec[], where: Array<[string, string]>): Staging {
  return {
    table,
    columns: [...fields.map((f) => f.name), ...where.map(([c]) => c)],
    types: [...fields.map(sqlType), ...where.map(([, type]) => type)],
  };
}

const SOURCE_FILE: [string, string] = ['source_file', 'VARCHAR(256)'];

export const INVENTORY_STAGING: Staging = stagingOf('stg_inventory', merchantInventory.fields, [SOURCE_FILE, ['source_row', 'BIGINT']]);

/** Claims as parts of manifest version 2 hold them: no personal column, members as member_key (batch/part-shape.ts). */
export const CLAIM_STAGING: Staging = stagingOf('stg_claim', partFields(insuranceClaim), [SOURCE_FILE, ['source_row', 'BIGINT']]);

/** Claims as parts of manifest version 1 hold them: member_id, patient_name, patient_dob in clear (hashed in SQL with $5). */
export const CLAIM_STAGING_V1: Staging = stagingOf('stg_claim', insuranceClaim.fields, [SOURCE_FILE, ['source_row', 'BIGINT']]);

export const CLAIM_LINE_STAGING: Staging = stagingOf('stg_claim_line', claimLineFields, [SOURCE_FILE, ['source_page', 'INTEGER']]);

export function columnsDdl(s: Staging): string {
  return s.columns.map((c, i) => `${c} ${s.types[i]}`).join(', ');
}

export function createStaging(d: Dialect, s: Staging): string {
  return d.tempTable(s.table, columnsDdl(s));
}

/**
 * `load --no-merge` keeps a batch's rows in a table of its own in the staging schema until
 * `merge` (named by batch id, so two runs never share one).
 */
export const STAGING_SCHEMA = 'halo_staging';

export function persistentStaging(s: Staging, batchId: string): string {
  if (!/^[0-9A-Z]{26}$/.test(batchId)) throw new Error(`not a batch id: ${batchId}`);
  return `${STAGING_SCHEMA}.${s.table}_${batchId.toLowerCase()}`;
}

const dateKey = (expr: string) => `CAST(TO_CHAR(${expr}, 'YYYYMMDD') AS INTEGER)`;

function dimDate(source: string): string {
  return `INSERT INTO ${t('dim_date')} (date_key, full_date, year, month, day)
    SELECT DISTINCT ${dateKey('d')}, d, EXTRACT(YEAR FROM d), EXTRACT(MONTH FROM d), EXTRACT(DAY FROM d)
    FROM (${source}) AS x(d) WHERE d IS NOT NULL AND ${dateKey('d')} NOT IN (SELECT date_key FROM ${t('dim_date')})`;
}

export interface InventoryMergeOptions {
  /** One file: no duplicate keys (validate rejects them within a file), no de-duplication step. */
  singleFile: boolean;
  /** The staging table (temporary, or a --no-merge batch's own). */
  staging: string;
  /** A batch older than one already loaded: put in its place, never over newer state. */
  late: boolean;
  /** dim_product is empty: the engine's bulk-load index trick applies. */
  firstLoad: boolean;
  /** The batch's observations are in the state already (etl_batch_merchant has it): only its dimensions are merged again. */
  merged: boolean;
  mode: InventoryMode;
  shrinkGuardPercent: number;
}


/**
 * The merges of an inventory batch: its dimensions, then its state (sql/inventory-state.ts).
 * Measured on PGlite at 5.5 M rows (issue 5's benchmark): a statistics-less staging table
 * made joins nested loops, and updating every product row on each refresh doubled
 * dim_product (no autovacuum). Hence: ANALYZE after COPY, update only rows whose attributes
 * changed (updated_at alone is not a change: it moves with every export), anti-join by LEFT JOIN.
 */
export function inventoryMerge(d: Dialect, o: InventoryMergeOptions): Step[] {
  const cols = 'merchant_id, merchant_sku, product_name, barcode, selling_price, stock_qty, unit, expiry_date, updated_at';
  const src = o.singleFile ? o.staging : 'stg_inventory_d';
  const batch = 'CAST($1 AS VARCHAR(26))';
  const changed = ['product_name', 'barcode', 'unit'].map((c) => differs(`p.${c}`, `s.${c}`)).join(' OR ');
  const rebuild = o.firstLoad ? d.firstLoadProductIndexes : null;
  const step = (text: string): Step => ({ kind: 'sql', sql: text });
  return [
    ...(o.singleFile ? [] : [d.tempTableAs('stg_inventory_d', `SELECT ${cols} FROM (SELECT ${cols},
      ROW_NUMBER() OVER (PARTITION BY merchant_id, merchant_sku ORDER BY source_file DESC, source_row DESC) AS rn FROM ${o.staging}) AS x WHERE rn = 1`)]),
    ...d.analyze(src),
    // dim_merchant, type 2: a merchant whose attributes changed gets a new current version.
    `UPDATE ${t('dim_merchant')} SET valid_to = CAST($3 AS TIMESTAMP), is_current = FALSE
      WHERE is_current AND source <> CAST($2 AS VARCHAR(64)) AND merchant_id IN (SELECT DISTINCT merchant_id FROM ${src})`,
    `INSERT INTO ${t('dim_merchant')} (merchant_id, source, valid_from, valid_to, is_current)
      SELECT DISTINCT s.merchant_id, CAST($2 AS VARCHAR(64)), CAST($3 AS TIMESTAMP), CAST(NULL AS TIMESTAMP), TRUE FROM ${src} s
      WHERE NOT EXISTS (SELECT 1 FROM ${t('dim_merchant')} m WHERE m.merchant_id = s.merchant_id AND m.is_current)`,
    // dim_product, type 1: the newest batch's attributes, so loading an older batch again
    // changes nothing. Only rows that differ are written; batch_id is then the batch that last
    // changed the row, so a late batch (older than one loaded) must also not be older than a
    // batch that observed the merchant since. UPDATE + INSERT rather than MERGE: Redshift's
    // MERGE has no WHEN … AND.
    ...(rebuild ? [] : [`UPDATE ${t('dim_product')} AS p SET product_name = s.product_name, barcode = s.barcode, unit = s.unit, updated_at = s.updated_at, batch_id = ${batch}
      FROM ${src} s WHERE p.merchant_id = s.merchant_id AND p.merchant_sku = s.merchant_sku AND p.batch_id <= ${batch} AND (${changed})${o.late ? `
        AND NOT EXISTS (SELECT 1 FROM ${t('etl_batch_merchant')} b WHERE b.merchant_id = p.merchant_id AND b.batch_id > ${batch})` : ''}`]),
    ...(rebuild?.before ?? []),
    `INSERT INTO ${t('dim_product')} (merchant_id, merchant_sku, product_name, barcode, unit, updated_at, batch_id)
      SELECT s.merchant_id, s.merchant_sku, s.product_name, s.barcode, s.unit, s.updated_at, ${batch}
      FROM ${src} s LEFT JOIN ${t('dim_product')} p ON p.merchant_id = s.merchant_id AND p.merchant_sku = s.merchant_sku
      WHERE p.product_sk IS NULL`,
    ...(rebuild?.after ?? []),
  ].map(step).concat(o.merged ? [] : inventoryState(d, { src, mode: o.mode, late: o.late, shrinkGuardPercent: o.shrinkGuardPercent }));
}

/**
 * `keyed`: the staging rows carry member_key, hashed while the part was written (manifest
 * version 2), so neither the key nor a member id reaches the warehouse; else (version 1) the
 * hash is computed here from member_id with the key as $5.
 */
export function claimMerge(d: Dialect, withLines: boolean, staging = 'stg_claim', lineStaging = 'stg_claim_line', keyed = true): string[] {
  const cols = (keyed ? CLAIM_STAGING : CLAIM_STAGING_V1).columns.filter((c) => c !== 'source_file' && c !== 'source_row').join(', ');
  const hash = keyed ? 's.member_key' : d.keyedHash('s.member_id', 'CAST($5 AS VARCHAR)');
  const provider = `COALESCE(s.provider_id, '') = p.provider_id AND COALESCE(s.provider_name, '') = p.provider_name`;
  const mine = `SELECT claim_id FROM ${t('fact_claim')} WHERE batch_id = CAST($1 AS VARCHAR(26))`;
  const resolved = `SELECT s.claim_id, s.policy_number, s.claim_type, s.admission_date, s.discharge_date, s.diagnosis_codes, s.claimed_amount,
        s.approved_amount, s.currency, m.member_sk, p.provider_sk FROM stg_claim_d s
        JOIN ${t('dim_member')} m ON m.member_key = ${hash}
        JOIN ${t('dim_provider')} p ON ${provider}`;
  return [
    d.tempTableAs('stg_claim_d', `SELECT ${cols} FROM (SELECT ${cols},
      ROW_NUMBER() OVER (PARTITION BY claim_id ORDER BY source_file DESC, source_row DESC) AS rn FROM ${staging}) AS x WHERE rn = 1`),
    // Members only as a keyed hash: no name, no member number in the warehouse.
    `INSERT INTO ${t('dim_member')} (member_key) SELECT DISTINCT ${hash} FROM stg_claim_d s
      WHERE ${hash} NOT IN (SELECT member_key FROM ${t('dim_member')})`,
    `INSERT INTO ${t('dim_provider')} (provider_id, provider_name) SELECT DISTINCT COALESCE(s.provider_id, ''), COALESCE(s.provider_name, '') FROM stg_claim_d s
      WHERE NOT EXISTS (SELECT 1 FROM ${t('dim_provider')} p WHERE ${provider})`,
    `INSERT INTO ${t('dim_diagnosis')} (icd10_code) SELECT DISTINCT code FROM (${d.jsonArrayElements('stg_claim_d', 'claim_id', 'diagnosis_codes')}) AS e
      WHERE code NOT IN (SELECT icd10_code FROM ${t('dim_diagnosis')})`,
    dimDate(`SELECT admission_date FROM stg_claim_d UNION SELECT discharge_date FROM stg_claim_d`),
    // Upsert on claim_id: a newer batch wins; replaying an older one changes nothing.
    `UPDATE ${t('fact_claim')} AS f SET policy_number = s.policy_number, member_sk = s.member_sk, provider_sk = s.provider_sk,
        claim_type = s.claim_type, admission_date_key = ${dateKey('s.admission_date')}, discharge_date_key = ${dateKey('s.discharge_date')},
        diagnosis_codes = s.diagnosis_codes, claimed_amount = s.claimed_amount, approved_amount = s.approved_amount, currency = s.currency, batch_id = CAST($1 AS VARCHAR(26))
      FROM (${resolved}) AS s WHERE f.claim_id = s.claim_id AND f.batch_id <= CAST($1 AS VARCHAR(26))`,
    `INSERT INTO ${t('fact_claim')} (claim_id, policy_number, member_sk, provider_sk, claim_type, admission_date_key, discharge_date_key,
        diagnosis_codes, claimed_amount, approved_amount, currency, batch_id)
      SELECT s.claim_id, s.policy_number, s.member_sk, s.provider_sk, s.claim_type, ${dateKey('s.admission_date')}, ${dateKey('s.discharge_date')},
        s.diagnosis_codes, s.claimed_amount, s.approved_amount, s.currency, CAST($1 AS VARCHAR(26))
      FROM (${resolved}) AS s WHERE NOT EXISTS (SELECT 1 FROM ${t('fact_claim')} f WHERE f.claim_id = s.claim_id)`,
    `DELETE FROM ${t('fact_claim_diagnosis')} WHERE claim_id IN (${mine})`,
    `INSERT INTO ${t('fact_claim_diagnosis')} (claim_id, diagnosis_sk) SELECT DISTINCT e.claim_id, g.diagnosis_sk
      FROM (${d.jsonArrayElements('stg_claim_d', 'claim_id', 'diagnosis_codes')}) AS e JOIN ${t('dim_diagnosis')} g ON g.icd10_code = e.code
      WHERE e.claim_id IN (${mine})`,
    ...(withLines ? [
      `DELETE FROM ${t('fact_claim_line')} WHERE claim_id IN (${mine})`,
      `INSERT INTO ${t('fact_claim_line')} (claim_id, line_no, description, quantity, unit_price, amount, batch_id)
        SELECT l.claim_id, l.line_no, l.description, l.quantity, l.unit_price, l.amount, CAST($1 AS VARCHAR(26)) FROM ${lineStaging} l WHERE l.claim_id IN (${mine})`,
    ] : []),
  ];
}
