import { claimPdf } from '../schemas/builtin/claim-pdf.js';
import { withIcd10List } from '../schemas/code-list.js';
import type { FieldSpec } from '../schemas/types.js';
import type { ProblemCode } from '../validation/problem.js';
import { WorkerPool } from '../files/worker-pool.js';
import { workerUrl } from '../files/validate.js';
import type { PdfTask, PdfResult } from '../files/pdf-worker.js';
import { DEFAULT_LIMITS } from '../files/file-job.js';
import { maskOf, type ClaimSetup } from './claim.js';
import { readClaimPdf, type ClaimLimits } from '../files/pdf-task.js';
import type { Reading } from './reading.js';
import type { Judgement } from './verdict.js';
import type { Mask } from './redact.js';

/**
 * One claim file read outside a batch: what `claims explain` and `claims test` show. The
 * same path as validation (the PDF worker, the reader, the gates), one file at a time.
 */
export interface ReadClaimOptions {
  claims: ClaimSetup;
  icd10Codes?: FieldSpec['allowed'];
  limits?: ClaimLimits;
}

export interface ClaimResult {
  /** null when the PDF could not be read at all (encrypted, damaged, no text layer). */
  reading: Reading | null;
  failure?: { code: ProblemCode; message: string };
  judgement: Judgement | null;
  /** Masks every personal value this document holds, whatever field it was read as: `***(n)`. */
  mask: Mask;
}

export async function readClaimFiles(paths: string[], opts: ReadClaimOptions, each: (path: string, r: ClaimResult) => void | Promise<void>): Promise<void> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const pool = new WorkerPool<PdfTask, PdfResult>(workerUrl('pdf-worker'), 1);
  try {
    for (const path of paths) await each(path, await readOne(path, pool, opts, limits));
  } finally {
    await pool.close();
  }
}

export async function readClaimFile(path: string, opts: ReadClaimOptions): Promise<ClaimResult> {
  let out: ClaimResult | null = null;
  await readClaimFiles([path], opts, (_p, r) => { out = r; });
  return out!;
}

async function readOne(path: string, pool: WorkerPool<PdfTask, PdfResult>, opts: ReadClaimOptions, limits: NonNullable<ReadClaimOptions['limits']>): Promise<ClaimResult> {
  const failed = (code: ProblemCode, message: string): ClaimResult => ({ reading: null, judgement: null, failure: { code, message }, mask: (t) => t });
  const schema = withIcd10List(claimPdf, opts.icd10Codes);
  const result = await readClaimPdf(path, pool, limits, { setup: opts.claims, ctx: { schema, maxErrors: 100, emit: false, sourceFile: path }, keepPages: true });
  if (!result.ok) return failed(result.code, result.message);
  const { reading, gated, maskForms } = result.claim;
  return { reading, judgement: gated.judgement, mask: maskOf(maskForms) };
}
