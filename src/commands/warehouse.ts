import { redactDbMessage } from '../warehouse/redact.js';
import type { CommandContext } from './context.js';
import { openWarehouse, openExistingWarehouse, requireExistingWarehouse, describeNoWarehouse, noWarehouseYet } from '../warehouse/open.js';
import { initSchema, currentVersion, tableCounts, INVENTORY_STATE_VERSION } from '../warehouse/schema.js';
import { sourceStatuses, type SourceStatus } from '../warehouse/source-status.js';
import { SCHEMA_VERSION } from '../warehouse/sql/ddl.js';
import { DataError, HaloError } from '../errors.js';

export async function warehouseInit(ctx: CommandContext): Promise<number> {
  const wh = await openWarehouse(ctx.config(), { log: ctx.log });
  try {
    const r = await initSchema(wh);
    if (ctx.json) ctx.stdout.write(JSON.stringify({ warehouse: wh.describe, ...r }, null, 2) + '\n');
    else ctx.stdout.write(r.applied.length ? `star schema at version ${r.to} in ${wh.describe} (applied ${r.applied.join(', ')})\n` : `star schema already at version ${r.to} in ${wh.describe}\n`);
    return 0;
  } finally {
    await wh.close();
  }
}

/**
 * Schema version, row counts (fact_inventory_current: merchant × product now; history: the
 * versions), and per source the last observed time and last load. With no warehouse yet (no
 * embedded database, or no star schema on the server) it says so and what to run, exit 0:
 * that is the answer to "what is in the warehouse?", and nothing is created to give it.
 */
export async function warehouseStatus(ctx: CommandContext): Promise<number> {
  const config = ctx.config();
  const wh = await openExistingWarehouse(config, { log: ctx.log });
  if (!wh) {
    const none = noWarehouseYet(config);
    if (ctx.json) {
      ctx.stdout.write(JSON.stringify({ warehouse: describeNoWarehouse(config), engine: config.warehouse.engine, exists: false, schemaVersion: 0, latestVersion: SCHEMA_VERSION, tables: {}, next: 'halo-data warehouse init' }, null, 2) + '\n');
    } else ctx.stdout.write(`${none.message}\n${none.hint}\n`);
    return 0;
  }
  try {
    const version = await currentVersion(wh);
    const counts = version > 0 ? await tableCounts(wh, version) : {};
    const sources = version > 0 ? await sourceStatuses(wh, version) : null;
    // A warehouse not yet at version 3 has no per-source observations: said, not failed.
    const upgrade = version < INVENTORY_STATE_VERSION ? `per-source observed times need schema version ${INVENTORY_STATE_VERSION}: run halo-data warehouse init to upgrade` : null;
    if (ctx.json) {
      ctx.stdout.write(JSON.stringify({
        warehouse: wh.describe, engine: wh.engine, exists: true, schemaVersion: version, latestVersion: SCHEMA_VERSION, tables: counts,
        sources, ...(upgrade ? { next: 'halo-data warehouse init', note: upgrade } : {}),
      }, null, 2) + '\n');
      return 0;
    }
    ctx.stdout.write(`${wh.describe}\nschema version ${version}${version < SCHEMA_VERSION ? ` (latest ${SCHEMA_VERSION}: run halo-data warehouse init)` : ''}\n`);
    for (const [t, n] of Object.entries(counts)) ctx.stdout.write(`  ${t.padEnd(26)} ${n.toLocaleString('en-US').padStart(12)}\n`);
    if (upgrade) ctx.stdout.write(`${upgrade}\n`);
    else if (sources) writeSources(ctx, sources);
    return 0;
  } finally {
    await wh.close();
  }
}

/** Per source: the newest inventory observation (how current its prices and stock are) and its last load. */
function writeSources(ctx: CommandContext, sources: SourceStatus[]): void {
  if (!sources.length) { ctx.stdout.write('no batch loaded yet\n'); return; }
  ctx.stdout.write('per source (last observed: the newest inventory observation loaded; last load: the batch the latest load committed):\n');
  const width = Math.max(...sources.map((x) => x.source.length));
  for (const x of sources) {
    const observed = x.lastObservedAt ? `last observed ${x.lastObservedAt} (${x.merchants.toLocaleString('en-US')} merchant${x.merchants === 1 ? '' : 's'})` : 'no inventory';
    ctx.stdout.write(`  ${x.source.padEnd(width)}  ${observed}; last load ${x.lastLoadedBatch}${x.lastLoadedAt ? ` at ${x.lastLoadedAt}` : ''}\n`);
  }
}

/**
 * A read-only query: it runs in a READ ONLY transaction, so it cannot change anything. With no
 * warehouse yet it is a usage error (exit 2) saying what to run: there is nothing to query.
 */
export async function warehouseQuery(sql: string, ctx: CommandContext): Promise<number> {
  const wh = await requireExistingWarehouse(ctx.config(), { log: ctx.log });
  try {
    let result;
    try {
      result = await wh.readOnlyQuery(sql);
    } catch (e) {
      // A server gone (exit 3) or a lock held says so itself; only the database's refusal of the query is the query's failure.
      if (e instanceof HaloError && e.code !== 'statement-failed') throw e;
      // The message keeps the user's own SQL (`syntax error at or near "SELEC"`); a value the
      // database read from a row (it may be personal) is not in their SQL and goes.
      throw new DataError('query-failed', `the query failed: ${redactDbMessage(String((e as Error)?.message ?? e), sql)}`);
    }
    if (ctx.json) {
      ctx.stdout.write(JSON.stringify(result.rows, null, 2) + '\n');
      return 0;
    }
    const cols = result.fields;
    const cells = result.rows.map((r) => cols.map((c) => { const v = (r as Record<string, unknown>)[c]; return v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v); }));
    const widths = cols.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((r) => r[i].length))));
    const line = (r: string[]) => r.map((v, i) => v.slice(0, 60).padEnd(widths[i])).join('  ').trimEnd();
    ctx.stdout.write(ctx.color.bold(line(cols)) + '\n');
    for (const r of cells) ctx.stdout.write(line(r) + '\n');
    ctx.stdout.write(ctx.color.gray(`(${cells.length} row${cells.length === 1 ? '' : 's'})\n`));
    return 0;
  } finally {
    await wh.close();
  }
}
