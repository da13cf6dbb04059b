/**
 * Durations as people write them in the config (`expectEvery: 15m`, `lateAfter: 2h`): one or
 * more whole numbers each followed by a unit — s, m, h, d, w — as in `1h30m`. Kept to whole
 * seconds: lateness is judged on minutes and hours, and a unit-less number would be ambiguous.
 */
const UNIT_SECONDS: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };
const WHOLE = /^(?:\d+[wdhms])+$/;
const PART = /(\d+)([wdhms])/g;

/** Seconds, or null when the text is not a duration (or is zero: nothing is expected every 0 s). */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (!WHOLE.test(t)) return null;
  let seconds = 0;
  for (const [, n, unit] of t.matchAll(PART)) seconds += Number(n) * UNIT_SECONDS[unit];
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : null;
}

/** The shortest way to write whole seconds as a duration parseDuration reads back: 5400 → 1h30m. */
export function formatDuration(seconds: number): string {
  let left = Math.max(0, Math.round(seconds));
  if (left === 0) return '0s';
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's']) {
    const k = Math.floor(left / UNIT_SECONDS[unit]);
    if (k) { out += `${k}${unit}`; left -= k * UNIT_SECONDS[unit]; }
  }
  return out;
}
