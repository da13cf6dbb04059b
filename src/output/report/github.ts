import { appendFileSync } from 'node:fs';
import type { ValidateReport } from '../../files/file-outcome.js';
import { displayPath } from './paths.js';
import { escapeData, escapeProperty, escapeMarkdownCell } from './escape.js';

/** GitHub shows at most 10 error and 10 warning annotations per step; the rest would vanish silently. */
export const ANNOTATION_LIMIT = 10;

/** Workflow commands (::error file=F,line=N::message) plus the full table in the step summary. */
export function renderGithub(report: ValidateReport, env: NodeJS.ProcessEnv = process.env): string {
  const out: string[] = [];
  let errors = 0, warnings = 0, hidden = 0;
  for (const f of report.files) {
    const file = displayPath(f.path);
    for (const p of f.problems) {
      const isError = p.severity === 'error';
      if ((isError ? errors : warnings) >= ANNOTATION_LIMIT) { hidden++; continue; }
      if (isError) errors++; else warnings++;
      const props = [`file=${escapeProperty(file)}`];
      if (p.row !== null) props.push(`line=${p.row}`);
      props.push(`title=${escapeProperty(`${p.code}${p.column ? ` [${p.column}]` : ''}`)}`);
      out.push(`::${isError ? 'error' : 'warning'} ${props.join(',')}::${escapeData(p.message)}`);
    }
    // Problems beyond --max-errors were counted but not kept.
    hidden += f.errorCount + f.warningCount - f.problems.length;
  }
  if (hidden > 0) {
    out.push(`::notice title=halo-data validate::${escapeData(`${hidden} more problem(s) not annotated; see the job summary or run with --format text`)}`);
  }
  const s = report.summary;
  out.push(`halo-data validate: ${s.files} file(s), ${s.invalidFiles} invalid, ${s.errors} error(s), ${s.warnings} warning(s)`);
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, summaryMarkdown(report));
  return out.join('\n') + '\n';
}

export function summaryMarkdown(report: ValidateReport): string {
  const s = report.summary;
  const lines = [
    `### halo-data validate: ${report.valid ? '✅ valid' : '❌ invalid'}`,
    '',
    `${s.files} file(s) · ${s.invalidFiles} invalid · ${s.errors} error(s) · ${s.warnings} warning(s) · ${s.rows} row(s), ${s.validRows} valid`,
    '',
    '| file | row | column | code | severity | message |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const f of report.files) {
    for (const p of f.problems) {
      lines.push(`| ${escapeMarkdownCell(displayPath(f.path))} | ${p.row ?? ''} | ${escapeMarkdownCell(p.column ?? '')} | ${p.code} | ${p.severity} | ${escapeMarkdownCell(p.message)} |`);
    }
    if (f.truncated) lines.push(`| ${escapeMarkdownCell(displayPath(f.path))} | | | | | … ${f.errorCount + f.warningCount - f.problems.length} more (--max-errors) |`);
  }
  return lines.join('\n') + '\n\n';
}
