import { basename } from 'node:path';
import type { CommandContext } from './context.js';
import { resolvePath } from '../config/load.js';
import { chosenSources } from '../sources/open.js';
import { finishRetries, listRefused, retryRefused, type RefusedFile } from '../pipeline/refused.js';
import { runSource, worse, type SourceRun } from '../pipeline/run.js';
import { UsageError } from '../errors.js';
import { age, printSummary, runResources, takeRunLock } from './run.js';
import { writeResult } from '../output/result.js';

/**
 * Files `run` left out (unreadable, unknown schema, too many rejected rows), kept under
 * `<landing>/<source>/refused/`: `list` shows them with their reason and age; `retry` stages
 * chosen ones again, on purpose, through the run path (a new landed fetch of their source).
 */
const landingOf = (ctx: CommandContext) => { const c = ctx.config(); return resolvePath(c, c.landing ?? './.halo-data/landing'); };
const ageOf = (f: RefusedFile, now: number) => Math.max(0, Math.round((now - Date.parse(f.refusedAt)) / 1000));

export async function refusedList(opts: { source?: string }, ctx: CommandContext): Promise<number> {
  const landing = landingOf(ctx);
  const files: RefusedFile[] = [];
  for (const s of chosenSources(ctx.config(), opts.source ? [opts.source] : [])) files.push(...await listRefused(landing, s.name));
  const now = Date.now();
  if (ctx.json) {
    ctx.stdout.write(JSON.stringify({ count: files.length, files: files.map((f) => ({ ...f, ageSeconds: ageOf(f, now) })) }, null, 2) + '\n');
    return 0;
  }
  if (!files.length) { ctx.stdout.write('no file is waiting in refused/\n'); return 0; }
  const c = ctx.color;
  for (const f of files) {
    ctx.stdout.write(`${c.bold(f.source)}  ${f.path}  ${c.yellow(f.code)}  ${age(ageOf(f, now))} ago  (fetch ${f.fetchId})\n    ${f.message}\n`);
  }
  ctx.stdout.write(`${files.length} file${files.length === 1 ? '' : 's'} waiting; halo-data refused retry <file|fetch-id> stages them again\n`);
  return 0;
}

export interface RefusedRetryOptions { source?: string; targets: string[]; all: boolean; maxRejectRate?: number }

export async function refusedRetry(opts: RefusedRetryOptions, ctx: CommandContext): Promise<number> {
  if (opts.maxRejectRate !== undefined && !(opts.maxRejectRate >= 0 && opts.maxRejectRate <= 1)) throw new UsageError('bad-option', '--max-reject-rate must be between 0 and 1');
  if (!opts.targets.length && !opts.all) {
    throw new UsageError('bad-option', 'name the refused files (their name or path at the source) or fetch ids to retry, or give --all', { hint: 'halo-data refused list shows them' });
  }
  const config = ctx.config();
  const landing = landingOf(ctx);
  const sources = chosenSources(config, opts.source ? [opts.source] : []);
  // The landing folder is run's: one of them at a time.
  const lock = await takeRunLock(config, ctx);
  const res = runResources(config, ctx.log);
  const retried: Array<{ source: string; fetchId: string; files: string[] }> = [];
  const results: SourceRun[] = [];
  const t0 = performance.now();
  const progress = ctx.progress('retrying…', 'run');
  try {
    const chosen = new Map<string, RefusedFile[]>();
    const matched = new Set<string>();
    for (const s of sources) {
      await finishRetries(landing, s.name);
      const picked = (await listRefused(landing, s.name)).filter((f) => {
        const hit = opts.all ? '*' : opts.targets.find((t) => t === f.fetchId || t === f.path || t === basename(f.path) || t === f.file);
        if (hit) matched.add(hit);
        return hit !== undefined;
      });
      if (picked.length) chosen.set(s.name, picked);
    }
    const unknown = opts.targets.filter((t) => !matched.has(t));
    if (!opts.all && unknown.length) {
      throw new UsageError('no-such-refused-file', `nothing waiting in refused/ matches ${unknown.join(', ')}: nothing was retried`, { hint: 'halo-data refused list shows the files and fetch ids' });
    }
    for (const s of sources) {
      const files = chosen.get(s.name);
      if (!files) continue;
      const fetchId = await retryRefused(landing, s.name, files, { maxRejectRate: opts.maxRejectRate });
      retried.push({ source: s.name, fetchId, files: files.map((f) => f.path) });
      ctx.log.info('refused files landed again', { source: s.name, fetch: fetchId, files: files.length });
      results.push(await runSource(s, {
        config, log: ctx.log, memberKey: ctx.env.HALO_DATA_MEMBER_KEY, maxRejectRate: opts.maxRejectRate ?? 0.01, fetch: false,
        lake: res.lake, warehouse: res.warehouse, progress,
      }));
    }
  } finally {
    progress.stop();
    await res.close();
    lock.release();
  }
  const exitCode = results.reduce((c, r) => worse(c, r.exitCode), 0);
  writeResult(ctx, 'retry finished', { ok: exitCode === 0, exitCode, retried, sources: results }, () => {
    if (!retried.length) ctx.stdout.write('no file is waiting in refused/: nothing to retry\n');
    for (const r of retried) ctx.stdout.write(`${r.source}: ${r.files.length} file${r.files.length === 1 ? '' : 's'} landed again as fetch ${r.fetchId}\n`);
    if (results.length) printSummary(ctx, results, (performance.now() - t0) / 1000);
  });
  return exitCode;
}
