import type { CommandContext } from './context.js';
import { openLake } from '../lake/open.js';
import { listBatches, type BatchEntry } from '../batch/catalog.js';
import { UsageError } from '../errors.js';
import { INVENTORY_SCHEMA, type HaloConfig } from '../config/types.js';
import { inventoryMode } from '../batch/manifest.js';
import { SCHEMA } from '../warehouse/sql/ddl.js';
import { formatBytes } from '../output/size.js';

export interface BatchesListOptions { source?: string; since?: string; until?: string; status?: string }

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function ageOf(d: Date): string {
  const s = Math.max(0, (Date.now() - d.getTime()) / 1000);
  return s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`;
}

type Ledger = Map<string, { status: string; finishedAt: string | null }>;

/**
 * What the warehouse ledger says of each batch. An embedded warehouse that does not exist yet
 * is not created for this; a warehouse that cannot be reached leaves the column empty, with a
 * warning (the lake is still listed).
 */
async function readLedger(config: HaloConfig, ctx: CommandContext): Promise<Ledger | null> {
  try {
    const { openExistingWarehouse } = await import('../warehouse/open.js');
    const wh = await openExistingWarehouse(config, { log: ctx.log });
    // No warehouse yet: nothing is loaded.
    if (!wh) return new Map();
    try {
      const r = await wh.query<{ batch_id: string; status: string; finished_at: unknown }>(`SELECT batch_id, status, finished_at FROM ${SCHEMA}.etl_batch`);
      return new Map(r.rows.map((x) => [x.batch_id, { status: x.status, finishedAt: x.finished_at === null || x.finished_at === undefined ? null : String(x.finished_at instanceof Date ? x.finished_at.toISOString() : x.finished_at) }]));
    } finally {
      await wh.close();
    }
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    ctx.log.warn('the warehouse ledger could not be read; its column is left empty', { reason: msg.slice(0, 200) });
    return null;
  }
}

function summary(e: BatchEntry, ledger?: Ledger | null) {
  const m = e.manifest;
  const l = ledger?.get(e.batchId);
  return {
    batchId: e.batchId, source: e.source, date: e.date, status: e.status,
    warehouse: ledger === null || ledger === undefined ? null : (l?.status ?? 'not-loaded'), loadedAt: l?.finishedAt ?? null,
    schema: m?.schema.name ?? null,
    // How its inventory rows load (full: absent products are delisted), as every load and replay of it reads it.
    inventory: m?.schema.name === INVENTORY_SCHEMA ? inventoryMode(m) : null,
    createdAt: m?.createdAt ?? null, files: m?.counts.files ?? null, rows: m?.counts.rows ?? null,
    validRows: m?.counts.validRows ?? null, rejectedRows: m?.counts.rejectedRows ?? null, bytes: e.bytes, prefix: e.prefix,
    ...(e.status === 'incomplete' ? { ageSeconds: Math.round((Date.now() - e.lastModified.getTime()) / 1000), loadable: false } : { loadable: true }),
  };
}

export async function batchesList(opts: BatchesListOptions, ctx: CommandContext): Promise<number> {
  for (const [flag, v] of [['--since', opts.since], ['--until', opts.until]] as const) {
    if (v !== undefined && !DATE.test(v)) throw new UsageError('bad-option', `${flag} takes a date as YYYY-MM-DD (got '${v}')`);
  }
  const LAKE_STATUSES = ['complete', 'incomplete'];
  const LEDGER_STATUSES = ['loaded', 'staged', 'failed', 'not-loaded'];
  if (opts.status !== undefined && ![...LAKE_STATUSES, ...LEDGER_STATUSES].includes(opts.status)) {
    throw new UsageError('bad-option', `--status must be one of ${[...LAKE_STATUSES, ...LEDGER_STATUSES].join(', ')} (got '${opts.status}')`);
  }
  const config = ctx.config();
  const lake = await openLake(config);
  const ledger = await readLedger(config, ctx);
  const ledgerOf = (e: BatchEntry) => ledger?.get(e.batchId)?.status ?? 'not-loaded';
  const all = await listBatches(lake, { source: opts.source });
  const entries = all.filter((e) =>
    (!opts.since || e.date >= opts.since) && (!opts.until || e.date <= opts.until)
    && (!opts.status || (LAKE_STATUSES.includes(opts.status) ? e.status === opts.status : ledger !== null && ledgerOf(e) === opts.status)));
  if (ctx.json) {
    ctx.stdout.write(JSON.stringify({ lake: lake.url, batches: entries.map((e) => summary(e, ledger)) }, null, 2) + '\n');
    return 0;
  }
  const c = ctx.color;
  if (entries.length === 0) {
    ctx.stdout.write(noneMatch(opts, lake.url, all, ledger !== null) + '\n');
    return 0;
  }
  ctx.stdout.write(c.bold('batch id                    source       date        status      warehouse   schema              files       rows   rejects       size\n'));
  for (const e of entries) {
    const s = summary(e, ledger);
    const status = e.status === 'complete' ? c.green('complete  ') : c.yellow(`incomplete (${ageOf(e.lastModified)} old)`.padEnd(10));
    const wh = String(s.warehouse ?? '?').padEnd(10);
    const whText = s.warehouse === 'loaded' ? c.green(wh) : s.warehouse === 'failed' ? c.red(wh) : s.warehouse === 'staged' ? c.yellow(wh) : wh;
    ctx.stdout.write(`${e.batchId}  ${e.source.padEnd(11).slice(0, 11)}  ${e.date}  ${status}  ${whText}  ${String(s.schema ?? '-').padEnd(18)} ${String(s.files ?? '-').padStart(6)} ${String(s.rows ?? '-').padStart(10)} ${String(s.rejectedRows ?? '-').padStart(9)} ${formatBytes(e.bytes).padStart(11)}\n`);
  }
  return 0;
}

/**
 * What `batches list` says when nothing is listed: an empty lake, or filters that leave
 * nothing of what it holds (`no incomplete batches in … (it holds 2 complete)`), so an empty
 * answer to a filter is never read as an empty lake.
 */
export function noneMatch(opts: BatchesListOptions, lakeUrl: string, all: BatchEntry[], ledgerRead: boolean): string {
  const of = opts.source ? ` of source ${opts.source}` : '';
  if (!all.length) return `no batches${of} in ${lakeUrl}`;
  const lakeStatus = opts.status === 'complete' || opts.status === 'incomplete' ? `${opts.status} ` : '';
  const dated = opts.since && opts.until ? ` dated ${opts.since} to ${opts.until}` : opts.since ? ` dated ${opts.since} or later` : opts.until ? ` dated ${opts.until} or earlier` : '';
  const ledger = opts.status && !lakeStatus ? ` that the warehouse ledger has as ${opts.status}${ledgerRead ? '' : ' (the ledger could not be read)'}` : '';
  const complete = all.filter((e) => e.status === 'complete').length;
  const held = [`${complete} complete`, ...(all.length > complete ? [`${all.length - complete} incomplete`] : [])].join(', ');
  return `no ${lakeStatus}batches${of}${dated}${ledger} in ${lakeUrl} (it holds ${held})`;
}

export async function batchesShow(batchId: string, ctx: CommandContext): Promise<number> {
  const config = ctx.config();
  const lake = await openLake(config);
  const entry = (await listBatches(lake)).find((e) => e.batchId === batchId);
  if (!entry) throw noSuchBatch(batchId, lake.url);
  const ledger = await readLedger(config, ctx);
  const s = summary(entry, ledger);
  if (ctx.json) {
    ctx.stdout.write(JSON.stringify({ ...s, manifest: entry.manifest }, null, 2) + '\n');
    return 0;
  }
  const out = ctx.stdout;
  const m = entry.manifest;
  out.write(`batch ${entry.batchId}  (${entry.status}${entry.status === 'incomplete' ? `, no manifest, ${ageOf(entry.lastModified)} old: never loaded` : ''})\n`);
  out.write(`  lake:    ${lake.url}/${entry.prefix}\n  source:  ${entry.source}\n`);
  out.write(`  warehouse: ${s.warehouse ?? 'ledger not readable'}${s.loadedAt ? ` (${s.loadedAt})` : ''}\n`);
  if (!m) return 0;
  out.write(`  schema:  ${m.schema.name} v${m.schema.version}\n  created: ${m.createdAt} by halo-data ${m.tool.version}\n`);
  // Which part shape: whether loading it (claims) needs the member key.
  out.write(`  format:  version ${m.version}${m.columns.includes('member_id') ? ' (members in clear in the parts: loading needs HALO_DATA_MEMBER_KEY)' : m.columns.includes('member_key') ? ' (members as member_key: no personal value in the parts)' : ''}\n`);
  if (m.schema.name === INVENTORY_SCHEMA) {
    out.write(`  inventory: ${inventoryMode(m)}${m.inventory === undefined ? ' (staged before batches recorded a mode: loads as full)' : ''}`
      + `${inventoryMode(m) === 'full' ? " (each merchant's whole catalogue: products it lacks are delisted)" : ' (only what changed: products it lacks are kept)'}\n`);
  }
  out.write(`  rows:    ${m.counts.rows} (${m.counts.validRows} valid, ${m.counts.rejectedRows} rejected)\n`);
  out.write('  files:\n');
  for (const f of m.files) out.write(`    raw/${f.name}  ${f.bytes} bytes  sha256 ${f.sha256}  rows ${f.rows}, rejected ${f.rejectedRows}\n`);
  out.write('  parts:\n');
  for (const p of m.parts) out.write(`    ${p.key}  ${p.rows} rows  ${p.bytes} bytes  sha256 ${p.sha256}\n`);
  if (m.rejects) out.write(`  rejects: ${m.rejects.key}  ${m.rejects.rows} rows\n`);
  return 0;
}

/** A batch id the lake does not hold: the command was called wrongly (exit 2), whatever asked for it. */
export function noSuchBatch(batchId: string, lakeUrl: string): UsageError {
  return new UsageError('no-such-batch', `no batch ${batchId} in ${lakeUrl}`, { hint: 'halo-data batches list shows the batches the lake holds (--json for their ids)' });
}
