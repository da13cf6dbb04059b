/**
 * Amazon Redshift declares PRIMARY KEY and UNIQUE and never enforces them (its planner trusts
 * them), so nothing in the warehouse stops a duplicate but the loads themselves. The rules are
 * the ones `warehouse selftest` checks (src/warehouse/natural-keys.ts); here they are one
 * query that also returns the keys held more than once (none, on a warehouse the loads left
 * right), run through `warehouse query` on any engine. Surrogate keys are identities; natural
 * keys and fact grain are what a wrong merge or two loaders at once double.
 */
import assert from 'node:assert/strict';
import type { Run } from './warehouse.js';
import { NATURAL_KEYS } from '../../src/warehouse/natural-keys.js';

/** A key of one or more columns as one text value (Redshift's SQL too). */
const keyText = (key: string) => key.split(',').map((c) => `CAST(${c.trim()} AS VARCHAR(600))`).join(` || ' / ' || `);

/** [what, its key as text, the table and grouping]: one branch of the query each. */
const RULES: Array<[string, string, string]> = NATURAL_KEYS.map((k) => [
  `${k.table} (${k.key})${k.where ? ` where ${k.where}` : ''}`,
  keyText(k.key),
  `halo.${k.table}${k.where ? ` WHERE ${k.where}` : ''} GROUP BY ${k.key}`,
]);

/** Every key held more than once: (rule, key, copies), in a portable SQL (Redshift's too). */
export const DUPLICATES_SQL = `SELECT d.rule, d.k, d.n FROM (${RULES.map(([what, key, from]) =>
  `SELECT CAST('${what}' AS VARCHAR(64)) AS rule, CAST(${key} AS VARCHAR(1300)) AS k, COUNT(*) AS n FROM ${from} HAVING COUNT(*) > 1`).join('\n  UNION ALL ')}) AS d ORDER BY 1, 2`;

/** Asserts, through `warehouse query` (any engine), that no natural key or fact grain is held twice. */
export async function assertNoDuplicates(run: Run, cfg: string, label: string): Promise<void> {
  const r = await run(['warehouse', 'query', DUPLICATES_SQL, '--json', '--config', cfg]);
  assert.equal(r.code, 0, `${label}: the uniqueness query failed: ${r.stderr}`);
  assert.deepEqual(JSON.parse(r.stdout), [], `${label}: keys held more than once`);
}
