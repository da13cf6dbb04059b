import { appendFileSync, statSync } from 'node:fs';
import type { ValidateReport } from '../../files/file-outcome.js';
import { annotationPath } from './paths.js';
import { problemLocation } from './location.js';
import { escapeData, escapeProperty, escapeMarkdownCell } from './escape.js';

/** GitHub shows at most 10 error and 10 warning annotations per step; the rest would vanish silently. */
export const ANNOTATION_LIMIT = 10;
/** GitHub refuses a step summary over 1 MiB (the whole step's, so what is already there counts). */
export const STEP_SUMMARY_BYTES = 1024 * 1024;

/**
 * Workflow commands (::error file=F,line=N::message), file paths relative to the workspace,
 * plus the full table in the step summary when GITHUB_STEP_SUMMARY names one. The notes on
 * problems not annotated say where to see them, and only point at the job summary when it
 * was written.
 */
export function renderGithub(report: ValidateReport, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const out: string[] = [];
  let errors = 0, warnings = 0, unannotated = 0, notKept = 0;
  for (const f of report.files) {
    const file = annotationPath(f.path, env, cwd);
    for (const p of f.problems) {
      const isError = p.severity === 'error';
      if ((isError ? errors : warnings) >= ANNOTATION_LIMIT) { unannotated++; continue; }
      if (isError) errors++; else warnings++;
      const at = problemLocation(p, f);
      const props = [`file=${escapeProperty(file)}`];
      if (at.line !== null) props.push(`line=${at.line}`);
      props.push(`title=${escapeProperty(`${at.label} ${p.code}`)}`);
      out.push(`::${isError ? 'error' : 'warning'} ${props.join(',')}::${escapeData(p.message)}`);
    }
    // Problems beyond --max-errors were counted but not kept: no format has them.
    notKept += f.errorCount + f.warningCount - f.problems.length;
  }
  const summary = writeStepSummary(report, env, cwd);
  if (summary.failure) out.push(`::warning title=halo-data validate::${escapeData(summary.failure)}`);
  if (unannotated > 0) {
    const shown = `${unannotated} more problem(s) not annotated (GitHub shows at most ${ANNOTATION_LIMIT} error and ${ANNOTATION_LIMIT} warning annotations per step)`;
    const where = !summary.written
      ? `no job summary was written${env.GITHUB_STEP_SUMMARY ? '' : ' (GITHUB_STEP_SUMMARY is not set)'}; run halo-data validate with --format text to see them all`
      : summary.unlisted > 0 ? `the job summary lists the first of them (it holds at most 1 MiB); run halo-data validate with --format text to see them all`
      : 'see the job summary for all of them';
    out.push(`::notice title=halo-data validate::${escapeData(`${shown}; ${where}`)}`);
  }
  if (notKept > 0) {
    out.push(`::notice title=halo-data validate::${escapeData(`${notKept} more problem(s) counted but not kept (--max-errors keeps the first ones of each file); run again with a higher --max-errors to see them`)}`);
  }
  const s = report.summary;
  out.push(`halo-data validate: ${s.files} file(s), ${s.invalidFiles} invalid, ${s.errors} error(s), ${s.warnings} warning(s)`);
  return out.join('\n') + '\n';
}

interface SummaryWrite { written: boolean; unlisted: number; failure?: string }

/** Appends the table to GITHUB_STEP_SUMMARY when set; says whether it could and what did not fit. */
function writeStepSummary(report: ValidateReport, env: NodeJS.ProcessEnv, cwd: string): SummaryWrite {
  const target = env.GITHUB_STEP_SUMMARY;
  if (!target) return { written: false, unlisted: 0 };
  let already = 0;
  try { already = statSync(target).size; } catch { /* not there yet: appending creates it */ }
  if (STEP_SUMMARY_BYTES - already < 4096) {
    return { written: false, unlisted: 0, failure: `the job summary (GITHUB_STEP_SUMMARY) already holds ${already} bytes and GitHub takes at most 1 MiB: the table was not added` };
  }
  const { markdown, unlisted } = summaryMarkdown(report, { maxBytes: STEP_SUMMARY_BYTES - already, env, cwd });
  try {
    appendFileSync(target, markdown);
    return { written: true, unlisted };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return { written: false, unlisted: 0, failure: `could not write the job summary to GITHUB_STEP_SUMMARY (${target}): ${code}` };
  }
}

export interface SummaryOptions { maxBytes?: number; env?: NodeJS.ProcessEnv; cwd?: string }

/**
 * The step summary: a verdict, the counts and a table of every problem kept, with the same
 * paths and locations as the annotations. Rows that would take it past `maxBytes` are left
 * out and counted (`unlisted`), with a last row saying so.
 */
export function summaryMarkdown(report: ValidateReport, opts: SummaryOptions = {}): { markdown: string; unlisted: number } {
  const { maxBytes = Infinity, env = {}, cwd = process.cwd() } = opts;
  const s = report.summary;
  const head = [
    `### halo-data validate: ${report.valid ? '✅ valid' : '❌ invalid'}`,
    '',
    `${s.files} file(s) · ${s.invalidFiles} invalid · ${s.errors} error(s) · ${s.warnings} warning(s) · ${s.rows} row(s), ${s.validRows} valid`,
    '',
    '| file | where | code | severity | message |',
    '| --- | --- | --- | --- | --- |',
  ];
  const rows: string[] = [];
  // Room kept for the closing line that says how many rows did not fit.
  let bytes = Buffer.byteLength(head.join('\n')) + 256;
  let unlisted = 0;
  const fits = (line: string): boolean => unlisted === 0 && bytes + Buffer.byteLength(line) + 1 <= maxBytes;
  const push = (line: string): void => { bytes += Buffer.byteLength(line) + 1; rows.push(line); };
  for (const f of report.files) {
    const file = escapeMarkdownCell(annotationPath(f.path, env, cwd));
    for (const p of f.problems) {
      const line = `| ${file} | ${escapeMarkdownCell(problemLocation(p, f).label)} | ${p.code} | ${p.severity} | ${escapeMarkdownCell(p.message)} |`;
      if (fits(line)) push(line); else unlisted++;
    }
    const more = `| ${file} | | | | … ${f.errorCount + f.warningCount - f.problems.length} more (--max-errors) |`;
    if (f.truncated && fits(more)) push(more);
  }
  if (unlisted > 0) rows.push(`| | | | | … ${unlisted} more not listed: a job summary holds at most 1 MiB (run halo-data validate with --format text) |`);
  return { markdown: [...head, ...rows].join('\n') + '\n\n', unlisted };
}
