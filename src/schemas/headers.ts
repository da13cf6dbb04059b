import type { SchemaSpec, Profile } from './types.js';
import { cellText } from './normalize-field.js';
import type { Cell } from './fields/fail.js';

/**
 * Header matching is case/space/underscore/punctuation-insensitive, and a trailing unit in
 * parentheses is ignored: "Harga Jual (Rp)", "HARGA_JUAL" and "harga jual" are one header.
 */
export function headerKey(text: string): string {
  const base = text.replace(/\([^)]*\)\s*$/, '');
  const key = (base.trim() === '' ? text : base).toLowerCase().normalize('NFKD').replace(/[^\p{L}\p{N}]+/gu, '');
  return key;
}

/** header key -> canonical field, for one schema and profile. */
export function aliasIndex(schema: SchemaSpec, profile?: Profile): Map<string, string> {
  const map = new Map<string, string>();
  for (const f of schema.fields) {
    map.set(headerKey(f.name), f.name);
    for (const a of f.aliases) map.set(headerKey(a), f.name);
  }
  // Profile aliases win: a merchant's own spelling is the most specific knowledge there is.
  for (const [field, aliases] of Object.entries(profile?.aliases ?? {})) {
    for (const a of aliases) map.set(headerKey(a), field);
  }
  return map;
}

/** How many distinct schema fields a row's cells name. */
export function headerScore(cells: readonly Cell[], index: Map<string, string>): number {
  const seen = new Set<string>();
  for (const c of cells) {
    const t = cellText(c);
    if (t.length === 0 || t.length > 80) continue;
    const f = index.get(headerKey(t));
    if (f) seen.add(f);
  }
  return seen.size;
}

/** The header is the first row among the first `limit` that names at least two fields. */
export const HEADER_SEARCH_ROWS = 50;
export const HEADER_MIN_SCORE = 2;
