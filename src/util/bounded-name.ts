import { createHash } from 'node:crypto';

/**
 * File systems refuse a name over 255 bytes (ENAMETOOLONG), and ours add suffixes to the
 * names they are given (`.part-<pid>` while landing, `.tmp-<pid>-<hex>` in a local lake).
 * Every name we make on disk or in the lake from a partner's name is therefore cut to this
 * many UTF-8 bytes, well under the limit.
 */
export const MAX_NAME_BYTES = 120;
const HASH_CHARS = 10;
/** An extension longer than this is not one worth keeping (it is the name's tail). */
const MAX_EXT_BYTES = 16;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** The longest prefix of `s` of at most `max` UTF-8 bytes, never cutting a character in two. */
function cutToBytes(s: string, max: number): string {
  let out = '';
  let n = 0;
  for (const ch of s) {
    const b = bytes(ch);
    if (n + b > max) break;
    out += ch;
    n += b;
  }
  return out;
}

/**
 * `name` itself when it fits in `max` bytes; else its start, `~`, a hash of the whole name
 * (two long names that start alike stay apart) and its extension (`.csv`: how the file is
 * read, and how a person recognises it): at most `max` bytes, the same every time.
 */
export function boundedName(name: string, max = MAX_NAME_BYTES): string {
  if (bytes(name) <= max) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && bytes(name.slice(dot)) <= MAX_EXT_BYTES && !/[\s/]/.test(name.slice(dot)) ? name.slice(dot) : '';
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_CHARS);
  const stem = cutToBytes(name.slice(0, name.length - ext.length), max - bytes(ext) - HASH_CHARS - 1);
  return `${stem}~${hash}${ext}`;
}

/** A short, stable stand-in for several names (folders collapsed to keep a path bounded). */
export function nameHash(s: string): string {
  return `~${createHash('sha256').update(s).digest('hex').slice(0, HASH_CHARS)}`;
}
