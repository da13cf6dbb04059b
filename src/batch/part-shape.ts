import { createHash } from 'node:crypto';
import type { FieldSpec, SchemaSpec } from '../schemas/types.js';
import { ConfigError } from '../errors.js';

/**
 * The shape of a batch's normalised parts (manifest version 2): personal fields never go into
 * a part, because parts are what the warehouse COPYs (and Redshift keeps a failed COPY's raw
 * line in its system tables). member_id becomes member_key, the keyed hash the warehouse's
 * dim_member holds, computed here while the part is written; names and birth dates are left
 * out. The raw file in the lake stays the one copy of the personal values.
 */

/** Where the member hash key comes from (a secrets store, never the config file). */
export const MEMBER_KEY_ENV = 'HALO_DATA_MEMBER_KEY';

/** The personal field kept in a part as its keyed hash, and that column's name there. */
const HASHED: Record<string, string> = { member_id: 'member_key' };

/** The member_key column: hex SHA-256, 64 ASCII bytes. */
const MEMBER_KEY_FIELD: FieldSpec = { name: 'member_key', type: 'string', maxBytes: 64, aliases: [] };

/**
 * A member's key: hex SHA-256 of `key:member_id` in UTF-8, exactly what the SQL of manifest
 * version 1 batches computes (Dialect.keyedHash over CAST($5 AS VARCHAR) || ':' || member_id),
 * so a member of an old batch and of a new one is the same dim_member row.
 */
export function memberKeyOf(key: string, memberId: string): string {
  return createHash('sha256').update(`${key}:${memberId}`, 'utf8').digest('hex');
}

/** Whether a schema's rows hold personal values (then staging it needs the member key). */
export function holdsPersonalData(schema: SchemaSpec): boolean {
  return schema.fields.some((f) => f.personal);
}

/** The member key for staging `schema`, or a ConfigError (exit 2) naming the variable when it holds personal data and none is set. */
export function memberKeyFor(schema: SchemaSpec, key: string | undefined): string | undefined {
  if (!holdsPersonalData(schema)) return undefined;
  if (!key) {
    throw new ConfigError(`${schema.name} files hold personal data: staging them needs the member hash key; set ${MEMBER_KEY_ENV} (from your secrets store)`,
      { hint: 'members go into the batch only as a keyed hash of member_id; names and birth dates stay in the raw file' });
  }
  return key;
}

/** A part's fields, in order (before source_file and where-in-the-file): personal fields out, member_id as member_key. */
export function partFields(schema: SchemaSpec): FieldSpec[] {
  return schema.fields.flatMap((f) => (!f.personal ? [f] : HASHED[f.name] ? [{ ...MEMBER_KEY_FIELD, name: HASHED[f.name] }] : []));
}

type Action = 'keep' | 'drop' | 'hash';

/**
 * Rewrites normalised lines (the row processor's: the schema's fields, then source file and
 * row; RFC 4180 as csv-out writes it) into the part's shape. Kept fields are copied byte for
 * byte; a quoted field may hold commas, quotes and line breaks, so lines are scanned, never
 * split. Null when the schema holds nothing personal (its lines go into parts unchanged).
 */
export function partShaper(schema: SchemaSpec, key: string | undefined): ((lines: Uint8Array) => Uint8Array) | null {
  if (!holdsPersonalData(schema)) return null;
  const k = memberKeyFor(schema, key)!;
  const actions: Action[] = [...schema.fields.map((f): Action => (!f.personal ? 'keep' : HASHED[f.name] ? 'hash' : 'drop')), 'keep', 'keep'];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const encoder = new TextEncoder();
  return (lines) => encoder.encode(shapeText(decoder.decode(lines), actions, k));
}

function shapeText(text: string, actions: readonly Action[], key: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field = 0;
    let first = true;
    for (;;) {
      const start = i;
      if (text.charCodeAt(i) === 34) {
        // A quoted field ends at a quote not followed by another.
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) throw new Error('normalised line: a quoted field is not closed');
          if (text.charCodeAt(q + 1) === 34) { i = q + 2; continue; }
          i = q + 1;
          break;
        }
      } else {
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === 44 || c === 10) break;
          i++;
        }
      }
      const action = actions[field];
      if (action === undefined) throw new Error(`normalised line: more than the ${actions.length} fields expected`);
      if (action !== 'drop') {
        if (!first) out += ',';
        first = false;
        out += action === 'keep' ? text.slice(start, i) : hashed(text.slice(start, i), key);
      }
      field++;
      const c = text.charCodeAt(i);
      i++;
      if (c === 10 || i > n) break;
      if (c !== 44) throw new Error('normalised line: a quoted field is followed by text');
    }
    if (field !== actions.length) throw new Error(`normalised line: ${field} fields, expected ${actions.length}`);
    out += '\n';
  }
  return out;
}

/** An empty unquoted field is NULL and stays NULL; a quoted one is unquoted before hashing. */
function hashed(cell: string, key: string): string {
  if (cell === '') return '';
  const value = cell.charCodeAt(0) === 34 ? cell.slice(1, -1).replace(/""/g, '"') : cell;
  return memberKeyOf(key, value);
}
