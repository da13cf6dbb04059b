import type { DocumentPages } from '../page.js';
import type { Line } from '../layout/line.js';
import { buildLines } from '../layout/lines.js';
import type { FieldReading, ItemReading, Reading, TemplateChoice } from '../reading.js';
import type { Hints } from '../templates/hints.js';
import { DICTIONARY, type Dictionary } from './dictionary.js';
import { buildLabelIndex, findOccurrences, notFound, readRegion, type Occurrence } from './fields.js';
import { readTable, type TableResult } from './table.js';
import { legacyRows } from './legacy-rows.js';
import { amountText, cents, type NumberStyle } from './numbers.js';
import { letterhead, claimTypeFromText } from './document-facts.js';
import { PERSONAL_FIELDS } from '../redact.js';

export const CLAIM_FIELDS = ['claim_id', 'policy_number', 'member_id', 'patient_name', 'patient_dob', 'provider_id', 'provider_name',
  'claim_type', 'admission_date', 'discharge_date', 'diagnosis_codes', 'claimed_amount', 'approved_amount', 'currency'] as const;

/** A pseudo-field: a range label's value gives admission and discharge dates. */
const PERIOD = '_period';

/** "04/11/2026 s.d. 08/11/2026", "2 Nov 2026 - 6 Nov 2026", "11-11-2026 s/d 13-11-2026" → both dates, or null. */
export function splitPeriod(value: string): [string, string] | null {
  const parts = value.split(/\s+(?:s\.?\s?d\.?|s\/d|sampai(?:\s+dengan)?|hingga|to|until|[-–—])\s+/iu);
  if (parts.length !== 2) return null;
  const a = DATE_IN_TEXT.exec(parts[0]), b = DATE_IN_TEXT.exec(parts[1]);
  return a && b ? [a[1], b[1]] : null;
}

/** Fields whose several labels all contribute (primary + secondary diagnosis). */
const JOINED = new Set(['diagnosis_codes']);
const DASHES = /^[-–—]+$|^n\/?a$/iu;
const AMOUNTS = new Set(['claimed_amount', 'approved_amount']);
const DATES = new Set(['patient_dob', 'admission_date', 'discharge_date']);
const DATE_IN_TEXT = /\b(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}[\s-](?:\p{L}{3,10})\.?[\s-]\d{4})\b/u;

export interface ReadOptions {
  dictionary?: Dictionary;
  candidates?: TemplateChoice[];
  chosenBecause?: string;
  /** The pages' lines when the caller built them already. */
  lines?: Line[][];
}

/** The printed value as the schema's reader should get it: an amount's number, a date's own text. */
function trimValue(field: string, value: string): string {
  if (AMOUNTS.has(field)) {
    const direct = amountText(value);
    if (direct !== null) return direct;
    const m = /(?:rp\.?|idr)?\s*(-?\d[\d.,\s]*\d|\d)(?:,-)?/iu.exec(value);
    return m ? amountText(m[0]) ?? value : value;
  }
  if (DATES.has(field)) {
    const m = DATE_IN_TEXT.exec(value);
    // "05-Mar-2026" reads as "05 Mar 2026".
    return m ? m[1].replace(/^(\d{1,2})-(\p{L}{3,10}\.?)-(\d{4})$/u, '$1 $2 $3') : value;
  }
  if (field === 'diagnosis_codes') return diagnosisCodes(value);
  if (field === 'claim_type') return ticked(value) ?? value;
  return value;
}

/**
 * A diagnosis printed with its name ("A01.0 (Demam tifoid)", "J18.9 - Pneumonia"): the code
 * is kept, the name dropped. Only a part that starts with a well-formed code and continues
 * with words is cut; anything else stays whole, so a malformed code is still reported.
 */
const CODE_WITH_NAME = /^\s*([A-Z]\d{2}(?:\.\d{1,4})?[A-Z]?)\s*(?:[-–:]\s*|\(\s*)?(?![A-Z]\d{2})\p{L}(?:(?![A-Z]\d{2}(?:[.\s,;]|$))[\p{L}\d\s,.'/()-])*\)?\s*$/u;
function diagnosisCodes(value: string): string {
  return value.split(/\s*[;|]\s*|,\s+(?=[A-Z]\d)/u).map((part) => CODE_WITH_NAME.exec(part)?.[1] ?? part).join(', ');
}

/**
 * A form that prints both kinds with a tick ("X Inpatient Outpatient", "☑ Rawat Inap ☐ Rawat
 * Jalan"): the kind right after the one mark. No mark, or two, is not read (needs-review).
 */
const KIND = /(rawat\s+inap|rawat\s+jalan|inpatient|outpatient|in-patient|out-patient)/giu;
function ticked(value: string): string | null {
  const kinds = [...value.matchAll(KIND)];
  if (kinds.length < 2) return null;
  const marked = kinds.filter((k) => /(?:^|\s)(?:x|v|✓|✔|☑|☒|■|\[x\]|\(x\))\s*$/iu.test(value.slice(0, k.index)) &&
    !kinds.some((o) => o.index! < k.index! && o.index! + o[0].length > value.slice(0, k.index).search(/(?:x|v|✓|✔|☑|☒|■|\[x\]|\(x\))\s*$/iu)));
  return marked.length === 1 ? marked[0][1] : '';
}

function fromOccurrence(o: Occurrence, how: FieldReading['how'] = o.how): FieldReading {
  return { field: o.field, label: o.label, labelAt: o.labelAt, value: trimValue(o.field, o.value), at: o.at, how, conf: o.conf };
}

/**
 * A template's pattern takes the value's part it names (`(?<value>…)`, else the whole match
 * from the start). A value that does not match is not read: the layout has changed, and the
 * field is then not found (needs-review), never taken as it is.
 */
function withPattern(o: Occurrence, pattern: string | undefined): Occurrence | null {
  if (!pattern) return o;
  const m = new RegExp(`^(?:${pattern})`, 'u').exec(o.value.replace(/^[:\s]+/u, ''));
  if (!m) return null;
  const v = (m.groups?.value ?? m[0]).trim();
  return v ? { ...o, value: v } : null;
}

/**
 * Day-month or month-day: a template says; otherwise the document's own dates tell (a first
 * number over 12 is a day). With no such date, an Indonesian document is day-month; an
 * English one is not known, and a date that reads two ways is then not sure (needs-review).
 */
function dateOrderOf(fields: Record<string, FieldReading>, hints: Hints | null, style: NumberStyle | null | 'mixed'): { dateOrder: 'DMY' | 'MDY' | 'YMD'; dateOrderSure: boolean } {
  if (hints) return { dateOrder: hints.dateOrder, dateOrderSure: true };
  let dmy = 0, mdy = 0, twoWays = 0;
  for (const f of DATES) {
    const m = /^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}$/u.exec(fields[f]?.value ?? '');
    if (!m) continue;
    const a = Number(m[1]), b = Number(m[2]);
    if (a > 12) dmy++; else if (b > 12) mdy++; else if (a !== b) twoWays++;
  }
  if (dmy > 0 && mdy > 0) return { dateOrder: 'DMY', dateOrderSure: false };
  if (mdy > 0) return { dateOrder: 'MDY', dateOrderSure: true };
  return { dateOrder: 'DMY', dateOrderSure: dmy > 0 || twoWays === 0 || style !== 'en-US' };
}

export interface ReadResult {
  reading: Reading;
  /**
   * Every value printed beside a personal field's label (the dictionary's or the template's),
   * whatever field the reading assigned it to: what the mask hides (redact.ts).
   */
  personal: Array<{ field: string; value: string }>;
}

export function readClaim(doc: DocumentPages, hints: Hints | null, opts: ReadOptions = {}): ReadResult {
  const dict = opts.dictionary ?? DICTIONARY;
  const lines: Line[][] = opts.lines ?? doc.pages.map(buildLines);
  const styleHint: NumberStyle | null = hints ? hints.locale : null;
  const table: TableResult = hints?.table.row ? legacyRows(lines, hints.table) : readTable(lines, dict, hints?.table, styleHint);

  const fieldLabels: Record<string, string[]> = {};
  for (const f of CLAIM_FIELDS) fieldLabels[f] = hints?.fields[f]?.labels ?? dict.fields[f] ?? [];
  const other = [...dict.other, ...(hints?.otherLabels ?? [])];
  const index = buildLabelIndex({ ...fieldLabels, [PERIOD]: dict.periods }, other, new Set(CLAIM_FIELDS.filter((f) => hints?.fields[f]?.labels)));
  // The table's own lines hold no fields, except the total line (its label is claimed_amount's).
  const skip = new Set(table.lines);
  if (table.table.end) skip.delete(`${table.table.end.page}:${table.table.end.line}`);
  const occurrences = findOccurrences(lines, index, skip, hints?.fields ?? {});
  const byField = new Map<string, Occurrence[]>();
  for (const o of occurrences) byField.set(o.field, [...(byField.get(o.field) ?? []), o]);

  const fields: Record<string, FieldReading> = {};
  const itemSum = table.items.reduce<number | null>((s, it) => {
    const c = it.values.amount ? cents(it.values.amount, table.style === 'mixed' ? null : table.style) : null;
    return s === null || c === null ? null : s + c;
  }, 0);
  for (const f of CLAIM_FIELDS) {
    const hint = hints?.fields[f];
    if (hint?.region) {
      const inBox = readRegion(lines, hint.region, f, fieldLabels[f]);
      const o = inBox && withPattern(inBox, hint.pattern);
      fields[f] = o ? fromOccurrence(o) : notFound(f, fieldLabels[f], hint);
      continue;
    }
    const printed = byField.get(f) ?? [];
    const found = printed.map((o) => withPattern(o, hint?.pattern)).filter((o): o is Occurrence => o !== null);
    const constant = hints?.constants[f];
    if (found.length === 0) {
      if (constant !== undefined) fields[f] = { field: f, label: null, labelAt: null, value: constant, at: null, how: 'constant', conf: 1 };
      else fields[f] = notFound(f, fieldLabels[f], hint);
      if (printed.length > 0 && !fields[f].value) fields[f].looked = `beside '${printed[0].label}' (page ${printed[0].at.page} line ${printed[0].at.line}), but what is printed there does not match the template's pattern`;
      continue;
    }
    if (JOINED.has(f) || hint?.join) {
      // Each label's value on its own terms (a code with its name), and a dash printed for "none" left out.
      const values: string[] = [];
      for (const o of found) {
        const v = trimValue(f, o.value);
        if (!DASHES.test(v) && !values.includes(v)) values.push(v);
      }
      if (values.length === 0) values.push(trimValue(f, found[0].value));
      fields[f] = { ...fromOccurrence(found[0], found.length > 1 ? 'joined' : found[0].how), value: values.join(', '), conf: Math.min(...found.map((o) => o.conf)) };
      if (found.length > 1) fields[f].label = [...new Set(found.map((o) => o.label))].join(' + ');
      continue;
    }
    if (f === 'claimed_amount') {
      // The document's total: the one that the items add up to when several are printed, else the last (a bill ends with its total).
      const style = table.style === 'mixed' ? null : table.style;
      const equal = found.find((o) => itemSum !== null && cents(trimValue(f, o.value), style) === itemSum);
      fields[f] = fromOccurrence(equal ?? found[found.length - 1]);
      continue;
    }
    fields[f] = fromOccurrence(found[0]);
  }
  // A stay printed as one range gives both dates, when no label of their own did.
  const period = (byField.get(PERIOD) ?? []).map((o) => ({ o, parts: splitPeriod(o.value) })).find((p) => p.parts);
  if (period?.parts) {
    for (const [f, v] of [['admission_date', period.parts[0]], ['discharge_date', period.parts[1]]] as const) {
      if (!fields[f].value && !hints?.fields[f]) fields[f] = { ...fromOccurrence({ ...period.o, field: f, value: v }), how: 'right' };
    }
  }
  // The table's total line when no label elsewhere named the total.
  if (!fields.claimed_amount.value && table.total) {
    fields.claimed_amount = { field: 'claimed_amount', label: table.total.label, labelAt: table.total.at, value: table.total.text, at: table.total.at, how: 'right', conf: table.total.conf };
  }
  // What a document says of itself without a label: its issuer in the letterhead, its kind in a title.
  if (!fields.provider_name.value && hints?.constants.provider_name === undefined) {
    const lh = letterhead(lines[0] ?? []);
    if (lh) fields.provider_name = { field: 'provider_name', label: null, labelAt: null, value: lh.text, at: lh.at, how: 'letterhead', conf: lh.conf };
  }
  if (!fields.claim_type.value) {
    const ct = claimTypeFromText(lines, table.lines);
    if (ct) fields.claim_type = { field: 'claim_type', label: null, labelAt: null, value: ct.text, at: ct.at, how: 'inline', conf: ct.conf };
  }
  if (!fields.currency.value) {
    const printed = lines.flat().some((l) => /\b(?:rp\.?|idr)\s*\d/iu.test(l.text));
    if (printed) fields.currency = { field: 'currency', label: null, labelAt: null, value: 'IDR', at: null, how: 'constant', conf: 1 };
  }

  const items: ItemReading[] = table.items;
  // Personal values by the dictionary's labels too: a template may not read them, or read them as something else.
  const personalLabels: Record<string, string[]> = {};
  for (const f of PERSONAL_FIELDS) personalLabels[f] = [...new Set([...(dict.fields[f] ?? []), ...(hints?.fields[f]?.labels ?? [])])];
  const personalIndex = buildLabelIndex({ ...Object.fromEntries(Object.entries(dict.fields).filter(([f]) => !PERSONAL_FIELDS.includes(f as never))), ...personalLabels }, other,
    new Set(PERSONAL_FIELDS.filter((f) => hints?.fields[f]?.labels)));
  const personal = findOccurrences(lines, personalIndex, new Set(), {})
    .filter((o) => PERSONAL_FIELDS.includes(o.field as never)).flatMap((o) => [{ field: o.field, value: trimValue(o.field, o.value) }, { field: o.field, value: o.value }]);
  for (const f of PERSONAL_FIELDS) if (fields[f].value) personal.push({ field: f, value: fields[f].value! });
  for (const f of CLAIM_FIELDS) {
    // A template's region or label may take a personal value as another field (the mask then hides it in that field too).
    const hint = hints?.fields[f];
    if (hint?.region && PERSONAL_FIELDS.includes(f as never) && fields[f].value) personal.push({ field: f, value: fields[f].value! });
  }
  const reading: Reading = {
    reader: hints?.name ?? 'generic',
    candidates: opts.candidates ?? [],
    chosenBecause: opts.chosenBecause ?? (hints ? `template '${hints.name}'` : 'no template matches: the generic reader'),
    source: doc.source, pageCount: doc.pages.length, pages: doc.pages, lines, fields, items, table: table.table,
    locale: table.style === 'en-US' ? 'en-US' : table.style === 'id-ID' ? 'id-ID' : hints?.locale ?? 'id-ID',
    ...dateOrderOf(fields, hints, table.style),
    numberStyle: table.style,
  };
  return { reading, personal };
}
