/**
 * Empty number cells read again alone (words/ocr/reread.ts), with a stand-in engine: a scan
 * whose page-wide reading lost the quantities gets them back from the cells, each checked by
 * quantity × price = amount — a wrong digit read there is never valid; nothing is looked at
 * where arithmetic would not check it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPdfPages } from '../../src/documents/words/pdf-text.js';
import { readAndJudge } from '../../src/documents/claim.js';
import { claimPdf } from '../../src/schemas/builtin/claim-pdf.js';
import { rereadCells } from '../../src/documents/words/ocr/reread.js';
import type { OcrEngine, OcrResult } from '../../src/documents/words/ocr/engine.js';
import type { GrayImage } from '../../src/documents/images/image.js';
import type { DocumentPages, Word } from '../../src/documents/page.js';

const ROOT = join(import.meta.dirname, '../..');
const setup = { templates: [] };
const ctx = { schema: claimPdf, maxErrors: 100, emit: false, sourceFile: 'scan.png' };
const K = 2; // image pixels per point

/** A scan of layout `bordered-1` whose page-wide reading did not see the quantities: they are ink on the image, grey = 10 × the quantity. */
async function scanWithoutQuantities(): Promise<{ doc: DocumentPages; image: GrayImage; quantities: Word[] }> {
  const text = await readPdfPages(new Uint8Array(readFileSync(join(ROOT, 'fixtures/claims-layouts/bordered-1.pdf'))), 5);
  const page = text.pages[0];
  const base = readAndJudge(text, setup, ctx);
  assert.equal(base.gated.judgement.verdict, 'valid');
  const qCol = base.reading.table.columns.find((c) => c.column === 'quantity')!;
  const rows = new Set(base.reading.items.map((i) => i.from[0].y));
  const quantities = page.words.filter((w) => /^\d+$/.test(w.text) && w.x >= qCol.x0 - 15 && w.x <= qCol.x1 + 15 && [...rows].some((y) => Math.abs(y - w.y) < 3));
  assert.ok(quantities.length >= 5);
  const image: GrayImage = { width: Math.ceil(page.width * K), height: Math.ceil(page.height * K), data: new Uint8Array(Math.ceil(page.width * K) * Math.ceil(page.height * K)).fill(255), dpi: 144 };
  for (const q of quantities) {
    for (let y = Math.floor(q.y * K) + 4; y < (q.y + q.h) * K - 4; y++) {
      for (let x = Math.floor(q.x * K); x < (q.x + q.w) * K; x++) image.data[y * image.width + x] = 10 * Number(q.text);
    }
  }
  const doc: DocumentPages = { source: 'ocr', pages: [{ ...page, source: 'ocr', words: page.words.filter((w) => !quantities.includes(w)).map((w) => ({ ...w, conf: 0.97 })), ocr: { engine: 'test', meanConf: 0.95, dpi: 144, rotated: 0, skew: 0 } }] };
  return { doc, image, quantities };
}

/** Reads a cell's darkest grey as its digit (or `wrong` instead); counts what it was asked. */
function cellEngine(wrong?: string): OcrEngine & { cells: number } {
  return {
    name: 'stand-in', languages: [], cells: 0,
    recognize(img: GrayImage, opts?: { cell?: boolean }): OcrResult {
      assert.ok(opts?.cell, 'only cells are read again');
      this.cells++;
      let min = 255, x0 = img.width, x1 = 0;
      for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
        const v = img.data[y * img.width + x];
        if (v < 128) { min = Math.min(min, v); x0 = Math.min(x0, x); x1 = Math.max(x1, x); }
      }
      if (min === 255) return { words: [], meanConf: 0 };
      return { words: [{ text: wrong ?? String(min / 10), x: x0, y: 4, w: x1 - x0 + 1, h: img.height - 8, conf: 96, line: 0 }], meanConf: 96 };
    },
  };
}

test('the quantities a page-wide reading lost are read from their cells, and the claim reads as its text layer does', async () => {
  const { doc, image, quantities } = await scanWithoutQuantities();
  const first = readAndJudge(doc, setup, ctx);
  assert.notEqual(first.gated.judgement.verdict, 'valid');
  const engine = cellEngine();
  const again = rereadCells(doc, first.reading, new Map([[1, image]]), engine, () => {});
  assert.equal(again.found, quantities.length);
  assert.equal(engine.cells, quantities.length, 'one recognition per empty cell, none for the rest');
  const judged = readAndJudge(again.doc, setup, ctx);
  assert.equal(judged.gated.judgement.verdict, 'valid', JSON.stringify(judged.gated.judgement.problems.map((p) => p.message)));
});

test('a wrong digit read from a cell is never valid: quantity × price = amount checks it', async () => {
  const { doc, image } = await scanWithoutQuantities();
  const first = readAndJudge(doc, setup, ctx);
  const again = rereadCells(doc, first.reading, new Map([[1, image]]), cellEngine('7'), () => {});
  assert.ok(again.found > 0);
  const judged = readAndJudge(again.doc, setup, ctx);
  assert.equal(judged.gated.judgement.verdict, 'needs-review');
  assert.ok(judged.gated.judgement.problems.some((p) => /quantity × unit price \(7 × /.test(p.message)));
});

test('nothing is read again where arithmetic would not check it, or on a text page', async () => {
  const { doc, image } = await scanWithoutQuantities();
  const first = readAndJudge(doc, setup, ctx);
  const noPrice = { ...first.reading, table: { ...first.reading.table, columns: first.reading.table.columns.filter((c) => c.column !== 'unit_price') } };
  const e1 = cellEngine();
  assert.equal(rereadCells(doc, noPrice, new Map([[1, image]]), e1, () => {}).looked, 0);
  const textPage = { ...doc, source: 'text-layer' as const, pages: doc.pages.map((p) => ({ ...p, source: 'text-layer' as const })) };
  assert.equal(rereadCells(textPage, first.reading, new Map([[1, image]]), e1, () => {}).looked, 0);
  assert.equal(e1.cells, 0);
});
