import type { Line } from '../layout/line.js';
import type { FieldReading, Reading, Where } from '../reading.js';
import { PERSONAL_FIELDS } from '../expected.js';
import { outcomeOf, type ClaimResultLike } from './result.js';
import { knownWords, pageTextTrusted, withholdUnknown } from './withhold.js';

/**
 * `claims explain --format json`: one object, keys always present (null or [] when there is
 * nothing), in this order (README, "claims explain"). Every string in it has passed through
 * the document's mask, and a personal field's value is `***(n)` whatever it is.
 */
export interface ExplainJson {
  file: string;
  /** valid | invalid | needs-review, or unreadable (then `failure` says why). */
  verdict: string;
  failure: { code: string; message: string } | null;
  reader: string | null;
  fellBackFrom: string | null;
  chosenBecause: string | null;
  candidates: Array<{ name: string; origin: string; source: string; matched: boolean; why: string }>;
  source: string | null;
  /**
   * False when the reader did not find the patient's name or member number, so the mask cannot
   * know them: the page's texts (lines, cells, an item's and a skipped line's text) then keep
   * only label words, amounts and short numbers (explain/withhold.ts).
   */
  pageTextComplete: boolean;
  locale: string | null;
  dateOrder: string | null;
  /** False when numeric dates could be read day-month or month-day and nothing settled it. */
  dateOrderSure: boolean | null;
  /** What the amounts' separators said: id-ID, en-US, null (nothing told) or mixed. */
  numberStyle: string | null;
  pageCount: number | null;
  /** Pages read by OCR: engine, mean confidence, resolution, turn, skew, why unreadable. */
  ocrPages: Array<{ page: number; engine: string; meanConf: number; dpi: number; rotated: number; skew: number; unreadable: string | null }>;
  pages: Array<{ number: number; width: number; height: number; lines: Array<{ no: number; x: number; y: number; text: string; cells: Array<{ x0: number; x1: number; text: string }> }> }>;
  fields: Array<{ field: string; personal: boolean; label: string | null; labelAt: Where | null; value: string | null; at: Where | null; how: string | null; conf: number; ocr: boolean; looked: string | null }>;
  items: Array<{ item: number; page: number; values: Record<string, string>; from: Array<Where & { text: string | null }>; conf: number; ocr: boolean }>;
  table: {
    headers: Where[];
    columns: Array<{ column: string; header: string; x0: number; x1: number }>;
    skipped: Array<{ at: Where; kind: string; text: string | null }>;
    end: Where | null;
  } | null;
  checks: Array<{ name: string; ok: boolean; detail: string; field: string | null; page: number | null }>;
  problems: Array<{ code: string; severity: string; field: string | null; page: number | null; message: string }>;
  /** The canonical claim as the gates judged it (personal fields `***(n)`). */
  claim: Record<string, string | null> | null;
  lines: Array<{ page: number; line_no: string | null; description: string | null; quantity: string | null; unit_price: string | null; amount: string | null }>;
}

/** Positions to one decimal: enough to place a word, and stable output for diffs. */
export const pt = (n: number): number => Math.round(n * 10) / 10;

/** A personal field's value, whatever it holds: only its length. */
export const personalShown = (v: string): string => `***(${v.length})`;

/** The lines of a reading by `page:no`, to print the text an item or a skipped line came from. */
export function lineIndex(reading: Reading): Map<string, Line> {
  const m = new Map<string, Line>();
  for (const page of reading.lines) for (const l of page) m.set(`${l.page}:${l.no}`, l);
  return m;
}

/** A page's lines (reading.lines is per page; found by number, not by index, to not depend on its order). */
export function linesOfPage(reading: Reading, page: number): Line[] {
  return reading.lines.find((ls) => ls[0]?.page === page) ?? [];
}

function fieldValue(f: FieldReading): string | null {
  if (f.value === null) return null;
  return PERSONAL_FIELDS.has(f.field) ? personalShown(f.value) : f.value;
}

const nullable = (t: string | undefined, f: (t: string) => string): string | null => (t === undefined ? null : f(t));

/** Applies `mask` to every string in a JSON-shaped value (keys are this format's own). */
function maskDeep<T>(v: T, mask: (s: string) => string): T {
  if (typeof v === 'string') return mask(v) as T;
  if (Array.isArray(v)) return v.map((x) => maskDeep(x, mask)) as T;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = maskDeep(x, mask);
    return out as T;
  }
  return v;
}

export function explainJson(result: ClaimResultLike, file: string): ExplainJson {
  const r = result.reading;
  const j = result.judgement;
  const lines = r ? lineIndex(r) : new Map<string, Line>();
  const trusted = r ? pageTextTrusted(r) : true;
  const known = r && !trusted ? knownWords(r) : new Set<string>();
  /** A text taken from the page (not a field's value): withheld in part when the mask cannot be trusted with it. */
  const pageText = (t: string): string => (trusted ? t : withholdUnknown(t, known));
  const obj: ExplainJson = {
    file,
    verdict: outcomeOf(result),
    failure: result.failure ? { code: result.failure.code, message: result.failure.message } : null,
    reader: r?.reader ?? null,
    fellBackFrom: r?.fellBackFrom ?? null,
    chosenBecause: r?.chosenBecause ?? null,
    candidates: (r?.candidates ?? []).map((c) => ({ name: c.name, origin: c.origin, source: c.source, matched: c.matched, why: c.why })),
    source: r?.source ?? null,
    pageTextComplete: trusted,
    locale: r?.locale ?? null,
    dateOrder: r?.dateOrder ?? null,
    dateOrderSure: r ? r.dateOrderSure : null,
    numberStyle: r?.numberStyle ?? null,
    pageCount: r?.pageCount ?? null,
    ocrPages: (r?.ocrPages ?? []).map((p) => ({ page: p.page, engine: p.engine, meanConf: Math.round(p.meanConf * 100) / 100, dpi: p.dpi, rotated: p.rotated, skew: p.skew, unreadable: p.unreadable ?? null })),
    pages: (r?.pages ?? []).map((p) => ({
      number: p.number, width: pt(p.width), height: pt(p.height),
      lines: linesOfPage(r!, p.number).map((l) => ({
        no: l.no, x: pt(l.x0), y: pt(l.y0), text: pageText(l.text),
        cells: l.cells.map((c) => ({ x0: pt(c.x0), x1: pt(c.x1), text: pageText(c.text) })),
      })),
    })),
    fields: Object.values(r?.fields ?? {}).map((f) => ({
      field: f.field, personal: PERSONAL_FIELDS.has(f.field), label: f.label, labelAt: f.labelAt, value: fieldValue(f), at: f.at,
      how: f.how, conf: f.conf, ocr: f.ocr === true, looked: f.looked ?? null,
    })),
    items: (r?.items ?? []).map((it, i) => ({
      item: i + 1, page: it.page,
      values: Object.fromEntries(Object.entries(it.values).filter((e): e is [string, string] => typeof e[1] === 'string')),
      from: it.from.map((w) => ({ ...w, text: nullable(lines.get(`${w.page}:${w.line}`)?.text, pageText) })),
      conf: it.conf, ocr: it.ocr === true,
    })),
    table: r ? {
      headers: r.table.headers,
      columns: r.table.columns.map((c) => ({ column: c.column, header: c.header, x0: pt(c.x0), x1: pt(c.x1) })),
      skipped: r.table.skipped.map((s) => ({ at: s.at, kind: s.kind, text: nullable(s.text ?? lines.get(`${s.at.page}:${s.at.line}`)?.text, pageText) })),
      end: r.table.end,
    } : null,
    checks: (j?.checks ?? []).map((c) => ({ name: c.name, ok: c.ok, detail: c.detail, field: c.field ?? null, page: c.page ?? null })),
    problems: (j?.problems ?? []).map((p) => ({ code: p.code, severity: p.severity, field: p.field, page: p.page ?? null, message: p.message })),
    claim: j ? Object.fromEntries(Object.entries(j.claim).map(([k, v]) => [k, v !== null && PERSONAL_FIELDS.has(k) ? personalShown(v) : v])) : null,
    lines: (j?.lines ?? []).map((l) => ({ page: l.page, line_no: l.line_no, description: l.description, quantity: l.quantity, unit_price: l.unit_price, amount: l.amount })),
  };
  return maskDeep(obj, result.mask);
}
