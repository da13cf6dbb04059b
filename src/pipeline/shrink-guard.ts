import type { HaloConfig } from '../config/types.js';
import { DEFAULT_SHRINK_GUARD_PERCENT } from './load.js';

export { DEFAULT_SHRINK_GUARD_PERCENT };

/**
 * The shrink guard's settings for loadBatch / mergeBatch, one place for `load`, `merge`,
 * `replay` and `run`: the config's `warehouse.shrinkGuardPercent` (default
 * DEFAULT_SHRINK_GUARD_PERCENT) and the command's --allow-shrink. A full-catalogue batch
 * listing under that share of a merchant's listed products fails unless allowed (the check is
 * in pipeline/load.ts).
 */
export function shrinkGuard(config: HaloConfig, allowShrink: boolean): { allowShrink?: boolean; shrinkGuardPercent: number } {
  return {
    shrinkGuardPercent: config.warehouse.shrinkGuardPercent ?? DEFAULT_SHRINK_GUARD_PERCENT,
    ...(allowShrink ? { allowShrink: true } : {}),
  };
}
