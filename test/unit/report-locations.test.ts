/** Every report format names a problem's place the way the text format does (issue 15, item 11). */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Chalk } from 'chalk';
import { problemLocation } from '../../src/output/report/location.js';
import { renderText } from '../../src/output/report/text.js';
import { renderJunit } from '../../src/output/report/junit.js';
import { renderJson } from '../../src/output/report/json.js';
import { renderGithub, summaryMarkdown, ANNOTATION_LIMIT } from '../../src/output/report/github.js';
import { escapeProperty, escapeXml } from '../../src/output/report/escape.js';
import { buildReport } from '../../src/files/file-outcome.js';
import type { FileOutcome } from '../../src/files/file-outcome.js';
import type { Problem, ProblemCode } from '../../src/validation/problem.js';
import { unreadableVerdict } from '../../src/files/file-verdict.js';

const plain = new Chalk({ level: 0 });

function p(fields: Partial<Problem>): Problem {
  return { code: 'type-error', severity: 'error', row: null, column: null, field: null, message: 'bad', ...fields };
}
function file(extra: Partial<FileOutcome>, problems: Problem[]): FileOutcome {
  const errorCount = problems.filter((x) => x.severity === 'error').length;
  return {
    path: 'in/f.csv', format: 'csv', schema: 'merchant_inventory', schemaGuessed: false, rows: 3, validRows: 0,
    errorCount, warningCount: problems.length - errorCount, problems, truncated: false, durationMs: 1, bytes: 1, ...extra,
  };
}

describe('problemLocation', () => {
  test('a table row, with and without a column; a whole-file problem', () => {
    assert.deepEqual(problemLocation(p({ row: 5, column: 'Stok' }), {}), { where: 'row 5', column: 'Stok', label: 'row 5 [Stok]', line: 5 });
    assert.deepEqual(problemLocation(p({ row: 7 }), {}), { where: 'row 7', column: null, label: 'row 7', line: 7 });
    assert.deepEqual(problemLocation(p({}), {}), { where: 'file', column: null, label: 'file', line: null });
  });
  test('a PDF problem is on its page, and a page is no line of the file', () => {
    assert.deepEqual(problemLocation(p({ page: 1, column: 'Visit Date' }), {}), { where: 'page 1', column: 'Visit Date', label: 'page 1 [Visit Date]', line: null });
  });
  test("a spreadsheet's sheet is named once with the file; a problem on another sheet names it", () => {
    assert.equal(problemLocation(p({ row: 3, sheet: 'Stok' }), { sheet: 'Stok' }).where, 'row 3');
    assert.equal(problemLocation(p({ row: 3, sheet: 'Cover' }), { sheet: 'Stok' }).where, 'sheet Cover row 3');
    assert.equal(problemLocation(p({ row: 3, sheet: 'Stok' }), {}).where, 'sheet Stok row 3');
  });
});

describe('the PDF case of the issue: junit and github say page 1 where the text does', () => {
  const report = buildReport([file({ path: 'claims/bad-values.pdf', format: 'pdf', schema: 'claim_pdf', pages: 1 }, [
    p({ page: 1, column: 'Visit Date', message: "admission_date '2026-11-31' is not a valid date" }),
  ])]);
  test('all four formats', () => {
    assert.match(renderText(report, plain), /^ {4}page 1 +\[Visit Date\] type-error: admission_date/m);
    assert.match(renderJunit(report), />page 1 \[Visit Date\] type-error: admission_date/);
    assert.doesNotMatch(renderJunit(report), />file \[/);
    const gh = renderGithub(report, {});
    assert.match(gh, /^::error file=claims\/bad-values\.pdf,title=page 1 \[Visit Date\] type-error::/m);
    assert.doesNotMatch(gh, /line=/, 'no line= for a page of a PDF');
    assert.equal(JSON.parse(renderJson(report, 'test')).files[0].errors[0].where, 'page 1');
    assert.match(summaryMarkdown(report).markdown, /\| claims\/bad-values\.pdf \| page 1 \[Visit Date\] \| type-error \|/);
  });
});

// Names with single spaces only: the text format pads the location column with spaces.
const word = fc.stringMatching(/^[A-Za-z0-9()%:,.&<>'"-]{1,8}$/);
const name = fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(' '));
const codes: ProblemCode[] = ['type-error', 'required-error', 'blank-row', 'parse-error', 'total-mismatch', 'unknown-header'];
const arbProblem = fc.record({
  code: fc.constantFrom(...codes),
  severity: fc.constantFrom('error' as const, 'warning' as const),
  row: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: null }),
  column: fc.option(name, { nil: null }),
  field: fc.constant(null),
  message: name,
  sheet: fc.option(fc.constantFrom('Stok', 'Sheet 2', 'Cover'), { nil: undefined }),
  page: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
}).map((x): Problem => {
  const out: Problem = { code: x.code, severity: x.severity, row: x.row, column: x.column, field: x.field, message: x.message };
  if (x.sheet !== undefined) out.sheet = x.sheet;
  if (x.page !== undefined) out.page = x.page;
  return out;
});
const arbFile = fc.record({
  sheet: fc.option(fc.constantFrom('Stok', 'Sheet 2'), { nil: undefined }),
  problems: fc.array(arbProblem, { maxLength: 8 }),
}).map(({ sheet, problems }) => file(sheet ? { sheet, format: 'xlsx' } : {}, problems));

/** The locations the text report prints, read back from its lines (not from problemLocation). */
function textLocations(text: string, f: FileOutcome): Array<{ where: string; label: string }> {
  const lines = text.split('\n');
  const head = lines.findIndex((l) => l.includes(f.path));
  return f.problems.map((prob, i) => {
    const line = lines[head + 1 + i];
    const code = prob.severity === 'error' ? ` ${prob.code}: ` : ` ${prob.code} (warning): `;
    const before = line.slice(4, line.indexOf(code, 4));
    const m = /^(.*?) *( \[.*\])?$/.exec(before)!;
    const where = m[1];
    return { where, label: where + (m[2] ?? '') };
  });
}

describe('property: every location the text format prints appears the same in the other formats', () => {
  test('junit, github, the step summary and json', () => {
    fc.assert(fc.property(fc.array(arbFile, { minLength: 1, maxLength: 3 }), (files) => {
      files.forEach((f, i) => { f.path = `in/file-${i}.csv`; });
      const report = buildReport(files);
      const text = renderText(report, plain);
      const junit = renderJunit(report);
      const github = renderGithub(report, {}).split('\n');
      const md = summaryMarkdown(report).markdown;
      const json = JSON.parse(renderJson(report, 'test'));
      let errors = 0, warnings = 0;
      files.forEach((f, fi) => {
        textLocations(text, f).forEach(({ where, label }, i) => {
          const prob = f.problems[i];
          // The text names everything known: the page, the row, a sheet other than the file's.
          if (prob.page !== undefined) assert.ok(where.includes(`page ${prob.page}`), where);
          if (prob.row !== null) assert.ok(where.includes(`row ${prob.row}`), where);
          if (prob.sheet !== undefined && prob.sheet !== f.sheet) assert.ok(where.includes(`sheet ${prob.sheet}`), where);
          const line = `${prob.severity === 'warning' ? 'warning ' : ''}${label} ${prob.code}: ${prob.message}`;
          assert.ok(junit.includes(escapeXml(line)), `junit has ${JSON.stringify(line)}`);
          assert.ok(md.includes(`| ${label.replace(/\|/g, '\\|')} | ${prob.code} |`), `summary has ${label}`);
          assert.equal(json.files[fi].errors[i].where, where);
          const annotated = prob.severity === 'error' ? errors++ < ANNOTATION_LIMIT : warnings++ < ANNOTATION_LIMIT;
          if (annotated) {
            const title = `title=${escapeProperty(`${label} ${prob.code}`)}::`;
            const ann = github.find((l) => l.startsWith(`::${prob.severity} file=${f.path},`) && l.includes(title));
            assert.ok(ann, `github has ${title}`);
            assert.equal(/,line=(\d+),/.exec(ann)?.[1], prob.page === undefined && prob.row !== null ? String(prob.row) : undefined);
          }
        });
      });
    }), { numRuns: 300 });
  });
});

describe("run's reason for a left-out file names the place as validate does", () => {
  test('a CSV refused half-way: row 3002 (was "line 3002"), a PDF: page 1, a whole-file problem: no place', () => {
    const csv = file({ rows: 0 }, [p({ code: 'parse-error', row: 3002, message: 'an unclosed quote' })]);
    assert.equal(unreadableVerdict(csv).message, 'row 3002: an unclosed quote');
    assert.match(renderText(buildReport([csv]), plain), /^ {4}row 3002 +parse-error: an unclosed quote$/m);
    const pdf = file({ format: 'pdf', rows: 0 }, [p({ code: 'parse-error', page: 1, message: 'x' })]);
    assert.equal(unreadableVerdict(pdf).message, 'page 1: x');
    const xlsx = file({ format: 'xlsx', rows: 0, sheet: 'Stok' }, [p({ code: 'encoding-error', row: 4, sheet: 'Stok', message: 'y' })]);
    assert.equal(unreadableVerdict(xlsx).message, 'row 4: y');
    assert.equal(unreadableVerdict(file({ rows: 0 }, [p({ code: 'parse-error', message: 'binary' })])).message, 'binary');
  });
});
