import type { FieldSpec } from './types.js';
import { FieldFail } from './fields/fail.js';

/**
 * Column widths are part of a schema: a string field's `maxBytes` bounds its canonical value
 * in UTF-8 bytes and is the warehouse column's VARCHAR width. Amazon Redshift counts
 * VARCHAR(n) in bytes (PostgreSQL in characters, so a byte-bounded value fits there too).
 */

/**
 * The failure for a canonical value over its field's width; null when it fits. Never quotes
 * the value (hundreds of bytes, maybe personal): names the length and the limit.
 * Counted as Node writes the output (a lone surrogate becomes U+FFFD: 3 bytes).
 */
export function widthFail(value: string, maxBytes: number): FieldFail | null {
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so most values need no count.
  if (value.length * 3 <= maxBytes) return null;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes <= maxBytes) return null;
  return new FieldFail('constraint-error', `is ${bytes} bytes long (UTF-8); its warehouse column holds at most ${maxBytes} bytes`, false);
}

/** The SQL type of a field's warehouse (and staging) column. */
export function sqlType(f: FieldSpec): string {
  switch (f.type) {
    case 'string': case 'string[]': case 'enum':
      if (f.maxBytes === undefined) throw new Error(`field ${f.name} has no maxBytes: its column width is unknown`);
      return `VARCHAR(${f.maxBytes})`;
    case 'integer': return 'INTEGER';
    case 'decimal': return `DECIMAL(${f.precision ?? 18},${f.scale ?? 2})`;
    case 'date': return 'DATE';
    case 'timestamp': return 'TIMESTAMP';
  }
}

/** The SQL type of a named field's column (a programming error when there is no such field). */
export function columnType(fields: readonly FieldSpec[], name: string): string {
  const f = fields.find((x) => x.name === name);
  if (!f) throw new Error(`no field ${name}`);
  return sqlType(f);
}
