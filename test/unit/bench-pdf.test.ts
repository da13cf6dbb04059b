/**
 * The PDF benchmark's pure parts: the accuracy table built from `claims test --format json`
 * (bench/pdf/accuracy.ts), fixtures/claims-pdf's report.json as expected.json
 * (bench/pdf/report-to-expected.ts), the per-layout outcome of a validate report (bench/pdf/outcomes.ts)
 * and the generated files' names and claim ids (bench/generate/claim-pdfs.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClaimsTestReport, accuracyRows, formatAccuracy, layoutOfDocument } from '../../bench/pdf/accuracy.js';
import { layoutOutcomes, formatOutcome } from '../../bench/pdf/outcomes.js';
import { numberedId, layoutOfFile } from '../../bench/generate/claim-pdfs.js';
import { expectedFromReport } from '../../bench/pdf/report-to-expected.js';

// The documented shape (README, "claims test"), with values made up for the test.
const doc = (file: string, reader: string, passed: boolean, fields: [number, number], lines: [number, number]) => ({
  file, reader, verdict: passed ? 'valid' : 'needs-review', expectedVerdict: 'valid', passed,
  fields: { right: fields[0], expected: fields[1] }, lines: { right: lines[0], expected: lines[1] },
  differences: passed ? [] : [{ what: 'claim.claimed_amount', expected: '1.00', got: '2.00' }],
});
const FAKE = {
  dir: 'fixtures/claims-layouts', templates: 'none',
  documents: [
    doc('two-column-1.pdf', 'generic', true, [10, 10], [3, 3]),
    doc('two-column-2.pdf', 'generic', false, [8, 10], [4, 5]),
    doc('multipage-1.pdf', 'generic', true, [10, 10], [14, 14]),
    doc('sub/branch-12.pdf', 'rs-harapan-sehat', false, [6, 10], [0, 4]),
  ],
  summary: { documents: 4, passed: 2, fields: { right: 34, expected: 40 }, lines: { right: 21, expected: 26 } },
};

test('accuracy rows: per layout, sorted, then a total that equals the summary', () => {
  const rows = accuracyRows(parseClaimsTestReport(FAKE));
  assert.deepEqual(rows.map((r) => r.layout), ['branch', 'multipage', 'two-column', 'total']);
  const two = rows.find((r) => r.layout === 'two-column')!;
  assert.deepEqual([two.documents, two.passed, two.fields, two.lines, two.readers], [2, 1, { right: 18, expected: 20 }, { right: 7, expected: 8 }, { generic: 2 }]);
  const total = rows.at(-1)!;
  assert.deepEqual([total.documents, total.passed, total.fields, total.lines], [FAKE.summary.documents, FAKE.summary.passed, FAKE.summary.fields, FAKE.summary.lines]);
  assert.deepEqual(total.readers, { generic: 3, 'rs-harapan-sehat': 1 });
});

test('the accuracy table puts both runs of a layout together, with percentages', () => {
  const generic = accuracyRows(parseClaimsTestReport(FAKE));
  const withTemplates = accuracyRows(parseClaimsTestReport({ ...FAKE, templates: 'configured', documents: FAKE.documents.map((d) => ({ ...d, passed: true, fields: { right: 10, expected: 10 } })) }));
  const text = formatAccuracy([{ label: 'with templates', rows: withTemplates }, { label: 'generic reader alone', rows: generic }]);
  const lines = text.trimEnd().split('\n');
  assert.match(lines[0], /layout .*documents passed .*fields right .*lines right .*read by/);
  assert.match(lines[1], /^ {2}branch +with templates +1\/1 +10\/10 \(100 %\) +0\/4 \(0 %\) +rs-harapan-sehat 1$/);
  assert.match(lines[2], /^ {2}branch +generic reader alone +0\/1 +6\/10 \(60 %\)/);
  assert.match(lines.at(-1)!, /^ {2}total +generic reader alone +2\/4 +34\/40 \(85 %\) +21\/26 \(81 %\) +generic 3, rs-harapan-sehat 1$/);
});

test('a claims test report without the counts the table needs is refused, naming the key', () => {
  assert.throws(() => parseClaimsTestReport({ summary: {} }), /no "documents" array/);
  assert.throws(() => parseClaimsTestReport({ documents: [{ file: 'a.pdf', passed: true, fields: { right: 1 }, lines: { right: 0, expected: 0 } }] }), /documents\[0\]\.fields/);
  assert.throws(() => parseClaimsTestReport({ documents: [{ file: 'a.pdf', passed: 'yes' }] }), /documents\[0\]\.passed/);
});

test('layout names: the file name without its number, the same rule for fixtures and generated files', () => {
  assert.equal(layoutOfDocument('fixtures/claims-layouts/two-column-3.pdf'), 'two-column');
  assert.equal(layoutOfDocument('english-1'), 'english');
  assert.equal(layoutOfDocument('total-mismatch.pdf'), 'total-mismatch');
  assert.equal(layoutOfFile('/x/claims/rs-harapan-sehat-000012.pdf'), 'rs-harapan-sehat');
});

test('generated claim ids keep the sample id\'s prefix and differ by number', () => {
  assert.equal(numberedId('HS-2026-00123', 7), 'HS-2026-000007');
  assert.equal(numberedId('BM/KLM/2611/0042', 1234567), 'BM/KLM/2611/1234567');
  assert.equal(numberedId('CLAIM-A', 3), 'CLAIM-A-000003');
});

test('per-layout outcome of a validate report: valid counts, who read them, error codes', () => {
  const report = { files: [
    { path: 'd/bordered-000001.pdf', template: 'generic', validRows: 1, errors: [] },
    { path: 'd/bordered-000004.pdf', template: 'generic', validRows: 0, errors: [{ code: 'needs-review' }] },
    { path: 'd/klinik-medika-000002.pdf', template: 'klinik-medika', validRows: 1, errors: [] },
    { path: 'd/english-000003.pdf', validRows: 0, errors: [{ code: 'no-template' }] },
  ] };
  const out = layoutOutcomes(report, layoutOfFile);
  assert.deepEqual(out.map(formatOutcome), [
    'bordered 1/2 valid (read by generic 2; errors: needs-review 1)',
    'english 0/1 valid (read by none 1; errors: no-template 1)',
    'klinik-medika 1/1 valid (read by klinik-medika 1)',
  ]);
});

test('a fixture report becomes an expected.json: verdict from its problems, the cross-file duplicate check left out, nothing for unread files', () => {
  const claim = { claim_id: 'HS-2026-00123', claimed_amount: '4375000.00' };
  const lines = [{ line_no: 1, description: 'Rontgen Thorax PA', quantity: '1', amount: '175000.00' }];
  const base = { description: 'd', claim, personalFields: ['member_id'], lines };
  assert.deepEqual(expectedFromReport({ ...base, problems: [] }), { description: 'd', verdict: 'valid', problems: [], claim, personalFields: ['member_id'], lines });
  assert.deepEqual(expectedFromReport({ ...base, problems: [{ code: 'duplicate-key' }] }), { description: 'd', verdict: 'valid', problems: [], claim, personalFields: ['member_id'], lines });
  assert.equal((expectedFromReport({ ...base, problems: [{ code: 'type-error' }, { code: 'type-error' }] }) as { verdict: string; problems: string[] }).verdict, 'invalid');
  assert.deepEqual((expectedFromReport({ ...base, problems: [{ code: 'type-error' }, { code: 'type-error' }] }) as { problems: string[] }).problems, ['type-error']);
  assert.equal((expectedFromReport({ ...base, problems: [{ code: 'needs-review' }] }) as { verdict: string }).verdict, 'needs-review');
  assert.equal(expectedFromReport({ description: 'encrypted', problems: [{ code: 'encrypted-file' }], claim: null }), null);
});
