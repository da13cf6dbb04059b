import assert from 'node:assert/strict';
import { assertNoPersonalData } from './cli.js';
import { TEST_PGPASSWORD } from './postgres.js';
import { loadConfig } from '../../src/config/load.js';
import { openWarehouse } from '../../src/warehouse/open.js';

/** The star schema by natural keys (surrogate keys and load times differ between engines). */
export const SNAPSHOT = [
  `SELECT merchant_id, merchant_sku, product_name, barcode, unit, updated_at FROM halo.dim_product ORDER BY 1, 2`,
  `SELECT merchant_id, source, is_current FROM halo.dim_merchant ORDER BY 1, 2`,
  `SELECT p.merchant_id, p.merchant_sku, f.batch_id, f.change_kind, f.selling_price, f.stock_qty, f.expiry_date, f.is_listed, f.valid_from, f.valid_to, f.is_current
     FROM halo.fact_inventory_history f JOIN halo.dim_product p USING (product_sk) ORDER BY 1, 2, 3`,
  `SELECT merchant_id, merchant_sku, product_key, selling_price, stock_qty, expiry_date, is_listed, observed_at, batch_id
     FROM halo.fact_inventory_current ORDER BY 1, 2`,
  `SELECT batch_id, merchant_id, source, inventory, observed_at, products FROM halo.etl_batch_merchant ORDER BY 1, 2`,
  `SELECT f.claim_id, f.policy_number, m.member_key, pr.provider_id, pr.provider_name, f.claim_type, f.admission_date_key, f.discharge_date_key,
     f.diagnosis_codes, f.claimed_amount, f.approved_amount, f.currency, f.batch_id
     FROM halo.fact_claim f JOIN halo.dim_member m USING (member_sk) JOIN halo.dim_provider pr USING (provider_sk) ORDER BY 1`,
  `SELECT c.claim_id, d.icd10_code FROM halo.fact_claim_diagnosis c JOIN halo.dim_diagnosis d USING (diagnosis_sk) ORDER BY 1, 2`,
  `SELECT claim_id, line_no, description, quantity, unit_price, amount FROM halo.fact_claim_line ORDER BY 1, 2`,
  `SELECT date_key, full_date FROM halo.dim_date ORDER BY 1`,
  `SELECT batch_id, source, schema_name, status, rows_total, rows_loaded FROM halo.etl_batch ORDER BY 1`,
];

export type Run = (args: string[], env?: Record<string, string>) => Promise<{ code: number; stdout: string; stderr: string }>;

/** Dates and times as one text whichever engine wrote them (JSON dates, Data API strings). */
function sameText(v: string): string {
  return v.replace(/^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?Z?$/, (_m, d: string, t: string, f?: string) => `${d} ${t}${(f ?? '').replace(/\.?0+$/, '')}`)
    .replace(/^(\d{4}-\d{2}-\d{2}) 00:00:00$/, '$1');
}

/**
 * The star schema's tables, each as the JSON `warehouse query --json` prints. On PGlite and
 * PostgreSQL they are read in this process through the same call the command makes
 * (readOnlyQuery) and turned to JSON the same way, with the same privacy grep its output
 * gets: a CLI per query cost a PGlite start each, eight per snapshot. The emulated Redshift
 * (whose endpoint and credentials only the runner's environment holds) is read through the CLI.
 */
export async function snapshot(run: Run, cfg: string): Promise<string[]> {
  const config = loadConfig({ configFile: cfg });
  const tables = config.warehouse.engine === 'redshift-data' ? await readByCli(run, cfg) : await readInProcess(config);
  return tables.map((json) => JSON.stringify(JSON.parse(json).map((row: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : sameText(String(v))])))));
}

async function readByCli(run: Run, cfg: string): Promise<string[]> {
  const out: string[] = [];
  for (const q of SNAPSHOT) {
    const r = await run(['warehouse', 'query', q, '--json', '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    out.push(r.stdout);
  }
  return out;
}

async function readInProcess(config: ReturnType<typeof loadConfig>): Promise<string[]> {
  const w = config.warehouse;
  if (w.engine === 'postgres' && w.url) {
    // The test server's password, as the CLI is given it (PGPASSWORD), for this connection only.
    const u = new URL(w.url);
    u.password ||= process.env.PGPASSWORD ?? TEST_PGPASSWORD;
    w.url = u.toString();
  }
  const wh = await openWarehouse(config);
  try {
    const out: string[] = [];
    for (const q of SNAPSHOT) {
      const json = JSON.stringify((await wh.readOnlyQuery(q)).rows, null, 2);
      assertNoPersonalData(json, 'the warehouse as warehouse query prints it');
      out.push(json);
    }
    return out;
  } finally {
    await wh.close();
  }
}

/**
 * What every engine must do with the fixture batches: init twice (idempotent), load, load
 * again (all skipped, nothing changes), forced reloads in another order (nothing changes),
 * answer the cheapest-pharmacy query, refuse a write through `warehouse query`, and hold no
 * personal value. Returns the star schema's contents.
 */
export async function exercise(run: Run, cfg: string, batches: string[]): Promise<string[]> {
  assert.equal((await run(['warehouse', 'init', '--config', cfg])).code, 0);
  assert.match((await run(['warehouse', 'init', '--config', cfg])).stdout, /already at version 3/);
  const load = await run(['load', ...batches, '--config', cfg, '--verbose', '--log-format', 'text']);
  assert.equal(load.code, 0, load.stderr);
  assertNoPersonalData(load.stdout + load.stderr, 'load output');
  const once = await snapshot(run, cfg);
  // Loading again: every batch skipped, nothing changes.
  const again = await run(['load', ...batches, '--config', cfg]);
  assert.equal(again.code, 0);
  assert.equal(again.stdout.split('\n').filter((l) => l.endsWith(' skipped')).length, batches.length);
  assert.deepEqual(await snapshot(run, cfg), once);
  // Forced reloads (as a replay does) in another order: the same star schema.
  assert.equal((await run(['load', batches[2], batches[0], '--force', '--config', cfg])).code, 0);
  assert.deepEqual(await snapshot(run, cfg), once);
  // The cheapest pharmacy per product, from the loaded data.
  const q = await run(['warehouse', 'query', `SELECT product_key, merchant_id, selling_price, merchants_in_stock FROM halo.v_product_best_price ORDER BY product_key`, '--json', '--config', cfg]);
  assert.equal(q.code, 0, q.stderr);
  assert.ok(JSON.parse(q.stdout).length > 10);
  // Read-only: a write is refused.
  const w = await run(['warehouse', 'query', 'DELETE FROM halo.fact_claim', '--config', cfg]);
  assert.equal(w.code, 1);
  // No personal value in the warehouse at all (members are keyed hashes; names are not stored).
  const dump = (await snapshot(run, cfg)).join('\n');
  assertNoPersonalData(dump, 'warehouse contents');
  return once;
}

