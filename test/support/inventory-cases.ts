/**
 * A fixed handful of inventory load scenarios (issue 17 item 3) that every engine must get
 * right, each with the batches (as the reference model takes them) and the order they are
 * loaded in. Each scenario has pharmacies of its own, so they can run one after another in
 * one warehouse (and a later scenario's batches make an earlier one's late: ids are global).
 */
import type { ModelBatch, ModelFile, ModelRow, InventoryMode } from './inventory-model.js';
import { batchIdAt, type LoadOp } from './inventory-scenarios.js';

export interface InventoryCase { name: string; batches: ModelBatch[]; ops: LoadOp[] }

const HOUR = 3_600_000;

/** A scenario's clock: batch k at hour k of its own day; `at(k, m)` minute m of that hour. */
function clock(n: number) {
  const base = Date.UTC(2026, 9, 1 + n);
  const time = (k: number, m = 50) => new Date(base + k * HOUR + m * 60_000).toISOString();
  const batch = (k: number, mode: InventoryMode, files: ModelFile[]): ModelBatch => ({ batchId: batchIdAt(time(k)), mode, time: time(k), files });
  return { time, batch };
}

const r = (merchant: string, sku: string, price: string, stock: number, updatedAt: string | null = null, expiry: string | null = null): ModelRow =>
  ({ merchant, sku, price, stock, expiry, updatedAt });
const file = (name: string, ...rows: ModelRow[]): ModelFile => ({ name, rows });
const ops = (...xs: Array<number | [number, LoadOp['kind']]>): LoadOp[] => xs.map((x) => (typeof x === 'number' ? { batch: x, kind: 'load' } : { batch: x[0], kind: x[1] }));

export function inventoryCases(): InventoryCase[] {
  const cases: InventoryCase[] = [];
  {
    const { batch, time } = clock(0);
    const [a, b] = ['A1-APT-1', 'A1-APT-2'];
    cases.push({
      name: 'a price going A→B→A, the B batch arriving last',
      batches: [
        batch(0, 'full', [file('a.csv', r(a, 'X', '1000', 3), r(a, 'Y', '2500', 1, time(0, 10), '2027-01-31'), r(b, 'X', '1000', 3))]),
        batch(1, 'full', [file('a.csv', r(a, 'X', '2500', 3), r(a, 'Y', '2500', 1, time(1, 10), '2027-01-31'))]),
        batch(2, 'full', [file('a.csv', r(a, 'X', '1000', 3), r(a, 'Y', '2500', 1, time(2, 10), '2027-01-31'), r(b, 'X', '1000', 3))]),
      ],
      ops: ops(0, 2, 1),
    });
  }
  {
    const { batch, time } = clock(1);
    const a = 'B1-APT-1';
    cases.push({
      name: 'a delisting then a relisting, both arriving late',
      batches: [
        batch(0, 'full', [file('a.csv', r(a, 'X', '1000', 3, time(0, 5), '2027-06-30'), r(a, 'Y', '4500', 10, time(0, 6)))]),
        batch(1, 'full', [file('a.csv', r(a, 'Y', '4500', 10, time(1, 6)))]),
        batch(2, 'full', [file('a.csv', r(a, 'X', '1000', 3, time(2, 5), '2027-06-30'), r(a, 'Y', '4500', 10, time(2, 6)))]),
        batch(3, 'full', [file('a.csv', r(a, 'X', '1000', 3, time(3, 5), '2027-06-30'), r(a, 'Y', '2500', 10, time(3, 6)))]),
      ],
      ops: ops(0, 3, 2, 1),
    });
  }
  {
    const { batch } = clock(2);
    const a = 'C1-APT-1';
    cases.push({
      name: 'a batch that failed, loaded after the next one',
      batches: [
        batch(0, 'full', [file('a.csv', r(a, 'X', '1000', 3), r(a, 'Y', '1000', 0))]),
        batch(1, 'full', [file('a.csv', r(a, 'X', '2500', 3), r(a, 'Y', '1000', 5))]),
        batch(2, 'full', [file('a.csv', r(a, 'X', '2500', 0))]),
      ],
      ops: ops(0, [1, 'fail'], 2, 1, [2, 'fail']),
    });
  }
  {
    const { batch } = clock(3);
    const [a, b] = ['D1-APT-1', 'D1-APT-2'];
    cases.push({
      name: 'replays: every batch loaded again, forced, in another order, one through --no-merge and merge',
      batches: [
        batch(0, 'full', [file('a.csv', r(a, 'X', '1000', 3), r(b, 'X', '4500', 1))]),
        batch(1, 'full', [file('a.csv', r(a, 'X', '2500', 3), r(a, 'Y', '1000', 1))]),
        batch(2, 'delta', [file('a.csv', r(b, 'X', '4500', 2))]),
      ],
      ops: ops(0, 1, 2, [1, 'force'], [0, 'force'], 2, [2, 'force'], [1, 'staged']),
    });
  }
  {
    const { batch, time } = clock(4);
    const a = 'E1-APT-1';
    cases.push({
      name: 'two files of one pharmacy in one batch (the later file wins a SKU), then a delta arriving first',
      batches: [
        batch(0, 'full', [
          file('E1-APT-1-b.csv', r(a, 'X', '4500', 3, time(0, 5)), r(a, 'Z', '1000', 1, time(0, 7))),
          file('E1-APT-1-a.csv', r(a, 'X', '1000', 3, time(0, 30)), r(a, 'Y', '2500', 2, time(0, 6))),
        ]),
        batch(1, 'delta', [file('a.csv', r(a, 'Y', '1000', 2, time(1, 10)))]),
        batch(2, 'full', [file('E1-APT-1-a.csv', r(a, 'X', '4500', 3)), file('E1-APT-1-b.csv', r(a, 'Y', '1000', 2))]),
      ],
      ops: ops(1, 0, 2, [0, 'force']),
    });
  }
  {
    const { batch } = clock(5);
    const a = 'F1-APT-1';
    cases.push({
      name: 'delta after full: absent products kept, a later full delists, a delta relists',
      batches: [
        batch(0, 'full', [file('a.csv', r(a, 'X', '1000', 3), r(a, 'Y', '2500', 3), r(a, 'Z', '4500', 3))]),
        batch(1, 'delta', [file('a.csv', r(a, 'X', '1000', 2))]),
        batch(2, 'full', [file('a.csv', r(a, 'X', '1000', 2))]),
        batch(3, 'delta', [file('a.csv', r(a, 'Y', '2500', 3))]),
        batch(4, 'delta', [file('a.csv', r(a, 'W', '1000', 1))]),
      ],
      ops: ops(4, 1, 3, 0, 2),
    });
  }
  {
    const { batch } = clock(6);
    const a = 'G1-APT-1';
    cases.push({
      name: 'a late batch moves a change earlier (its values are those a later batch repeated)',
      batches: [
        batch(0, 'full', [file('a.csv', r(a, 'X', '1000', 3))]),
        batch(1, 'full', [file('a.csv', r(a, 'X', '2500', 3))]),
        batch(2, 'full', [file('a.csv', r(a, 'X', '2500', 3))]),
      ],
      ops: ops(0, 2, 1),
    });
  }
  {
    const { batch } = clock(7);
    const a = 'H1-APT-1';
    cases.push({
      name: 'a late batch brings a product that a later full catalogue, loaded before it, lacked (delisted there)',
      batches: [
        batch(0, 'full', [file('a.csv', r(a, 'X', '1000', 3), r(a, 'Y', '2500', 1))]),
        batch(1, 'full', [file('a.csv', r(a, 'X', '1000', 3))]),
        batch(2, 'delta', [file('a.csv', r(a, 'Z', '4500', 1))]),
      ],
      ops: ops(1, 2, 0),
    });
  }
  {
    const { batch } = clock(8);
    const a = 'I1-APT-1';
    cases.push({
      name: 'a late delta between a full catalogue and the full one that delists: the delisted version keeps the late price',
      batches: [
        batch(0, 'full', [file('a.csv', r(a, 'X', '1000', 3), r(a, 'Y', '1000', 1))]),
        batch(1, 'delta', [file('a.csv', r(a, 'Y', '2500', 1, null, '2027-06-30'))]),
        batch(2, 'full', [file('a.csv', r(a, 'X', '1000', 3))]),
      ],
      ops: ops(0, 2, 1),
    });
  }
  return cases;
}
