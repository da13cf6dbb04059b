import type { CommandContext } from './context.js';
import { openLake } from '../lake/open.js';
import { listBatches, type BatchEntry } from '../batch/catalog.js';
import { UsageError, DataError } from '../errors.js';

export interface BatchesListOptions { source?: string; since?: string; until?: string; status?: string }

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function ageOf(d: Date): string {
  const s = Math.max(0, (Date.now() - d.getTime()) / 1000);
  return s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : s < 172800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`;
}

function summary(e: BatchEntry) {
  const m = e.manifest;
  return {
    batchId: e.batchId, source: e.source, date: e.date, status: e.status, schema: m?.schema.name ?? null,
    createdAt: m?.createdAt ?? null, files: m?.counts.files ?? null, rows: m?.counts.rows ?? null,
    validRows: m?.counts.validRows ?? null, rejectedRows: m?.counts.rejectedRows ?? null, bytes: e.bytes, prefix: e.prefix,
    ...(e.status === 'incomplete' ? { ageSeconds: Math.round((Date.now() - e.lastModified.getTime()) / 1000), loadable: false } : { loadable: true }),
  };
}

export async function batchesList(opts: BatchesListOptions, ctx: CommandContext): Promise<number> {
  for (const [flag, v] of [['--since', opts.since], ['--until', opts.until]] as const) {
    if (v !== undefined && !DATE.test(v)) throw new UsageError('bad-option', `${flag} takes a date as YYYY-MM-DD (got '${v}')`);
  }
  if (opts.status !== undefined && !['complete', 'incomplete'].includes(opts.status)) {
    throw new UsageError('bad-option', `--status must be complete or incomplete (got '${opts.status}')`);
  }
  const lake = await openLake(ctx.config());
  const entries = (await listBatches(lake, { source: opts.source })).filter((e) =>
    (!opts.since || e.date >= opts.since) && (!opts.until || e.date <= opts.until) && (!opts.status || e.status === opts.status));
  if (ctx.json) {
    ctx.stdout.write(JSON.stringify({ lake: lake.url, batches: entries.map(summary) }, null, 2) + '\n');
    return 0;
  }
  const c = ctx.color;
  if (entries.length === 0) {
    ctx.stdout.write(`no batches in ${lake.url}${opts.source ? ` for source ${opts.source}` : ''}\n`);
    return 0;
  }
  ctx.stdout.write(c.bold('batch id                    source       date        status      schema              files       rows   rejects       size\n'));
  for (const e of entries) {
    const s = summary(e);
    const status = e.status === 'complete' ? c.green('complete  ') : c.yellow(`incomplete (${ageOf(e.lastModified)} old)`.padEnd(10));
    ctx.stdout.write(`${e.batchId}  ${e.source.padEnd(11).slice(0, 11)}  ${e.date}  ${status}  ${String(s.schema ?? '-').padEnd(18)} ${String(s.files ?? '-').padStart(6)} ${String(s.rows ?? '-').padStart(10)} ${String(s.rejectedRows ?? '-').padStart(9)} ${(e.bytes / 1e6).toFixed(1).padStart(8)} MB\n`);
  }
  return 0;
}

export async function batchesShow(batchId: string, ctx: CommandContext): Promise<number> {
  const lake = await openLake(ctx.config());
  const entry = (await listBatches(lake)).find((e) => e.batchId === batchId);
  if (!entry) throw new DataError('no-such-batch', `no batch ${batchId} in ${lake.url}`, { hint: 'halo-data batches list shows what the lake holds' });
  if (ctx.json) {
    ctx.stdout.write(JSON.stringify({ ...summary(entry), manifest: entry.manifest }, null, 2) + '\n');
    return 0;
  }
  const out = ctx.stdout;
  const m = entry.manifest;
  out.write(`batch ${entry.batchId}  (${entry.status}${entry.status === 'incomplete' ? `, no manifest, ${ageOf(entry.lastModified)} old: never loaded` : ''})\n`);
  out.write(`  lake:    ${lake.url}/${entry.prefix}\n  source:  ${entry.source}\n`);
  if (!m) return 0;
  out.write(`  schema:  ${m.schema.name} v${m.schema.version}\n  created: ${m.createdAt} by halo-data ${m.tool.version}\n`);
  out.write(`  rows:    ${m.counts.rows} (${m.counts.validRows} valid, ${m.counts.rejectedRows} rejected)\n`);
  out.write('  files:\n');
  for (const f of m.files) out.write(`    raw/${f.name}  ${f.bytes} bytes  sha256 ${f.sha256}  rows ${f.rows}, rejected ${f.rejectedRows}\n`);
  out.write('  parts:\n');
  for (const p of m.parts) out.write(`    ${p.key}  ${p.rows} rows  ${p.bytes} bytes  sha256 ${p.sha256}\n`);
  if (m.rejects) out.write(`  rejects: ${m.rejects.key}  ${m.rejects.rows} rows\n`);
  return 0;
}
