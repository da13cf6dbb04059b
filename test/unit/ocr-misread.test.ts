/**
 * The OCR safety invariant, without OCR's cost: a scan whose words were all read "sure" but
 * one digit misread is never accepted with a wrong amount. The words are the real fixtures'
 * text layers (every layout of fixtures/claims-layouts and the built-in hospitals' PDFs),
 * marked as OCR words with a sure confidence, and one digit of one word changed; the gates
 * must then either say not valid, or read every amount as before (the digit was in a date,
 * a code, a phone number...).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readPdfPages } from '../../src/documents/words/pdf-text.js';
import { readAndJudge } from '../../src/documents/claim.js';
import { claimPdf } from '../../src/schemas/builtin/claim-pdf.js';
import { loadTemplates } from '../../src/documents/templates/load.js';
import type { DocumentPages } from '../../src/documents/page.js';

const ROOT = join(import.meta.dirname, '../..');
const FILES = [
  ...readdirSync(join(ROOT, 'fixtures/claims-layouts')).filter((f) => f.endsWith('.pdf')).map((f) => join(ROOT, 'fixtures/claims-layouts', f)),
  ...['rs-harapan-sehat-1', 'rs-harapan-sehat-2', 'klinik-medika-1', 'klinik-medika-2', 'rsu-bunda-mulia-1', 'rsu-bunda-mulia-2']
    .map((n) => join(ROOT, 'fixtures/claims-pdf', `${n}.pdf`)),
];

const asSureOcr = (doc: DocumentPages, conf: number): DocumentPages => ({
  source: 'ocr',
  pages: doc.pages.map((p) => ({ ...p, source: 'ocr', words: p.words.map((w) => ({ ...w, conf })),
    ocr: { engine: 'test', meanConf: conf, dpi: 300, rotated: 0, skew: 0 } })),
});

function amounts(r: ReturnType<typeof readAndJudge>): string[] {
  const j = r.gated.judgement;
  // Money, and a quantity where a unit price checks it (quantity × price = amount). A quantity
  // printed without a price is checked by nothing on the page (README says so).
  return [String(j.claim.claimed_amount ?? ''), ...j.lines.map((l) => `${l.unit_price === null ? '' : l.quantity}×${l.unit_price}=${l.amount}`)];
}

test('one misread digit anywhere on a sure scan: never valid with a wrong amount', async () => {
  const setup = { templates: loadTemplates([]) };
  const ctx = { schema: claimPdf, maxErrors: 100, emit: false, sourceFile: 'scan.pdf' };
  let judged = 0, caught = 0;
  for (const file of FILES) {
    const text = await readPdfPages(new Uint8Array(readFileSync(file)), 20);
    const doc = asSureOcr(text, 0.97);
    const base = readAndJudge(doc, setup, ctx);
    if (base.gated.judgement.verdict !== 'valid') continue; // only what is accepted can be accepted wrongly
    const digits: Array<[number, number, number]> = [];
    doc.pages.forEach((p, pi) => p.words.forEach((w, wi) => { for (let k = 0; k < w.text.length; k++) if (/\d/.test(w.text[k])) digits.push([pi, wi, k]); }));
    const out = fc.check(fc.property(fc.constantFrom(...digits), fc.integer({ min: 1, max: 9 }), ([pi, wi, k], shift) => {
      const w = doc.pages[pi].words[wi];
      const misread = w.text.slice(0, k) + String((Number(w.text[k]) + shift) % 10) + w.text.slice(k + 1);
      const pages = doc.pages.map((p, i) => (i !== pi ? p : { ...p, words: p.words.map((x, j) => (j === wi ? { ...x, text: misread } : x)) }));
      const r = readAndJudge({ ...doc, pages }, setup, ctx);
      judged++;
      if (r.gated.judgement.verdict !== 'valid') { caught++; return; }
      assert.deepEqual(amounts(r), amounts(base), `${file}: '${w.text}' read as '${misread}' was accepted with other amounts`);
    }), { numRuns: 25, seed: 19, endOnFailure: true });
    if (out.failed) assert.fail(`${file}: ${String((out.errorInstance as Error)?.message)} (counterexample ${JSON.stringify(out.counterexample)})`);
  }
  assert.ok(judged >= 300, `only ${judged} misreadings judged`);
  // Most digits on a claim are amounts, dates, codes: a good share of misreadings must be caught.
  assert.ok(caught > judged / 4, `${caught} of ${judged} caught`);
});

test('a sure reading marked as OCR reads as the text layer does: same fields, same items, each value marked OCR', async () => {
  const setup = { templates: loadTemplates([]) };
  const ctx = { schema: claimPdf, maxErrors: 100, emit: false, sourceFile: 'scan.pdf' };
  for (const file of FILES.slice(0, 8)) {
    const text = await readPdfPages(new Uint8Array(readFileSync(file)), 20);
    const a = readAndJudge(text, setup, ctx);
    const b = readAndJudge(asSureOcr(text, 0.97), setup, ctx);
    assert.deepEqual(b.gated.judgement.claim, a.gated.judgement.claim, file);
    assert.equal(b.gated.judgement.verdict, a.gated.judgement.verdict, file);
    for (const f of Object.values(b.reading.fields)) if (f.value !== null && f.at) assert.equal(f.ocr, true, `${file}: ${f.field}`);
    assert.equal(b.reading.ocrPages?.length, text.pages.length);
  }
});

test('an unsure OCR word in a value: needs-review naming the field and the confidence', async () => {
  const setup = { templates: loadTemplates([]) };
  const ctx = { schema: claimPdf, maxErrors: 100, emit: false, sourceFile: 'scan.pdf' };
  const text = await readPdfPages(new Uint8Array(readFileSync(FILES[0])), 20);
  const r = readAndJudge(asSureOcr(text, 0.72), setup, ctx);
  assert.equal(r.gated.judgement.verdict, 'needs-review');
  assert.ok(r.gated.judgement.problems.some((p) => p.code === 'needs-review' && /read from unsure words \(confidence 0\.72\)/.test(p.message)));
});

test('a scanned page too blurred to read: needs-review saying so, even when every value was found', async () => {
  const setup = { templates: loadTemplates([]) };
  const ctx = { schema: claimPdf, maxErrors: 100, emit: false, sourceFile: 'scan.pdf' };
  const text = await readPdfPages(new Uint8Array(readFileSync(FILES[0])), 20);
  const doc = asSureOcr(text, 0.97);
  doc.pages[0].ocr = { ...doc.pages[0].ocr!, meanConf: 0.41, unreadable: 'it is too blurred or too small to read (mean OCR confidence 0.41, below 0.60)' };
  const r = readAndJudge(doc, setup, ctx);
  assert.equal(r.gated.judgement.verdict, 'needs-review');
  assert.ok(r.gated.judgement.problems.some((p) => /page 1 was scanned and it is too blurred or too small to read \(mean OCR confidence 0\.41/.test(p.message)));
});
