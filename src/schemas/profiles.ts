import type { Profile } from './types.js';
import { DEFAULT_PROFILE } from './types.js';
import type { HaloConfig, SourceConfig } from '../config/types.js';

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
export function merchantFromPath(config: HaloConfig, path: string, sourceName?: string): string | undefined {
  return pathMatch(config, path, sourceName)?.merchantId;
}

/** The source whose `merchantIdFrom` matches a path (the named source first), and the id it finds. */
function pathMatch(config: HaloConfig, path: string, sourceName?: string): { source: SourceConfig; merchantId: string } | undefined {
  const posix = path.replace(/\\/g, '/');
  const named = config.sources.filter((s) => s.name === sourceName);
  for (const source of [...named, ...config.sources.filter((s) => s.name !== sourceName)]) {
    if (!source.merchantIdFrom) continue;
    const [before, after] = source.merchantIdFrom.split('{merchant_id}');
    const re = new RegExp(escape(before) + '([^/]+)' + escape(after));
    const m = re.exec(posix);
    if (m) return { source, merchantId: m[1] };
  }
  return undefined;
}

/**
 * Whose rows a file may hold: the merchant it comes from (--merchant, else its path as a
 * source's merchantIdFrom says) and the merchants that source's `speaksFor` lists for it.
 * With --merchant and no source matching the path, every source's speaksFor for that id
 * counts (validating a head office's file by hand). No merchant: any rows (nothing to check).
 */
export function merchantScope(config: HaloConfig, path: string, flag: string | undefined, sourceName?: string): { merchantId?: string; speaksFor?: string[] } {
  const match = pathMatch(config, path, sourceName);
  const merchantId = flag ?? match?.merchantId;
  if (merchantId === undefined) return {};
  const sources = match ? [match.source] : config.sources;
  const speaksFor = [...new Set(sources.flatMap((s) => s.speaksFor?.[merchantId] ?? []))];
  return speaksFor.length ? { merchantId, speaksFor } : { merchantId };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
