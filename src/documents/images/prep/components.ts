/**
 * Connected components (8-connected) of an ink mask, as bounding boxes with their pixel
 * counts. Run-based: each row's ink runs are joined to the overlapping runs of the row
 * above (union-find), so the cost follows the number of runs, not of pixels.
 */
export interface Component {
  left: number;
  top: number;
  /** Exclusive. */
  right: number;
  bottom: number;
  pixels: number;
}

export function components(ink: Uint8Array, width: number, height: number): Component[] {
  const runStart: number[] = [];
  const runEnd: number[] = [];
  const runRow: number[] = [];
  const parent: number[] = [];
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  let previousFirst = 0;
  let previousEnd = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const first = runStart.length;
    let p = previousFirst;
    let x = 0;
    while (x < width) {
      if (ink[row + x] === 0) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && ink[row + x] === 1) x++;
      const id = runStart.length;
      runStart.push(start);
      runEnd.push(x);
      runRow.push(y);
      parent.push(id);
      // Runs of the row above touching [start-1, x] (8-connectivity) join this one.
      while (p < previousEnd && runEnd[p] < start) p++;
      for (let q = p; q < previousEnd && runStart[q] <= x; q++) {
        const a = find(q);
        const b = find(id);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
    previousFirst = first;
    previousEnd = runStart.length;
  }
  const index = new Map<number, Component>();
  for (let i = 0; i < runStart.length; i++) {
    const root = find(i);
    let c = index.get(root);
    if (!c) {
      c = { left: runStart[i], top: runRow[i], right: runEnd[i], bottom: runRow[i] + 1, pixels: 0 };
      index.set(root, c);
    }
    if (runStart[i] < c.left) c.left = runStart[i];
    if (runEnd[i] > c.right) c.right = runEnd[i];
    if (runRow[i] + 1 > c.bottom) c.bottom = runRow[i] + 1;
    c.pixels += runEnd[i] - runStart[i];
  }
  return [...index.values()];
}
