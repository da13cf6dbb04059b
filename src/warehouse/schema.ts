import type { Warehouse } from './warehouse.js';
import { migrations, SCHEMA, SCHEMA_VERSION } from './sql/ddl.js';

/** Creates or upgrades the star schema (idempotent); returns the versions it applied. */
export async function initSchema(wh: Warehouse): Promise<{ from: number; to: number; applied: number[] }> {
  // Up to date (every run but the first): one statement, which on Redshift is one Data API call.
  const now = await currentVersion(wh);
  if (now >= SCHEMA_VERSION) return { from: now, to: SCHEMA_VERSION, applied: [] };
  await wh.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  await wh.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`);
  const from = await currentVersion(wh);
  const applied: number[] = [];
  for (const m of migrations(wh.dialect)) {
    if (m.version <= from) continue;
    // A version applies whole or not at all, and once: another host may be applying it too
    // (two bastions starting on a new warehouse). The guard stops a version applied since
    // `from` was read; one applied at the same time fails this transaction (a conflict, or
    // a name taken), and then the other host's version is as good as ours.
    try {
      await wh.execute([
        {
          kind: 'guard', label: `schema version ${m.version}`, params: [m.version],
          sql: `SELECT CAST(CASE WHEN COUNT(*) = 0 THEN '0' ELSE 'plan-changed' END AS INTEGER) AS plan_check FROM ${SCHEMA}.schema_version WHERE version >= $1`,
        },
        ...m.statements.map((sql) => ({ kind: 'sql' as const, sql })),
        { kind: 'sql', sql: `INSERT INTO ${SCHEMA}.schema_version (version, applied_at) VALUES ($1, CAST($2 AS TIMESTAMP))`, params: [m.version, new Date().toISOString()] },
      ], { name: `schema-v${m.version}` });
    } catch (e) {
      if ((await currentVersion(wh)) >= m.version) continue;
      throw e;
    }
    applied.push(m.version);
  }
  return { from, to: SCHEMA_VERSION, applied };
}

export async function currentVersion(wh: Warehouse): Promise<number> {
  try {
    const r = await wh.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${SCHEMA}.schema_version`);
    return Number(r.rows[0]?.v ?? 0);
  } catch {
    return 0;
  }
}

/** The star schema's tables at the current version (3: inventory as current state, change-only history, and which merchants each batch covered). */
export const STAR_TABLES = ['etl_batch', 'etl_batch_merchant', 'dim_date', 'dim_merchant', 'dim_product', 'fact_inventory_current', 'fact_inventory_history',
  'dim_provider', 'dim_member', 'dim_diagnosis', 'fact_claim', 'fact_claim_diagnosis', 'fact_claim_line'] as const;

/** The first version with fact_inventory_current, fact_inventory_history and etl_batch_merchant. */
export const INVENTORY_STATE_VERSION = 3;

/** Before version 3: one snapshot row per merchant × product × batch, no etl_batch_merchant. */
const V2_TABLES = ['etl_batch', 'dim_date', 'dim_merchant', 'dim_product', 'fact_inventory_snapshot', 'dim_provider', 'dim_member',
  'dim_diagnosis', 'fact_claim', 'fact_claim_diagnosis', 'fact_claim_line'] as const;

/** The tables a warehouse at `version` has, so `warehouse status` still counts one not yet upgraded. */
export function starTables(version: number): readonly string[] {
  return version >= INVENTORY_STATE_VERSION ? STAR_TABLES : V2_TABLES;
}

/** Row counts of the star schema's tables, as the warehouse's version has them (read when not given). */
export async function tableCounts(wh: Warehouse, version?: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of starTables(version ?? await currentVersion(wh))) {
    const r = await wh.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${SCHEMA}.${t}`);
    out[t] = Number(r.rows[0].n);
  }
  return out;
}
