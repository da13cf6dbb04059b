import { decodeTime } from 'ulid';
import type { SourceConfig } from '../config/types.js';
import type { Lake } from '../lake/lake.js';
import type { Manifest } from '../batch/manifest.js';
import type { LandedFetch } from '../pipeline/landed.js';
import { formatDuration } from '../util/duration.js';
import type { FreshState } from './lateness.js';
import { judgeSource, overdueNames } from './judge.js';
import { merchantOf, newRecord, noteLoaded, noteReceived, readFreshness, writeFreshness } from './record.js';

/** How many late names a run's result carries (the count is whole; `status` lists them all). */
export const LATE_SHOWN = 10;

/** A source's freshness as `run` reports it (text, --json, metrics). */
export interface SourceFreshness {
  expectEvery: string | null;
  lateAfter: string | null;
  state: FreshState;
  lastFileAt: string | null;
  lastLoadAt: string | null;
  /** Seconds since the last file (since first watched, when none ever came). */
  ageSeconds: number | null;
  merchants: number;
  /** Merchants with no file for longer than expectEvery. */
  late: number;
  /** The source (nothing at all) and merchants with no file for longer than lateAfter: the run exits 1. */
  overdue: { count: number; names: string[] };
}

/**
 * The end of a source's run: the files its landed fetches received (retries excepted: those
 * files came earlier) and the batches it loaded go into the source's freshness record in the
 * lake, which is then judged at `now`. The fetch's time is the file's: a fetch a crash left
 * for a later run still counts from when it came.
 */
export async function updateFreshness(
  s: SourceConfig, deps: { lake: () => Promise<Lake>; now: number }, landed: LandedFetch[], loaded: Manifest[],
): Promise<SourceFreshness> {
  const lake = await deps.lake();
  const now = new Date(deps.now);
  const rec = await readFreshness(lake, s.name) ?? newRecord(s.name, now);
  for (const f of landed) {
    if (f.record.retry) continue;
    const at = new Date(decodeTime(f.fetchId));
    for (const file of f.record.files) noteReceived(rec, merchantOf(s, file.path), file.path, at);
  }
  for (const m of loaded) noteLoaded(rec, s, m, now);
  rec.checkedAt = now.toISOString();
  await writeFreshness(lake, rec);
  const j = judgeSource(s, rec, deps.now);
  const names = overdueNames(j);
  return {
    expectEvery: j.expect ? formatDuration(j.expect.expectEvery) : null,
    lateAfter: j.expect ? formatDuration(j.expect.lateAfter) : null,
    state: j.whole.state, lastFileAt: rec.lastFileAt ?? null, lastLoadAt: rec.lastLoadAt ?? null, ageSeconds: j.whole.ageSeconds,
    merchants: j.merchants.length, late: j.late,
    overdue: { count: names.length, names: names.slice(0, LATE_SHOWN) },
  };
}
