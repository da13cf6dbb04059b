/**
 * `claims explain` and `claims test` end to end, through the built CLI (runCli greps every
 * output for the fixtures' personal values), and THE PROBE of issue 18: a template that points
 * non-personal fields at the patient's name, member-number and birth-date lines must not make
 * explain, claims test or validate print any of them, in text or JSON.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { Chalk } from 'chalk';
import { runCli, ROOT, assertNoPersonalData } from '../support/cli.js';
import { loadConfig } from '../../src/config/load.js';
import { claimReaderFor } from '../../src/documents/setup.js';
import { readClaimFiles } from '../../src/documents/read-file.js';
import { explainJson } from '../../src/documents/explain/json.js';
import { explainText } from '../../src/documents/explain/text.js';
import { tempDir } from '../support/tmp.js';

const DIR = join(ROOT, 'fixtures/claims-pdf');
const tmp = tempDir('halo-claims-cli-');
after(() => tmp.cleanup());

interface Report { template: string | null; exitCode: number; claim: Record<string, unknown> | null; personalFields?: string[]; lines: Array<Record<string, unknown>> }
const report = (name: string) => JSON.parse(readFileSync(join(DIR, `${name}.report.json`), 'utf8')) as Report;
const pdfs = readdirSync(DIR).filter((f) => f.endsWith('.pdf')).sort();
const GOOD = ['rs-harapan-sehat-1', 'rs-harapan-sehat-2', 'klinik-medika-1', 'klinik-medika-2', 'rsu-bunda-mulia-1', 'rsu-bunda-mulia-2'];

const LINES = [
  // The built-in's table, so a template of the old form (before the template module) loads too.
  'lines:',
  '  header: "No Uraian Jumlah Harga Satuan Subtotal"',
  "  row: '^(?<line_no>\\d+) (?<description>.+) (?<quantity>\\d+) (?<unit_price>\\d{1,3}(?:\\.\\d{3})*) (?<amount>\\d{1,3}(?:\\.\\d{3})*)$'",
  '  end: ["Total Tagihan"]',
  '',
].join('\n');

/** A folder of its own under the test's temp folder. */
let n = 0;
function folder(): string {
  const d = join(tmp.path, `case-${++n}`);
  mkdirSync(d);
  return d;
}

/** The fixture's report as an expected.json (the format claims test reads). */
function expectedFrom(name: string, change: (e: Record<string, unknown>) => void = () => {}): string {
  const r = report(name);
  const e: Record<string, unknown> = { description: `from ${name}.report.json`, verdict: 'valid', problems: [], claim: r.claim, personalFields: r.personalFields ?? [], lines: r.lines };
  change(e);
  return JSON.stringify(e, null, 2);
}

/**
 * Every fixture read once, in this process, through the same path as the command (the PDF
 * worker, the reader, the gates, the renderers): a CLI process per file and format took two
 * minutes of the suite. The command itself (its exit codes, its options) is run below on a few.
 */
type Explained = Map<string, { text: string; json: ReturnType<typeof explainJson> }>;
let both: Promise<Explained> | null = null;
/** The fixtures of both folders, read once by one worker pool (keyed by folder/file). */
async function explainAll(dir: string): Promise<Explained> {
  both ??= readAll([DIR, join(ROOT, 'fixtures/claims-layouts')]);
  const all = await both;
  return new Map([...all].filter(([k]) => k.startsWith(`${basename(dir)}/`)).map(([k, v]) => [k.slice(basename(dir).length + 1), v]));
}

async function readAll(dirs: string[]): Promise<Explained> {
  const out: Explained = new Map();
  const files = dirs.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.pdf')).sort().map((f) => join(dir, f)));
  const claims = claimReaderFor(loadConfig({ env: {}, cwd: ROOT }));
  await readClaimFiles(files, { claims }, (path, r) => {
    const shown = relative(ROOT, path);
    const text = explainText(r, shown, new Chalk({ level: 0 }));
    const json = explainJson(r, shown);
    assertNoPersonalData(text + JSON.stringify(json), `claims explain ${shown}`);
    out.set(`${basename(dirname(path))}/${basename(path)}`, { text, json });
  });
  return out;
}

describe('claims explain', () => {
  test('every fixture of fixtures/claims-pdf: text and JSON agree; the good ones read as their reports say, with where each value was found', async () => {
    const all = await explainAll(DIR);
    assert.equal(all.size, pdfs.length);
    for (const f of pdfs) {
      const { text, json: j } = all.get(f)!;
      assert.match(text, new RegExp(`^verdict: ${j.verdict}`, 'm'), f);
      assert.equal(j.file, join('fixtures/claims-pdf', f));
      const name = f.slice(0, -4);
      if (!GOOD.includes(name)) continue;
      const r = report(name);
      assert.equal(j.verdict, 'valid', `${f}: ${JSON.stringify(j.checks)}`);
      assert.equal(j.reader, r.template);
      assert.equal(j.claim!.claim_id, r.claim!.claim_id);
      assert.equal(j.lines.length, r.lines.length);
      for (const p of r.personalFields ?? []) assert.match(String(j.claim![p]), /^\*\*\*\(\d+\)$/, p);
      // The page as the reader sees it, every field and item with where it was read.
      assert.ok(j.pages[0].lines.length > 5);
      assert.ok(j.items.every((it: { from: unknown[] }) => it.from.length >= 1));
      assert.match(text, /^page 1 /m);
      assert.match(text, /^ +1 +[\d.]+ +[\d.]+  \S/m);
      assert.match(text, new RegExp(`claim_id +${String(r.claim!.claim_id).replace(/[.]/g, '\\.')} `));
      assert.match(text, /^line items \(\d+\)$/m);
      assert.match(text, /from p\d+ l\d+: /);
    }
  });

  test('the command: text and JSON, exit 0 only when valid', () => {
    for (const [f, code] of [['rs-harapan-sehat-1.pdf', 0], ['total-mismatch.pdf', 1]] as const) {
      const text = runCli(['claims', 'explain', join(DIR, f)]);
      const json = runCli(['claims', 'explain', join(DIR, f), '--format', 'json']);
      const j = JSON.parse(json.stdout);
      assert.equal(json.code, code, json.stderr);
      assert.equal(j.verdict === 'valid', code === 0);
      assert.equal(text.code, code, text.stderr);
      assert.match(text.stdout, new RegExp(`^verdict: ${j.verdict}`, 'm'));
    }
  });

  test('every layout of fixtures/claims-layouts, text and JSON: no personal value in the page, even where the reader missed the name', async () => {
    const all = await explainAll(join(ROOT, 'fixtures/claims-layouts'));
    assert.equal(all.size, readdirSync(join(ROOT, 'fixtures/claims-layouts')).filter((x) => x.endsWith('.pdf')).length);
  });

  test('a scanned page with no writing on it: read by OCR, nothing found, needs-review (exit 1)', () => {
    const t = runCli(['claims', 'explain', join(DIR, 'scan-image-only.pdf')]);
    assert.equal(t.code, 1, t.stderr);
    assert.match(t.stdout, /^verdict: needs-review /m);
    assert.match(t.stdout, /words from ocr/);
  });

  test('the encrypted PDF: a clear message, exit 1', () => {
    for (const [f, code] of [['encrypted.pdf', 'encrypted-file']]) {
      const t = runCli(['claims', 'explain', join(DIR, f)]);
      assert.equal(t.code, 1, t.stderr);
      assert.match(t.stdout, new RegExp(`unreadable: ${code}: `));
      assert.match(t.stdout, /^verdict: unreadable$/m);
      const j = runCli(['claims', 'explain', join(DIR, f), '--json']);
      assert.equal(j.code, 1);
      const o = JSON.parse(j.stdout);
      assert.equal(o.verdict, 'unreadable');
      assert.equal(o.failure.code, code);
    }
  });

  test('a missing file is a usage error (exit 2) naming it', () => {
    const r = runCli(['claims', 'explain', 'no/such/claim.pdf']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no such claim file: no\/such\/claim\.pdf/);
    assert.equal(r.stdout, '');
  });

  test('--template with a bad template: exit 2 naming the file and the key', () => {
    const d = folder();
    const bad = join(d, 'bad.yaml');
    writeFileSync(bad, `name: bad\nidentify: ["RS HARAPAN SEHAT"]\nfields:\n  claim_no: { label: ["No. Klaim"] }\n${LINES}`);
    const r = runCli(['claims', 'explain', join(DIR, 'rs-harapan-sehat-1.pdf'), '--template', bad]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(bad), r.stderr);
    assert.match(r.stderr, /claim_no/);
    const missing = runCli(['claims', 'explain', join(DIR, 'rs-harapan-sehat-1.pdf'), '--template', join(d, 'none.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such template file/);
  });

  test('a template given with --template wins, and explain says so', () => {
    const d = folder();
    const t = join(d, 'mine.yaml');
    writeFileSync(t, `name: my-harapan\nidentify: ["RS HARAPAN SEHAT", "FORMULIR KLAIM ASURANSI"]\nconstants: { provider_name: RS Harapan Sehat }\nfields:\n  claim_id: { label: ["No. Klaim"] }\n${LINES}`);
    const j = JSON.parse(runCli(['claims', 'explain', join(DIR, 'rs-harapan-sehat-1.pdf'), '--template', t, '--json']).stdout);
    const mine = j.candidates.find((c: { name: string }) => c.name === 'my-harapan');
    assert.ok(mine && mine.matched && mine.origin !== 'built-in', JSON.stringify(j.candidates));
    assert.ok(j.reader === 'my-harapan' || j.fellBackFrom === 'my-harapan', `${j.reader} ${j.fellBackFrom}`);
  });
});

describe('claims test', () => {
  test('a folder whose expected values match: exit 0, text and JSON', () => {
    const d = folder();
    for (const name of ['rs-harapan-sehat-1', 'klinik-medika-1']) {
      copyFileSync(join(DIR, `${name}.pdf`), join(d, `${name}.pdf`));
      writeFileSync(join(d, `${name}.expected.json`), expectedFrom(name));
    }
    copyFileSync(join(DIR, 'rsu-bunda-mulia-1.pdf'), join(d, 'no-expected-beside-it.pdf'));
    const t = runCli(['claims', 'test', d]);
    assert.equal(t.code, 0, t.stdout + t.stderr);
    assert.match(t.stdout, /^✔ klinik-medika-1\.pdf  template klinik-medika · valid · fields 13\/13 · lines \d+\/\d+$/m);
    assert.match(t.stdout, /^passed: 2 of 2 documents passed · fields 26\/26 right · lines 11\/11 right$/m);
    const j = runCli(['claims', 'test', d, '--format', 'json']);
    assert.equal(j.code, 0);
    const o = JSON.parse(j.stdout);
    assert.deepEqual(Object.keys(o), ['dir', 'templates', 'documents', 'summary']);
    assert.equal(o.templates, 'configured');
    assert.deepEqual(Object.keys(o.documents[0]), ['file', 'reader', 'verdict', 'expectedVerdict', 'passed', 'fields', 'lines', 'differences']);
    assert.deepEqual(o.documents.map((x: { file: string; reader: string; passed: boolean }) => [x.file, x.reader, x.passed]),
      [['klinik-medika-1.pdf', 'klinik-medika', true], ['rs-harapan-sehat-1.pdf', 'rs-harapan-sehat', true]]);
    assert.deepEqual(o.summary, { documents: 2, passed: 2, fields: { right: 26, expected: 26 }, lines: { right: 11, expected: 11 } });
  });

  test('a non-personal and a personal field differ: exit 1, the first shown, the second only "differs"', () => {
    const d = folder();
    copyFileSync(join(DIR, 'rs-harapan-sehat-1.pdf'), join(d, 'a.pdf'));
    writeFileSync(join(d, 'a.expected.json'), expectedFrom('rs-harapan-sehat-1', (e) => {
      (e.claim as Record<string, unknown>).claimed_amount = '4370000.00';
      (e.claim as Record<string, unknown>).patient_name = 'Nama Yang Lain Sekali';
    }));
    const t = runCli(['claims', 'test', d]);
    assert.equal(t.code, 1, t.stderr);
    assert.match(t.stdout, /^✖ a\.pdf  template rs-harapan-sehat · valid · fields 11\/13 · lines 6\/6$/m);
    assert.match(t.stdout, /^ +claim\.claimed_amount: expected 4370000\.00, got 4375000\.00$/m);
    assert.match(t.stdout, /^ +claim\.patient_name: differs \(expected \*\*\*\(21\), read \*\*\*\(\d+\)\)$/m);
    assert.match(t.stdout, /^failed: 0 of 1 document passed/m);
    const o = JSON.parse(runCli(['claims', 'test', d, '--json']).stdout);
    assert.deepEqual(o.documents[0].differences[0], { what: 'claim.claimed_amount', expected: '4370000.00', got: '4375000.00' });
    assert.match(o.documents[0].differences[1].got, /^\*\*\*\(\d+\)$/);
  });

  test('the layouts fixtures (fixtures/claims-layouts): every document compared, nothing personal printed', () => {
    for (const args of [[], ['--no-templates']]) {
      const r = runCli(['claims', 'test', 'fixtures/claims-layouts', ...args, '--format', 'json']);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const o = JSON.parse(r.stdout);
      const pdfCount = readdirSync(join(ROOT, 'fixtures/claims-layouts')).filter((f) => f.endsWith('.expected.json')).length;
      assert.equal(o.summary.documents, pdfCount);
      assert.equal(o.summary.passed, o.documents.filter((d: { passed: boolean }) => d.passed).length);
      assert.ok(o.summary.fields.expected > 0 && o.summary.lines.expected > 0);
      // Issue 18: the generic reader reads the new layouts with no template — here, every one of them.
      assert.equal(r.code, 0, JSON.stringify(o.documents.filter((d: { passed: boolean }) => !d.passed), null, 1));
      assert.equal(o.summary.passed, o.summary.documents);
      assert.deepEqual(o.summary.fields.right, o.summary.fields.expected);
      assert.deepEqual(o.summary.lines.right, o.summary.lines.expected);
    }
  });

  test('--no-templates: the generic reader alone', () => {
    const d = folder();
    copyFileSync(join(DIR, 'rs-harapan-sehat-1.pdf'), join(d, 'a.pdf'));
    writeFileSync(join(d, 'a.expected.json'), expectedFrom('rs-harapan-sehat-1'));
    const r = runCli(['claims', 'test', d, '--no-templates', '--format', 'json']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.equal(o.templates, 'none');
    assert.equal(o.documents[0].reader, 'generic');
    const both = runCli(['claims', 'test', d, '--no-templates', '--template', join(d, 'x.yaml')]);
    assert.equal(both.code, 2);
  });

  test('no expected file, a malformed one, one without its PDF: exit 2 naming it', () => {
    const empty = folder();
    copyFileSync(join(DIR, 'rs-harapan-sehat-1.pdf'), join(empty, 'a.pdf'));
    const r0 = runCli(['claims', 'test', empty]);
    assert.equal(r0.code, 2);
    assert.match(r0.stderr, /no <name>\.expected\.json in /);
    const d = folder();
    copyFileSync(join(DIR, 'rs-harapan-sehat-1.pdf'), join(d, 'a.pdf'));
    writeFileSync(join(d, 'a.expected.json'), expectedFrom('rs-harapan-sehat-1', (e) => { e.verdict = 'ok'; }));
    const r1 = runCli(['claims', 'test', d]);
    assert.equal(r1.code, 2);
    assert.ok(r1.stderr.includes(join(d, 'a.expected.json')) && /verdict: must be one of/.test(r1.stderr), r1.stderr);
    writeFileSync(join(d, 'a.expected.json'), expectedFrom('rs-harapan-sehat-1'));
    writeFileSync(join(d, 'b.expected.json'), expectedFrom('rs-harapan-sehat-1'));
    const r2 = runCli(['claims', 'test', d]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /b\.expected\.json: no b\.pdf \(or \.png, \.jpg, \.jpeg, \.tif, \.tiff\) beside it/);
    const r3 = runCli(['claims', 'test', join(d, 'nowhere')]);
    assert.equal(r3.code, 2);
  });
});

describe('the probe: non-personal fields pointed at personal lines', () => {
  const d = folder();
  const probe = join(d, 'probe.yaml');
  // What a hospital changing its layout does to a template: the labels now point at the name, member-number and birth-date lines.
  writeFileSync(probe, [
    'name: probe-moved-labels',
    'identify: ["RS HARAPAN SEHAT", "FORMULIR KLAIM ASURANSI"]',
    'locale: id-ID',
    'dateOrder: DMY',
    'fields:',
    '  claim_id:      { label: ["Nama Pasien"] }',
    '  policy_number: { label: ["No. Peserta"] }',
    '  provider_name: { label: ["Tanggal Lahir"] }',
    LINES,
  ].join('\n'));
  const config = join(d, 'halo-data.config.yaml');
  writeFileSync(config, `claimTemplates: [${JSON.stringify(probe)}]\n`);
  const cases = folder();
  copyFileSync(join(DIR, 'rs-harapan-sehat-1.pdf'), join(cases, 'a.pdf'));
  writeFileSync(join(cases, 'a.expected.json'), expectedFrom('rs-harapan-sehat-1'));

  // runCli fails the test when any personal value of fixtures/personal-values.txt is printed.
  test('claims explain --template (text and JSON)', () => {
    for (const fmt of ['text', 'json']) {
      const r = runCli(['claims', 'explain', join(DIR, 'rs-harapan-sehat-1.pdf'), '--template', probe, '--format', fmt]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      assert.match(r.stdout, /probe-moved-labels/);
    }
  });

  test('claims test (text and JSON, the template from the config and from --template)', () => {
    for (const args of [['--config', config], ['--template', probe]]) {
      for (const fmt of ['text', 'json']) {
        const r = runCli(['claims', 'test', cases, ...args, '--format', fmt]);
        assert.equal(r.code, 1, r.stdout + r.stderr);
      }
    }
    const o = JSON.parse(runCli(['claims', 'test', cases, '--template', probe, '--json']).stdout);
    // The name is never claim_id: not read as it (the reader refuses a personal value there), or shown masked.
    const d = o.documents[0].differences.find((x: { what: string; got: string }) => x.what === 'claim.claim_id');
    assert.ok(d && (d.got === '(none)' || /^\*\*\*\(\d+\)$/.test(d.got)), JSON.stringify(o.documents[0].differences));
  });

  test('validate (text and JSON) with the template in the config', () => {
    for (const fmt of ['text', 'json']) {
      const r = runCli(['validate', join(DIR, 'rs-harapan-sehat-1.pdf'), '--config', config, '--format', fmt]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
    }
  });
});
