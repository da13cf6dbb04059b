import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chalk } from 'chalk';
import { explainJson } from '../../src/documents/explain/json.js';
import { explainText } from '../../src/documents/explain/text.js';
import { summarise, testDocument, testReportText } from '../../src/documents/test-run.js';
import { parseExpected } from '../../src/documents/expected.js';
import { fakeClaimResult, FAKE_PERSONAL } from '../support/claim-result.js';

const plain = new Chalk({ level: 0 });
const personal = [...Object.values(FAKE_PERSONAL), '1970-02-01'];
function assertNoPersonal(text: string): void {
  for (const v of personal) assert.ok(!text.includes(v), `a personal value (length ${v.length}) is in the output`);
}

test('explain text: reader and candidates, the page, fields with where and how, items with their lines, table, checks, verdict', () => {
  const t = explainText(fakeClaimResult(), 'x.pdf', plain);
  assertNoPersonal(t);
  assert.match(t, /^claims explain x\.pdf$/m);
  assert.match(t, /read by the generic reader: no template matched/);
  assert.match(t, /✗ rs-harapan-sehat +built-in built-in +missing keyword "RS HARAPAN SEHAT"/);
  assert.match(t, /page 1 \(595\.3 × 841\.9 pt, 11 lines\)/);
  assert.match(t, /^ +2 +124\.0 +40\.0 +No\. Klaim : HS-2026-00999$/m);
  assert.match(t, /^ +3 +136\.0 +40\.0 +Nama Pasien : \*\*\*\(22\)$/m);
  assert.match(t, /claim_id +HS-2026-00999 +right · label "No\. Klaim" at p1 l2 · value at p1 l2 \(x 150\.0, y 124\.0\)/);
  assert.match(t, /patient_name +\*\*\*\(22\) +right/);
  assert.match(t, /patient_dob +\*\*\*\(10\)/);
  assert.match(t, /discharge_date +not found: looked labels "discharge_date" on page 1/);
  assert.match(t, /line items \(2\)/);
  assert.match(t, /2 +p1 +line_no=2 +description=Obat dan bahan habis pakai/);
  assert.match(t, /from p1 l8: 2 Obat dan bahan\n +from p1 l9: habis pakai 1 250\.000 250\.000/);
  assert.match(t, /header at p1 l6/);
  assert.match(t, /skipped p1 l10 subtotal: Subtotal 1\.250\.000/);
  assert.match(t, /end \(total line\) at p1 l11/);
  assert.match(t, /✓ total +items add up/);
  assert.match(t, /verdict: valid \(read by the generic reader\)$/m);
  assert.ok(!t.includes('\u001b['), 'no colour with a level-0 chalk');
});

test('explain (the probe): a non-personal field read from a personal line shows it masked, in text and JSON', () => {
  const r = fakeClaimResult({ claimIdFromName: true });
  const t = explainText(r, 'x.pdf', new Chalk({ level: 1 }));
  assertNoPersonal(t);
  assert.match(t, /claim_id +\*\*\*\(22\)/);
  const j = JSON.stringify(explainJson(r, 'x.pdf'));
  assertNoPersonal(j);
});

test('explain JSON: stable keys, personal values as ***(n), positions rounded', () => {
  const j = explainJson(fakeClaimResult(), 'x.pdf');
  assert.deepEqual(Object.keys(j), ['file', 'verdict', 'failure', 'reader', 'fellBackFrom', 'chosenBecause', 'candidates', 'source', 'pageTextComplete', 'locale', 'dateOrder', 'dateOrderSure', 'numberStyle', 'pageCount', 'ocrPages',
    'pages', 'fields', 'items', 'table', 'checks', 'problems', 'claim', 'lines']);
  assertNoPersonal(JSON.stringify(j));
  assert.equal(j.verdict, 'valid');
  assert.equal(j.pages[0].width, 595.3);
  assert.equal(j.fields.find((f) => f.field === 'member_id')!.value, '***(13)');
  assert.equal(j.fields.find((f) => f.field === 'member_id')!.personal, true);
  assert.equal(j.claim!.patient_dob, '***(10)');
  assert.deepEqual(j.items[1].from.map((f) => f.text), ['2 Obat dan bahan', 'habis pakai 1 250.000 250.000']);
  assert.deepEqual(j.table!.skipped, [{ at: { page: 1, line: 10, x: 40, y: 220 }, kind: 'subtotal', text: 'Subtotal 1.250.000' }]);
});

test('explain of an unreadable document: the failure, verdict unreadable', () => {
  const r = fakeClaimResult({ unreadable: true });
  const t = explainText(r, 'enc.pdf', plain);
  assert.match(t, /unreadable: encrypted-file: the PDF is encrypted/);
  assert.match(t, /verdict: unreadable$/m);
  const j = explainJson(r, 'enc.pdf');
  assert.equal(j.verdict, 'unreadable');
  assert.deepEqual(j.failure, { code: 'encrypted-file', message: 'the PDF is encrypted (password protected): it cannot be read' });
  assert.deepEqual([j.reader, j.table, j.claim, j.pages, j.fields], [null, null, null, [], []]);
});

test('claims test report: a block per document, personal differences as "differs", the summary', () => {
  const expected = parseExpected(JSON.stringify({
    verdict: 'valid', claim: { claim_id: 'HS-2026-00999', claimed_amount: '1300000.00', patient_name: 'Someone Else' },
    personalFields: ['member_id'], lines: [{ line_no: 1, amount: '1000000' }],
  }), 'a.expected.json');
  const docs = [
    testDocument({ pdf: '/d/a.pdf', name: 'a.pdf', expected }, fakeClaimResult()),
    testDocument({ pdf: '/d/b.pdf', name: 'b.pdf', expected: { ...expected, claim: { claim_id: 'HS-2026-00999' }, lines: undefined } }, fakeClaimResult()),
  ];
  const report = summarise('d', 'configured', docs);
  assert.deepEqual(report.summary, { documents: 2, passed: 1, fields: { right: 4, expected: 6 }, lines: { right: 1, expected: 1 } });
  assert.deepEqual(docs[0], {
    file: 'a.pdf', reader: 'generic', verdict: 'valid', expectedVerdict: 'valid', passed: false,
    fields: { right: 2, expected: 4 }, lines: { right: 1, expected: 1 },
    differences: [
      { what: 'claim.claimed_amount', expected: '1300000.00', got: '1250000.00' },
      { what: 'claim.patient_name', expected: '***(12)', got: '***(22)' },
      { what: 'lines', expected: '1 line(s)', got: '2 line(s)' },
    ],
  });
  const t = testReportText(report, plain);
  assertNoPersonal(t);
  assert.match(t, /✖ a\.pdf  generic reader · valid · fields 2\/4 · lines 1\/1/);
  assert.match(t, /claim\.claimed_amount: expected 1300000\.00, got 1250000\.00/);
  assert.match(t, /claim\.patient_name: differs \(expected \*\*\*\(12\), read \*\*\*\(22\)\)/);
  assert.match(t, /✔ b\.pdf/);
  assert.match(t, /failed: 1 of 2 documents passed · fields 4\/6 right · lines 1\/1 right$/m);
});

test('explain when the name or member number was not found: the page keeps only label words, amounts and short numbers', () => {
  const r = fakeClaimResult();
  // The mask knows nothing of the name when the reader did not find it.
  r.reading!.fields.patient_name = { ...r.reading!.fields.patient_name, value: null, at: null, labelAt: null };
  r.reading!.fields.member_id = { ...r.reading!.fields.member_id, value: null, at: null, labelAt: null };
  r.judgement!.claim.patient_name = null;
  r.judgement!.claim.member_id = null;
  r.mask = (t) => t;
  const j = explainJson(r, 'x.pdf');
  assert.equal(j.pageTextComplete, false);
  assertNoPersonal(JSON.stringify(j));
  const texts = j.pages[0].lines.map((l) => l.text);
  assert.equal(texts[2], 'Nama Pasien : ***(6) ***(6) ***(8)');
  assert.equal(texts[3], 'No. Peserta : ***(13)');
  assert.equal(texts[4], 'Tanggal Lahir : ***(10)');
  assert.equal(texts[10], 'Total Tagihan : Rp 1.250.000');
  const t = explainText(r, 'x.pdf', plain);
  assertNoPersonal(t);
  assert.match(t, /the page's text is shown with only label words/);
  assert.equal(explainJson(fakeClaimResult(), 'x.pdf').pageTextComplete, true);
});
