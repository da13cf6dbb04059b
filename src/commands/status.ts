import { writeResult } from '../output/result.js';
import type { CommandContext } from './context.js';
import type { HaloConfig, SourceConfig } from '../config/types.js';
import { resolvePath } from '../config/load.js';
import { chosenSources } from '../sources/open.js';
import { openLake } from '../lake/open.js';
import type { Lake } from '../lake/lake.js';
import { readFreshness, type FreshnessEntry } from '../freshness/record.js';
import { judgeSource, overdueNames, boundedList, type JudgedSource } from '../freshness/judge.js';
import type { Lateness } from '../freshness/lateness.js';
import { refusedWaiting, type SourceRun } from '../pipeline/run.js';
import { formatDuration } from '../util/duration.js';
import { hostNow } from '../util/clock.js';
import { printRefusedWaiting } from './run.js';

/** Merchants a source's table shows in text (late ones first; --json lists every one). */
const MERCHANTS_SHOWN = 50;

/**
 * `halo-data status`: per source and merchant, the last file received and the last batch
 * loaded, judged against the source's expectEvery; and the files waiting in refused/.
 * Read-only: the freshness records are read from the lake (freshness/record.ts) and the
 * refused files from the landing folder; no warehouse is opened and nothing is created.
 * Exit 1 when a source or merchant is late past its bound (lateAfter).
 */
export async function statusCommand(opts: { source?: string }, ctx: CommandContext): Promise<number> {
  const config = ctx.config();
  const sources = chosenSources(config, opts.source ? [opts.source] : []);
  const now = hostNow(ctx.env);
  const lake = await openStatusLake(config);
  const landing = resolvePath(config, config.landing ?? './.halo-data/landing');
  const rows: Array<{ s: SourceConfig; j: JudgedSource; refused: SourceRun['refusedWaiting'] }> = [];
  for (const s of sources) {
    rows.push({ s, j: judgeSource(s, await readFreshness(lake, s.name), now), refused: await refusedWaiting(landing, s.name, now) });
  }
  const overdue = rows.flatMap((r) => overdueNames(r.j));
  const exitCode = overdue.length ? 1 : 0;
  const result = { ok: exitCode === 0, exitCode, now: new Date(now).toISOString(), overdue, sources: rows.map(({ s, j, refused }) => asJson(s, j, refused)) };
  writeResult(ctx, 'status', result, () => {
    for (const r of rows) printSource(ctx, r.s, r.j, r.refused);
    if (overdue.length) ctx.stdout.write(`${ctx.color.red(`late past the bound: ${boundedList(overdue, 10)}`)}\n`);
  });
  return exitCode;
}

/**
 * The lake, opened to read only: opening a lake creates nothing (a local lake folder that is
 * not there reads as empty), so no warehouse or lake appears because someone asked.
 */
async function openStatusLake(config: HaloConfig): Promise<Lake> {
  return openLake(config);
}

function entryJson(e: FreshnessEntry | null, l: Lateness) {
  return {
    lastFileAt: e?.lastFileAt ?? null, lastFile: e?.lastFile ?? null, lastLoadAt: e?.lastLoadAt ?? null, lastBatchId: e?.lastBatchId ?? null,
    rows: e?.rows ?? null, state: l.state, ageSeconds: l.ageSeconds, never: l.never,
  };
}

function asJson(s: SourceConfig, j: JudgedSource, refused: SourceRun['refusedWaiting']) {
  return {
    source: s.name, type: s.type,
    expectEvery: j.expect ? formatDuration(j.expect.expectEvery) : null, lateAfter: j.expect ? formatDuration(j.expect.lateAfter) : null,
    since: j.record?.since ?? null, checkedAt: j.record?.checkedAt ?? null,
    ...entryJson(j.record, j.whole),
    late: j.late, overdue: overdueNames(j),
    merchants: j.merchants.map((m) => ({ merchant: m.merchant, ...entryJson(m.entry, m.lateness) })),
    refused,
  };
}

/** An age to the minute, written as the config writes durations (2h55m): set beside a bound like `late past 2h`, "2 h" would hide that it is past. */
const span = (seconds: number) => (seconds < 60 ? `${seconds}s` : formatDuration(Math.floor(seconds / 60) * 60));
const ago = (iso: string | undefined, now: number) => (iso === undefined ? 'never' : `${span(Math.max(0, Math.floor((now - Date.parse(iso)) / 1000)))} ago`);

function stateText(c: CommandContext['color'], l: Lateness, j: JudgedSource): string {
  const howLong = l.ageSeconds === null ? '' : l.never ? ` (nothing in ${span(l.ageSeconds)})` : ` (${span(l.ageSeconds)})`;
  switch (l.state) {
    case 'unwatched': return 'no expectEvery';
    case 'on-time': return c.green('on time');
    case 'late': return c.yellow(`late${howLong}`);
    case 'overdue': return c.red(`LATE past ${formatDuration(j.expect!.lateAfter)}${l.ageSeconds === null ? ' (never run)' : howLong}`);
  }
}

function printSource(ctx: CommandContext, s: SourceConfig, j: JudgedSource, refused: SourceRun['refusedWaiting']): void {
  const c = ctx.color;
  const now = hostNow(ctx.env);
  const w = (t: string) => ctx.stdout.write(t + '\n');
  const expect = j.expect ? `a file expected every ${formatDuration(j.expect.expectEvery)}, late past ${formatDuration(j.expect.lateAfter)}` : 'no expectEvery set';
  w(`${c.bold(s.name)} (${s.type}): ${expect}; ${j.record ? `last run ${ago(j.record.checkedAt, now)}` : 'never run (halo-data run fetches it)'}`);
  const table: string[][] = [['MERCHANT', 'LAST FILE', 'LAST LOAD', 'ROWS', 'STATE']];
  const row = (name: string, e: FreshnessEntry | null, l: Lateness) =>
    table.push([name, ago(e?.lastFileAt, now), ago(e?.lastLoadAt, now), e?.rows === undefined ? '-' : e.rows.toLocaleString('en-US'), stateText(c, l, j)]);
  row('(source)', j.record, j.whole);
  for (const m of j.merchants.slice(0, MERCHANTS_SHOWN)) row(m.merchant, m.entry, m.lateness);
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) w(`  ${r.map((cell, i) => (i === 3 ? cell.padStart(widths[i]) : i === 4 ? cell : cell.padEnd(widths[i]))).join('  ')}`);
  if (j.merchants.length > MERCHANTS_SHOWN) w(`  … and ${j.merchants.length - MERCHANTS_SHOWN} more merchants (status --json lists every one)`);
  printRefusedWaiting(w, c, refused);
}
