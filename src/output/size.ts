/**
 * Sizes as people read them, the one way every output prints a size: `0 B`, `812 B`,
 * `2.1 KB`, `64 KB`, `1.3 MB`, `32 MB`, `4.2 GB`. Units are powers of 1024 (as `ls -h` and
 * the tool's limits count them); one decimal below 10 of a unit, none above, and never
 * `1024 KB` (that is `1 MB`). A few KB was printed as `0.0 MB` before: no size rounds to zero
 * unless it is zero.
 */
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return `${bytes} B`;
  let unit = 0;
  let v = bytes;
  while (v >= 1024 && unit < UNITS.length - 1) { v /= 1024; unit++; }
  if (unit === 0) return `${Math.round(v)} B`;
  let text = v < 10 ? v.toFixed(1) : String(Math.round(v));
  // 1023.6 KB rounds to 1024: say 1 MB instead.
  if (Number(text) >= 1024 && unit < UNITS.length - 1) { unit++; text = '1.0'; }
  return `${text.replace(/\.0$/, '')} ${UNITS[unit]}`;
}
