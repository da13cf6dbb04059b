/**
 * Claim PDFs: every fixtures/claims-pdf/<case>.report.json names the template, problems
 * (code, severity, page, field), exit code, canonical claim fields and line items that
 * validating its PDF must give. Personal values never appear in any output.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { runCli, ROOT, assertNoPersonalData } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { validate } from '../../src/files/validate.js';
import { loadConfig } from '../../src/config/load.js';
import { claimPdf } from '../../src/schemas/builtin/claim-pdf.js';

interface Expected {
  description: string;
  runAfter?: string[];
  template: string | null;
  exitCode: number;
  problems: Array<{ code: string; severity: string; page: number | null; field: string | null }>;
  claim: Record<string, unknown> | null;
  personalFields?: string[];
  lines: Array<Record<string, unknown>>;
}

const DIR = 'fixtures/claims-pdf';
const tmp = tempDir();
after(() => tmp.cleanup());
const key = (p: { code: string; severity: string; page?: number | null; field: string | null }) => `${p.code}|${p.severity}|${p.page ?? null}|${p.field}`;

const cases = readdirSync(join(ROOT, DIR)).filter((f) => f.endsWith('.report.json')).sort().map((f) => {
  const name = f.slice(0, -'.report.json'.length);
  return { name, file: `${DIR}/${name}.pdf`, expected: JSON.parse(readFileSync(join(ROOT, DIR, f), 'utf8')) as Expected };
});

/** Canonical claim row (by field) and line items, from the pipeline run in-process. */
async function validateAll(files: string[], configFile?: string) {
  const members = new Map<string, Uint8Array[]>();
  const report = await validate({
    inputs: files, config: loadConfig({ env: {}, cwd: ROOT, configFile }), maxErrors: 100, cwd: ROOT,
    sinkFor: (path) => ({ async write(m) { members.set(path, [...(members.get(path) ?? []), m]); } }),
  });
  return { report, members };
}

function rowOf(run: Awaited<ReturnType<typeof validateAll>>, files: string[], target: string) {
  const outcome = run.report.files.find((f) => f.path.endsWith(target))!;
  const text = (run.members.get(files.find((f) => f.endsWith(target))!) ?? []).map((m) => gunzipSync(m).toString('utf8')).join('');
  const rows = parse(text, { cast: (v, ctx) => (v === '' && !ctx.quoting ? null : v) }) as Array<Array<string | null>>;
  const row = rows[0] ? Object.fromEntries(claimPdf.fields.map((f, i) => [f.name, rows[0][i]])) : null;
  return { outcome, row };
}

async function readBack(files: string[], target: string, configFile?: string) {
  return rowOf(await validateAll(files, configFile), files, target);
}

/**
 * The cases read alone (no runAfter) validated together once: one PDF worker pool instead of
 * one per case (each loads the reader afresh under tsx). Claim ids differ between these files,
 * so reading them together changes nothing; the cases with runAfter are read their own way.
 */
let together: Promise<{ files: string[]; run: Awaited<ReturnType<typeof validateAll>> }> | null = null;
async function readBackAlone(file: string) {
  together ??= (async () => {
    const files = cases.filter((c) => !c.expected.runAfter && c.expected.claim && c.name !== 'duplicate-claim-id').map((c) => c.file);
    return { files, run: await validateAll(files) };
  })();
  const { files, run } = await together;
  return files.includes(file) ? rowOf(run, files, file) : readBack([file], file);
}

describe('claim PDFs', () => {
  for (const c of cases) {
    test(`${c.name}: ${c.expected.description}`, async () => {
      const e = c.expected;
      const files = [...(e.runAfter ?? []).map((f) => `${DIR}/${f}`), c.file];
      const run = runCli(['validate', ...files, '--format', 'json', '--verbose', '--log-format', 'text']);
      assertNoPersonalData(run.stdout + run.stderr, c.file);
      assert.doesNotMatch(run.stderr, /^\s+at .*:\d+:\d+\)?$/m, 'no stack trace');
      assert.equal(run.code, e.exitCode, run.stderr.slice(0, 300));
      const report = JSON.parse(run.stdout);
      const f = report.files.find((x: { path: string }) => x.path === c.file);
      assert.equal(f.schema, 'claim_pdf');
      assert.equal(f.template ?? null, e.template);
      assert.deepEqual(f.errors.map(key).sort(), e.problems.map(key).sort(),
        f.errors.map((p: { code: string; message: string }) => `${p.code}: ${p.message}`).join('\n'));
      if (e.claim) {
        const { outcome, row } = e.runAfter ? await readBack(files, c.file) : await readBackAlone(c.file);
        if (outcome.validRows === 1) {
          assert.ok(row, 'a valid claim is written out');
          for (const [k, v] of Object.entries(e.claim)) {
            assert.equal(row[k], Array.isArray(v) ? JSON.stringify(v) : v, `claim.${k}`);
          }
          for (const pf of e.personalFields ?? []) assert.ok(row[pf] !== null && row[pf] !== '', `${pf} was read (value not shown)`);
        }
        const lines = (outcome.claimLines ?? []).map(({ page: _page, ...l }) => ({ ...l, line_no: Number(l.line_no) }));
        assert.deepEqual(lines, e.lines);
      }
    });
  }
});

describe('templates', () => {
  test('a new hospital layout is one template file named in the config', async () => {
    const template = join(tmp.path, 'rs-sehat-sentosa.yaml');
    writeFileSync(template, `
name: rs-sehat-sentosa
description: RS Sehat Sentosa receipt (Kuitansi & Ringkasan Biaya Perawatan)
identify: ["RS SEHAT SENTOSA", "KUITANSI"]
locale: id-ID
dateOrder: DMY
constants: { provider_name: RS Sehat Sentosa }
fields:
  claim_id:        { label: ["Reg."], pattern: '\\S+' }
  patient_name:    { label: ["Telah terima dari"], pattern: '(?<value>[^(]+)' }
  member_id:       { label: ["No. Kartu"], pattern: '(?<value>\\d+)' }
  patient_dob:     { label: ["Tgl. lahir"] }
  policy_number:   { label: ["Penjamin / Polis"], pattern: '.+ / (?<value>\\S+)' }
  admission_date:  { label: ["Periode rawat"], pattern: '(?<value>\\S+) s/d' }
  discharge_date:  { label: ["Periode rawat"], pattern: '\\S+ s/d (?<value>\\S+)' }
  claim_type:      { label: ["Periode rawat"], pattern: '.*\\((?<value>Rawat \\w+)\\)' }
  diagnosis_codes: { label: ["Kode penyakit"] }
  claimed_amount:  { label: ["JUMLAH DIBAYAR"] }
lines:
  header: "Untuk pembayaran biaya perawatan dengan rincian sebagai berikut:"
  row: '^[a-z]\\. (?<description>.+?) \\.{3,} (?<amount>\\d{1,3}(?:\\.\\d{3})*)$'
  end: ["JUMLAH DIBAYAR"]
`);
    const cfg = join(tmp.path, 'halo-data.config.yaml');
    writeFileSync(cfg, `claimTemplates: [${JSON.stringify(template)}]\n`);
    const file = `${DIR}/unknown-layout.pdf`;
    const run = runCli(['validate', file, '--config', cfg, '--json']);
    assertNoPersonalData(run.stdout + run.stderr, 'config template run');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(JSON.parse(run.stdout).files[0].template, 'rs-sehat-sentosa');
    const { outcome, row } = await readBack([file], file, cfg);
    assert.equal(row?.claim_id, 'SS-RI-2611-0457');
    assert.equal(row?.policy_number, 'AGN-7730-0012-26');
    assert.equal(row?.claim_type, 'inpatient');
    assert.equal(row?.admission_date, '2026-11-11');
    assert.equal(row?.discharge_date, '2026-11-13');
    assert.equal(row?.diagnosis_codes, '["A01.0"]');
    assert.equal(row?.claimed_amount, '2035500.00');
    assert.ok(row?.member_id && row?.patient_name && row?.patient_dob, 'personal fields read (values not shown)');
    assert.equal(outcome.claimLines?.length, 5);
    const show = runCli(['schemas', 'show', 'claim_pdf', '--config', cfg]);
    assert.match(show.stdout, /rs-sehat-sentosa/);
    assert.match(show.stdout, /rs-harapan-sehat/);
  });
  test('a broken template is a configuration error naming the file', () => {
    const template = join(tmp.path, 'broken.yaml');
    writeFileSync(template, 'name: broken\nidentify: ["X"]\nfields: { claim_id: { label: ["A"], pattern: "(" } }\nlines: { header: h, row: "(?<description>.+) (?<amount>\\\\d+)", end: [x] }\n');
    const cfg = join(tmp.path, 'broken-config.yaml');
    writeFileSync(cfg, `claimTemplates: [${JSON.stringify(template)}]\n`);
    const r = runCli(['validate', `${DIR}/klinik-medika-1.pdf`, '--config', cfg]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.yaml/);
    assert.match(r.stderr, /fields\.claim_id\.pattern/);
  });
});
