import { parseDocument, LineCounter, isSeq, type Document, type Node } from 'yaml';
import { checkNode, S, type Shape } from '../../config/shape.js';
import { ConfigError } from '../../errors.js';
import { insuranceClaim } from '../../schemas/builtin/insurance-claim.js';
import type { ItemColumn } from '../reading.js';
import type { Hints } from './hints.js';
import { toHints, type RawTemplate } from './to-hints.js';
import { containsKeyword } from './keywords.js';

/**
 * A claim template: hints for one issuer's layout where the generic reader is not enough.
 * Data, not code: one YAML (or JSON) file, built in (builtin/*.yaml), named in the config's
 * `claimTemplates`, or given to `claims explain --template FILE`.
 */
export type TemplateOrigin = 'config' | 'built-in' | 'file';

export interface ClaimTemplate {
  name: string;
  description?: string;
  /** The file it was read from. */
  source: string;
  origin: TemplateOrigin;
  /** Every one of these must appear (at word boundaries) for the template to apply. */
  identify: string[];
  /** None of these may appear: a branch or sister hospital sharing the keywords. */
  exclude: string[];
  /** Among templates of the same origin that match, the higher wins (default 0). */
  priority: number;
  hints: Hints;
}

export const ITEM_COLUMNS = ['line_no', 'code', 'description', 'quantity', 'unit_price', 'amount'] as const satisfies readonly ItemColumn[];
// A column added to ItemColumn but not here fails the typecheck.
type MissingColumn = Exclude<ItemColumn, (typeof ITEM_COLUMNS)[number]>;
const allColumnsListed: MissingColumn extends never ? true : never = true;
void allColumnsListed;

const CLAIM_FIELDS = new Set(insuranceClaim.fields.map((f) => f.name));

const POSITION = S.enumOf(['right', 'below', 'any', 'inline']);
const box = S.object({ page: S.int(1), x0: S.number, y0: S.number, x1: S.number, y1: S.number }, ['x0', 'y0', 'x1', 'y1']);
const field = S.object({ label: S.list(S.string), pattern: S.string, position: POSITION, region: box, join: S.boolean });

/** The shape of a template file; `lines.header` is a string (old form) or a list of header words. */
function templateShape(headerIsList: boolean): Shape {
  return S.object({
    name: S.string,
    description: S.string,
    identify: S.list(S.string),
    exclude: S.list(S.string),
    priority: S.int(),
    locale: S.enumOf(['id-ID', 'en-US']),
    dateOrder: S.enumOf(['DMY', 'MDY', 'YMD']),
    labels: POSITION,
    constants: S.map(S.string),
    fields: S.map(field),
    otherLabels: S.list(S.string),
    lines: S.object({
      header: headerIsList ? S.list(S.string) : S.string,
      columns: S.map(S.list(S.string)),
      rowLines: S.int(1),
      row: S.string,
      end: S.list(S.string),
      skip: S.list(S.string),
    }),
  }, ['name', 'identify']);
}

/** Parses and checks one template file; every complaint is a ConfigError naming file:line and key. */
export function parseTemplate(text: string, file: string, origin: TemplateOrigin): ClaimTemplate {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, keepSourceTokens: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0].line;
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: ${e.message.split('\n')[0]}`, { file, line });
  }
  const headerIsList = isSeq(doc.getIn(['lines', 'header'], true));
  const raw = checkNode(doc.contents as Node, templateShape(headerIsList), '', file, lines) as RawTemplate;
  checkMeaning(raw, doc, lines, file);
  return {
    name: raw.name, description: raw.description, source: file, origin,
    identify: raw.identify, exclude: raw.exclude ?? [], priority: raw.priority ?? 0,
    hints: toHints(raw, file),
  };
}

/** What the shape cannot say: field and column names, regular expressions, boxes, non-empty lists. */
function checkMeaning(raw: RawTemplate, doc: Document, lines: LineCounter, file: string): void {
  const fail = (path: (string | number)[], msg: string, keyNotValue = false): never => {
    const node = keyNotValue ? keyNode(doc, path) : (doc.getIn(path, true) as Node | undefined) ?? keyNode(doc, path);
    const line = node?.range ? lines.linePos(node.range[0]).line : undefined;
    throw new ConfigError(`${file}${line ? `:${line}` : ''}: ${path.join('.')}: ${msg}`, { file, line });
  };
  const regex = (path: (string | number)[], src: string): RegExp => {
    try { return new RegExp(src, 'u'); } catch (e) {
      return fail(path, `is not a valid regular expression (${(e as Error).message})`);
    }
  };
  if (raw.name.trim() === '') fail(['name'], 'must not be empty');
  if (raw.identify.length === 0) fail(['identify'], 'needs at least one keyword');
  // An empty label, keyword or marker would match every line.
  const blank = (path: (string | number)[], list: string[] | undefined) =>
    (list ?? []).forEach((k, i) => { if (k.trim() === '') fail([...path, i], 'must not be empty'); });
  blank(['identify'], raw.identify); blank(['exclude'], raw.exclude); blank(['otherLabels'], raw.otherLabels);
  for (const [name, f] of Object.entries(raw.fields ?? {})) blank(['fields', name, 'label'], f.label);
  if (Array.isArray(raw.lines?.header)) blank(['lines', 'header'], raw.lines.header);
  blank(['lines', 'end'], raw.lines?.end); blank(['lines', 'skip'], raw.lines?.skip);
  for (const [c, texts] of Object.entries(raw.lines?.columns ?? {})) {
    if (texts.length === 0) fail(['lines', 'columns', c], 'needs at least one header text');
    blank(['lines', 'columns', c], texts);
  }
  // An exclude keyword found inside the template's own identify would veto it on every document.
  (raw.exclude ?? []).forEach((x, i) => {
    const clash = raw.identify.find((k) => containsKeyword(k, x));
    if (clash !== undefined) fail(['exclude', i], `'${x}' is part of identify keyword '${clash}': the template could never match`);
  });
  for (const section of ['fields', 'constants'] as const) {
    for (const f of Object.keys(raw[section] ?? {})) {
      if (!CLAIM_FIELDS.has(f)) fail([section, f], `'${f}' is not an insurance_claim field (${[...CLAIM_FIELDS].join(', ')})`, true);
    }
  }
  for (const [name, f] of Object.entries(raw.fields ?? {})) {
    if (!f.label?.length && !f.region) fail(['fields', name], 'needs a label (list of printed labels) or a region (a box)');
    if (f.pattern !== undefined) regex(['fields', name, 'pattern'], f.pattern);
    if (f.region) {
      const b = f.region;
      if (!(b.x0 < b.x1)) fail(['fields', name, 'region'], `x0 (${b.x0}) must be less than x1 (${b.x1})`);
      if (!(b.y0 < b.y1)) fail(['fields', name, 'region'], `y0 (${b.y0}) must be less than y1 (${b.y1})`);
      if (b.x0 < 0 || b.y0 < 0) fail(['fields', name, 'region'], 'is in points from the top-left corner: x0 and y0 must be >= 0');
    }
  }
  const t = raw.lines;
  if (!t) return;
  for (const c of Object.keys(t.columns ?? {})) {
    if (!(ITEM_COLUMNS as readonly string[]).includes(c)) fail(['lines', 'columns', c], `'${c}' is not a line-item column (${ITEM_COLUMNS.join(', ')})`, true);
  }
  if (Array.isArray(t.header) && t.header.length === 0) fail(['lines', 'header'], 'needs at least one header word');
  if (t.row !== undefined) {
    regex(['lines', 'row'], t.row);
    const groups = [...t.row.matchAll(/\(\?<(\w+)>/g)].map((m) => m[1]);
    for (const g of groups) {
      if (!(ITEM_COLUMNS as readonly string[]).includes(g)) fail(['lines', 'row'], `group '${g}' is not a line-item column (${ITEM_COLUMNS.join(', ')})`);
    }
    for (const g of ['description', 'amount']) if (!groups.includes(g)) fail(['lines', 'row'], `needs a (?<${g}>…) group`);
  }
}

/** The key node of a mapping entry (an unknown name is wrong as a key, not as a value). */
function keyNode(doc: Document, path: (string | number)[]): Node | undefined {
  const parent = doc.getIn(path.slice(0, -1), true) as { items?: Array<{ key: Node & { value?: unknown } }> } | undefined;
  const last = String(path[path.length - 1]);
  return parent?.items?.find((p) => String(p.key?.value) === last)?.key;
}
