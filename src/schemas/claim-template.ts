import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument, LineCounter, type Node } from 'yaml';
import { checkNode, S } from '../config/shape.js';
import { ConfigError } from '../errors.js';
import type { Locale, DateOrder } from './types.js';

/**
 * A claim-PDF template: how one issuer's document reads. Data, not code: a new hospital
 * layout is one YAML (or JSON) file, built in under src/schemas/claim-templates/ or named
 * in the config's `claimTemplates`.
 */
export interface TemplateField {
  /** Printed labels (any of them), matched case- and space-insensitively. */
  label: string[];
  /** What the value looks like; it also tells where a value ends when two share a line. */
  pattern?: string;
  /** Overrides the template's `labels` for this field. */
  position?: 'inline' | 'below';
}

export interface ClaimTemplate {
  name: string;
  description?: string;
  /** Every one of these must appear in the document's text for the template to apply. */
  identify: string[];
  locale: Locale;
  dateOrder: DateOrder;
  /** inline: "Label : value" (several per line); below: a line of labels, then their values. */
  labels: 'inline' | 'below';
  /** insurance_claim fields the document does not print (the issuer's name, an outpatient form's type). */
  constants: Record<string, string>;
  fields: Record<string, TemplateField>;
  otherLabels: string[];
  lines: { header: string; row: string; end: string[] };
  /** Where it came from (built in, or a config file). */
  source: string;
}

const templateShape = S.object({
  name: S.string,
  description: S.string,
  identify: S.list(S.string),
  locale: S.enumOf(['id-ID', 'en-US']),
  dateOrder: S.enumOf(['DMY', 'MDY', 'YMD']),
  labels: S.enumOf(['inline', 'below']),
  constants: S.map(S.string),
  fields: S.map(S.object({ label: S.list(S.string), pattern: S.string, position: S.enumOf(['inline', 'below']) }, ['label'])),
  otherLabels: S.list(S.string),
  lines: S.object({ header: S.string, row: S.string, end: S.list(S.string) }, ['header', 'row', 'end']),
}, ['name', 'identify', 'fields', 'lines']);

const CLAIM_FIELDS = new Set(['claim_id', 'policy_number', 'member_id', 'patient_name', 'patient_dob', 'provider_id', 'provider_name',
  'claim_type', 'admission_date', 'discharge_date', 'diagnosis_codes', 'claimed_amount', 'approved_amount', 'currency']);
const LINE_GROUPS = new Set(['line_no', 'description', 'quantity', 'unit_price', 'amount', 'code']);

export function parseTemplate(text: string, file: string): ClaimTemplate {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, keepSourceTokens: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ConfigError(`${file}${e.linePos ? `:${e.linePos[0].line}` : ''}: ${e.message.split('\n')[0]}`, { file });
  }
  const raw = checkNode(doc.contents as Node, templateShape, '', file, lines) as Partial<ClaimTemplate>;
  const t: ClaimTemplate = {
    name: raw.name!, description: raw.description, identify: raw.identify!, fields: raw.fields!, lines: raw.lines!,
    locale: raw.locale ?? 'id-ID', dateOrder: raw.dateOrder ?? 'DMY', labels: raw.labels ?? 'inline',
    constants: raw.constants ?? {}, otherLabels: raw.otherLabels ?? [], source: file,
  };
  for (const f of [...Object.keys(t.fields), ...Object.keys(t.constants)]) {
    if (!CLAIM_FIELDS.has(f)) throw new ConfigError(`${file}: template '${t.name}': '${f}' is not an insurance_claim field`, { file });
  }
  const check = (what: string, src: string, flags = 'u') => {
    try { return new RegExp(src, flags); } catch (e) {
      throw new ConfigError(`${file}: template '${t.name}': ${what} is not a valid regular expression (${(e as Error).message})`, { file });
    }
  };
  for (const [name, f] of Object.entries(t.fields)) if (f.pattern) check(`fields.${name}.pattern`, f.pattern);
  check('lines.row', t.lines.row);
  const groups = [...t.lines.row.matchAll(/\(\?<(\w+)>/g)].map((m) => m[1]);
  for (const g of groups) if (!LINE_GROUPS.has(g)) throw new ConfigError(`${file}: template '${t.name}': lines.row group '${g}' is not one of ${[...LINE_GROUPS].join(', ')}`, { file });
  for (const g of ['description', 'amount']) if (!groups.includes(g)) throw new ConfigError(`${file}: template '${t.name}': lines.row needs a (?<${g}>…) group`, { file });
  if (t.identify.length === 0) throw new ConfigError(`${file}: template '${t.name}': identify needs at least one keyword`, { file });
  return t;
}

function templateFiles(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new ConfigError(`claim template not found: ${path}`);
  if (st.isDirectory()) {
    return readdirSync(path).filter((f) => ['.yaml', '.yml', '.json'].includes(extname(f))).sort().map((f) => join(path, f));
  }
  return [path];
}

export const BUILTIN_TEMPLATE_DIR = fileURLToPath(new URL('./claim-templates/', import.meta.url));

let builtin: ClaimTemplate[] | null = null;

/** The built-in templates, then those of the config (a config template replaces a built-in one of the same name). */
export function loadTemplates(extraPaths: string[] = []): ClaimTemplate[] {
  builtin ??= templateFiles(BUILTIN_TEMPLATE_DIR).map((f) => parseTemplate(readFileSync(f, 'utf8'), f));
  const byName = new Map(builtin.map((t) => [t.name, t]));
  for (const p of extraPaths) {
    for (const f of templateFiles(p)) {
      const t = parseTemplate(readFileSync(f, 'utf8'), f);
      byName.set(t.name, t);
    }
  }
  return [...byName.values()];
}
