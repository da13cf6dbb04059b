/**
 * Cases the claim reader's properties (claim-reader-props.test.ts) found, reduced to one
 * document each: what broke, read as a page model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render, withConfidence, type GenClaim, type GenLayout } from '../support/claim-pages.js';
import { readAndGate, differences } from '../support/claim-judge.js';

const claim: GenClaim = {
  claimId: 'KLM-2026-00017', policy: 'POL-100200', memberId: '0014000000123', patientName: 'Kartika Hadikusumo',
  dob: { y: 1970, m: 3, d: 14 }, providerId: null, providerName: 'RS Harapan Sehat', claimType: 'inpatient',
  admission: { y: 2026, m: 11, d: 20 }, stay: 3, diagnoses: ['J18.9'],
  items: [
    { description: 'Pemeriksaan Darah Lengkap', code: 'LAB-001', quantity: 1, unitPrice: 150000, category: 0 },
    { description: 'Pemeriksaan Urine Lengkap', code: 'LAB-002', quantity: 1, unitPrice: 90000, category: 0 },
    { description: 'Paracetamol Tablet', code: 'OBT-010', quantity: 10, unitPrice: 1500, category: 1 },
    { description: 'Cairan Infus Ringer Laktat', code: 'OBT-011', quantity: 3, unitPrice: 25000, category: 1 },
  ],
};

export const plainLayout: GenLayout = {
  placement: 'column', twoColumns: false, labelPick: Array(14).fill(0), labelCase: 'as', colon: 'separate', dropDots: false,
  providerBy: 'letterhead', claimTypeBy: 'label', dateFormat: 'dmy-slash', diagnosisTwoLabels: false,
  columns: { lineNo: true, code: false, quantity: true, unitPrice: true, priceFirst: false }, headerPick: Array(6).fill(0),
  numbersRightAligned: true, headerRightAligned: true, style: 'id-ID', decimals: false, currency: 'Rp', currencyOnItems: false,
  wraps: [1], categories: false, subtotals: false, perPage: 20, footer: false, carried: false, totalPick: 0,
  noise: { address: false, printDate: false, doctor: false, signature: false }, size: 10, leading: 1.5, wrapLeading: 1.1,
};

test('claim reader: a category subtotal inside the table is a sum, not an item', () => {
  const g = render(claim, { ...plainLayout, categories: true, subtotals: true });
  const { judgement } = readAndGate(g.doc);
  assert.deepEqual(differences(judgement, g.expected), []);
  assert.equal(judgement.verdict, 'valid');
});

test('claim reader: a page total carried over ("Jumlah Halaman Ini" / "Pindahan") is a sum, not an item', () => {
  const g = render(claim, { ...plainLayout, perPage: 2, carried: true, footer: true });
  assert.equal(g.doc.pages.length, 2);
  const { judgement } = readAndGate(g.doc);
  assert.deepEqual(differences(judgement, g.expected), []);
  assert.equal(judgement.verdict, 'valid');
});

test('claim reader: an item whose text starts like a subtotal label ("Jumlah …") but adds up to nothing above it stays an item', () => {
  const g = render({ ...claim, items: [...claim.items, { description: 'Jumlah Obat Pulang', code: 'OBT-099', quantity: 1, unitPrice: 7000, category: 1 }] },
    { ...plainLayout, columns: { ...plainLayout.columns, quantity: false, unitPrice: false } });
  const { judgement } = readAndGate(g.doc);
  assert.equal(judgement.lines.length, 5);
  assert.equal(judgement.verdict, 'valid');
});

test('claim reader: a wrapped description whose last line is in capitals ("Rontgen Thorax" / "PA") is one description, not a heading', () => {
  const pa = { description: 'Rontgen Thorax PA', code: 'RAD-001', quantity: 1, unitPrice: 175000, category: 2 };
  for (const items of [[pa], [claim.items[0], pa, claim.items[2]]]) {
    for (const categories of [false, true]) {
      const g = render({ ...claim, items }, { ...plainLayout, wraps: [2], leading: 1.3, wrapLeading: 1.0, categories });
      const { judgement } = readAndGate(g.doc);
      assert.deepEqual(differences(judgement, g.expected), [], `${items.length} items, categories ${categories}`);
      assert.equal(judgement.verdict, 'valid');
    }
  }
});

test('claim reader: a label ending in a bracket with the colon after it ("Diagnosa (ICD-10):") is found', () => {
  for (const placement of ['inline', 'column', 'below'] as const) {
    const g = render(claim, { ...plainLayout, placement, colon: 'attached' });
    const { judgement } = readAndGate(g.doc);
    assert.equal(judgement.claim.diagnosis_codes, '["J18.9"]', placement);
    assert.equal(judgement.verdict, 'valid');
  }
});

test('claim reader: an unsure word (OCR) on a wrapped description line makes the claim needs-review', () => {
  const g = render({ ...claim, items: [claim.items[0]] }, { ...plainLayout, wraps: [2] });
  const at = g.marked.find((m) => m.what === 'item 1 wrapped')!;
  const { judgement } = readAndGate(withConfidence(g.doc, at, 0.5));
  assert.equal(judgement.verdict, 'needs-review');
  assert.ok(judgement.problems.some((p) => p.code === 'needs-review' && p.field === 'claim_line.amount'));
});

test('claim reader: a row whose quantity does not read (prices in the quantity column) is needs-review, not dropped for a subtotal to stand in', () => {
  const one = { ...claim.items[0], quantity: 1, unitPrice: 1000 };
  const g = render({ ...claim, items: [one] }, { ...plainLayout, categories: true, subtotals: true }, { swapQtyPrice: true });
  const { judgement } = readAndGate(g.doc);
  assert.equal(judgement.verdict, 'needs-review');
  assert.ok(judgement.problems.some((p) => p.code === 'needs-review' && p.field === 'claim_line.amount'));
});

test('claim reader: a right-aligned price under a narrow left-aligned header ("@") reaching past the column midpoint is still the price', () => {
  const g = render({ ...claim, items: [{ ...claim.items[0], quantity: 8, unitPrice: 6000 }, { ...claim.items[1], unitPrice: 748500 }] },
    { ...plainLayout, columns: { lineNo: true, code: false, quantity: false, unitPrice: true, priceFirst: false }, headerPick: [0, 0, 9, 9, 1, 1],
      numbersRightAligned: true, headerRightAligned: false, currency: 'IDR', currencyOnItems: true, decimals: true, size: 9 });
  const { judgement, reading } = readAndGate(g.doc);
  assert.equal(reading.table.columns.find((c) => c.column === 'unit_price')?.header, '@');
  assert.deepEqual(differences(judgement, g.expected), []);
  assert.equal(judgement.verdict, 'valid');
});

test('claim reader: a row with digits under the amount column that do not read as an amount is needs-review, not dropped', () => {
  const g = render(claim, { ...plainLayout, currencyOnItems: false });
  const amount = g.marked.filter((m) => m.what === 'item 2').at(-1)!;
  const page = g.doc.pages[amount.page];
  const words = page.words.map((w, i) => (i === amount.index ? { ...w, text: `${w.text}x2`, w: w.w + 10 } : w));
  const { judgement } = readAndGate({ ...g.doc, pages: [{ ...page, words }, ...g.doc.pages.slice(1)] });
  assert.equal(judgement.verdict, 'needs-review');
  assert.ok(judgement.problems.some((p) => p.code === 'needs-review' && p.field === 'claim_line.amount'));
});

test('claim reader: the last, lone field of a two-column form ("Provider ID: X" under a full row) is read, not taken for a label\'s second line', () => {
  const g = render({ ...claim, providerId: 'PPK38927' }, { ...plainLayout, placement: 'inline', twoColumns: true, colon: 'attached', leading: 1.2, labelPick: [0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0] });
  const { judgement } = readAndGate(g.doc);
  assert.equal(judgement.claim.provider_id, 'PPK38927');
  assert.deepEqual(differences(judgement, g.expected), []);
});

test('claim reader: top-aligned descriptions wrapped onto three lines: at the row spacing needs-review, tighter to their own row', () => {
  const items = [
    { description: 'Sewa Alat Nebulizer', code: 'LAB-001', quantity: 2, unitPrice: 329500, category: 0 },
    { description: 'Obat Antasida Sirup', code: 'OBT-002', quantity: 9, unitPrice: 4000, category: 0 },
    { description: 'Paracetamol Tablet', code: 'OBT-003', quantity: 4, unitPrice: 6000, category: 0 },
  ];
  // Rows and wrapped lines evenly spaced (wrapped at the row spacing, or nearly): nothing on the
  // page says which row a line belongs to, so the items are needs-review — never valid with a
  // description that may be wrong. Tighter wrapped lines read valid and right.
  for (const wrapLeading of [1.2, 1.1]) {
    const g = render({ ...claim, items }, { ...plainLayout, wraps: [3], leading: 1.2, wrapLeading });
    const { judgement } = readAndGate(g.doc);
    assert.equal(judgement.verdict, 'needs-review', `wrap leading ${wrapLeading}`);
    assert.ok(judgement.problems.some((p) => p.code === 'needs-review' && /evenly spaced/.test(p.message)));
  }
  const g = render({ ...claim, items }, { ...plainLayout, wraps: [3], leading: 1.6, wrapLeading: 1.1 });
  const { judgement } = readAndGate(g.doc);
  assert.deepEqual(differences(judgement, g.expected), []);
  assert.equal(judgement.verdict, 'valid');
});

test('claim reader: a description wrapped at loose leading (1.4 × size) but clearly tighter than the rows (2 × size) stays one description', () => {
  const items = [{ description: 'Visite Dokter Umum', code: 'TND-001', quantity: 1, unitPrice: 250000, category: 0 }, claim.items[1]];
  const g = render({ ...claim, items }, { ...plainLayout, wraps: [3], leading: 2, wrapLeading: 1.4 });
  const { judgement } = readAndGate(g.doc);
  assert.deepEqual(differences(judgement, g.expected), []);
  assert.equal(judgement.verdict, 'valid');
});

test('claim reader: the only row\'s description wrapped at loose leading, with the total a row below, stays one description', () => {
  const g = render({ ...claim, items: [{ description: 'Jasa Perawat Harian', code: 'TND-001', quantity: 1, unitPrice: 369500, category: 0 }] },
    { ...plainLayout, columns: { lineNo: false, code: false, quantity: false, unitPrice: false, priceFirst: false }, wraps: [2], leading: 1.92, wrapLeading: 1.4 });
  const { judgement } = readAndGate(g.doc);
  assert.deepEqual(differences(judgement, g.expected), []);
  assert.equal(judgement.verdict, 'valid');
});
