/**
 * Amazon Redshift declares PRIMARY KEY and UNIQUE and never enforces them (its planner trusts
 * them), so nothing in the warehouse stops a duplicate but the loads themselves: these are the
 * uniqueness rules the merges keep, as one query that any engine runs and that returns the
 * keys held more than once (none, on a warehouse the loads left right). Surrogate keys are
 * identities; natural keys and fact grain are what a wrong merge or two loaders at once double.
 */
import assert from 'node:assert/strict';
import type { Run } from './warehouse.js';

/** [what, its key as text, the table and grouping]: one branch of the query each. */
const RULES: Array<[string, string, string]> = [
  ['dim_merchant current row per merchant_id', 'merchant_id', 'halo.dim_merchant WHERE is_current GROUP BY merchant_id'],
  ['dim_product (merchant_id, merchant_sku)', `merchant_id || ' / ' || merchant_sku`, 'halo.dim_product GROUP BY merchant_id, merchant_sku'],
  ['dim_provider (provider_id, provider_name)', `provider_id || ' / ' || provider_name`, 'halo.dim_provider GROUP BY provider_id, provider_name'],
  ['dim_member member_key', 'member_key', 'halo.dim_member GROUP BY member_key'],
  ['dim_diagnosis icd10_code', 'icd10_code', 'halo.dim_diagnosis GROUP BY icd10_code'],
  ['dim_date date_key', 'CAST(date_key AS VARCHAR(16))', 'halo.dim_date GROUP BY date_key'],
  ['fact_inventory_snapshot (batch_id, product_sk)', `batch_id || ' / ' || CAST(product_sk AS VARCHAR(24))`, 'halo.fact_inventory_snapshot GROUP BY batch_id, product_sk'],
  ['fact_claim claim_id', 'claim_id', 'halo.fact_claim GROUP BY claim_id'],
  ['fact_claim_diagnosis (claim_id, diagnosis_sk)', `claim_id || ' / ' || CAST(diagnosis_sk AS VARCHAR(24))`, 'halo.fact_claim_diagnosis GROUP BY claim_id, diagnosis_sk'],
  ['fact_claim_line (claim_id, line_no)', `claim_id || ' / ' || CAST(line_no AS VARCHAR(12))`, 'halo.fact_claim_line GROUP BY claim_id, line_no'],
  ['etl_batch batch_id', 'batch_id', 'halo.etl_batch GROUP BY batch_id'],
  ['schema_version version', 'CAST(version AS VARCHAR(12))', 'halo.schema_version GROUP BY version'],
];

/** Every key held more than once: (rule, key, copies), in a portable SQL (Redshift's too). */
export const DUPLICATES_SQL = `SELECT d.rule, d.k, d.n FROM (${RULES.map(([what, key, from]) =>
  `SELECT CAST('${what}' AS VARCHAR(64)) AS rule, CAST(${key} AS VARCHAR(1200)) AS k, COUNT(*) AS n FROM ${from} HAVING COUNT(*) > 1`).join('\n  UNION ALL ')}) AS d ORDER BY 1, 2`;

/** The rules the query checks (for a test that every table has one). */
export const UNIQUENESS_RULES = RULES.map(([what]) => what);

/** Asserts, through `warehouse query` (any engine), that no natural key or fact grain is held twice. */
export async function assertNoDuplicates(run: Run, cfg: string, label: string): Promise<void> {
  const r = await run(['warehouse', 'query', DUPLICATES_SQL, '--json', '--config', cfg]);
  assert.equal(r.code, 0, `${label}: the uniqueness query failed: ${r.stderr}`);
  assert.deepEqual(JSON.parse(r.stdout), [], `${label}: keys held more than once`);
}
