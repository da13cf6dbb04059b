import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ConfigError } from '../errors.js';
import { normaliseIcd10 } from './fields/codes.js';
import type { FieldSpec, SchemaSpec } from './types.js';

/**
 * An insurer's list of accepted ICD-10 codes (config `claims.icd10CodesFile`). One code per
 * line, first on its line; what follows a tab, space, comma or semicolon (a description) is
 * ignored; blank lines and `#` lines are skipped. Every code must itself be well formed: a
 * list that holds `K3O` is refused with its line, never half-used.
 */
export function readIcd10List(path: string): NonNullable<FieldSpec['allowed']> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`claims.icd10CodesFile: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path });
  }
  const items = new Set<string>();
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const first = line.split(/[\t ,;]/)[0];
    const code = normaliseIcd10(first);
    if (code === null) {
      throw new ConfigError(`${path}:${i + 1}: '${first.slice(0, 40)}' is not a WHO ICD-10 code (a letter, two digits, optionally a dot and one or two digits)`,
        { file: path, line: i + 1 });
    }
    items.add(code);
  });
  if (items.size === 0) throw new ConfigError(`${path}: claims.icd10CodesFile holds no code`, { file: path });
  return { source: basename(path), items: [...items] };
}

/** The schema with its ICD-10 fields limited to a list (a copy; the built-in stays as it is). */
export function withIcd10List(schema: SchemaSpec, list: FieldSpec['allowed'] | undefined): SchemaSpec {
  if (!list || !schema.fields.some((f) => f.format === 'icd10' && f.type === 'string[]')) return schema;
  return { ...schema, fields: schema.fields.map((f) => (f.format === 'icd10' && f.type === 'string[]' ? { ...f, allowed: list } : f)) };
}
