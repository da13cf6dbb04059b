import type { SchemaSpec, Profile } from '../schemas/types.js';
import { DEFAULT_PROFILE } from '../schemas/types.js';
import { claimLineFields, TOTAL_TOLERANCE } from '../schemas/builtin/claim-pdf.js';
import { compileField } from '../schemas/normalize-field.js';
import { FieldFail } from '../schemas/fields/fail.js';
import { LocaleState, compareDecimal } from '../schemas/fields/number.js';
import type { FilePlan } from '../validation/plan.js';
import { RowProcessor, type RowsResult } from '../validation/rows.js';
import { problem, type Problem, type ProblemCode } from '../validation/problem.js';
import type { Reading, FieldReading } from './reading.js';
import type { Check, CheckName, ClaimLine, Judgement, Verdict } from './verdict.js';
import { PERSONAL_FIELDS, masked, type Mask } from './redact.js';
import { amountText, quantityText } from './read/numbers.js';

/**
 * The gates: a claim is valid only when every required field was found, its values read,
 * the items add up to the total (to the rupiah), dates are in order and codes are valid.
 * What fails because the reader is unsure — a required field not found, an unsure word, a
 * row whose numbers do not multiply, amounts in two styles, a date that reads two ways, a
 * value that is somebody's personal data — is `needs-review`: not loaded, kept in the
 * batch's rejects with what was missing and where the reader looked. What fails because
 * the document is wrong is `invalid` with the problem's own code.
 */
export interface GateContext {
  /** claim_pdf with the configured ICD-10 list. */
  schema: SchemaSpec;
  maxErrors: number;
  emit: boolean;
  sourceFile: string;
  mask: Mask;
  /** Personal values read anywhere on the document (redact.ts). */
  personal: Array<{ field: string; value: string }>;
}

export interface Gated {
  judgement: Judgement;
  plan: FilePlan;
  /** The one-row result, as validation of a spreadsheet row gives it. */
  rows: RowsResult;
  cells: string[];
}

/** Words a reader trusts: a text layer is 1; an OCR word below this is not read as sure. */
export const SURE = 0.9;

const DASHES = new Set(['-', '—', '–', '--', 'n/a', 'N/A', '']);

export function profileOf(r: Reading): Profile {
  const locale = r.numberStyle === 'en-US' || r.numberStyle === 'id-ID' ? r.numberStyle : r.numberStyle === null ? r.locale : 'auto';
  return { ...DEFAULT_PROFILE, locale, dateOrder: r.dateOrder };
}

/** Adds integer cents of 2-decimal canonical amounts (exact to 2^53). */
function sum(values: string[]): string {
  let cents = 0;
  for (const v of values) cents += Math.round(Number(v) * 100);
  const neg = cents < 0, abs = Math.abs(cents);
  return `${neg ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Whether the reader found the personal values a message could quote (the name and the member number). */
export function maskIsComplete(reading: Reading): boolean {
  return Boolean(reading.fields.patient_name?.value && reading.fields.member_id?.value);
}

export function judge(reading: Reading, ctx: GateContext): Gated {
  const schema = ctx.schema;
  const fields = schema.fields;
  const profile = profileOf(reading);
  const checks: Check[] = [];
  const review: Problem[] = [];
  const check = (name: CheckName, ok: boolean, detail: string, field?: string, page?: number) => {
    checks.push({ name, ok, detail: ctx.mask(detail), ...(field ? { field } : {}), ...(page ? { page } : {}) });
  };
  const unsure = (field: string | null, page: number | undefined, message: string) => {
    const p = problem('needs-review', 'error', null, null, field, ctx.mask(message));
    if (page) p.page = page;
    review.push(p);
  };
  const where = (f: FieldReading) => (f.at ? `page ${f.at.page} line ${f.at.line}` : 'a constant');

  // 1. Every required field found (a dash printed for "none" is not a value).
  const cells = fields.map((f) => {
    const v = reading.fields[f.name]?.value ?? '';
    return DASHES.has(v.trim()) ? '' : v;
  });
  const value = (name: string) => cells[fields.findIndex((f) => f.name === name)];
  const missing = new Set<string>();
  for (const f of fields) {
    if (!f.required || value(f.name)) continue;
    missing.add(f.name);
    unsure(f.name, undefined, `${f.name} was not found: looked ${reading.fields[f.name]?.looked ?? 'for its label'}`);
  }
  for (const rule of schema.rules ?? []) {
    if (rule.kind === 'oneOf' && rule.fields.every((n) => !value(n))) {
      rule.fields.forEach((n) => missing.add(n));
      unsure(rule.fields[0], undefined, `none of ${rule.fields.join(', ')} was found: looked ${reading.fields[rule.fields[1]]?.looked ?? 'for their labels'}`);
    }
  }
  check('required', missing.size === 0, missing.size === 0 ? 'every required field was found' : `not found: ${[...missing].join(', ')}`);

  // 2. Every value read from sure words, and no field holding somebody's personal data.
  for (const f of fields) {
    const r = reading.fields[f.name];
    if (!r?.value) continue;
    if (r.conf < SURE) unsure(f.name, r.at?.page, `${f.name} was read from unsure words (confidence ${r.conf.toFixed(2)}) at ${where(r)}`);
    if (!f.personal && ctx.personal.some((p) => p.value.length >= 3 && r.value!.toLowerCase().includes(p.value.toLowerCase()))) {
      unsure(f.name, r.at?.page, `${f.name} holds a value printed as personal data (beside a ${ctx.personal.find((p) => r.value!.toLowerCase().includes(p.value.toLowerCase()))!.field} label), read ${r.label ? `beside '${r.label}'` : ''} at ${where(r)}: the template or the dictionary points at the wrong line`);
      cells[fields.indexOf(f)] = '';
    }
  }
  // A scanned page too small or too blurred to read was not read: what is missing may be on it.
  for (const p of reading.ocrPages ?? []) {
    if (p.unreadable) unsure(null, p.page, `page ${p.page} was scanned and ${p.unreadable}: it was not read; ask the sender for a sharper scan (300 dpi) or the system-generated PDF`);
  }
  if (reading.numberStyle === 'mixed') unsure('claimed_amount', undefined, 'the amounts are printed in two styles (1.234,56 and 1,234.56): which is meant is not sure');
  if (!reading.dateOrderSure) unsure('admission_date', reading.fields.admission_date?.at?.page, 'a date reads both as day/month and month/day and nothing on the document settles which');

  // 3. The row through the same checks as a spreadsheet row: types, widths, codes, rules.
  const plan: FilePlan = {
    schema, profile, columns: fields.map((f) => reading.fields[f.name]?.label ?? ''), fieldIndex: fields.map((_, i) => i),
    constants: fields.map((f) => f.default ?? null), headerFatal: false, strictCellCount: false, maxProblems: ctx.maxErrors,
    emit: ctx.emit, sourceFile: ctx.sourceFile,
  };
  const proc = new RowProcessor(plan);
  proc.process(cells, 1);
  const rows = proc.result();
  // A required field not found is needs-review (said above), not also a required-error.
  rows.problems = rows.problems.filter((p) => !(p.code === 'required-error' && p.field && missing.has(p.field))
    && !(p.code === 'constraint-error' && p.field && missing.has(p.field) && /or .* is required/.test(p.message)));
  // The mask hides the personal values the reader found. When it did not find the name or the
  // member number, it cannot know them: then no value is quoted at all.
  const maskKnown = maskIsComplete(reading);
  for (const p of rows.problems) {
    p.message = ctx.mask(p.message);
    const base = p.field ? reading.fields[p.field] : undefined;
    if (base?.at) p.page = base.at.page;
    if (!maskKnown || PERSONAL_FIELDS.includes(p.field as never)) p.message = p.message.replace(/'[^']*'/g, (m) => masked(m.slice(1, -1)));
  }
  const valueProblems = rows.problems.filter((p) => p.severity === 'error' && ['type-error', 'constraint-error', 'ambiguous-value'].includes(p.code));
  check('values', valueProblems.length === 0, valueProblems.length === 0 ? 'every value reads as its type' : valueProblems.map((p) => `${p.field}: ${p.code}`).join('; '));
  const dateProblem = rows.problems.find((p) => p.code === 'constraint-error' && p.field === 'discharge_date');
  check('dates', !dateProblem, dateProblem ? dateProblem.message : 'dates in order');
  const codeProblem = rows.problems.find((p) => p.field === 'diagnosis_codes' && p.severity === 'error');
  check('codes', !codeProblem, codeProblem ? codeProblem.message : 'diagnosis codes valid');

  // 4. The line items: every one complete, its numbers consistent.
  const locale = new LocaleState(profile.locale);
  const norm = Object.fromEntries(claimLineFields.map((f) => [f.name, compileField(f, profile, locale)]));
  const itemProblems: Problem[] = [];
  // Read by OCR: the sums must hold to the cent. The rupiah of tolerance a text layer gets
  // (rounding of quantity × price) would let a misread cents digit through.
  const scanned = (reading.ocrPages?.length ?? 0) > 0;
  const columns = new Set(reading.table.columns.map((c) => c.column));
  const lines: ClaimLine[] = reading.items.map((item, i) => {
    const out: ClaimLine = { page: item.page, line_no: String(i + 1), description: null, quantity: null, unit_price: null, amount: null };
    for (const name of ['description', 'quantity', 'unit_price', 'amount'] as const) {
      const raw = item.values[name];
      const spec = claimLineFields.find((f) => f.name === name)!;
      if (raw === undefined || raw.trim() === '') {
        if (spec.required) {
          const p = problem('required-error', 'error', null, null, `claim_line.${name}`, `line ${i + 1}: ${name} is empty (read from page ${item.page} line ${item.from[0].line})`);
          p.page = item.page;
          itemProblems.push(p);
        }
        continue;
      }
      const r = norm[name](name === 'unit_price' || name === 'amount' ? amountText(raw) ?? raw : raw);
      if (r instanceof FieldFail) {
        const shown = r.quoteValue ? `'${ctx.mask(raw)}' ` : '';
        const p = problem(r.code as ProblemCode, 'error', null, null, `claim_line.${name}`, `line ${i + 1}: ${name} ${shown}${r.message}`);
        p.page = item.page;
        itemProblems.push(p);
      } else out[name] = r as string;
    }
    if (item.conf < SURE) unsure(`claim_line.amount`, item.page, `line ${i + 1} was read from unsure words (confidence ${item.conf.toFixed(2)})`);
    // On a scan, a cell of a printed number column that came back empty was most likely not seen, not blank.
    for (const col of ['quantity', 'unit_price'] as const) {
      if (scanned && item.ocr && columns.has(col) && (item.values[col] === undefined || item.values[col]!.trim() === '')) {
        unsure(`claim_line.${col}`, item.page, `line ${i + 1}: its ${col.replace('_', ' ')} was not read on the scan (page ${item.page} line ${item.from[0].line}): the table prints one`);
      }
    }
    // A row the reader built by a judgment call the page does not settle (which lines are its description).
    if (item.unsure && !item.unsure.startsWith('no quantity')) unsure('claim_line.description', item.page, `line ${i + 1} (page ${item.page} line ${item.from[0].line}): ${item.unsure}`);
    // The reader keeps a row whose quantity or price does not read as one (the columns may be misread): never a valid item.
    const q = item.values.quantity, up = item.values.unit_price, am = item.values.amount;
    if ((q !== undefined && q.trim() !== '' && quantityText(q) === null) || (up !== undefined && up.trim() !== '' && amountText(up) === null)
      || am === undefined || amountText(am) === null) {
      unsure('claim_line.amount', item.page, `line ${i + 1}: its quantity, unit price or amount does not read as one (page ${item.page} line ${item.from[item.from.length - 1].line}): the columns may be misread`);
    }
    if (out.quantity !== null && out.unit_price !== null && out.amount !== null) {
      const product = Math.round(Number(out.quantity) * Number(out.unit_price) * 100);
      const off = Math.abs(product - Math.round(Number(out.amount) * 100));
      if (off > 100) {
        unsure('claim_line.amount', item.page, `line ${i + 1}: quantity × unit price (${out.quantity} × ${out.unit_price}) is not its amount ${out.amount}: the columns may be misread`);
      } else if (off > 0 && scanned) {
        unsure('claim_line.amount', item.page, `line ${i + 1}: quantity × unit price (${out.quantity} × ${out.unit_price}) is ${(product / 100).toFixed(2)}, not its amount ${out.amount}: on a scan a misread digit cannot be told from rounding`);
      }
    }
    return out;
  });
  if (lines.length === 0) {
    unsure('claim_line', undefined, `no line items found: looked for a table header with a description and an amount column (${reading.table.headers.length ? 'a header was found, but no row under it read as an item' : 'no header line found'})`);
  }
  check('items', lines.length > 0 && itemProblems.length === 0, lines.length === 0 ? 'no line items' : itemProblems.length ? `${itemProblems.length} line item problem(s)` : `${lines.length} line items, each complete`);

  // 5. The items add up to the claimed total (1 rupiah).
  const claimedIdx = fields.findIndex((f) => f.name === 'claimed_amount');
  const claimedFail = rows.problems.some((p) => p.field === 'claimed_amount' && p.severity === 'error');
  const claimedRaw = claimedFail ? '' : cells[claimedIdx];
  let totalOk = false;
  if (claimedRaw && lines.length > 0 && lines.every((l) => l.amount !== null)) {
    const claimed = compileField(fields[claimedIdx], profile, new LocaleState(profile.locale))(claimedRaw);
    if (typeof claimed === 'string') {
      const total = sum(lines.map((l) => l.amount!));
      const diff = sum([total, String(-Number(claimed))]).replace('-', '');
      totalOk = compareDecimal(diff, TOTAL_TOLERANCE) <= 0;
      if (totalOk && scanned && compareDecimal(diff, '0.00') > 0) {
        unsure('claimed_amount', reading.table.end?.page, `the items add up to ${total}, the claimed amount is ${claimed}: on a scan a difference of ${diff} may be a misread digit`);
      }
      check('total', totalOk, totalOk ? `${lines.length} items add up to ${total} = claimed ${claimed}` : `${lines.length} items add up to ${total}, claimed ${claimed} (difference ${diff})`,
        'claimed_amount', reading.table.end?.page ?? reading.fields.claimed_amount?.at?.page);
      const guessed = reading.items.map((it, i) => ({ it, i })).filter(({ it }) => it.unsure);
      if (!totalOk && guessed.length > 0) {
        unsure('claimed_amount', reading.table.end?.page, `the items add up to ${total}, not the claimed ${claimed}, and the reader is not sure of ${guessed.map(({ it, i }) => `line ${i + 1} (${it.unsure})`).join('; ')}`);
      } else if (!totalOk) {
        const p = problem('total-mismatch', 'error', null, reading.fields.claimed_amount?.label ?? null, 'claimed_amount',
          `the ${lines.length} line items add up to ${total} but the claimed amount is ${claimed} (difference ${diff})`);
        p.page = reading.table.end?.page ?? reading.fields.claimed_amount?.at?.page;
        rows.problems.push(p);
        rows.errors++;
      }
    }
  } else check('total', false, 'not checked: the claimed amount or a line amount was not read', 'claimed_amount');

  for (const p of itemProblems) rows.problems.push(p), rows.errors++;
  for (const p of review) rows.problems.push(p), rows.errors++;
  rows.errors = rows.problems.filter((p) => p.severity === 'error').length;
  rows.warnings = rows.problems.filter((p) => p.severity === 'warning').length;
  const verdict: Verdict = review.length > 0 ? 'needs-review' : rows.errors > 0 ? 'invalid' : 'valid';

  // Canonical values of the claim (for explain and claims test; personal ones masked when printed).
  const claim: Record<string, string | null> = {};
  const cLocale = new LocaleState(profile.locale);
  for (const [i, f] of fields.entries()) {
    const raw = cells[i] || (f.default ?? '');
    if (!raw) { claim[f.name] = null; continue; }
    const r = compileField(f, profile, cLocale)(raw);
    claim[f.name] = r instanceof FieldFail ? null : (r as string);
  }
  return { judgement: { verdict, checks, problems: rows.problems, claim, lines }, plan, rows, cells };
}
