/**
 * Projection profiles of a set of points along a slope, for the skew estimate. Points are projected along lines of slope `tan` (y - x·tan) into
 * 1-px bins, each point split linearly between two bins so the score is smooth in the angle.
 */
export class Projection {
  private readonly bins: Float64Array;
  private readonly offset: number;

  /** xs are relative to the page's centre column; ys run 0..height-1; `maxTan` bounds the slopes asked for. */
  constructor(
    private readonly xs: Float32Array,
    private readonly ys: Float32Array,
    height: number,
    halfWidth: number,
    maxTan: number,
  ) {
    this.offset = Math.ceil(halfWidth * maxTan) + 2;
    this.bins = new Float64Array(height + 2 * this.offset + 2);
  }

  get count(): number {
    return this.xs.length;
  }

  /** Sum of the squared bin counts divided by the number of points: how many points, on average, share a point's line (high when points line up along this slope). */
  peakedness(tan: number): number {
    const { xs, ys, bins, offset } = this;
    if (xs.length === 0) return 0;
    bins.fill(0);
    for (let i = 0; i < xs.length; i++) {
      const t = ys[i] - xs[i] * tan + offset;
      const b = Math.floor(t);
      const f = t - b;
      bins[b] += 1 - f;
      bins[b + 1] += f;
    }
    let sum = 0;
    for (let b = 0; b < bins.length; b++) sum += bins[b] * bins[b];
    return sum / xs.length;
  }

  /** The best peakedness over angles from -maxDegrees to maxDegrees by `step`, and its angle. */
  search(maxDegrees: number, step: number): { degrees: number; score: number } {
    let degrees = 0;
    let score = -1;
    const n = Math.round(maxDegrees / step);
    for (let k = -n; k <= n; k++) {
      const a = k * step;
      const s = this.peakedness(Math.tan((a * Math.PI) / 180));
      if (s > score) {
        score = s;
        degrees = a;
      }
    }
    return { degrees, score };
  }
}
