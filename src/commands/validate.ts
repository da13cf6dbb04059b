import type { CommandContext } from './context.js';
import { validate, type ValidateReport } from '../files/validate.js';
import { renderText } from '../output/report/text.js';
import { renderJson } from '../output/report/json.js';
import { renderJunit } from '../output/report/junit.js';
import { renderGithub } from '../output/report/github.js';
import { displayPath } from '../output/report/paths.js';
import { VERSION } from '../version.js';
import { UsageError } from '../errors.js';
import { checkOutputFolder, writeOutputFile } from '../output/output-file.js';

export type ReportFormat = 'text' | 'json' | 'junit' | 'github';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'junit', 'github'];

export interface ValidateCommandOptions {
  inputs: string[];
  schema?: string;
  merchant?: string;
  format?: ReportFormat;
  maxErrors: number;
  strict: boolean;
  outputFile?: string;
  threads?: number;
  /** false: claim PDFs read by the generic reader alone (no built-in or config template). */
  templates?: boolean;
}

export interface ValidateCommandResult { exitCode: number; report: ValidateReport }

export async function validateCommand(opts: ValidateCommandOptions, ctx: CommandContext): Promise<ValidateCommandResult> {
  if (!Number.isInteger(opts.maxErrors) || opts.maxErrors < 1) throw new UsageError('bad-option', '--max-errors must be a whole number >= 1');
  const format: ReportFormat = opts.format ?? (ctx.json ? 'json' : ctx.env.GITHUB_ACTIONS === 'true' ? 'github' : 'text');
  const config = ctx.config();
  if (opts.outputFile) checkOutputFolder(opts.outputFile, ctx.cwd, 'the report');
  const progress = ctx.progress('validating…', 'validate');
  let report: ValidateReport;
  try {
    report = await validate({
      inputs: opts.inputs, schema: opts.schema, merchant: opts.merchant, config, maxErrors: opts.maxErrors,
      threads: opts.threads, cwd: ctx.cwd, templates: opts.templates,
      progress, progressStep: { step: 'validate', text: 'validating' },
      onFileDone: (f) => {
        if (f.schemaGuessed) ctx.log.info(`schema guessed from headers: ${f.schema}`, { file: displayPath(f.path) });
        ctx.log.debug('file validated', { file: displayPath(f.path), rows: f.rows, errors: f.errorCount, ms: Math.round(f.durationMs) });
      },
    });
    progress.done(`validated ${report.files.length} file${report.files.length === 1 ? '' : 's'}, ${report.files.reduce((n, f) => n + f.rows, 0).toLocaleString('en-US')} rows`);
  } finally {
    progress.stop();
  }
  const text = format === 'json' ? renderJson(report, VERSION)
    : format === 'junit' ? renderJunit(report)
    : format === 'github' ? renderGithub(report, ctx.env, ctx.cwd)
    : renderText(report, ctx.color);
  if (opts.outputFile) {
    writeOutputFile(opts.outputFile, ctx.cwd, text, 'the report');
    if (!ctx.quiet && !ctx.json) ctx.log.info(`report written to ${opts.outputFile}`, { format });
  } else {
    ctx.stdout.write(text);
  }
  const failed = report.summary.errors > 0 || (opts.strict && report.summary.warnings > 0);
  return { exitCode: failed ? 1 : 0, report };
}
