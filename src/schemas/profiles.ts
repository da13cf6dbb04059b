import type { Profile } from './types.js';
import { DEFAULT_PROFILE } from './types.js';
import type { HaloConfig, SourceConfig } from '../config/types.js';
import { HaloError } from '../errors.js';

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
    const m = merchantIdRegex(source.merchantIdFrom).exec(posix);
    if (m) return { source, merchantId: m[1] };
  }
  return undefined;
}

/** A merchantIdFrom as the expression it is matched with: the id is the one path part where `{merchant_id}` stands. */
export function merchantIdRegex(merchantIdFrom: string): RegExp {
  const [before, after] = merchantIdFrom.split('{merchant_id}');
  return new RegExp(escape(before) + '([^/]+)' + escape(after));
}

/**
 * A source's listing against its merchantIdFrom: when files were listed and the pattern finds
 * a merchant in none of their paths, it is wrong (every file would be staged without its
 * merchant), a configuration fault (exit 2) naming the pattern and one path it missed. Some
 * paths without a merchant are allowed (a source may also list shared files). A path relative
 * to a local source's folder is matched with a '/' before it, as it stands in the landing folder.
 */
export function checkMerchantIdFrom(source: string, merchantIdFrom: string | undefined, paths: readonly string[]): void {
  if (!merchantIdFrom || paths.length === 0) return;
  const re = merchantIdRegex(merchantIdFrom);
  if (paths.some((p) => re.test(asListed(p)))) return;
  throw new HaloError('merchant-id-from-unmatched', 'config',
    `source '${source}': merchantIdFrom ${JSON.stringify(merchantIdFrom)} finds a merchant in none of the ${paths.length} file${paths.length === 1 ? '' : 's'} listed (e.g. ${JSON.stringify(paths[0])})`,
    { hint: 'merchantIdFrom is looked for in each file\'s path: write the folders around the merchant\'s as they are there, with {merchant_id} in its place' });
}

/**
 * A file's path as its source listed it, the one form merchantIdFrom is matched against (the
 * listing check, staging in run, freshness): the remote path of an SFTP file, or a local
 * source's relative path with a '/' before it. Never the landing folder's absolute path, whose
 * own folders (`/work/...`, `/home/...`) a short pattern such as "/{merchant_id}/" would match.
 */
export function asListed(path: string): string {
  const posix = path.replace(/\\/g, '/');
  return posix.startsWith('/') ? posix : `/${posix}`;
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
