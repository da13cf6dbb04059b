/** The command-line promises (README) for validate and schemas, run as a user would. */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, assertNoPersonalData, ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir();
after(() => tmp.cleanup());
const STACK = /^\s+at .*:\d+:\d+\)?$/m;
const ANSI = /\u001b\[/;
const CLEAN = 'fixtures/inventory/clean-comma.csv';
const WARN_ONLY = 'fixtures/inventory/bad-barcodes.csv';
const BROKEN = 'fixtures/inventory/type-and-required-errors.csv';

describe('exit codes', () => {
  test('valid file → 0, invalid → 1', () => {
    assert.equal(runCli(['validate', CLEAN]).code, 0);
    assert.equal(runCli(['validate', BROKEN, '--merchant', 'M1']).code, 1);
  });
  test('--strict fails on warnings only', () => {
    assert.equal(runCli(['validate', WARN_ONLY, '--merchant', 'M1']).code, 0);
    assert.equal(runCli(['validate', WARN_ONLY, '--merchant', 'M1', '--strict']).code, 1);
  });
  test('usage errors → 2 with a message and no stack trace', () => {
    for (const args of [
      ['validate', 'fixtures/nope.csv'],
      ['validate', CLEAN, '--schema', 'no_such'],
      ['validate', CLEAN, '--max-errors', 'zero'],
      ['validate', CLEAN, '--format', 'xml'],
      ['validate'],
      ['schemas', 'show', 'no_such'],
      ['--no-such-option'],
      ['no-such-command'],
    ]) {
      const r = runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.trim().length > 0, `${args.join(' ')} explains itself`);
      assert.doesNotMatch(r.stderr, STACK);
      assert.equal(r.stdout, '', 'nothing on stdout');
    }
  });
  test('a bad config is exit 2 naming the key and line', () => {
    const cfg = join(tmp.path, 'bad.yaml');
    writeFileSync(cfg, 'lake:\n  url: ./x\n  bucket: nope\n');
    const r = runCli(['validate', CLEAN, '--config', cfg]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.yaml:3/);
    assert.match(r.stderr, /lake\.bucket/);
    const missing = runCli(['validate', CLEAN, '--config', join(tmp.path, 'absent.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /config file not found/);
  });
  test('--verbose shows the stack of an internal error only then', () => {
    const r = runCli(['validate', 'fixtures/nope.csv', '--verbose']);
    assert.equal(r.code, 2);
  });
  test('--help per command has an example; --version prints the version', () => {
    const h = runCli(['validate', '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Examples:/);
    const v = runCli(['--version']);
    assert.equal(v.code, 0);
    assert.equal(v.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});

describe('report formats', () => {
  test('json: versioned, the documented shape, guessed schema said', () => {
    const r = runCli(['validate', CLEAN, BROKEN, '--merchant', 'M0101', '--format', 'json']);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.version, 1);
    assert.equal(rep.valid, false);
    assert.deepEqual(Object.keys(rep.summary).sort(), ['errors', 'files', 'invalidFiles', 'rows', 'validRows', 'warnings']);
    assert.equal(rep.files.length, 2);
    for (const f of rep.files) {
      for (const k of ['path', 'schema', 'rows', 'validRows', 'errors']) assert.ok(k in f, k);
      for (const e of f.errors) for (const k of ['code', 'severity', 'row', 'column', 'field', 'message']) assert.ok(k in e, k);
    }
    assert.equal(rep.files[0].schemaGuessed, true);
    assert.match(r.stderr, /schema guessed/);
  });
  test('--json is the same as --format json', () => {
    const a = JSON.parse(runCli(['validate', CLEAN, '--json']).stdout);
    assert.equal(a.valid, true);
  });
  test('text: grouped by file with a summary line; no colour off a terminal', () => {
    const r = runCli(['validate', CLEAN, BROKEN, '--merchant', 'M0101'], { env: { NO_COLOR: '' } });
    assert.match(r.stdout, /clean-comma\.csv/);
    assert.match(r.stdout, /row 3 +\[Stok\] type-error/);
    assert.match(r.stdout, /^invalid: 2 files, 1 invalid/m);
    assert.doesNotMatch(r.stdout + r.stderr, ANSI);
  });
  test('junit: a testsuite per file, a failure for the invalid one', () => {
    const r = runCli(['validate', CLEAN, BROKEN, '--merchant', 'M0101', '--format', 'junit']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^<\?xml/);
    assert.equal((r.stdout.match(/<testsuite /g) ?? []).length, 2);
    assert.equal((r.stdout.match(/<failure /g) ?? []).length, 1);
    assert.match(r.stdout, /<testsuites name="halo-data validate" tests="2" failures="1"/);
  });
  test('github: annotations, the overflow notice, the step summary; default under GITHUB_ACTIONS', () => {
    const summary = join(tmp.path, 'summary.md');
    // 10 + 3 errors: three must overflow into the notice.
    const r = runCli(['validate', BROKEN, 'fixtures/inventory/negative-values.csv', '--merchant', 'M1'], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    assert.equal(r.code, 1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error '));
    assert.equal(errors.length, 10, 'at most 10 error annotations');
    assert.match(errors[0], /^::error file=fixtures\/inventory\/type-and-required-errors\.csv,line=3,title=row 3 \[Stok\] type-error::/);
    assert.match(r.stdout, /^::notice title=halo-data validate::3 more problem.*; see the job summary for all of them$/m);
    const md = readFileSync(summary, 'utf8');
    assert.match(md, /\| file \| where \| code \| severity \| message \|/);
    assert.equal(md.split('\n').filter((l) => l.includes('| error |')).length, 13, 'the full table');
  });
  test('github without a step summary: the notice says how to see every problem instead of pointing at a summary', () => {
    const r = runCli(['validate', BROKEN, 'fixtures/inventory/negative-values.csv', '--merchant', 'M1', '--format', 'github']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^::notice title=halo-data validate::3 more problem.*; no job summary was written \(GITHUB_STEP_SUMMARY is not set\); run halo-data validate with --format text to see them all$/m);
    assert.doesNotMatch(r.stdout, /see the job summary/);
  });
  test('github: file= is relative to GITHUB_WORKSPACE (else the working folder), whatever path was typed', () => {
    const ws = join(tmp.path, 'workspace');
    mkdirSync(join(ws, 'data'), { recursive: true });
    const copy = join(ws, 'data', 'broken.csv');
    copyFileSync(join(ROOT, BROKEN), copy);
    const title = (out: string) => /^::error file=([^,]*),line=3,/m.exec(out)?.[1];
    // An absolute path, the step running in the repository root: named from the workspace.
    const inWs = runCli(['validate', copy, '--merchant', 'M1', '--format', 'github'], { env: { GITHUB_WORKSPACE: ws } });
    assert.equal(title(inWs.stdout), 'data/broken.csv');
    // A relative path typed in a subfolder (working-directory: data): still named from the workspace.
    const sub = runCli(['validate', 'broken.csv', '--merchant', 'M1', '--format', 'github'], { cwd: join(ws, 'data'), env: { GITHUB_WORKSPACE: ws } });
    assert.equal(title(sub.stdout), 'data/broken.csv');
    // No GITHUB_WORKSPACE: relative to the working folder.
    const noWs = runCli(['validate', copy, '--merchant', 'M1', '--format', 'github'], { cwd: ws, env: { GITHUB_WORKSPACE: '' } });
    assert.equal(title(noWs.stdout), 'data/broken.csv');
    // A file outside the workspace keeps its path as given.
    const outside = runCli(['validate', copy, '--merchant', 'M1', '--format', 'github'], { env: { GITHUB_WORKSPACE: join(ROOT, 'fixtures') } });
    assert.equal(title(outside.stdout), copy);
  });
  test("a PDF's problems are on their page in text, junit and github alike", () => {
    const pdf = 'fixtures/claims-pdf/bad-values.pdf';
    const text = runCli(['validate', pdf]).stdout;
    assert.match(text, /^ {4}page 1 +\[Visit Date\] type-error/m);
    const junit = runCli(['validate', pdf, '--format', 'junit']).stdout;
    assert.match(junit, />page 1 \[Visit Date\] type-error: /);
    assert.doesNotMatch(junit, /file \[Visit Date\]/);
    const github = runCli(['validate', pdf, '--format', 'github']).stdout;
    assert.match(github, /^::error file=fixtures\/claims-pdf\/bad-values\.pdf,title=page 1 \[Visit Date\] type-error::/m);
  });
  test('--output-file writes the report whole; stdout stays empty', () => {
    const out = join(tmp.path, 'report.xml');
    const r = runCli(['validate', CLEAN, '--format', 'junit', '--output-file', out]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.match(readFileSync(out, 'utf8'), /<testsuites/);
    assert.deepEqual(readdirSync(tmp.path).filter((f) => f.includes('.tmp-')), [], 'no temporary left');
  });
  test('--max-errors stops collecting, not counting', () => {
    const rep = JSON.parse(runCli(['validate', BROKEN, '--merchant', 'M1', '--json', '--max-errors', '2']).stdout);
    const f = rep.files[0];
    assert.equal(f.errors.length, 2);
    assert.equal(f.errorCount, 10);
    assert.equal(f.truncated, true);
    assert.equal(rep.summary.errors, 10);
  });
  test('logs are JSON lines on stderr when it is not a terminal, text with --log-format text', () => {
    const r = runCli(['validate', CLEAN]);
    for (const line of r.stderr.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), line);
    const t = runCli(['validate', CLEAN, '--log-format', 'text']);
    assert.match(t.stderr, /^info +schema guessed/m);
    const q = runCli(['validate', CLEAN, '--quiet']);
    assert.equal(q.stderr, '');
  });
});

describe('personal data never leaves', () => {
  const claims = readdirSync(join(ROOT, 'fixtures/claims')).filter((f) => /\.(csv|xlsx?)$/.test(f)).map((f) => `fixtures/claims/${f}`);
  for (const format of ['text', 'json', 'junit', 'github']) {
    test(`claims in ${format}, verbose`, () => {
      const summary = join(tmp.path, `summary-${format}.md`);
      const r = runCli(['validate', ...claims, '--schema', 'insurance_claim', '--format', format, '--verbose', '--log-format', 'text'],
        { env: { GITHUB_STEP_SUMMARY: summary } });
      assert.equal(r.code, 1);
      assertNoPersonalData(r.stdout, `stdout (${format})`);
      assertNoPersonalData(r.stderr, `stderr (${format})`);
      if (existsSync(summary)) assertNoPersonalData(readFileSync(summary, 'utf8'), 'step summary');
    });
  }
  test('claims validated as the wrong schema still leak nothing', () => {
    const r = runCli(['validate', ...claims, '--schema', 'merchant_inventory', '--merchant', 'M1', '--json', '--verbose']);
    assertNoPersonalData(r.stdout + r.stderr, 'wrong-schema run');
  });
});

describe('validate <folder> reads only the formats a folder yields (issue 15 item 10)', () => {
  test('a folder: its PDFs, not the .txt beside them; --help names every format', () => {
    const r = runCli(['validate', 'fixtures/claims-pdf', '--json']);
    const files: Array<{ path: string; errors: Array<{ code: string }> }> = JSON.parse(r.stdout).files;
    assert.ok(files.length > 0);
    assert.deepEqual(files.filter((f) => !f.path.endsWith('.pdf')).map((f) => f.path), [], 'no .txt (nor .md, .json) read from a folder');
    assert.ok(!files.some((f) => f.errors.some((e) => e.code === 'missing-header')));
    const help = runCli(['validate', '--help']).stdout.replace(/\s+/g, ' ');
    for (const fmt of ['CSV', 'TSV', 'XLS', 'XLSX', 'PDF', 'PNG', 'JPG', 'JPEG', 'TIF', 'TIFF']) assert.match(help, new RegExp(`\\b${fmt}\\b`), `--help names ${fmt}`);
    assert.match(runCli(['stage', '--help']).stdout.replace(/\s+/g, ' '), /a folder yields its CSV, TSV, XLS, XLSX, PDF, PNG, JPG, JPEG, TIF, TIFF files/);
  });

  test('a folder with none of them is a usage error (exit 2) saying how to read the others', () => {
    const r = runCli(['validate', 'fixtures/claims-pdf/_text']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /no CSV, TSV, XLS, XLSX, PDF, PNG, JPG, JPEG, TIF, TIFF file in the folder fixtures\/claims-pdf\/_text/);
    assert.match(r.stderr, /fixtures\/claims-pdf\/_text\/\*\.txt/);
  });

  test('a .txt named, or by a glob that spells .txt out, is read (as CSV); a glob of * takes only the folder formats', () => {
    const dir = join(tmp.path, 'txt-folder');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'stok.txt'), readFileSync(CLEAN));
    writeFileSync(join(dir, 'notes.md'), '# notes\n');
    copyFileSync(CLEAN, join(dir, 'stok.csv'));
    const named = JSON.parse(runCli(['validate', join(dir, 'stok.txt'), '--json']).stdout);
    assert.equal(named.files[0].format, 'csv');
    assert.equal(named.valid, true);
    const spelled = JSON.parse(runCli(['validate', `${dir}/*.{csv,txt}`, '--json']).stdout);
    assert.deepEqual(spelled.files.map((f: { path: string }) => f.path.split('/').pop()), ['stok.csv', 'stok.txt']);
    const star = JSON.parse(runCli(['validate', `${dir}/*`, '--json']).stdout);
    assert.deepEqual(star.files.map((f: { path: string }) => f.path.split('/').pop()), ['stok.csv']);
    const folder = JSON.parse(runCli(['validate', dir, '--json']).stdout);
    assert.deepEqual(folder.files.map((f: { path: string }) => f.path.split('/').pop()), ['stok.csv']);
    // Another extension named explicitly is still opened: its first bytes decide (text is not guessed).
    const md = runCli(['validate', join(dir, 'notes.md'), '--json']);
    assert.equal(md.code, 1);
    assert.match(JSON.parse(md.stdout).files[0].errors[0].message, /is not a CSV, XLS, XLSX, PDF or image \(PNG, JPEG, TIFF\) file/);
  });
});

describe('schemas', () => {
  test('list and show, --json and --json-schema', () => {
    const list = JSON.parse(runCli(['schemas', 'list', '--json']).stdout);
    assert.deepEqual(list.map((s: { name: string }) => s.name), ['merchant_inventory', 'insurance_claim', 'claim_pdf']);
    const show = runCli(['schemas', 'show', 'merchant_inventory']);
    assert.match(show.stdout, /selling_price +decimal\(14,2\) +yes/);
    const js = JSON.parse(runCli(['schemas', 'show', 'insurance_claim', '--json-schema']).stdout);
    assert.equal(js.type, 'object');
    assert.ok(js.required.includes('claim_id'));
    assert.equal(js.properties.patient_name['x-personal-data'], true);
    assert.equal(js.additionalProperties, false);
  });

  // Issue 16 item 3: the widths validation checks and the warehouse columns have, in bytes.
  test('show prints every text field\'s width in UTF-8 bytes, in text and in JSON (maxBytes)', () => {
    for (const name of ['merchant_inventory', 'insurance_claim', 'claim_pdf']) {
      const text = runCli(['schemas', 'show', name]).stdout;
      const json = JSON.parse(runCli(['schemas', 'show', name, '--json']).stdout) as { fields: Array<{ name: string; type: string; maxBytes?: number }>; lineFields?: Array<{ name: string; maxBytes?: number }> };
      const withWidth = json.fields.filter((f) => ['string', 'string[]', 'enum'].includes(f.type));
      assert.ok(withWidth.length > 0, name);
      for (const f of withWidth) {
        assert.equal(typeof f.maxBytes, 'number', `${name}.${f.name} has maxBytes in JSON`);
        assert.match(text, new RegExp(`^${f.name} +${f.type.replace('[]', '\\[\\]')} \\(≤ ${f.maxBytes} bytes\\)`, 'm'), `${name}.${f.name} in text`);
      }
      for (const f of json.lineFields ?? []) if (f.maxBytes !== undefined) assert.ok(text.includes(`${f.name} (≤ ${f.maxBytes} bytes)`), `${name} line field ${f.name}`);
    }
    assert.match(runCli(['schemas', 'show', 'merchant_inventory']).stdout, /^product_name +string \(≤ 512 bytes\)/m);
  });
});

describe('spreadsheet limits', () => {
  test('a workbook that inflates past the limit is file-too-large, counted while inflating', () => {
    const cfg = join(tmp.path, 'limits.yaml');
    writeFileSync(cfg, 'limits:\n  spreadsheetInflatedBytes: 2000\n');
    const r = runCli(['validate', 'fixtures/inventory/xlsx-cover-sheet.xlsx', '--merchant', 'M1', '--json', '--config', cfg]);
    assert.equal(r.code, 1);
    const f = JSON.parse(r.stdout).files[0];
    assert.equal(f.errors[0].code, 'file-too-large');
  });
});
