import { IMAGE_EXTENSIONS } from '../loaders/detect.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChalkInstance } from 'chalk';
import { UsageError } from '../errors.js';
import { compare, parseExpected, PERSONAL_FIELDS, type Difference, type Expected } from './expected.js';
import { outcomeOf, type ClaimResultLike } from './explain/result.js';
import { verdictColour } from './explain/text.js';

/**
 * `claims test`: a folder of claim PDFs with `<name>.expected.json` beside them, read and
 * compared field by field. The JSON report's shape is read by the benchmark: keep it.
 */
export interface TestDocument {
  file: string;
  reader: string | null;
  verdict: string;
  expectedVerdict: string;
  passed: boolean;
  fields: { right: number; expected: number };
  lines: { right: number; expected: number };
  differences: Difference[];
}

export interface TestReport {
  dir: string;
  templates: 'configured' | 'none';
  documents: TestDocument[];
  summary: { documents: number; passed: number; fields: { right: number; expected: number }; lines: { right: number; expected: number } };
}

export interface TestCase { pdf: string; name: string; expected: Expected }

const EXPECTED_SUFFIX = '.expected.json';

/**
 * The cases in `dir` (not its subfolders), by name: every expected.json is parsed before any
 * PDF is read, so a malformed one stops the run (exit 2, naming it) instead of half a report.
 * An expected.json with no PDF beside it is an error too (a renamed document would otherwise
 * drop out of the test unnoticed); a PDF with none is not a case.
 */
const DOCUMENT_EXTENSIONS = ['.pdf', ...IMAGE_EXTENSIONS];

export function findCases(dir: string): TestCase[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new UsageError('no-such-file', `cannot read the folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const cases: TestCase[] = [];
  for (const n of names.filter((x) => x.endsWith(EXPECTED_SUFFIX)).sort()) {
    const base = n.slice(0, -EXPECTED_SUFFIX.length);
    // The document: a PDF, or a scan or photo (PNG, JPEG, TIFF) read by OCR.
    const pdfName = DOCUMENT_EXTENSIONS.map((ext) => names.find((x) => x.toLowerCase() === `${base.toLowerCase()}${ext}`)).find((x) => x !== undefined);
    const file = join(dir, n);
    if (!pdfName || !existsSync(join(dir, pdfName))) throw new UsageError('no-such-file', `${file}: no ${base}.pdf (or .png, .jpg, .jpeg, .tif, .tiff) beside it`);
    cases.push({ pdf: join(dir, pdfName), name: pdfName, expected: parseExpected(readFileSync(file, 'utf8'), file) });
  }
  if (cases.length === 0) {
    throw new UsageError('no-such-file', `no <name>${EXPECTED_SUFFIX} in ${dir}`,
      { hint: 'claims test reads every <name>.pdf (or scan: .png, .jpg, .tif) that has a <name>.expected.json beside it (README, "claims test")' });
  }
  return cases;
}

export function testDocument(c: TestCase, result: ClaimResultLike): TestDocument {
  const cmp = compare(c.expected, result);
  return {
    file: c.name,
    reader: result.reading?.reader ?? null,
    verdict: outcomeOf(result),
    expectedVerdict: c.expected.verdict,
    passed: cmp.verdictOk && cmp.differences.length === 0,
    fields: cmp.fields,
    lines: cmp.lines,
    differences: cmp.differences,
  };
}

export function summarise(dir: string, templates: TestReport['templates'], documents: TestDocument[]): TestReport {
  const sum = (k: 'fields' | 'lines') => ({
    right: documents.reduce((n, d) => n + d[k].right, 0),
    expected: documents.reduce((n, d) => n + d[k].expected, 0),
  });
  return { dir, templates, documents, summary: { documents: documents.length, passed: documents.filter((d) => d.passed).length, fields: sum('fields'), lines: sum('lines') } };
}

const MAX_SHOWN = 25;
const ratio = (x: { right: number; expected: number }) => `${x.right}/${x.expected}`;

/** A personal field's difference: only that it differs, and the lengths compare() gave. */
function differenceText(d: Difference, c: ChalkInstance): string {
  const field = d.what.startsWith('claim.') ? d.what.slice('claim.'.length) : null;
  if (field !== null && PERSONAL_FIELDS.has(field)) {
    return d.got === 'not read' ? `${d.what}: ${c.red('not read')}` : `${d.what}: ${c.yellow('differs')} ${c.gray(`(expected ${d.expected}, read ${d.got})`)}`;
  }
  return `${d.what}: expected ${c.green(d.expected)}, got ${c.red(d.got)}`;
}

export function testReportText(r: TestReport, c: ChalkInstance): string {
  const out: string[] = [];
  for (const d of r.documents) {
    const mark = d.passed ? c.green('✔') : c.red('✖');
    const facts = [d.reader === null ? 'unreadable' : d.reader === 'generic' ? 'generic reader' : `template ${d.reader}`,
      `${verdictColour(d.verdict, c)}${d.verdict === d.expectedVerdict ? '' : ` (expected ${d.expectedVerdict})`}`,
      `fields ${ratio(d.fields)}`, `lines ${ratio(d.lines)}`];
    out.push(`${mark} ${c.bold(d.file)}  ${facts.join(c.gray(' · '))}`);
    // A missed or extra item shifts every later line (they are matched by position): the first
    // differences say what went wrong; the JSON report keeps them all.
    for (const x of d.differences.slice(0, MAX_SHOWN)) out.push(`    ${differenceText(x, c)}`);
    if (d.differences.length > MAX_SHOWN) out.push(c.gray(`    … ${d.differences.length - MAX_SHOWN} more differences (--format json lists them all)`));
  }
  const s = r.summary;
  out.push('');
  out.push(`${s.passed === s.documents ? c.green.bold('passed') : c.red.bold('failed')}: ${s.passed} of ${s.documents} document${s.documents === 1 ? '' : 's'} passed`
    + ` · fields ${ratio(s.fields)} right · lines ${ratio(s.lines)} right${r.templates === 'none' ? ' · no templates (generic reader alone)' : ''}`);
  return out.join('\n') + '\n';
}
