import { formatBytes } from './size.js';

/**
 * What a long step has done so far, and how its progress is said: a terminal line with
 * counts, rate and an estimate, or the fields of a JSON `progress` log line. Counts and
 * names only (files, batch ids, sources): nothing here ever holds a row's value.
 */
export interface ProgressCounts {
  files?: number; filesTotal?: number;
  rows?: number; rowsTotal?: number;
  bytes?: number; bytesTotal?: number;
}

export interface ProgressState {
  /** The step's name in JSON lines: fetch, validate, stage, upload, open, copy, merge, load. */
  step: string;
  /** What a terminal shows before the counts ("merchants: staging fetch 01J…"). */
  text: string;
  /** When the step began (ms since the epoch): its rate and estimate count from here. */
  startedAt: number;
  counts: ProgressCounts;
  /** Facts that name the work (source, batch): strings the JSON line carries as they are. */
  facts?: Record<string, string>;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** Seconds as a person reads an estimate: 8 s, 2 min 5 s, 1 h 4 min. */
export function formatSeconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  if (t < 60) return `${t} s`;
  if (t < 3600) return `${Math.floor(t / 60)} min${t % 60 ? ` ${t % 60} s` : ''}`;
  return `${Math.floor(t / 3600)} h${Math.floor((t % 3600) / 60) ? ` ${Math.floor((t % 3600) / 60)} min` : ''}`;
}

interface Measures { elapsed: number; rowsPerSecond?: number; bytesPerSecond?: number; eta?: number }

/**
 * Rates from the counts over the step's time; the estimate from the first measure that has a
 * total (rows, then bytes, then files), at the rate it has gone so far.
 */
function measures(s: ProgressState, now: number): Measures {
  const elapsed = Math.max(0, (now - s.startedAt) / 1000);
  const c = s.counts;
  const m: Measures = { elapsed };
  if (elapsed >= 0.5) {
    if (c.rows !== undefined && c.rows > 0) m.rowsPerSecond = c.rows / elapsed;
    if (c.bytes !== undefined && c.bytes > 0) m.bytesPerSecond = c.bytes / elapsed;
    for (const [done, total] of [[c.rows, c.rowsTotal], [c.bytes, c.bytesTotal], [c.files, c.filesTotal]] as const) {
      if (done === undefined || total === undefined) continue;
      if (done > 0 && total >= done) m.eta = (total - done) * (elapsed / done);
      break;
    }
  }
  return m;
}

/** The JSON progress line's fields (after time, level and msg). */
export function progressFields(s: ProgressState, now: number): Record<string, string | number> {
  const m = measures(s, now);
  const out: Record<string, string | number> = { step: s.step, ...s.facts };
  for (const [k, v] of Object.entries(s.counts)) if (v !== undefined) out[k] = v;
  if (m.rowsPerSecond !== undefined) out.rowsPerSecond = Math.round(m.rowsPerSecond);
  if (m.bytesPerSecond !== undefined) out.bytesPerSecond = Math.round(m.bytesPerSecond);
  if (m.eta !== undefined) out.etaSeconds = Math.round(m.eta);
  out.elapsedSeconds = Number(m.elapsed.toFixed(1));
  return out;
}

/** One terminal line: `staging: 3/10 files, 120,000 rows, 12 MB/50 MB · 45,000 rows/s · ~8 s left · 3 s`. */
export function progressText(s: ProgressState, now: number): string {
  const c = s.counts;
  const m = measures(s, now);
  const parts: string[] = [];
  const of = (done: number, total: number | undefined, fmt: (x: number) => string) => total === undefined ? fmt(done) : `${fmt(done)}/${fmt(total)}`;
  if (c.files !== undefined) parts.push(`${of(c.files, c.filesTotal, n)} file${(c.filesTotal ?? c.files) === 1 ? '' : 's'}`);
  if (c.rows !== undefined) parts.push(`${of(c.rows, c.rowsTotal, n)} rows`);
  if (c.bytes !== undefined) parts.push(of(c.bytes, c.bytesTotal, formatBytes));
  const pace: string[] = [];
  if (m.rowsPerSecond !== undefined) pace.push(`${n(m.rowsPerSecond)} rows/s`);
  else if (m.bytesPerSecond !== undefined) pace.push(`${formatBytes(m.bytesPerSecond)}/s`);
  if (m.eta !== undefined) pace.push(`~${formatSeconds(m.eta)} left`);
  pace.push(formatSeconds(m.elapsed));
  return `${s.text}${parts.length ? `: ${parts.join(', ')}` : ''} · ${pace.join(' · ')}`;
}
