import type { SourceConfig } from '../config/types.js';

/**
 * How late a source or merchant is: pure arithmetic on times, so the rule is written (and
 * tested) once for `run`, `status` and the metrics.
 *
 *   on-time    a file came within expectEvery
 *   late       none for longer than expectEvery (reported; exit 0)
 *   overdue    none for longer than lateAfter (default 2 × expectEvery): `run` and `status` exit 1
 *   unwatched  the source has no expectEvery: freshness is shown, never judged
 *
 * Something that never sent a file is measured from when halo-data first watched it (the
 * first run that looked at the source); with no record of any run at all it is overdue, so a
 * source nobody ever fetched is never silent.
 */
export type FreshState = 'on-time' | 'late' | 'overdue' | 'unwatched';

export interface Expectation { expectEvery: number; lateAfter: number }

/** The source's expectation in seconds, or null when it sets no expectEvery. */
export function expectationOf(s: SourceConfig): Expectation | null {
  if (s.expectEvery === undefined) return null;
  return { expectEvery: s.expectEvery, lateAfter: s.lateAfter ?? 2 * s.expectEvery };
}

export interface Lateness {
  state: FreshState;
  /** Seconds since the last file (or, never sent, since first watched); null when nothing is known. */
  ageSeconds: number | null;
  /** Nothing ever received. */
  never: boolean;
}

/** Times in Unix milliseconds. */
export function lateness(lastFileAt: number | null, watchedSince: number | null, now: number, exp: Expectation | null): Lateness {
  const ref = lastFileAt ?? watchedSince;
  const ageSeconds = ref === null ? null : Math.max(0, Math.floor((now - ref) / 1000));
  const never = lastFileAt === null;
  if (!exp) return { state: 'unwatched', ageSeconds, never };
  if (ageSeconds === null) return { state: 'overdue', ageSeconds, never };
  const state = ageSeconds > exp.lateAfter ? 'overdue' : ageSeconds > exp.expectEvery ? 'late' : 'on-time';
  return { state, ageSeconds, never };
}

export const RANK: Record<FreshState, number> = { unwatched: 0, 'on-time': 0, late: 1, overdue: 2 };
