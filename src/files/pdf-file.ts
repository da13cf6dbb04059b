import { readFile, stat } from 'node:fs/promises';
import { templateScore, extractClaim, type Extracted } from '../schemas/claim-extract.js';
import type { ClaimTemplate } from '../schemas/claim-template.js';
import { claimPdf, claimLineFields, TOTAL_TOLERANCE } from '../schemas/builtin/claim-pdf.js';
import { compileField } from '../schemas/normalize-field.js';
import { withIcd10List } from '../schemas/code-list.js';
import { FieldFail } from '../schemas/fields/fail.js';
import { LocaleState, compareDecimal } from '../schemas/fields/number.js';
import { DEFAULT_PROFILE, type Profile } from '../schemas/types.js';
import type { FilePlan } from '../validation/plan.js';
import { RowProcessor, MASK } from '../validation/rows.js';
import { problem, type Problem } from '../validation/problem.js';
import { gzipSync } from 'node:zlib';
import { FileAccumulator } from './file-accumulator.js';
import { csvField } from '../batch/csv-out.js';
import { finish } from './csv-file.js';
import { WorkerTimeoutError } from './worker-pool.js';
import { keyIndexFor, type FileJob } from './file-job.js';
import type { FileOutcome } from './file-outcome.js';

/** A claim line in canonical form (claim_line). */
export interface ClaimLine {
  page: number;
  line_no: string | null;
  description: string | null;
  quantity: string | null;
  unit_price: string | null;
  amount: string | null;
}

export function profileOf(t: ClaimTemplate): Profile {
  return { ...DEFAULT_PROFILE, locale: t.locale, dateOrder: t.dateOrder };
}

/** The template for a document: every identify keyword present; the best-scoring one if several. */
export function chooseTemplate(pages: string[], templates: ClaimTemplate[]): { template: ClaimTemplate | null; closest: ClaimTemplate | null } {
  const text = pages.join('\n');
  let best: ClaimTemplate | null = null, bestScore = -1, closest: ClaimTemplate | null = null, closestScore = -1;
  for (const t of templates) {
    const { matches, score } = templateScore(text, t);
    if (matches && score > bestScore) { best = t; bestScore = score; }
    if (score > closestScore) { closest = t; closestScore = score; }
  }
  return { template: best, closest };
}

/** Line items normalised with the template's number format; problems for unreadable ones. */
export function canonicalLines(ex: Extracted, t: ClaimTemplate): { lines: ClaimLine[]; problems: Problem[] } {
  const locale = new LocaleState(t.locale);
  const profile = profileOf(t);
  const norm = Object.fromEntries(claimLineFields.map((f) => [f.name, compileField(f, profile, locale)]));
  const problems: Problem[] = [];
  const lines = ex.lines.map((l, i) => {
    const out: ClaimLine = { page: l.page, line_no: String(i + 1), description: null, quantity: null, unit_price: null, amount: null };
    for (const name of ['line_no', 'description', 'quantity', 'unit_price', 'amount'] as const) {
      const raw = name === 'line_no' ? l.line_no ?? String(i + 1) : l[name];
      if (raw === undefined) continue;
      const r = norm[name](raw);
      if (r instanceof FieldFail) {
        // A value too wide for its column is not shown (hundreds of bytes); others are.
        const shown = r.quoteValue ? `'${raw}' ` : '';
        const p = problem(r.code, 'error', null, null, `claim_line.${name}`, `line ${i + 1}: ${name} ${shown}${r.message}`);
        p.page = l.page;
        problems.push(p);
      } else out[name] = r;
    }
    return out;
  });
  return { lines, problems };
}

function sumDecimals(values: string[]): string {
  // Amounts are canonical 2-decimal text: add them as integer cents (exact to 2^53).
  let cents = 0;
  for (const v of values) cents += Math.round(Number(v) * 100);
  const neg = cents < 0;
  const abs = Math.abs(cents);
  return `${neg ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function subtract(a: string, b: string): string {
  return sumDecimals([a, String(-Number(b))]);
}

export async function processPdfFile(job: FileJob): Promise<FileOutcome> {
  const started = performance.now();
  const size = (await stat(job.path)).size;
  const outcome: FileOutcome = {
    path: job.path, format: 'pdf', schema: claimPdf.name, schemaGuessed: false,
    rows: 0, validRows: 0, errorCount: 0, warningCount: 0, problems: [], truncated: false, durationMs: 0, bytes: size,
  };
  const fail = (code: Problem['code'], message: string) => {
    outcome.problems.push(problem(code, 'error', null, null, null, message));
    outcome.errorCount++;
    outcome.durationMs = performance.now() - started;
    return outcome;
  };
  if (size > job.limits.pdfBytes) return fail('file-too-large', `the PDF is ${size} bytes; the limit is ${job.limits.pdfBytes}`);
  const bytes = new Uint8Array(await readFile(job.path));
  let result;
  try {
    result = await job.pdfPool().run({ bytes, maxPages: job.limits.pdfPages }, [bytes.buffer as ArrayBuffer], job.limits.pdfSeconds * 1000);
  } catch (e) {
    if (e instanceof WorkerTimeoutError) return fail('parse-error', `reading the PDF ${e.message} (a damaged or hostile file?); it was stopped`);
    throw e;
  }
  if (!result.ok) return fail(result.code, result.message);
  const pages = result.pages;
  const { template, closest } = chooseTemplate(pages, job.templates);
  if (!template) {
    let near = '';
    if (closest) {
      const sc = templateScore(pages.join('\n'), closest);
      near = ` (closest: ${closest.name}: ${sc.keywords} of ${closest.identify.length} keywords, ${sc.labels} of ${sc.labelCount} labels)`;
    }
    return fail('no-template', `no claim template matches this document${near}; add a template for this issuer (see README, "Claim PDFs")`);
  }
  outcome.template = template.name;
  outcome.pages = pages.length;
  const ex = extractClaim(pages, template);

  // One row of insurance_claim fields, as a spreadsheet would give it, through the same checks.
  const schema = withIcd10List(claimPdf, job.icd10Codes);
  const fields = schema.fields;
  const labelOf = (name: string) => ex.values[name]?.label ?? null;
  // The plan of a one-row table whose columns are the labels the template found.
  const plan: FilePlan = {
    schema, profile: profileOf(template), columns: fields.map((f) => labelOf(f.name) ?? ''),
    fieldIndex: fields.map((_, i) => i), constants: fields.map((f) => f.default ?? null), headerFatal: false,
    strictCellCount: false, maxProblems: job.maxErrors, emit: job.emit !== null, sourceFile: job.sourceFile,
  };
  const cells = fields.map((f) => {
    const v = ex.values[f.name]?.text ?? template.constants[f.name] ?? '';
    return v === '-' || v === '—' ? '' : v; // printed dashes mean "none"
  });
  const keys = await keyIndexFor(job, schema.keyScope, 1, 'pdf');
  const acc = new FileAccumulator(plan, job.maxErrors, keys.index, job.emit, job.gzipLevel, keys.sightings);
  const proc = new RowProcessor(plan);
  proc.process(cells, 1);
  const res = proc.result();

  const { lines, problems: lineProblems } = canonicalLines(ex, template);
  for (const p of lineProblems) res.problems.push(p), res.errors++;
  if (lines.length === 0) {
    res.problems.push(problem('required-error', 'error', null, null, 'claim_line',
      `no line items found under the table header '${template.lines.header}'`));
    res.errors++;
  }
  // The claimed total must be the sum of the line amounts (to the rupiah).
  const claimedFail = res.problems.some((p) => p.field === 'claimed_amount');
  const claimed = claimedFail ? null : cells[fields.findIndex((f) => f.name === 'claimed_amount')];
  if (claimed && lines.length > 0 && lines.every((l) => l.amount !== null)) {
    const norm = compileField(fields.find((f) => f.name === 'claimed_amount')!, profileOf(template), new LocaleState(template.locale));
    const claimedValue = norm(claimed);
    if (typeof claimedValue === 'string') {
      const sum = sumDecimals(lines.map((l) => l.amount!));
      const diff = subtract(sum, claimedValue).replace('-', '');
      if (compareDecimal(diff, TOTAL_TOLERANCE) > 0) {
        const p = problem('total-mismatch', 'error', null, labelOf('claimed_amount'), 'claimed_amount',
          `the ${lines.length} line items add up to ${sum} but the claimed amount is ${claimedValue} (difference ${diff})`);
        p.page = ex.totalPage ?? ex.values.claimed_amount?.page;
        res.problems.push(p);
        res.errors++;
      }
    }
  }
  if (res.errors > 0 && res.validRows > 0) {
    // Valid as a row, rejected by the document checks: it is not written, it is a reject.
    res.validRows = 0;
    res.outKey = new Int32Array(0);
    if (job.emit) {
      const values: Record<string, string> = {};
      fields.forEach((f, i) => { if (cells[i]) values[f.name] = f.personal ? MASK : cells[i]; });
      const codes = [...new Set(res.problems.filter((p) => p.severity === 'error').map((p) => p.code))];
      res.rejects = new TextEncoder().encode(JSON.stringify({ file: job.sourceFile, row: 1, codes, values }) + '\n');
      res.rejectLines = 1;
    }
  }
  await acc.add({ ...res, out: job.emit && res.validRows > 0 ? res.out : null, rejects: job.emit ? res.rejects : null });
  await acc.finish();
  const done = finish(outcome, plan, acc, started);
  // A PDF has pages, not rows: say where on the page each problem is.
  for (const p of done.problems) {
    if (p.row !== null) {
      const base = p.field?.startsWith('claim_line.') ? null : p.field;
      p.page ??= (base && ex.values[base]?.page) || undefined;
      p.row = null;
    }
  }
  done.claimLines = lines;
  // A valid claim's line items go out beside it (claim_line), in the same batch.
  if (job.emit?.writeLines && done.validRows === 1 && lines.length > 0) {
    const claimId = cells[fields.findIndex((f) => f.name === 'claim_id')];
    const text = lines.map((l) => [claimId, l.line_no, l.description, l.quantity, l.unit_price, l.amount]
      .map((v) => (v === null ? '' : csvField(v))).join(',') + `,${csvField(job.sourceFile)},${l.page}\n`).join('');
    const raw = new TextEncoder().encode(text);
    await job.emit.writeLines(gzipSync(raw), lines.length, raw.length);
  }
  return done;
}
