const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const WORD = /[\p{L}\p{N}]/u;

/**
 * A keyword as a pattern: case-insensitive, any (or no) white space where the keyword has
 * some (PDF text breaks and spaces lines its own way), and whole words only: a keyword that
 * starts or ends with a letter or digit must not continue a longer word ('RS HARAPAN SEHAT'
 * is not in 'RS HARAPAN SEHATI').
 */
function keywordPattern(keyword: string): RegExp {
  const k = keyword.trim();
  const body = k.split(/\s+/).map(escapeRe).join('\\s*');
  const before = WORD.test(k[0] ?? '') ? '(?<![\\p{L}\\p{N}])' : '';
  const after = WORD.test(k[k.length - 1] ?? '') ? '(?![\\p{L}\\p{N}])' : '';
  return new RegExp(before + body + after, 'iu');
}

// Templates are few and long-lived: each keyword is compiled once.
const patterns = new Map<string, RegExp>();

/** Whether `text` holds `keyword` (identify and exclude matching, see keywordPattern). */
export function containsKeyword(text: string, keyword: string): boolean {
  let re = patterns.get(keyword);
  if (!re) { re = keywordPattern(keyword); patterns.set(keyword, re); }
  return re.test(text);
}
