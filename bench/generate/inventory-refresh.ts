/**
 * The refresh benchmark's second catalogue: the base inventory (inventory-model.ts) fifteen
 * minutes later, in which a small share of each merchant's rows changed price or stock, some
 * are gone (delisted: absent from the full-catalogue file) and a few are new.
 *
 * The fate of each row is drawn from its merchant's own "refresh" stream, apart from the base
 * stream, so the base rows come out exactly as in the base file and an unchanged row is the
 * same CSV line in both files. Every change is a real one (a price or a stock that differs
 * after normalisation), so the warehouse must write exactly `changed + delisted + added`
 * history rows: the counts are returned by `refreshCounts` for the benchmark to compare.
 */
import { Prng } from './prng.js';
import { cachedPath, ensureCached, type GeneratedFile } from './cache.js';
import { merchantPlans, rowAt, roundPrice, EXPORT_MINUTE, MAX_ROWS_PER_MERCHANT, type InventoryRow, type MerchantPlan } from './inventory-model.js';
import { writeRowsCsv } from './inventory-csv.js';

/** Bump when the refresh's content changes: it is part of the cache key. */
const REFRESH_VERSION = 1;

/** Shares of the base rows: changed price or stock, delisted; new rows as a share of the base. */
export interface RefreshMix { changed: number; delisted: number; added: number }

/** The mix: 2 % changed, 0.5 % delisted, 0.5 % new. */
export const DEFAULT_MIX: RefreshMix = { changed: 0.02, delisted: 0.005, added: 0.005 };

export interface RefreshCounts {
  /** Rows in the refreshed file. */
  rows: number;
  unchanged: number;
  /** Rows whose price or stock changed (`changedPrice + changedStock`). */
  changed: number;
  changedPrice: number;
  changedStock: number;
  /** Base rows absent from the refreshed file. */
  delisted: number;
  /** Rows not in the base file (a SKU and product the merchant did not list). */
  added: number;
}

/** The refresh was exported fifteen minutes after the base. */
const REFRESH_MINUTE = EXPORT_MINUTE + 15;

function changedPrice(price: number, rng: Prng): number {
  const step = price < 1000 ? 50 : 100;
  const up = price + step * rng.int(1, 20);
  const down = price - step * rng.int(1, 20);
  // Always a different price within the generator's range.
  const next = rng.chance(0.5) ? (up <= 2_000_000 ? up : down) : (down >= 500 ? down : up);
  return roundPrice(next) === price ? price + step : roundPrice(next);
}

function changedStock(stock: number, rng: Prng): number {
  if (stock === 0) return rng.int(1, 50); // back in stock
  if (rng.chance(0.25)) return 0; // sold out
  return stock > 20 && rng.chance(0.5) ? stock - rng.int(1, 20) : stock + rng.int(1, 20);
}

/** The merchant's stream for the refresh's decisions: independent of its base stream. */
function fateStream(seed: number, plan: MerchantPlan): Prng {
  return new Prng((seed ^ 0x0f5e_5b1d ^ Math.imul(plan.index + 1, 0x85eb_ca6b)) >>> 0);
}

/**
 * The refreshed rows, merchant by merchant; `counts` (when given) is filled as they go.
 * A merchant's new rows come after its remaining base rows.
 */
export function* refreshedRows(rows: number, seed: number, rowsPerMerchant: number, mix: RefreshMix = DEFAULT_MIX, counts?: RefreshCounts): Generator<InventoryRow> {
  const c = counts ?? emptyCounts();
  for (const plan of merchantPlans(rows, seed, rowsPerMerchant)) {
    const fate = fateStream(seed, plan);
    for (let i = 0; i < plan.count; i++) {
      const row = rowAt(plan, i, plan.rng); // drawn whatever its fate: the base stream stays aligned
      const d = fate.next();
      if (d < mix.delisted) { c.delisted++; continue; }
      c.rows++;
      if (d < mix.delisted + mix.changed) {
        c.changed++;
        if (fate.chance(0.5)) { c.changedPrice++; yield { ...row, price: changedPrice(row.price, fate), updatedMinute: REFRESH_MINUTE }; }
        else { c.changedStock++; yield { ...row, stock: changedStock(row.stock, fate), updatedMinute: REFRESH_MINUTE }; }
        continue;
      }
      c.unchanged++;
      yield row;
    }
    // New listings: whole rows per merchant, the fraction rounded at random (so the share holds overall).
    const wanted = plan.count * mix.added;
    const added = Math.floor(wanted) + (fate.chance(wanted - Math.floor(wanted)) ? 1 : 0);
    if (plan.count + added > MAX_ROWS_PER_MERCHANT) throw new Error(`a merchant of ${plan.count} rows has no room for ${added} new products`);
    for (let j = 0; j < added; j++) {
      c.added++;
      c.rows++;
      yield { ...rowAt(plan, plan.count + j, fate), updatedMinute: REFRESH_MINUTE };
    }
  }
}

function emptyCounts(): RefreshCounts {
  return { rows: 0, unchanged: 0, changed: 0, changedPrice: 0, changedStock: 0, delisted: 0, added: 0 };
}

/** What the refreshed file holds, without writing it (the file may come from the cache). */
export function refreshCounts(rows: number, seed: number, rowsPerMerchant: number, mix: RefreshMix = DEFAULT_MIX): RefreshCounts {
  const counts = emptyCounts();
  for (const _ of refreshedRows(rows, seed, rowsPerMerchant, mix, counts)) { /* counting */ }
  return counts;
}

/** The refreshed CSV (cached beside the base file, or in `dir`). */
export function ensureRefreshCsv(rows: number, seed: number, rowsPerMerchant: number, mix: RefreshMix = DEFAULT_MIX, dir?: string): Promise<GeneratedFile> {
  const mixTag = [mix.changed, mix.delisted, mix.added].map((x) => String(x * 1000)).join('-');
  const target = cachedPath(`inventory-m${rowsPerMerchant}-refresh${REFRESH_VERSION}-x${mixTag}`, rows, seed, 'csv', dir);
  return ensureCached(target, rows, seed, (tmp) => writeRowsCsv(tmp, refreshedRows(rows, seed, rowsPerMerchant, mix)));
}
