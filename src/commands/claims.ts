import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandContext } from './context.js';
import { UsageError } from '../errors.js';
import { displayPath } from '../output/report/paths.js';
import { readIcd10List } from '../schemas/code-list.js';
import { DEFAULT_LIMITS } from '../files/file-job.js';
import { readClaimFile, readClaimFiles, type ClaimResult, type ReadClaimOptions } from '../documents/read-file.js';
import { claimReaderFor } from '../documents/setup.js';
import { explainJson } from '../documents/explain/json.js';
import { explainText } from '../documents/explain/text.js';
import { findCases, summarise, testDocument, testReportText, type TestDocument } from '../documents/test-run.js';

/**
 * `claims explain` and `claims test`: the explain loop for template authors. Both read
 * documents exactly as validate and stage do (read-file.ts), with the config's templates
 * plus any given with --template (a file given wins over every other template).
 */
export type ClaimsFormat = 'text' | 'json';

export interface ExplainOptions { file: string; template?: string; format?: ClaimsFormat }
export interface TestOptions { dir: string; templates: string[]; noTemplates: boolean; format?: ClaimsFormat }

function formatOf(opt: ClaimsFormat | undefined, ctx: CommandContext): ClaimsFormat {
  return opt ?? (ctx.json ? 'json' : 'text');
}

/**
 * The reader as validate sets it up from the config (templates, dictionary, ICD-10 list,
 * limits), plus the template files given, which win; `configured: false` = the generic reader
 * alone. Templates are loaded before any document is read, so a bad one is exit 2 at once.
 */
function readerOptions(ctx: CommandContext, files: string[], configured: boolean): ReadClaimOptions {
  const config = ctx.config();
  const templateFiles = files.map((f) => existingFile(resolve(ctx.cwd, f), f, 'template'));
  const icd10 = config.claims?.icd10CodesFile;
  return {
    claims: claimReaderFor(config, { templateFiles, templates: configured || templateFiles.length > 0 }),
    icd10Codes: icd10 ? readIcd10List(icd10) : undefined,
    limits: { ...DEFAULT_LIMITS, ...config.limits },
  };
}

/** A missing input is a usage error (exit 2, README "Exit codes"): the command was called wrongly, no document was judged. */
function existingFile(path: string, given: string, what: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError('no-such-file', `no such ${what} file: ${given}`);
  return path;
}

export async function claimsExplain(opts: ExplainOptions, ctx: CommandContext): Promise<number> {
  const format = formatOf(opts.format, ctx);
  const read = readerOptions(ctx, opts.template ? [opts.template] : [], true);
  const path = existingFile(resolve(ctx.cwd, opts.file), opts.file, 'claim');
  const result = await readClaimFile(path, read);
  const shown = displayPath(path, ctx.cwd);
  ctx.stdout.write(format === 'json' ? JSON.stringify(explainJson(result, shown), null, 2) + '\n' : explainText(result, shown, ctx.color));
  return result.judgement?.verdict === 'valid' ? 0 : 1;
}

export async function claimsTest(opts: TestOptions, ctx: CommandContext): Promise<number> {
  const format = formatOf(opts.format, ctx);
  if (opts.noTemplates && opts.templates.length > 0) {
    throw new UsageError('bad-option', '--no-templates reads with the generic reader alone: it cannot be given with --template');
  }
  const dir = resolve(ctx.cwd, opts.dir);
  const read = readerOptions(ctx, opts.templates, !opts.noTemplates);
  const cases = findCases(dir);
  const results = new Map<string, ClaimResult>();
  const progress = ctx.progress('reading claims…', 'claims-test');
  try {
    // One worker for the whole folder, in the cases' order.
    await readClaimFiles(cases.map((c) => c.pdf), read, (p, r) => { results.set(p, r); });
  } finally {
    progress.stop();
  }
  const documents: TestDocument[] = cases.map((c) => testDocument(c, results.get(c.pdf)!));
  const report = summarise(displayPath(dir, ctx.cwd), opts.noTemplates ? 'none' : 'configured', documents);
  ctx.stdout.write(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : testReportText(report, ctx.color));
  return report.summary.passed === report.summary.documents ? 0 : 1;
}
