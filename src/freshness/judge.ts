import type { SourceConfig } from '../config/types.js';
import { expectationOf, lateness, RANK, type Expectation, type Lateness } from './lateness.js';
import type { FreshnessEntry, FreshnessRecord } from './record.js';

/** One source's freshness, judged at `now`: the source as a whole, then each merchant, most late first. */
export interface JudgedSource {
  source: string;
  expect: Expectation | null;
  record: FreshnessRecord | null;
  whole: Lateness;
  merchants: Array<{ merchant: string; entry: FreshnessEntry; lateness: Lateness }>;
  /** Merchants late (past expectEvery) and overdue (past lateAfter). */
  late: number;
  overdue: number;
}

const at = (iso: string | undefined) => (iso === undefined ? null : Date.parse(iso));

export function judgeSource(s: SourceConfig, record: FreshnessRecord | null, now: number): JudgedSource {
  const expect = expectationOf(s);
  const since = at(record?.since);
  const whole = lateness(at(record?.lastFileAt), since, now, expect);
  const merchants = Object.entries(record?.merchants ?? {})
    // A merchant is watched from its first file: it has one by being listed here.
    .map(([merchant, entry]) => ({ merchant, entry, lateness: lateness(at(entry.lastFileAt), since, now, expect) }))
    .sort((a, b) => RANK[b.lateness.state] - RANK[a.lateness.state] || (b.lateness.ageSeconds ?? 0) - (a.lateness.ageSeconds ?? 0) || (a.merchant < b.merchant ? -1 : 1));
  return {
    source: s.name, expect, record, whole, merchants,
    late: merchants.filter((m) => m.lateness.state === 'late' || m.lateness.state === 'overdue').length,
    overdue: merchants.filter((m) => m.lateness.state === 'overdue').length,
  };
}

/** What is late past its bound, for one line: the source itself (never sent, or nothing at all lately), then its merchants. */
export function overdueNames(j: JudgedSource): string[] {
  const out: string[] = [];
  if (j.whole.state === 'overdue') out.push(j.source);
  for (const m of j.merchants) if (m.lateness.state === 'overdue') out.push(`${j.source}/${m.merchant}`);
  return out;
}

/** A list cut at `max` names, with "and N more". */
export function boundedList(names: string[], max: number): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
