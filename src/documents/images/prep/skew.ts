import type { GrayImage } from '../image.js';
import { baselinePoints, inkCopy } from './working.js';

export { rotate } from './rotate.js';

/** Skews searched, in degrees either way: a scan or a photo straightened by hand is within this. */
export const MAX_SKEW = 6;
/** The estimate's resolution. */
const FINE_STEP = 0.05;
const COARSE_STEP = 0.25;
/** Working resolution: text lines are ~6-10 px high here, and 0.1° moves the end of a line by ~0.7 px. */
const WORKING_DPI = 100;
/** Fewer baseline pixels than this and there is nothing to straighten by (blank or near-blank page). */
const MIN_POINTS = 200;

/**
 * The skew of the page's text, in degrees, positive = the content is turned clockwise (as
 * seen, y pointing down), in [-MAX_SKEW, MAX_SKEW], 0.1° resolution; 0 for a blank page.
 * Straighten with `rotate(image, -estimateSkew(image))`.
 *
 * Projection profiles: for each candidate angle the page's ink is projected along lines of
 * that slope, and the angle whose profile is the most peaked (largest sum of squares) is the
 * one the text lines run at. Only the bottom edges of ink (an ink pixel with paper below) are
 * projected: baselines give sharp peaks, and a fat bold title counts no more than its outline.
 * Long ruling lines weigh heavily, and rightly: they are printed square with the text, and
 * they fix the angle more precisely than a short line of words does. Coarse search every
 * 0.25°, then every 0.05° around the best, then a parabola through the peak.
 */
export function estimateSkew(image: GrayImage): number {
  const points = baselinePoints(inkCopy(image, WORKING_DPI), Math.tan((MAX_SKEW * Math.PI) / 180));
  if (points.count < MIN_POINTS) return 0;
  const coarse = points.search(MAX_SKEW, COARSE_STEP);
  const fine: Array<[number, number]> = [];
  const n = Math.round(COARSE_STEP / FINE_STEP);
  for (let k = -n; k <= n; k++) {
    const a = coarse.degrees + k * FINE_STEP;
    if (Math.abs(a) <= MAX_SKEW + 1e-9) fine.push([a, points.peakedness(Math.tan((a * Math.PI) / 180))]);
  }
  let i = 0;
  for (let k = 1; k < fine.length; k++) if (fine[k][1] > fine[i][1]) i = k;
  let estimate = fine[i][0];
  if (i > 0 && i < fine.length - 1) {
    // The vertex of the parabola through the peak and its two neighbours.
    const [l, m, r] = [fine[i - 1][1], fine[i][1], fine[i + 1][1]];
    const denominator = l - 2 * m + r;
    if (denominator < 0) estimate += (FINE_STEP * (l - r)) / (2 * denominator);
  }
  const rounded = Math.round(estimate * 10) / 10;
  return Math.max(-MAX_SKEW, Math.min(MAX_SKEW, rounded)) || 0;
}
