import { stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { claimPdf } from '../schemas/builtin/claim-pdf.js';
import { withIcd10List } from '../schemas/code-list.js';
import { MASK } from '../validation/rows.js';
import { problem, type Problem } from '../validation/problem.js';
import { FileAccumulator } from './file-accumulator.js';
import { csvField } from '../batch/csv-out.js';
import { finish } from './csv-file.js';
import { readClaimPdf } from './pdf-task.js';
import { keyIndexFor, type FileJob } from './file-job.js';
import type { FileOutcome, OcrOutcome } from './file-outcome.js';
import { maskOf } from '../documents/claim.js';
import { maskIsComplete } from '../documents/gates.js';
import { masked } from '../documents/redact.js';
import type { Reading } from '../documents/reading.js';

/**
 * A claim PDF through validation: its words from the PDF worker, read and judged by
 * src/documents/ (the template that applies, or the generic reader; the gates), then the one
 * claim row and its line items through the same accumulator as a spreadsheet's rows.
 */
export type { ClaimLine } from '../documents/verdict.js';

/** The closest template by keywords, for a document nothing reads. */
function nearest(r: Reading): string {
  const c = r.candidates.filter((x) => !x.matched)[0];
  return c ? ` (closest: ${c.name}: ${c.why})` : '';
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function ocrOutcome(reading: Reading): OcrOutcome {
  return {
    pages: reading.ocrPages!.map((p) => ({ ...p, meanConf: round2(p.meanConf) })),
    fields: Object.fromEntries(Object.values(reading.fields).filter((f) => f.ocr).map((f) => [f.field, round2(f.conf)])),
    lines: reading.items.filter((i) => i.ocr).map((i) => round2(i.conf)),
  };
}

export async function processPdfFile(job: FileJob, format: 'pdf' | 'image' = 'pdf'): Promise<FileOutcome> {
  const started = performance.now();
  const size = (await stat(job.path)).size;
  const outcome: FileOutcome = {
    path: job.path, format, schema: claimPdf.name, schemaGuessed: false,
    rows: 0, validRows: 0, errorCount: 0, warningCount: 0, problems: [], truncated: false, durationMs: 0, bytes: size,
  };
  const fail = (code: Problem['code'], message: string) => {
    outcome.problems.push(problem(code, 'error', null, null, null, message));
    outcome.errorCount++;
    outcome.durationMs = performance.now() - started;
    return outcome;
  };
  const schema = withIcd10List(claimPdf, job.icd10Codes);
  const result = await readClaimPdf(job.path, job.pdfPool(), job.limits,
    { setup: job.claims, ctx: { schema, maxErrors: job.maxErrors, emit: job.emit !== null, sourceFile: job.sourceFile }, keepPages: false });
  if (!result.ok) return fail(result.code, result.message);
  const { reading, gated, maskForms } = result.claim;
  const mask = maskOf(maskForms);
  const fields = gated.plan.schema.fields;
  outcome.pages = reading.pageCount;
  const found = Object.values(reading.fields).filter((f) => f.value !== null && f.how !== 'constant' && f.how !== 'letterhead').length;
  const scanned = reading.ocrPages ?? [];
  if (scanned.length) outcome.ocr = ocrOutcome(reading);
  if (found === 0 && reading.items.length === 0 && scanned.length === reading.pageCount) {
    // A scan where nothing reads as a claim: what OCR saw is the question, not a template. Review, with why.
    const why = scanned.map((p) => `page ${p.page} ${p.unreadable ?? `gave no claim label or item table (mean OCR confidence ${p.meanConf.toFixed(2)})`}`);
    return fail('needs-review', `nothing on this scan reads as a claim: ${why.join('; ')}; run 'halo-data claims explain' on it, and ask the sender for a sharper scan (300 dpi) or the system-generated PDF`);
  }
  if (found === 0 && reading.items.length === 0 && reading.reader === 'generic') {
    return fail('no-template', `nothing on this document reads as a claim: no field label of the dictionary and no line-item table was found, and no claim template matches${nearest(reading)}; run 'halo-data claims explain' on it, and add a template or labels for this issuer (see README, "Claim PDFs")`);
  }
  outcome.template = reading.reader;
  if (reading.fellBackFrom) outcome.fellBackFrom = reading.fellBackFrom;
  outcome.verdict = gated.judgement.verdict;
  const { plan, rows: res, cells } = gated;
  const lines = gated.judgement.lines;
  const keys = await keyIndexFor(job, plan.schema.keyScope, 1, 'pdf');
  const acc = new FileAccumulator(plan, job.maxErrors, keys.index, job.emit, job.gzipLevel, keys.sightings);
  if (res.errors > 0 && res.validRows > 0) {
    // Valid as a row, rejected by the document checks: it is not written, it is a reject.
    res.validRows = 0;
    res.outKey = new Int32Array(0);
  }
  if (res.errors > 0 && job.emit) {
    // The reject keeps what was read (personal values masked by field and by value) and what was missing.
    const values: Record<string, string> = {};
    // When the name or member number was not found, the mask cannot know them: no value is kept in clear.
    const known = maskIsComplete(reading);
    fields.forEach((f, i) => { if (cells[i]) values[f.name] = f.personal ? MASK : known ? mask(cells[i]) : masked(cells[i]); });
    const codes = [...new Set(res.problems.filter((p) => p.severity === 'error').map((p) => p.code))];
    const review = res.problems.filter((p) => p.code === 'needs-review').map((p) => ({ field: p.field, message: p.message }));
    res.rejects = new TextEncoder().encode(JSON.stringify({ file: job.sourceFile, row: 1, verdict: gated.judgement.verdict, reader: reading.reader, codes, values, ...(review.length ? { review } : {}) }) + '\n');
    res.rejectLines = 1;
  }
  await acc.add({ ...res, out: job.emit && res.validRows > 0 ? res.out : null, rejects: job.emit ? res.rejects : null });
  await acc.finish();
  const done = finish(outcome, plan, acc, started);
  // A PDF has pages, not rows: say where on the page each problem is; quote nobody's personal data.
  for (const p of done.problems) {
    if (p.row !== null) {
      const base = p.field?.startsWith('claim_line.') ? null : p.field;
      p.page ??= (base && reading.fields[base]?.at?.page) || undefined;
      p.row = null;
    }
    p.message = mask(p.message);
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
