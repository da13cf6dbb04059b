/**
 * The reference model of issue 17's inventory facts: what fact_inventory_current,
 * fact_inventory_history and etl_batch_merchant must hold after a set of inventory batches,
 * in natural keys (merchant_id, merchant_sku), computed by replaying the batches in batch-id
 * order (the source's sequence) with the rules README ("Inventory: current state and change-only history") and
 * ARCHITECTURE.md ("Inventory state") give:
 *
 * - a batch covers the merchants that have rows in it; for each, its observed time is the
 *   latest updated_at of the merchant's rows in the batch, else the batch's time;
 * - two files of one merchant in one batch are one catalogue: their union, the later file
 *   (by file name) winning for a SKU;
 * - full: the merchant's whole catalogue. A product listed in the version in force and absent
 *   now gets a `delisted` version (stock 0, not listed, price and expiry kept); absent and
 *   already delisted, or never seen: nothing. delta: only the products listed change;
 * - a version opens only when price, stock, expiry or the listed state differ from the
 *   version in force (two not-listed states are equal whatever their price) — except that a
 *   delta batch's row opens one even when it restates the version in force (the warehouse's
 *   rule, src/warehouse/sql/inventory-state.ts: `deltaOpens: 'always'`, the default; the
 *   issue's brief said 'changes'); its kind is `new` (no version before), `changed`,
 *   `delisted` or `relisted` (from not listed);
 * - valid_from = the merchant's observed time in the batch that opened the version,
 *   valid_to = the next version's valid_from; the current row is the last version.
 *
 * Pure: no database, no I/O. Values in the forms the tests compare (see normalise below):
 * prices as decimal text with two places, dates 'YYYY-MM-DD', times ISO 8601 UTC with ms.
 */

export type InventoryMode = 'full' | 'delta';

/** One product row as a file gives it. */
export interface Observation {
  price: string;
  stock: number;
  expiry: string | null;
  updatedAt: string | null;
}

export interface ModelRow extends Observation { merchant: string; sku: string }

/** One file of a batch: its name (files of a batch are applied in name order) and its rows. */
export interface ModelFile { name: string; rows: ModelRow[] }

export interface ModelBatch {
  batchId: string;
  mode: InventoryMode;
  /** The batch's time (its manifest's createdAt), ISO. */
  time: string;
  files: ModelFile[];
}

export type ChangeKind = 'new' | 'changed' | 'delisted' | 'relisted';

export interface HistoryRow {
  merchant: string; sku: string; batchId: string; changeKind: ChangeKind;
  price: string; stock: number; expiry: string | null; isListed: boolean;
  validFrom: string; validTo: string | null; isCurrent: boolean;
}

export interface CurrentRow {
  merchant: string; sku: string; price: string; stock: number; expiry: string | null;
  isListed: boolean; observedAt: string; batchId: string;
}

export interface BatchMerchantRow { batchId: string; merchant: string; mode: InventoryMode; observedAt: string; products: number }

export interface ModelResult { current: CurrentRow[]; history: HistoryRow[]; batchMerchants: BatchMerchantRow[] }

export interface ModelRules {
  /**
   * Whether a delta batch's row opens a version when it equals the version in force:
   * 'always' (the warehouse's rule: a delta row is a change by definition, and recording it
   * lets a late older batch see that this one restated the value) or 'changes' (only when
   * something differs, as for full batches). Default 'always'.
   */
  deltaOpens?: 'always' | 'changes';
  /**
   * Whose updated_at makes a merchant's observed time when two files carry the same SKU:
   * 'applied' (only the rows that won, after the later file replaced the earlier one's) or
   * 'all' (every row of the merchant in the batch). Default 'applied'.
   */
  observedFrom?: 'applied' | 'all';
}

/** A decimal as the warehouse's DECIMAL(14,2) prints it: '4500.00'. */
export function money(v: string | number): string {
  return Number(v).toFixed(2);
}

/** A time as ISO 8601 UTC with milliseconds (what Date.toISOString gives). */
export function isoTime(v: string | Date): string {
  return (v instanceof Date ? v : new Date(v)).toISOString();
}

interface State { price: string; stock: number; expiry: string | null; isListed: boolean }

const sameState = (a: State, b: State) =>
  a.isListed === b.isListed && (!a.isListed || (money(a.price) === money(b.price) && a.stock === b.stock && a.expiry === b.expiry));

const maxTime = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : (isoTime(a) > isoTime(b) ? a : b));

/** A merchant's catalogue in one batch: the union of its files, the later file (by name) winning per SKU; and its observed time. */
export function merchantsOf(b: ModelBatch, rules: ModelRules = {}): Map<string, { rows: Map<string, Observation>; observedAt: string }> {
  const out = new Map<string, { rows: Map<string, Observation>; latestAny: string | null }>();
  const files = [...b.files].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const f of files) {
    for (const r of f.rows) {
      let m = out.get(r.merchant);
      if (!m) out.set(r.merchant, m = { rows: new Map(), latestAny: null });
      m.rows.set(r.sku, { price: r.price, stock: r.stock, expiry: r.expiry, updatedAt: r.updatedAt });
      m.latestAny = maxTime(m.latestAny, r.updatedAt);
    }
  }
  const result = new Map<string, { rows: Map<string, Observation>; observedAt: string }>();
  for (const [merchant, m] of out) {
    const latest = rules.observedFrom === 'all' ? m.latestAny : [...m.rows.values()].reduce<string | null>((t, o) => maxTime(t, o.updatedAt), null);
    result.set(merchant, { rows: m.rows, observedAt: isoTime(latest ?? b.time) });
  }
  return result;
}

/** The expected facts after loading `batches` (in any order: they are replayed in batch-id order). */
export function inventoryModel(batches: readonly ModelBatch[], rules: ModelRules = {}): ModelResult {
  const ordered = [...new Map(batches.map((b) => [b.batchId, b])).values()].sort((a, b) => (a.batchId < b.batchId ? -1 : 1));
  const versions = new Map<string, HistoryRow[]>();
  const batchMerchants: BatchMerchantRow[] = [];
  const key = (merchant: string, sku: string) => `${merchant}\u0000${sku}`;
  const open = (merchant: string, sku: string, batchId: string, at: string, next: State, always = false) => {
    const list = versions.get(key(merchant, sku)) ?? [];
    const prev = list.at(-1);
    if (prev && !always && sameState(prev, next)) return;
    const changeKind: ChangeKind = !prev ? 'new' : !next.isListed ? 'delisted' : !prev.isListed ? 'relisted' : 'changed';
    if (prev) { prev.validTo = at; prev.isCurrent = false; }
    list.push({ merchant, sku, batchId, changeKind, ...next, validFrom: at, validTo: null, isCurrent: true });
    versions.set(key(merchant, sku), list);
  };
  for (const b of ordered) {
    for (const [merchant, m] of merchantsOf(b, rules)) {
      batchMerchants.push({ batchId: b.batchId, merchant, mode: b.mode, observedAt: m.observedAt, products: m.rows.size });
      const always = b.mode === 'delta' && (rules.deltaOpens ?? 'always') === 'always';
      for (const [sku, o] of m.rows) open(merchant, sku, b.batchId, m.observedAt, { price: money(o.price), stock: o.stock, expiry: o.expiry, isListed: true }, always);
      if (b.mode !== 'full') continue;
      for (const list of versions.values()) {
        const last = list.at(-1)!;
        if (last.merchant !== merchant || m.rows.has(last.sku) || !last.isListed) continue;
        open(merchant, last.sku, b.batchId, m.observedAt, { price: last.price, stock: 0, expiry: last.expiry, isListed: false });
      }
    }
  }
  const history = [...versions.values()].flat().sort(byNaturalKey);
  const current = [...versions.values()].map((list) => {
    const v = list.at(-1)!;
    return { merchant: v.merchant, sku: v.sku, price: v.price, stock: v.stock, expiry: v.expiry, isListed: v.isListed, observedAt: v.validFrom, batchId: v.batchId };
  }).sort(byNaturalKey);
  return { current, history, batchMerchants: batchMerchants.sort(byNaturalKey) };
}

/** Rows in one order: merchant, SKU, then batch. */
export function byNaturalKey(a: { merchant: string; sku?: string; batchId?: string }, b: { merchant: string; sku?: string; batchId?: string }): number {
  const ka = [a.merchant, a.sku ?? '', a.batchId ?? ''];
  const kb = [b.merchant, b.sku ?? '', b.batchId ?? ''];
  for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}
