import type { SchemaSpec, FieldSpec } from './types.js';

/** A JSON Schema (2020-12) of one normalised row, values in their canonical text forms. */
export function toJsonSchema(schema: SchemaSpec): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const f of schema.fields) properties[f.name] = fieldSchema(f);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:halo-data:schema:${schema.name}:v${schema.version}`,
    title: schema.name,
    description: schema.description,
    type: 'object',
    properties,
    required: schema.fields.filter((f) => f.required).map((f) => f.name),
    additionalProperties: false,
  };
}

function fieldSchema(f: FieldSpec): Record<string, unknown> {
  const nullable = !f.required;
  const base: Record<string, unknown> = {};
  if (f.description) base.description = f.description;
  if (f.personal) base['x-personal-data'] = true;
  // The column's width in UTF-8 bytes (JSON Schema's maxLength counts characters: a value of n
  // bytes has at most n characters, so maxLength is implied but does not say it all).
  if (f.maxBytes !== undefined && f.type !== 'enum') base['x-max-bytes'] = f.maxBytes;
  const t = (type: string) => (nullable ? [type, 'null'] : type);
  switch (f.type) {
    case 'string':
      if (f.format === 'barcode') return { ...base, type: t('string'), pattern: '^(\\d{8}|\\d{12,14})$' };
      return { ...base, type: t('string'), ...(f.maxBytes !== undefined ? { maxLength: f.maxBytes } : {}) };
    case 'integer':
      return { ...base, type: t('integer'), ...(f.min !== undefined ? { minimum: f.min } : {}) };
    case 'decimal': {
      const scale = f.scale ?? 2;
      const intDigits = (f.precision ?? 18) - scale;
      const sign = f.min !== undefined && f.min >= 0 || f.exclusiveMin !== undefined ? '' : '-?';
      return { ...base, type: t('string'), pattern: `^${sign}\\d{1,${intDigits}}\\.\\d{${scale}}$`, 'x-type': `decimal(${f.precision},${scale})` };
    }
    case 'date':
      return { ...base, type: t('string'), format: 'date' };
    case 'timestamp':
      return { ...base, type: t('string'), format: 'date-time', description: 'UTC' };
    case 'enum':
      return { ...base, enum: [...Object.keys(f.enum ?? {}), ...(nullable ? [null] : [])] };
    case 'string[]':
      return {
        ...base, type: t('array'), minItems: 1,
        items: f.format === 'icd10' ? { type: 'string', pattern: '^[A-Z][0-9]{2}(\\.[0-9]{1,2})?$' } : { type: 'string' },
      };
  }
}
