import type { Profile } from './types.js';
import { DEFAULT_PROFILE } from './types.js';
import type { HaloConfig } from '../config/types.js';

/** A merchant's profile from the config, laid over the defaults (id-ID, Asia/Jakarta). */
export function profileFor(config: HaloConfig, merchantId: string | undefined): Profile {
  const p = merchantId !== undefined ? config.merchants[merchantId] : undefined;
  if (!p) return { ...DEFAULT_PROFILE };
  return {
    ...DEFAULT_PROFILE,
    ...p,
    delimiter: p.delimiter === 'tab' ? '\t' : p.delimiter,
    locale: p.locale ?? DEFAULT_PROFILE.locale,
    timezone: p.timezone ?? DEFAULT_PROFILE.timezone,
  };
}

/** The merchant id a configured source's `merchantIdFrom` pattern finds in a file path. */
export function merchantFromPath(config: HaloConfig, path: string): string | undefined {
  const posix = path.replace(/\\/g, '/');
  for (const source of config.sources) {
    if (!source.merchantIdFrom) continue;
    const [before, after] = source.merchantIdFrom.split('{merchant_id}');
    const re = new RegExp(escape(before) + '([^/]+)' + escape(after));
    const m = re.exec(posix);
    if (m) return m[1];
  }
  return undefined;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
