import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { escapeData, escapeProperty, escapeXml, escapeMarkdownCell } from '../../src/output/report/escape.js';
import { renderGithub, summaryMarkdown, ANNOTATION_LIMIT, STEP_SUMMARY_BYTES } from '../../src/output/report/github.js';
import { annotationPath, displayPath } from '../../src/output/report/paths.js';
import { renderJunit } from '../../src/output/report/junit.js';
// Types only: the pipeline module itself (workers, loaders) is not needed to render a report.
import { buildReport } from '../../src/files/file-outcome.js';
import type { FileOutcome, ValidateReport } from '../../src/files/file-outcome.js';
import type { Problem, ProblemCode, Severity } from '../../src/validation/problem.js';

let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'halo-report-test-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

function problem(code: ProblemCode, severity: Severity, row: number | null, column: string | null, message: string): Problem {
  return { code, severity, row, column, field: null, message };
}

function outcome(path: string, problems: Problem[], extra: Partial<FileOutcome> = {}): FileOutcome {
  const errorCount = problems.filter((p) => p.severity === 'error').length;
  const warningCount = problems.length - errorCount;
  return {
    path, format: 'csv', schema: 'merchant_inventory', schemaGuessed: false, rows: 10, validRows: 10 - errorCount,
    errorCount, warningCount, problems, truncated: false, durationMs: 12.5, bytes: 1000, ...extra,
  };
}

/** Two files: one with a price error, a blank-row warning; one clean. */
function smallReport(): ValidateReport {
  return buildReport([
    outcome('inbox/APT-001/stok.csv', [
      problem('type-error', 'error', 5, 'Harga Jual (Rp)', "'12,500.00' does not match the id-ID number format ('.' groups thousands, ',' marks decimals)"),
      problem('blank-row', 'warning', 7, null, 'blank row skipped'),
    ]),
    outcome('inbox/APT-002/stok.csv', []),
  ]);
}

/**
 * A tiny XML well-formedness check: one root, balanced and properly nested tags, attributes quoted
 * with no raw '<', '&' or '"' inside, text with no raw '<' and only the five predefined entities.
 */
function assertWellFormedXml(xml: string): Array<{ name: string; attrs: Record<string, string>; text: string }> {
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'), 'XML declaration');
  const body = xml.slice(xml.indexOf('?>') + 2);
  const stack: string[] = [];
  const elements: Array<{ name: string; attrs: Record<string, string>; text: string }> = [];
  const open: Array<{ name: string; attrs: Record<string, string>; text: string }> = [];
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
  const checkText = (t: string, where: string) => {
    assert.ok(!t.includes('<'), `raw '<' in ${where}: ${JSON.stringify(t)}`);
    assert.ok(!t.replace(entity, '').includes('&'), `bare '&' in ${where}: ${JSON.stringify(t)}`);
  };
  const unescape = (t: string) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  let pos = 0;
  let roots = 0;
  while (pos < body.length) {
    const lt = body.indexOf('<', pos);
    const text = body.slice(pos, lt < 0 ? body.length : lt);
    if (stack.length === 0) assert.equal(text.trim(), '', `text outside the root: ${JSON.stringify(text)}`);
    else { checkText(text, `<${stack[stack.length - 1]}>`); open[open.length - 1].text += unescape(text); }
    if (lt < 0) break;
    const gt = body.indexOf('>', lt);
    assert.ok(gt > lt, 'unclosed tag');
    const tag = body.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      assert.equal(stack.pop(), name, `closing </${name}> does not match`);
      open.pop();
    } else {
      const selfClosing = tag.endsWith('/');
      const m = /^([A-Za-z_][\w.-]*)((?:\s+[\w.-]+="[^"]*")*)\s*\/?$/.exec(tag);
      assert.ok(m, `malformed tag <${tag}>`);
      const attrs: Record<string, string> = {};
      for (const a of m[2].matchAll(/([\w.-]+)="([^"]*)"/g)) {
        checkText(a[2], `attribute ${a[1]}`);
        assert.ok(!(a[1] in attrs), `duplicate attribute ${a[1]}`);
        attrs[a[1]] = unescape(a[2]);
      }
      const el = { name: m[1], attrs, text: '' };
      elements.push(el);
      if (stack.length === 0) roots++;
      if (!selfClosing) { stack.push(m[1]); open.push(el); }
    }
    pos = gt + 1;
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(roots, 1, 'exactly one root element');
  return elements;
}

describe('escape: as the GitHub Actions toolkit', () => {
  test('escapeData: % CR LF', () => {
    assert.equal(escapeData('100% done'), '100%25 done');
    assert.equal(escapeData('a\r\nb\nc\rd'), 'a%0D%0Ab%0Ac%0Dd');
    assert.equal(escapeData('%0A'), '%250A', 'an already-escaped-looking text is escaped again');
    assert.equal(escapeData('a:b,c'), 'a:b,c', 'data keeps : and ,');
  });
  test('escapeProperty: also : and ,', () => {
    assert.equal(escapeProperty('inbox/a,b:c%.csv'), 'inbox/a%2Cb%3Ac%25.csv');
    assert.equal(escapeProperty('x\ny'), 'x%0Ay');
    assert.equal(escapeProperty('C:\\data\\stok, final.csv'), 'C%3A\\data\\stok%2C final.csv');
  });
  test('escapeXml: the five specials, and characters XML cannot hold are dropped', () => {
    assert.equal(escapeXml(`<a href="x">Tom & Jerry's</a>`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;');
    assert.equal(escapeXml('a\u0000b\u0001c\u001fd\ufffee'), 'abcde');
    assert.equal(escapeXml('tab\tlf\ncr\r'), 'tab\tlf\ncr\r');
    assert.equal(escapeXml('lone \ud800 surrogate'), 'lone  surrogate');
    assert.equal(escapeXml('Parasétamol – 日本'), 'Parasétamol – 日本');
  });
  test('escapeXml keeps characters outside the BMP (XML 1.0 allows #x10000-#x10FFFF)', () => {
    assert.equal(escapeXml('Obat 😀'), 'Obat 😀');
    assert.equal(escapeXml('𝐀'), '𝐀');
  });
  test('property: an escaped property holds none of % CR LF : , raw, and GitHub\'s unescaping gives the text back', () => {
    const codes: Record<string, string> = { '%25': '%', '%0D': '\r', '%0A': '\n', '%3A': ':', '%2C': ',' };
    const unescape = (t: string) => t.replace(/%(25|0D|0A|3A|2C)/g, (m) => codes[m]);
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('%', '\r', '\n', ':', ',', '2', '5', 'A', 'C', 'D', '0', 'x', '/', ' ') }), (s) => {
      const prop = escapeProperty(s);
      assert.doesNotMatch(prop, /[\r\n:,]/);
      assert.doesNotMatch(prop, /%(?!25|0D|0A|3A|2C)/, 'every % starts an escape');
      assert.equal(unescape(prop), s);
      const data = escapeData(s);
      assert.doesNotMatch(data, /[\r\n]/);
      assert.equal(unescape(data), s);
    }), { numRuns: 500 });
  });
  test('escapeMarkdownCell: pipes escaped, line breaks become spaces', () => {
    assert.equal(escapeMarkdownCell('a|b'), 'a\\|b');
    assert.equal(escapeMarkdownCell('line1\nline2\r\nline3'), 'line1 line2 line3');
  });
  test('escapeMarkdownCell: a lone CR also ends a markdown line', () => {
    assert.equal(escapeMarkdownCell('a\rb'), 'a b');
  });
});

describe('renderGithub', () => {
  test('one annotation per problem with file, line and title; a summary line', () => {
    const out = renderGithub(smallReport(), {});
    const lines = out.trimEnd().split('\n');
    assert.deepEqual(lines, [
      "::error file=inbox/APT-001/stok.csv,line=5,title=row 5 [Harga Jual (Rp)] type-error::'12,500.00' does not match the id-ID number format ('.' groups thousands, ',' marks decimals)",
      '::warning file=inbox/APT-001/stok.csv,line=7,title=row 7 blank-row::blank row skipped',
      'halo-data validate: 2 file(s), 1 invalid, 1 error(s), 1 warning(s)',
    ]);
    assert.ok(out.endsWith('\n'));
  });

  test('properties and data are escaped; a problem without a row has no line=', () => {
    const report = buildReport([outcome('in/a,b:c%.csv', [
      problem('parse-error', 'error', null, 'Kolom: A, B', '100% broken\r\nnext line'),
    ])]);
    const first = renderGithub(report, {}).split('\n')[0];
    assert.equal(first, '::error file=in/a%2Cb%3Ac%25.csv,title=file [Kolom%3A A%2C B] parse-error::100%25 broken%0D%0Anext line');
  });

  test('at most 10 error annotations, then a ::notice with the overflow count', () => {
    const problems: Problem[] = [];
    for (let i = 0; i < 25; i++) problems.push(problem('type-error', 'error', i + 2, 'Stok', `row ${i + 2} bad`));
    for (let i = 0; i < 3; i++) problems.push(problem('blank-row', 'warning', 100 + i, null, 'blank row skipped'));
    const out = renderGithub(buildReport([outcome('stok.csv', problems)]), {});
    const lines = out.trimEnd().split('\n');
    const errors = lines.filter((l) => l.startsWith('::error '));
    const warnings = lines.filter((l) => l.startsWith('::warning '));
    const notices = lines.filter((l) => l.startsWith('::notice '));
    assert.equal(ANNOTATION_LIMIT, 10);
    assert.equal(errors.length, 10);
    assert.deepEqual(errors.map((l) => /line=(\d+)/.exec(l)?.[1]), ['2', '3', '4', '5', '6', '7', '8', '9', '10', '11'], 'the first ten, in order');
    assert.equal(warnings.length, 3, 'warnings have their own limit');
    assert.equal(notices.length, 1);
    assert.match(notices[0], /^::notice title=halo-data validate::15 more problem\(s\) not annotated/);
    assert.match(notices[0], /no job summary was written \(GITHUB_STEP_SUMMARY is not set\); run halo-data validate with --format text to see them all$/,
      'without a step summary the notice does not send anyone to it');
    assert.doesNotMatch(out, /see the job summary/);
    assert.ok(lines.indexOf(notices[0]) > lines.indexOf(errors[9]), 'the notice comes after the annotations');
  });

  test('the limit counts across files; problems dropped by --max-errors count as hidden', () => {
    const mk = (path: string, n: number) => outcome(path, Array.from({ length: n }, (_, i) => problem('required-error', 'error', i + 2, 'SKU', 'is required')));
    const truncated = outcome('c.csv', [problem('type-error', 'error', 2, 'Stok', 'x')], { errorCount: 50, truncated: true });
    const out = renderGithub(buildReport([mk('a.csv', 6), mk('b.csv', 6), truncated]), {});
    const lines = out.split('\n');
    assert.equal(lines.filter((l) => l.startsWith('::error ')).length, 10);
    assert.equal(lines.filter((l) => l.startsWith('::error file=b.csv')).length, 4);
    // 2 from b.csv and 1 kept in c.csv were not annotated; 49 of c.csv were never kept.
    assert.match(out, /::notice title=halo-data validate::3 more problem\(s\) not annotated/);
    assert.match(out, /::notice title=halo-data validate::49 more problem\(s\) counted but not kept \(--max-errors[^)]*\); run again with a higher --max-errors/);
  });

  test('no notice when everything was annotated', () => {
    assert.ok(!renderGithub(smallReport(), {}).includes('::notice'));
  });

  test('GITHUB_STEP_SUMMARY gets a markdown table (appended, not overwritten)', () => {
    const summary = join(dir, 'step-summary.md');
    renderGithub(smallReport(), { GITHUB_STEP_SUMMARY: summary });
    const first = readFileSync(summary, 'utf8');
    assert.match(first, /^### halo-data validate: ❌ invalid\n/);
    assert.ok(first.includes('2 file(s) · 1 invalid · 1 error(s) · 1 warning(s) · 20 row(s), 19 valid'));
    const rows = first.split('\n').filter((l) => l.startsWith('|'));
    assert.equal(rows[0], '| file | where | code | severity | message |');
    assert.equal(rows[1], '| --- | --- | --- | --- | --- |');
    assert.equal(rows.length, 4);
    assert.equal(rows[2], "| inbox/APT-001/stok.csv | row 5 [Harga Jual (Rp)] | type-error | error | '12,500.00' does not match the id-ID number format ('.' groups thousands, ',' marks decimals) |");
    assert.equal(rows[3], '| inbox/APT-001/stok.csv | row 7 | blank-row | warning | blank row skipped |');
    for (const r of rows) assert.equal(r.split(/(?<!\\)\|/).length - 2, 5, `five columns: ${r}`);
    renderGithub(smallReport(), { GITHUB_STEP_SUMMARY: summary });
    assert.equal(readFileSync(summary, 'utf8'), first + first);
  });

  test('no GITHUB_STEP_SUMMARY: no file written', () => {
    const before = existsSync(join(dir, 'none.md'));
    renderGithub(smallReport(), {});
    assert.equal(before, false);
    assert.equal(existsSync(join(dir, 'none.md')), false);
  });

  const overflowing = () => buildReport([outcome('stok.csv', Array.from({ length: 14 }, (_, i) => problem('type-error', 'error', i + 2, 'Stok', `bad ${i}`)))]);

  test('with a step summary written, the overflow notice sends the reader to it', () => {
    const summary = join(dir, 'overflow-summary.md');
    const out = renderGithub(overflowing(), { GITHUB_STEP_SUMMARY: summary });
    assert.match(out, /^::notice title=halo-data validate::4 more problem\(s\) not annotated \(GitHub shows at most 10 error and 10 warning annotations per step\); see the job summary for all of them$/m);
    assert.equal(readFileSync(summary, 'utf8').split('\n').filter((l) => l.includes('| error |')).length, 14, 'and it does list them all');
  });

  test('a step summary that cannot be written: a warning says so, and the notice does not point at it', () => {
    // A folder: appending to it fails (EISDIR).
    const out = renderGithub(overflowing(), { GITHUB_STEP_SUMMARY: dir });
    assert.match(out, /^::warning title=halo-data validate::could not write the job summary to GITHUB_STEP_SUMMARY \(.*\): EISDIR$/m);
    assert.match(out, /4 more problem\(s\) not annotated .*; no job summary was written; run halo-data validate with --format text to see them all$/m);
    assert.doesNotMatch(out, /see the job summary/);
  });

  test('the step summary stays under GitHub\'s 1 MiB: rows that do not fit are counted, and the notice says so', () => {
    const summary = join(dir, 'full-summary.md');
    // Already nearly full from an earlier command of the same step: room for a few rows only.
    writeFileSync(summary, 'x'.repeat(STEP_SUMMARY_BYTES - 5000));
    const long = 'a fairly long message about this row, repeated to take room '.repeat(5);
    const report = buildReport([outcome('stok.csv', Array.from({ length: 60 }, (_, i) => problem('type-error', 'error', i + 2, 'Stok', long)))]);
    const out = renderGithub(report, { GITHUB_STEP_SUMMARY: summary });
    assert.ok(statSync(summary).size <= STEP_SUMMARY_BYTES, `the summary is ${statSync(summary).size} bytes`);
    const added = readFileSync(summary, 'utf8').slice(STEP_SUMMARY_BYTES - 5000);
    const listed = added.split('\n').filter((l) => l.includes('| error |')).length;
    assert.ok(listed > 0 && listed < 60, `${listed} rows listed`);
    assert.match(added, new RegExp(`… ${60 - listed} more not listed: a job summary holds at most 1 MiB`));
    assert.match(out, /50 more problem\(s\) not annotated .*; the job summary lists the first of them \(it holds at most 1 MiB\); run halo-data validate with --format text to see them all$/m);
    // A summary with no room left at all is not touched.
    writeFileSync(summary, 'x'.repeat(STEP_SUMMARY_BYTES - 100));
    const full = renderGithub(report, { GITHUB_STEP_SUMMARY: summary });
    assert.equal(statSync(summary).size, STEP_SUMMARY_BYTES - 100);
    assert.match(full, /^::warning title=halo-data validate::the job summary \(GITHUB_STEP_SUMMARY\) already holds \d+ bytes/m);
  });

  test('summaryMarkdown: pipes and newlines in cells keep the table intact; truncated files say so', () => {
    const report = buildReport([outcome('a|b.csv', [problem('type-error', 'error', 3, 'Harga|Jual', 'bad\nvalue | here')], { errorCount: 4, truncated: true })]);
    const { markdown: md, unlisted } = summaryMarkdown(report);
    assert.equal(unlisted, 0);
    const rows = md.split('\n').filter((l) => l.startsWith('|'));
    assert.equal(rows[2], '| a\\|b.csv | row 3 [Harga\\|Jual] | type-error | error | bad value \\| here |');
    assert.equal(rows[3], '| a\\|b.csv | | | | … 3 more (--max-errors) |');
    for (const r of rows) assert.equal(r.split(/(?<!\\)\|/).length - 2, 5, `five columns: ${r}`);
  });

  test('a valid report', () => {
    const { markdown: md } = summaryMarkdown(buildReport([outcome('ok.csv', [problem('no-data-rows', 'warning', null, null, 'no data rows')])]));
    assert.match(md, /✅ valid/);
  });
});

describe('annotation paths: relative to the workspace', () => {
  const ws = join(sep, 'home', 'runner', 'work', 'repo', 'repo');
  test('GITHUB_WORKSPACE set: an absolute path inside it becomes relative, with forward slashes', () => {
    assert.equal(annotationPath(join(ws, 'inbox', 'stok.csv'), { GITHUB_WORKSPACE: ws }, ws), 'inbox/stok.csv');
    // The step runs in a subfolder (working-directory:): a relative input is still named from the workspace.
    assert.equal(annotationPath('stok.csv', { GITHUB_WORKSPACE: ws }, join(ws, 'data')), 'data/stok.csv');
    assert.equal(annotationPath(join('..', 'other', 'x.csv'), { GITHUB_WORKSPACE: ws }, join(ws, 'data')), 'other/x.csv');
  });
  test('GITHUB_WORKSPACE unset: relative to the working folder', () => {
    assert.equal(annotationPath(join(ws, 'inbox', 'stok.csv'), {}, ws), 'inbox/stok.csv');
    assert.equal(annotationPath('inbox/stok.csv', {}, ws), 'inbox/stok.csv');
  });
  test('a file outside the workspace keeps its path as given', () => {
    assert.equal(annotationPath(join(sep, 'tmp', 'x.csv'), { GITHUB_WORKSPACE: ws }, ws), join(sep, 'tmp', 'x.csv'));
    assert.equal(annotationPath(join('..', 'x.csv'), {}, ws), join('..', 'x.csv'));
    // A folder whose name starts with two dots is inside, not above.
    assert.equal(annotationPath(join(ws, '..data', 'x.csv'), {}, ws), '..data/x.csv');
  });
  test('renderGithub writes them into file= and the summary table', () => {
    const summary = join(dir, 'ws-summary.md');
    const report = buildReport([outcome(join(ws, 'in', 'a,b.csv'), [problem('required-error', 'error', 2, 'SKU', 'is required')])]);
    const out = renderGithub(report, { GITHUB_WORKSPACE: ws, GITHUB_STEP_SUMMARY: summary }, join(sep, 'elsewhere'));
    assert.match(out, /^::error file=in\/a%2Cb\.csv,line=2,/m);
    assert.match(readFileSync(summary, 'utf8'), /^\| in\/a,b\.csv \| row 2 \[SKU\] \|/m);
  });
  test('displayPath: a sibling folder named ..x is inside the working folder', () => {
    assert.equal(displayPath(join(ws, '..x', 'a.csv'), ws), join('..x', 'a.csv'));
    assert.equal(displayPath(join(ws, '..', 'a.csv'), ws), join(ws, '..', 'a.csv'));
  });
});

describe('renderJunit', () => {
  test('well-formed XML with one testsuite per file and a failure only for files with errors', () => {
    const xml = renderJunit(smallReport());
    const els = assertWellFormedXml(xml);
    const root = els[0];
    assert.equal(root.name, 'testsuites');
    assert.deepEqual(root.attrs, { name: 'halo-data validate', tests: '2', failures: '1', errors: '0', time: '0.025' });
    const suites = els.filter((e) => e.name === 'testsuite');
    assert.deepEqual(suites.map((s) => s.attrs.name), ['inbox/APT-001/stok.csv', 'inbox/APT-002/stok.csv']);
    assert.deepEqual(suites.map((s) => s.attrs.failures), ['1', '0']);
    assert.deepEqual(suites.map((s) => s.attrs.tests), ['1', '1']);
    const failures = els.filter((e) => e.name === 'failure');
    assert.equal(failures.length, 1);
    assert.equal(failures[0].attrs.message, '1 error');
    assert.equal(failures[0].text, "row 5 [Harga Jual (Rp)] type-error: '12,500.00' does not match the id-ID number format ('.' groups thousands, ',' marks decimals)");
    const out = els.filter((e) => e.name === 'system-out');
    assert.equal(out.length, 1);
    assert.equal(out[0].text, 'warning row 7 blank-row: blank row skipped');
    const cases = els.filter((e) => e.name === 'testcase');
    assert.equal(cases[0].attrs.classname, 'halo-data.validate.merchant_inventory');
    const props = els.filter((e) => e.name === 'property' && e.attrs.name === 'validRows');
    assert.deepEqual(props.map((p) => p.attrs.value), ['9', '10']);
  });

  test('a file with only warnings has no failure', () => {
    const xml = renderJunit(buildReport([outcome('w.csv', [problem('footer-row', 'warning', 40, null, 'TOTAL row skipped')])]));
    const els = assertWellFormedXml(xml);
    assert.equal(els.filter((e) => e.name === 'failure').length, 0);
    assert.equal(els[0].attrs.failures, '0');
  });

  test('<, &, ", \' and control characters in paths, columns and messages are escaped', () => {
    const nasty = `<script>&"quotes" 'apos' \u0001\u0008 ]]> --> <!--`;
    const report = buildReport([
      outcome(`in/<a&b>"c".csv`, [
        problem('type-error', 'error', 2, `Harga <&"> Jual`, nasty),
        problem('unknown-header', 'warning', 1, 'X&Y', `header <x> & "y"`),
      ], { schema: 'a"b<c' }),
      outcome('plain.csv', [problem('parse-error', 'error', null, null, 'unterminated quote')], { schema: null }),
    ]);
    const xml = renderJunit(report);
    const els = assertWellFormedXml(xml);
    const suites = els.filter((e) => e.name === 'testsuite');
    assert.equal(suites[0].attrs.name, 'in/<a&b>"c".csv');
    const failure = els.filter((e) => e.name === 'failure')[0];
    assert.equal(failure.text, `row 2 [Harga <&"> Jual] type-error: <script>&"quotes" 'apos'  ]]> --> <!--`);
    assert.equal(els.filter((e) => e.name === 'system-out')[0].text, 'warning row 1 [X&Y] unknown-header: header <x> & "y"');
    assert.equal(els.filter((e) => e.name === 'testcase')[1].attrs.classname, 'halo-data.validate.unknown');
    assert.equal(els.filter((e) => e.name === 'failure')[1].text, 'file parse-error: unterminated quote');
    assert.ok(!/[\u0000-\u0008]/.test(xml), 'no control characters');
  });

  test('the failure lists errors only and says when problems were cut by --max-errors', () => {
    const report = buildReport([outcome('big.csv', [
      problem('type-error', 'error', 2, 'Stok', 'e1'),
      problem('blank-row', 'warning', 3, null, 'w1'),
      problem('required-error', 'error', 4, 'SKU', 'e2'),
    ], { errorCount: 120, warningCount: 1, truncated: true })]);
    const els = assertWellFormedXml(renderJunit(report));
    const failure = els.find((e) => e.name === 'failure');
    assert.ok(failure);
    assert.equal(failure.attrs.message, '120 errors');
    assert.equal(failure.text, 'row 2 [Stok] type-error: e1\nrow 4 [SKU] required-error: e2\n… 118 more not shown (--max-errors 3)');
  });

  test('an empty report is still well-formed', () => {
    const els = assertWellFormedXml(renderJunit(buildReport([])));
    assert.equal(els.length, 1);
    assert.equal(els[0].attrs.tests, '0');
  });
});
