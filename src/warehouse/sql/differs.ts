/**
 * `a` and `b` differ, NULLs included, and the answer is never NULL: both set, the comparison;
 * else whether one is set. Portable (Redshift has no IS DISTINCT FROM). The plainer
 * `a <> b OR (a IS NULL) <> (b IS NULL)` is NULL when both are NULL: right by luck in a WHERE,
 * wrong under NOT (a late batch once kept a version equal to the one before it that way).
 */
export const differs = (a: string, b: string): string => `COALESCE(${a} <> ${b}, (${a} IS NULL) <> (${b} IS NULL))`;
