/**
 * Lets files of one run share a key index in file order while still being read
 * concurrently: file i may add keys only once every file before it has finished (or said
 * it has no shared keys). Duplicate claim ids are then reported on the later file, every time.
 */
export class Turnstile {
  private readonly released: Array<() => void> = [];
  private readonly chain: Array<Promise<void>> = [];

  constructor(count: number) {
    let previous: Promise<void> = Promise.resolve();
    for (let i = 0; i < count; i++) {
      let release!: () => void;
      const mine = new Promise<void>((r) => { release = r; });
      const upTo = previous.then(() => mine);
      this.released.push(release);
      this.chain.push(upTo);
      previous = upTo;
    }
  }

  /** Resolves when every file before `i` has released. */
  turn(i: number): Promise<void> {
    return i === 0 ? Promise.resolve() : this.chain[i - 1];
  }

  release(i: number): void {
    this.released[i]?.();
  }
}
