import { UsageError } from '../errors.js';
import { insuranceClaim } from '../schemas/builtin/insurance-claim.js';
import type { ClaimLine, Verdict } from './verdict.js';
import { PERSONAL_FIELDS as REDACTED } from './redact.js';
import { outcomeOf, type ClaimResultLike } from './explain/result.js';

/**
 * `<name>.expected.json`: what a claim document should read as, for `claims test` (a test
 * runner for template authors) and the benchmark's accuracy figures. Parsed strictly: a key
 * this format does not have is an error naming the file and the key, so a typo never turns
 * into a check that silently passes.
 */
export interface ExpectedLine {
  line_no: number;
  /** Only the columns given are compared. */
  values: Partial<Record<'description' | 'quantity' | 'unit_price' | 'amount', string>>;
}

export interface Expected {
  file: string;
  description?: string;
  verdict: Verdict;
  /** Problem codes the judgement must report (compared as a set); absent = not checked. */
  problems?: string[];
  /** Canonical insurance_claim values; diagnosis_codes an array. A personal field here is compared by value but never shown. */
  claim: Record<string, string | string[] | null>;
  /** Personal fields the reader must find (right when a value was read). */
  personalFields: string[];
  /** absent = lines not checked; [] = the document has no line items. */
  lines?: ExpectedLine[];
}

export interface Difference { what: string; expected: string; got: string }

export interface Comparison {
  fields: { right: number; expected: number };
  lines: { right: number; expected: number };
  verdictOk: boolean;
  differences: Difference[];
}

const VERDICTS: readonly Verdict[] = ['valid', 'invalid', 'needs-review'];
const TOP_KEYS = ['description', 'verdict', 'problems', 'claim', 'personalFields', 'lines'];
/** claim_line's columns (a printed item code has no claim_line field, so it is not one). */
const LINE_COLUMNS = ['description', 'quantity', 'unit_price', 'amount'] as const;
type LineColumn = (typeof LINE_COLUMNS)[number];
const CLAIM_FIELDS = new Set(insuranceClaim.fields.map((f) => f.name));
/** The personal fields (member_id, patient_name, patient_dob): the redactor's list, as a set. */
export const PERSONAL_FIELDS: ReadonlySet<string> = new Set<string>(REDACTED);

function bad(file: string, key: string, what: string): UsageError {
  return new UsageError('bad-expected-file', `${file}: ${key}: ${what}`,
    { hint: 'see README, "claims test": the expected.json format' });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A number given where the format wants a canonical string (quantity 4) is taken as its decimal text. */
function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Parses and checks one expected.json's text; every error names `file` and the key. */
export function parseExpected(text: string, file: string): Expected {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UsageError('bad-expected-file', `${file}: not JSON (${(e as Error).message})`);
  }
  if (!isObject(raw)) throw bad(file, '(top level)', 'must be a JSON object');
  for (const k of Object.keys(raw)) if (!TOP_KEYS.includes(k)) throw bad(file, k, `unknown key (expected one of ${TOP_KEYS.join(', ')})`);

  if (raw.description !== undefined && typeof raw.description !== 'string') throw bad(file, 'description', 'must be a string');
  if (!VERDICTS.includes(raw.verdict as Verdict)) throw bad(file, 'verdict', `must be one of ${VERDICTS.join(', ')}`);

  let problems: string[] | undefined;
  if (raw.problems !== undefined) {
    if (!Array.isArray(raw.problems) || raw.problems.some((p) => typeof p !== 'string')) throw bad(file, 'problems', 'must be an array of problem codes');
    problems = raw.problems as string[];
  }

  const claim: Expected['claim'] = {};
  if (raw.claim !== undefined && raw.claim !== null) {
    if (!isObject(raw.claim)) throw bad(file, 'claim', 'must be an object of insurance_claim fields');
    for (const [k, v] of Object.entries(raw.claim)) {
      if (!CLAIM_FIELDS.has(k)) throw bad(file, `claim.${k}`, 'not an insurance_claim field');
      if (k === 'diagnosis_codes') {
        if (v !== null && (!Array.isArray(v) || v.some((c) => typeof c !== 'string'))) throw bad(file, `claim.${k}`, 'must be an array of codes (or null)');
        claim[k] = v as string[] | null;
      } else {
        const t = v === null ? null : asText(v);
        if (t === undefined) throw bad(file, `claim.${k}`, 'must be a string (or null)');
        claim[k] = t;
      }
    }
  }

  let personalFields: string[] = [];
  if (raw.personalFields !== undefined) {
    if (!Array.isArray(raw.personalFields)) throw bad(file, 'personalFields', 'must be an array of field names');
    for (const f of raw.personalFields) {
      if (typeof f !== 'string' || !PERSONAL_FIELDS.has(f)) throw bad(file, 'personalFields', `${JSON.stringify(f)} is not a personal field (${[...PERSONAL_FIELDS].join(', ')})`);
    }
    personalFields = raw.personalFields as string[];
  }

  let lines: ExpectedLine[] | undefined;
  if (raw.lines !== undefined) {
    if (!Array.isArray(raw.lines)) throw bad(file, 'lines', 'must be an array of line objects');
    const seen = new Set<number>();
    lines = raw.lines.map((l, i) => {
      const key = `lines[${i}]`;
      if (!isObject(l)) throw bad(file, key, 'must be an object');
      const no = l.line_no;
      if (typeof no !== 'number' || !Number.isInteger(no) || no < 1) throw bad(file, `${key}.line_no`, 'must be a whole number >= 1 (the item\'s position)');
      if (seen.has(no)) throw bad(file, `${key}.line_no`, `${no} is given twice`);
      seen.add(no);
      const values: ExpectedLine['values'] = {};
      for (const [k, v] of Object.entries(l)) {
        if (k === 'line_no') continue;
        if (!(LINE_COLUMNS as readonly string[]).includes(k)) throw bad(file, `${key}.${k}`, `unknown column (expected line_no, ${LINE_COLUMNS.join(', ')})`);
        const t = asText(v);
        if (t === undefined) throw bad(file, `${key}.${k}`, 'must be a string');
        values[k as LineColumn] = t;
      }
      return { line_no: no, values };
    });
  }

  return { file, ...(typeof raw.description === 'string' ? { description: raw.description } : {}), verdict: raw.verdict as Verdict, problems, claim, personalFields, lines };
}

/**
 * Canonical text for comparison: whitespace collapsed, and a plain decimal without its
 * insignificant zeros (`4375000.00` = `4375000`, quantity `4` = `4.00`), so a hand-written
 * expected value is not a false difference.
 */
export function canonical(v: string): string {
  const t = v.trim().replace(/\s+/g, ' ');
  const m = /^(-?)0*(\d+?)(?:\.(\d*?)0*)?$/.exec(t);
  if (!m) return t;
  return `${m[1]}${m[2]}${m[3] ? `.${m[3]}` : ''}`;
}

/** diagnosis_codes as the judgement holds it (a JSON array, canonical) or as a user typed it (comma separated). */
export function codeList(v: string | string[] | null | undefined): string[] | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((c) => c.trim().toUpperCase());
  const t = v.trim();
  if (t.startsWith('[')) {
    try {
      const a = JSON.parse(t) as unknown;
      if (Array.isArray(a)) return a.map((c) => String(c).trim().toUpperCase());
    } catch { /* not JSON: split it below */ }
  }
  return t.split(/[,;|\s]+/).filter(Boolean).map((c) => c.toUpperCase());
}

const NONE = '(none)';
const shown = (v: string | string[] | null | undefined) => (v === null || v === undefined ? NONE : Array.isArray(v) ? v.join(', ') : v);
/** A personal value is only ever described by its length. */
const lengthOnly = (v: string | string[] | null | undefined) => (v === null || v === undefined ? NONE : `***(${shown(v).length})`);

function sameField(field: string, expected: string | string[] | null, got: string | null | undefined): boolean {
  if (field === 'diagnosis_codes') return JSON.stringify(codeList(expected)) === JSON.stringify(codeList(got));
  if (expected === null || got === null || got === undefined) return (expected ?? null) === (got ?? null);
  return canonical(shown(expected)) === canonical(got);
}

/**
 * Compares what was read with what was expected, field by field and line by line. Pure.
 * Every string it returns has passed through the document's mask, and a personal field's
 * value is shown only as its length: a template that reads a name as claim_id cannot leak it
 * through a difference.
 */
export function compare(expected: Expected, result: ClaimResultLike): Comparison {
  const mask = result.mask;
  const differences: Difference[] = [];
  const diff = (what: string, exp: string, got: string) => differences.push({ what, expected: mask(exp), got: mask(got) });
  const j = result.judgement;
  const outcome = outcomeOf(result);
  const verdictOk = outcome === expected.verdict;
  if (!verdictOk) diff('verdict', expected.verdict, result.failure && !j ? `${outcome} (${result.failure.code})` : outcome);

  if (expected.problems && j) {
    const want = [...new Set(expected.problems)].sort();
    const got = [...new Set(j.problems.map((p) => p.code))].sort();
    if (want.join(',') !== got.join(',')) diff('problems', want.join(', ') || NONE, got.join(', ') || NONE);
  }

  const fieldNames = [...new Set([...Object.keys(expected.claim), ...expected.personalFields])];
  const lines = expected.lines ?? [];
  // Nothing was read: nothing is right, and the verdict's difference (with the failure's code) says why.
  if (!j) return { fields: { right: 0, expected: fieldNames.length }, lines: { right: 0, expected: lines.length }, verdictOk, differences };
  let fieldsRight = 0;
  for (const f of fieldNames) {
    const got = j.claim[f] ?? null;
    if (PERSONAL_FIELDS.has(f)) {
      const read = got !== null || (result.reading?.fields[f]?.value ?? null) !== null;
      const want = expected.claim[f];
      if (want === undefined) {
        if (read) fieldsRight++;
        else diff(`claim.${f}`, 'a value', 'not read');
      } else if (sameField(f, want, got)) {
        fieldsRight++;
      } else {
        diff(`claim.${f}`, lengthOnly(want), lengthOnly(got));
      }
      continue;
    }
    const want = expected.claim[f];
    if (sameField(f, want, got)) fieldsRight++;
    else diff(`claim.${f}`, shown(f === 'diagnosis_codes' ? codeList(want) : want), shown(f === 'diagnosis_codes' ? codeList(got) : got));
  }

  let linesRight = 0;
  const gotLines: ClaimLine[] = j.lines;
  for (const want of lines) {
    // Matched by position: the item numbered line_no is the line_no-th item read.
    const got = gotLines[want.line_no - 1];
    if (!got) {
      diff(`line ${want.line_no}`, Object.values(want.values).join(' | ') || 'an item', '(no such line read)');
      continue;
    }
    let ok = true;
    for (const [col, v] of Object.entries(want.values) as Array<[LineColumn, string]>) {
      const g = got[col];
      if (g !== null && canonical(g) === canonical(v)) continue;
      ok = false;
      diff(`line ${want.line_no}.${col}`, v, g ?? NONE);
    }
    if (ok) linesRight++;
  }
  if (expected.lines && gotLines.length !== lines.length) diff('lines', `${lines.length} line(s)`, `${gotLines.length} line(s)`);

  return {
    fields: { right: fieldsRight, expected: fieldNames.length },
    lines: { right: linesRight, expected: lines.length },
    verdictOk,
    differences,
  };
}
