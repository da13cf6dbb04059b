import type { ClaimTemplate as Template } from '../documents/templates/template.js';
import type { Locale, DateOrder } from './types.js';

/**
 * Transitional: the old text-order extractor (claim-extract.ts, no longer called) reads
 * templates in this shape. Templates live in src/documents/templates/ and read as Hints;
 * this file goes with claim-extract.ts.
 */
export interface TemplateField {
  label: string[];
  pattern?: string;
  position?: 'inline' | 'below';
}

export interface ClaimTemplate {
  name: string;
  description?: string;
  identify: string[];
  locale: Locale;
  dateOrder: DateOrder;
  labels: 'inline' | 'below';
  constants: Record<string, string>;
  fields: Record<string, TemplateField>;
  otherLabels: string[];
  lines: { header: string; row: string; end: string[] };
  source: string;
}

/** The old view of a template; fields without labels (region-only) and a missing row regex cannot be expressed in it. */
export function legacyTemplate(t: Template): ClaimTemplate {
  const h = t.hints;
  const fields: Record<string, TemplateField> = {};
  for (const [name, f] of Object.entries(h.fields)) {
    if (!f.labels?.length) continue;
    fields[name] = { label: f.labels, ...(f.pattern !== undefined ? { pattern: f.pattern } : {}),
      ...(f.position === 'right' ? { position: 'inline' as const } : f.position === 'below' ? { position: 'below' as const } : {}) };
  }
  // The old file-wide default: what most fields use (it also placed otherLabels).
  const below = Object.values(fields).filter((f) => f.position === 'below').length;
  return {
    name: t.name, description: t.description, identify: t.identify, locale: h.locale, dateOrder: h.dateOrder,
    labels: below * 2 > Object.keys(fields).length ? 'below' : 'inline',
    constants: h.constants, fields, otherLabels: h.otherLabels,
    lines: { header: (h.table.header ?? []).join(' '), row: h.table.row ?? '(?!)', end: h.table.end ?? [] },
    source: t.source,
  };
}
