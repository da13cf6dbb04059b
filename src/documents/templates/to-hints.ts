import type { ItemColumn } from '../reading.js';
import type { Box, FieldHint, Hints, TableHint } from './hints.js';

/** A template file as checked by its shape (template.ts), before it becomes Hints. */
type Position = 'right' | 'below' | 'any' | 'inline';
export interface RawTemplate {
  name: string;
  description?: string;
  identify: string[];
  exclude?: string[];
  priority?: number;
  locale?: Hints['locale'];
  dateOrder?: Hints['dateOrder'];
  /** Old key: where every field's value sits relative to its label (inline = right). */
  labels?: Position;
  constants?: Record<string, string>;
  fields?: Record<string, { label?: string[]; pattern?: string; position?: Position; region?: Box; join?: boolean }>;
  otherLabels?: string[];
  lines?: {
    header?: string | string[];
    columns?: Partial<Record<ItemColumn, string[]>>;
    rowLines?: number;
    row?: string;
    end?: string[];
    skip?: string[];
  };
}

/** Old 'inline' (label and value on one line) is the reader's 'right'. */
const position = (p: Position | undefined): FieldHint['position'] => (p === 'inline' ? 'right' : p);

/**
 * The file's keys as the reader's Hints: the old keys map onto the new ones (`labels:` →
 * each field's position, `fields.<f>.label` → labels, a header string → its words), so the
 * built-in templates written before the reader by layout read unchanged.
 */
export function toHints(raw: RawTemplate, source: string): Hints {
  const fields: Record<string, FieldHint> = {};
  for (const [name, f] of Object.entries(raw.fields ?? {})) {
    const hint: FieldHint = {};
    if (f.label?.length) hint.labels = f.label;
    // No position anywhere: the reader looks right of and below the label itself.
    const p = position(f.position ?? raw.labels);
    if (p) hint.position = p;
    if (f.region) hint.region = f.region;
    if (f.pattern !== undefined) hint.pattern = f.pattern;
    if (f.join) hint.join = true;
    fields[name] = hint;
  }
  const l = raw.lines ?? {};
  const table: TableHint = {};
  if (l.header !== undefined) table.header = typeof l.header === 'string' ? l.header.split(/\s+/).filter(Boolean) : l.header;
  if (l.columns) table.columns = l.columns;
  if (l.rowLines !== undefined) table.rowLines = l.rowLines;
  if (l.row !== undefined) table.row = l.row;
  if (l.end) table.end = l.end;
  if (l.skip) table.skip = l.skip;
  return {
    name: raw.name, source,
    locale: raw.locale ?? 'id-ID', dateOrder: raw.dateOrder ?? 'DMY',
    fields, otherLabels: raw.otherLabels ?? [], constants: raw.constants ?? {}, table,
  };
}
