/**
 * Statements are written with the full parameter list ($1 batch … $5 key); PostgreSQL wants
 * exactly the parameters a statement uses, numbered from $1. This renumbers them.
 */
export function bindUsed(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const order: number[] = [];
  const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const i = Number(n);
    let at = order.indexOf(i);
    if (at < 0) at = order.push(i) - 1;
    return `$${at + 1}`;
  });
  return { sql: text, params: order.map((i) => params[i - 1]) };
}
