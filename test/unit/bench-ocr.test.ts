/**
 * The OCR benchmark's pure parts, no OCR run: the per-variant accuracy table and the safety
 * figure from `claims test --format json` (bench/ocr/variants.ts), the validate summary
 * (bench/ocr.ts), the study's word matching and confidence table (bench/ocr/word-match.ts)
 * and setting syntax (bench/ocr/engine-study.ts), and the scan set's file names (bench/ocr/scan-set.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseClaimsTestReport } from '../../bench/pdf/accuracy.js';
import { scanKey, isAmountDifference, variantRows, textLayerRow, fieldsAtDpi, formatVariantTable, variantDpi } from '../../bench/ocr/variants.js';
import { summariseValidate } from '../../bench/ocr.js';
import { bagMatch, confidenceTable, formatConfidenceTable } from '../../bench/ocr/word-match.js';
import { parseSetting } from '../../bench/ocr/engine-study.js';
import { layoutOfScan } from '../../bench/ocr/scan-set.js';

type Diff = { what: string; expected: string; got: string };
// The documented shape (README, "claims test"), values made up.
const doc = (file: string, verdict: string, fields: [number, number], lines: [number, number], differences: Diff[] = []) => ({
  file, reader: 'generic', verdict, expectedVerdict: 'valid', passed: verdict === 'valid' && differences.length === 0,
  fields: { right: fields[0], expected: fields[1] }, lines: { right: lines[0], expected: lines[1] }, differences,
});
const amount: Diff = { what: 'claim.claimed_amount', expected: '4375000.00', got: '4875000.00' };
const REPORT = {
  dir: 'x', templates: 'configured',
  documents: [
    doc('english-1.clean-300.png', 'valid', [10, 10], [5, 5]),
    doc('wrapped-2.clean-300.png', 'needs-review', [8, 10], [4, 5], [amount, { what: 'line 3.amount', expected: '1', got: '7' }]),
    doc('english-1.clean-150.png', 'valid', [9, 10], [5, 5], [{ what: 'line 2.amount', expected: '1', got: '7' }]),
    doc('english-1.photo.jpg', 'invalid', [5, 10], [0, 5], [{ what: 'claim.admission_date', expected: 'a', got: 'b' }]),
    doc('bordered-2.image-only-300.pdf', 'valid', [10, 10], [3, 3], [{ what: 'claim.provider_name', expected: 'a', got: 'b' }]),
    doc('README.pdf', 'valid', [1, 1], [0, 0]),
  ],
};
const TEXT = { dir: 't', templates: 'configured', documents: [doc('english-1.pdf', 'valid', [10, 10], [5, 5]), doc('wrapped-2.pdf', 'valid', [10, 10], [5, 5]), doc('other.pdf', 'valid', [1, 2], [0, 0])] };

test('scan names: source and variant from <source>.<variant>-<dpi>.<ext> and <source>.photo.jpg', () => {
  assert.deepEqual(scanKey('/a/b/english-1.skew-300.png'), { source: 'english-1', variant: 'skew-300' });
  assert.deepEqual(scanKey('rs-harapan-sehat-1.photo.jpg'), { source: 'rs-harapan-sehat-1', variant: 'photo' });
  assert.deepEqual(scanKey('rsu-bunda-mulia-2.image-only-300.pdf'), { source: 'rsu-bunda-mulia-2', variant: 'image-only-300' });
  assert.equal(scanKey('english-1.pdf'), null);
  assert.equal(scanKey('english-1.skew-300.expected.json'), null);
  assert.equal(variantDpi('image-only-150'), 150);
  assert.equal(variantDpi('photo'), null);
  assert.equal(layoutOfScan('bench/.data/x/two-column-000012.png'), 'two-column');
});

test('a wrong amount is the claimed amount, a line amount, or an item missing or extra; other columns are not', () => {
  for (const w of ['claim.claimed_amount', 'line 3.amount', 'line 12', 'lines']) assert.ok(isAmountDifference(w), w);
  for (const w of ['claim.admission_date', 'line 3.description', 'line 3.quantity', 'verdict', 'problems', 'claim.currency']) assert.ok(!isAmountDifference(w), w);
});

test('variant rows: per variant in the order asked, the safety figure counts valid verdicts with a wrong amount only', () => {
  const rows = variantRows(parseClaimsTestReport(REPORT).documents, ['clean-150', 'clean-300']);
  assert.deepEqual(rows.map((r) => r.variant), ['clean-150', 'clean-300', 'image-only-300', 'photo', 'all scans']);
  const c300 = rows[1];
  assert.deepEqual([c300.documents, c300.passed, c300.fields, c300.lines], [2, 1, { right: 18, expected: 20 }, { right: 9, expected: 10 }]);
  assert.deepEqual([c300.wrongAmountAccepted, c300.wrongAmountToReview, c300.verdicts['needs-review']], [0, 1, 1]);
  assert.deepEqual([rows[0].wrongAmountAccepted, rows[0].acceptedFiles], [1, ['english-1.clean-150.png']]);
  const all = rows.at(-1)!;
  assert.deepEqual([all.documents, all.wrongAmountAccepted, all.wrongAmountToReview, all.verdicts], [5, 1, 1, { valid: 3, 'needs-review': 1, invalid: 1, other: 0 }]);
  assert.deepEqual(fieldsAtDpi(rows.slice(0, -1), 300), { right: 28, expected: 30 });
  assert.deepEqual(all.sources.sort(), ['bordered-2', 'english-1', 'wrapped-2']);
});

test('the text-layer row beside a variant reads the same source documents', () => {
  const rows = variantRows(parseClaimsTestReport(REPORT).documents);
  const c300 = rows.find((r) => r.variant === 'clean-300')!;
  const t = textLayerRow(parseClaimsTestReport(TEXT).documents, c300.sources);
  assert.deepEqual([t.documents, t.fields, t.lines], [2, { right: 20, expected: 20 }, { right: 10, expected: 10 }]);
  const table = formatVariantTable(rows, new Map([['clean-300', t]])).trimEnd().split('\n');
  assert.match(table[0], /variant +read as +docs +passed +fields right +lines right +valid\/review\/invalid +wrong amount/);
  const i = table.findIndex((l) => /^ {2}clean-300 /.test(l));
  assert.match(table[i], /OCR +2 +1 +18\/20 \(90\.0 %\) +9\/10 \(90\.0 %\) +1\/1\/0 +0 \/ 1$/);
  assert.match(table[i + 1], /^ {21}text layer +2 +2 +20\/20 \(100\.0 %\)/);
});

test('validate summary: valid files, needs-review files, pages read by OCR', () => {
  const s = summariseValidate({ files: [
    { validRows: 1, errors: [], ocr: { pages: [{}] } },
    { validRows: 0, errors: [{ code: 'needs-review' }], ocr: { pages: [{}, {}] } },
    { validRows: 0, errors: [{ code: 'parse-error' }] },
  ] });
  assert.deepEqual(s, { files: 3, valid: 1, review: 1, ocrPages: 3 });
});

test('bag match: each OCR word matches at most one true word; digit words counted apart', () => {
  const m = bagMatch(['Total', 'Rp', '1.500.000', 'Rp', '250.000', 'I10'], [
    { text: 'Total', conf: 96 }, { text: 'Rp', conf: 95 }, { text: 'Rp', conf: 94 }, { text: 'Rp', conf: 40 }, { text: '1.500.000', conf: 92 }, { text: '250.O00', conf: 60 },
  ]);
  assert.deepEqual([m.words, m.digits], [{ right: 4, expected: 6 }, { right: 1, expected: 3 }]);
  assert.deepEqual(m.scored.map((s) => s.right), [true, true, true, false, true, false]);
  assert.deepEqual(m.missedDigits, ['250.000', 'I10']);
});

test('bag match: right never exceeds the true words or the OCR words (property)', () => {
  const word = fc.constantFrom('a', 'b', '1', '2.000', 'Rp');
  fc.assert(fc.property(fc.array(word), fc.array(word), (truth, ocr) => {
    const m = bagMatch(truth, ocr.map((text) => ({ text, conf: 90 })));
    assert.ok(m.words.right <= Math.min(truth.length, ocr.length));
    assert.ok(m.digits.right <= m.digits.expected && m.digits.right <= m.words.right);
    assert.equal(m.scored.filter((s) => s.right).length, m.words.right);
    assert.equal(m.missedDigits.length, m.digits.expected - m.digits.right);
  }));
});

test('confidence table: buckets on Tesseract 0..100, lower bound inclusive', () => {
  const rows = confidenceTable([{ conf: 49.9, right: false, digit: false }, { conf: 50, right: true, digit: false }, { conf: 90, right: true, digit: true }, { conf: 95, right: true, digit: false }, { conf: 100, right: false, digit: true }]);
  assert.deepEqual(rows.map((r) => [r.from, r.words, r.right]), [[0, 1, 0], [50, 1, 1], [70, 0, 0], [80, 0, 0], [85, 0, 0], [90, 1, 1], [95, 2, 1]]);
  assert.match(formatConfidenceTable(rows), /conf >= 95 +2 words \(40\.0 % of all\) +50\.0 % right/);
});

test('study settings: the baseline with the keys given changed; a wrong key or value is refused', () => {
  const s = parseSetting('lang=eng,dpi=200,invert=0');
  assert.deepEqual(s, { label: 'lang=eng,dpi=200,invert=0', dpi: 200, scale: 'smooth', options: { languages: ['eng'], psm: 3, models: '4.0.0_best_int', variables: { tessedit_do_invert: '0' } } });
  assert.deepEqual(parseSetting('psm=6').options.languages, ['ind', 'eng']);
  assert.throws(() => parseSetting('dpi=600'), /dpi=600/);
  assert.throws(() => parseSetting('colour=1'), /bad setting/);
  assert.throws(() => parseSetting('models=4.0.0_fast'), /models=/);
});
