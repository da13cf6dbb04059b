import type { ChalkInstance } from 'chalk';
import type { ValidateReport } from '../../files/file-outcome.js';
import type { FileOutcome } from '../../files/file-outcome.js';
import { displayPath } from './paths.js';
import { problemLocation } from './location.js';

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** For people: grouped by file, problems in row order, one summary line. */
export function renderText(report: ValidateReport, c: ChalkInstance): string {
  const out: string[] = [];
  for (const f of report.files) out.push(...fileBlock(f, c));
  const s = report.summary;
  const verdict = s.errors > 0 ? c.red.bold('invalid') : c.green.bold('valid');
  out.push('');
  out.push(`${verdict}: ${plural(s.files, 'file')}, ${s.invalidFiles} invalid · ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')} · `
    + `${plural(s.rows, 'row')} (${s.validRows.toLocaleString('en-US')} valid)`);
  return out.join('\n') + '\n';
}

function fileBlock(f: FileOutcome, c: ChalkInstance): string[] {
  const mark = f.errorCount > 0 ? c.red('✖') : f.warningCount > 0 ? c.yellow('!') : c.green('✔');
  const facts: string[] = [];
  if (f.schema) facts.push(f.schema + (f.schemaGuessed ? ' (guessed from headers; pass --schema to fix it)' : ''));
  const fmt = [f.format ?? 'unknown format'];
  if (f.encoding) fmt.push(f.encoding);
  if (f.delimiter) fmt.push(DELIMITER_NAMES[f.delimiter] ?? f.delimiter);
  if (f.sheet) fmt.push(`sheet '${f.sheet}'`);
  if (f.template) fmt.push(f.template === 'generic' ? 'generic reader' : `template ${f.template}`);
  if (f.fellBackFrom) fmt.push(`built-in template ${f.fellBackFrom} failed the checks`);
  if (f.pages) fmt.push(plural(f.pages, 'page'));
  if (f.headerRow) fmt.push(`header on row ${f.headerRow}`);
  facts.push(fmt.join(', '));
  facts.push(f.format === 'pdf' ? (f.rows === 0 ? 'no claim read' : f.validRows === 1 ? 'claim valid' : f.verdict === 'needs-review' ? 'claim needs review' : 'claim invalid')
    : `${plural(f.rows, 'row')}, ${f.validRows.toLocaleString('en-US')} valid`);
  if (f.errorCount || f.warningCount) facts.push(`${plural(f.errorCount, 'error')}, ${plural(f.warningCount, 'warning')}`);
  const lines = [`${mark} ${c.bold(displayPath(f.path))}  ${c.gray(facts.join(' · '))}`];
  for (const p of f.problems) {
    const at = problemLocation(p, f);
    const col = at.column ? ` [${at.column}]` : '';
    const code = p.severity === 'error' ? c.red(p.code) : c.yellow(`${p.code} (warning)`);
    lines.push(`    ${at.where.padEnd(9)}${col} ${code}: ${p.message}`);
  }
  if (f.truncated) {
    const shown = f.problems.length;
    lines.push(c.gray(`    … ${(f.errorCount + f.warningCount - shown).toLocaleString('en-US')} more not shown (--max-errors ${shown})`));
  }
  return lines;
}
