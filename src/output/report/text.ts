import { SURE } from '../../documents/gates.js';
import type { ChalkInstance } from 'chalk';
import type { FileOutcome, OcrOutcome, ValidateReport } from '../../files/file-outcome.js';
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

/** How the scanned pages were read, and each value's confidence (never the value: it may be personal). */
function ocrLines(o: OcrOutcome, c: ChalkInstance): string[] {
  const out = o.pages.map((p) => c.gray(`    page ${p.page}   read by OCR (${p.engine}), mean confidence ${p.meanConf.toFixed(2)}, ${p.dpi} dpi`
    + `${p.rotated ? `, turned ${p.rotated}°` : ''}${p.skew ? `, skew ${p.skew}° removed` : ''}`) + (p.unreadable ? c.yellow(`: ${p.unreadable}`) : ''));
  const fields = Object.entries(o.fields);
  if (fields.length) {
    out.push(c.gray(`    OCR confidence: ${fields.map(([k, v]) => (v < SURE ? c.yellow(`${k} ${v.toFixed(2)}`) : `${k} ${v.toFixed(2)}`)).join(', ')}`
      + (o.lines.length ? `; line items ${Math.min(...o.lines).toFixed(2)}–${Math.max(...o.lines).toFixed(2)}` : '')));
  }
  return out;
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
  facts.push(f.format === 'pdf' || f.format === 'image' ? (f.rows === 0 ? 'no claim read' : f.validRows === 1 ? 'claim valid' : f.verdict === 'needs-review' ? 'claim needs review' : 'claim invalid')
    : `${plural(f.rows, 'row')}, ${f.validRows.toLocaleString('en-US')} valid`);
  if (f.errorCount || f.warningCount) facts.push(`${plural(f.errorCount, 'error')}, ${plural(f.warningCount, 'warning')}`);
  const lines = [`${mark} ${c.bold(displayPath(f.path))}  ${c.gray(facts.join(' · '))}`];
  if (f.ocr) lines.push(...ocrLines(f.ocr, c));
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
