import { SURE } from '../gates.js';
import type { ChalkInstance } from 'chalk';
import type { Where } from '../reading.js';
import { explainJson, type ExplainJson } from './json.js';
import type { ClaimResultLike } from './result.js';

/**
 * `claims explain` for people: which reader read the document and why, the page as the
 * reader sees it, each field with its label and where, the line items with their text lines,
 * the table's other lines, the checks and the verdict. Built from explainJson's object, which
 * has already masked every string, and masked once more as a whole: nothing reaches the
 * terminal unmasked.
 */
export function explainText(result: ClaimResultLike, file: string, c: ChalkInstance): string {
  const e = explainJson(result, file);
  const out: string[] = [];
  out.push(c.bold(`claims explain ${e.file}`));
  if (e.failure) {
    out.push(`${c.red('unreadable')}: ${e.failure.code}: ${e.failure.message}`);
  }
  if (e.reader !== null) out.push(...readerBlock(e, c));
  if (e.pages.length > 0) out.push(...pagesBlock(e, c));
  if (e.reader !== null) {
    out.push(...fieldsBlock(e, c));
    out.push(...itemsBlock(e, c));
    out.push(...tableBlock(e, c));
  }
  if (e.checks.length > 0 || e.problems.length > 0) out.push(...checksBlock(e, c));
  out.push('');
  out.push(`verdict: ${verdictColour(e.verdict, c)}${e.reader ? c.gray(` (read by ${readerName(e)})`) : ''}`);
  return result.mask(out.join('\n') + '\n');
}

export function verdictColour(v: string, c: ChalkInstance): string {
  return v === 'valid' ? c.green.bold(v) : v === 'needs-review' ? c.yellow.bold(v) : c.red.bold(v);
}

/** `p1 l5 (x 120.0, y 150.0)`: a place on the page as explain prints it. */
export function whereText(w: Where | null, withPos = true): string {
  if (!w) return '-';
  return `p${w.page} l${w.line}${withPos ? ` (x ${w.x.toFixed(1)}, y ${w.y.toFixed(1)})` : ''}`;
}

function readerName(e: ExplainJson): string {
  return e.reader === 'generic' ? 'the generic reader' : `template ${e.reader}`;
}

function readerBlock(e: ExplainJson, c: ChalkInstance): string[] {
  const out = ['', c.bold('reader')];
  out.push(`  read by ${readerName(e)}: ${e.chosenBecause ?? ''}`);
  if (e.fellBackFrom) out.push(`  ${c.yellow(`template ${e.fellBackFrom} was chosen first, but its reading failed the gates: the generic reader took over`)}`);
  const style = e.numberStyle === null ? 'not told by the separators' : e.numberStyle === 'mixed' ? c.yellow('separators disagree') : `separators say ${e.numberStyle}`;
  out.push(`  ${e.pageCount ?? '?'} page(s), words from ${e.source ?? '-'} · amounts ${e.locale ?? '-'} (${style}) · dates ${e.dateOrder ?? '-'}${e.dateOrderSure === false ? c.yellow(' (not sure: day and month could be either)') : ''}`);
  for (const p of e.ocrPages) {
    out.push(`  page ${p.page} read by OCR (${p.engine}): mean confidence ${p.meanConf.toFixed(2)} · ${p.dpi} dpi · turned ${p.rotated}° · skew ${p.skew}°`
      + (p.unreadable ? c.yellow(` · unreadable: ${p.unreadable}`) : ''));
  }
  if (e.candidates.length === 0) out.push(c.gray('  no template was considered'));
  else {
    out.push('  templates considered:');
    const w = Math.max(...e.candidates.map((t) => t.name.length));
    for (const t of e.candidates) {
      out.push(`    ${t.matched ? c.green('✓') : c.gray('✗')} ${t.name.padEnd(w)}  ${c.gray(`${t.origin} ${t.source}`)}  ${t.why}`);
    }
  }
  return out;
}

function pagesBlock(e: ExplainJson, c: ChalkInstance): string[] {
  const out: string[] = [];
  if (!e.pageTextComplete) {
    out.push('', c.yellow('The patient\'s name or member number was not found, so the page\'s text is shown with only label words, amounts and short numbers: '
      + 'every other word is ***(n). Add the labels this form prints to a template (or the config\'s claims.labels) and run again.'));
  }
  for (const p of e.pages) {
    out.push('', c.bold(`page ${p.number}`) + c.gray(` (${p.width} × ${p.height} pt, ${p.lines.length} lines)`));
    out.push(c.gray('  line      y      x  text'));
    for (const l of p.lines) {
      out.push(`  ${String(l.no).padStart(4)} ${l.y.toFixed(1).padStart(6)} ${l.x.toFixed(1).padStart(6)}  ${l.cells.length > 1 ? l.cells.map((x) => x.text).join(c.gray(' │ ')) : l.text}`);
    }
  }
  return out;
}

function fieldsBlock(e: ExplainJson, c: ChalkInstance): string[] {
  const out = ['', c.bold('fields')];
  if (e.fields.length === 0) out.push(c.gray('  none read'));
  const w = Math.max(0, ...e.fields.map((f) => f.field.length));
  // Values in a column (a long one just pushes its own line's facts right).
  const vw = Math.min(24, Math.max(0, ...e.fields.map((f) => f.value?.length ?? 0)));
  for (const f of e.fields) {
    const name = f.field.padEnd(w);
    if (f.value === null) {
      out.push(`  ${name}  ${c.yellow('not found')}${f.looked ? `: looked ${f.looked}` : ''}`);
      continue;
    }
    const conf = f.ocr ? (f.conf < SURE ? c.yellow(` OCR conf ${f.conf.toFixed(2)}`) : ` OCR conf ${f.conf.toFixed(2)}`) : f.conf < 1 ? c.yellow(` conf ${f.conf.toFixed(2)}`) : '';
    const how = f.at === null ? (f.how ?? '?')
      : `${f.how ?? '?'} · ${f.label === null ? '(no label)' : `label "${f.label}" at ${whereText(f.labelAt, false)}`} · value at ${whereText(f.at)}`;
    out.push(`  ${name}  ${f.value.padEnd(vw)}  ${c.gray(how)}${conf}`);
  }
  return out;
}

function itemsBlock(e: ExplainJson, c: ChalkInstance): string[] {
  const out = ['', c.bold(`line items (${e.items.length})`)];
  for (const it of e.items) {
    const values = Object.entries(it.values).map(([k, v]) => `${k}=${v}`).join('  ');
    const conf = it.ocr ? ` OCR conf ${it.conf.toFixed(2)}` : it.conf < 1 ? ` conf ${it.conf.toFixed(2)}` : '';
    out.push(`  ${String(it.item).padStart(3)}  p${it.page}  ${values}${it.conf < SURE ? c.yellow(conf) : conf}`);
    for (const f of it.from) out.push(c.gray(`         from ${whereText(f, false)}: ${f.text ?? ''}`));
  }
  return out;
}

function tableBlock(e: ExplainJson, c: ChalkInstance): string[] {
  const t = e.table;
  if (!t) return [];
  const out = ['', c.bold('table')];
  out.push(`  header at ${t.headers.length ? t.headers.map((h) => whereText(h, false)).join(', ') : c.yellow('none found')}`);
  if (t.columns.length) out.push(`  columns: ${t.columns.map((k) => `${k.column} "${k.header}" x ${k.x0}–${k.x1}`).join(' · ')}`);
  for (const s of t.skipped) out.push(`  skipped ${whereText(s.at, false)} ${c.cyan(s.kind)}${s.text ? `: ${s.text}` : ''}`);
  out.push(`  end (total line) at ${whereText(t.end, false)}`);
  return out;
}

function checksBlock(e: ExplainJson, c: ChalkInstance): string[] {
  const out = ['', c.bold('checks')];
  const w = Math.max(0, ...e.checks.map((k) => k.name.length));
  for (const k of e.checks) {
    const at = [k.field, k.page ? `p${k.page}` : null].filter(Boolean).join(' ');
    out.push(`  ${k.ok ? c.green('✓') : c.red('✗')} ${k.name.padEnd(w)}  ${k.detail}${at ? c.gray(` (${at})`) : ''}`);
  }
  for (const p of e.problems) {
    const code = p.severity === 'error' ? c.red(p.code) : c.yellow(`${p.code} (warning)`);
    out.push(`  ${code}${p.page ? ` p${p.page}` : ''}${p.field ? ` ${p.field}` : ''}: ${p.message}`);
  }
  return out;
}
