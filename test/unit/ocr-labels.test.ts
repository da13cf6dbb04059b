/**
 * Label words misread by OCR in the ways it misreads most (o/0/q, l/1/i, rn/m, s/5) are
 * still labels on a scanned page — only on a scanned page, and only labels: a value is never
 * "corrected" (a misread value must fail the gates).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelIndex, labelDef, ocrShape, tokensOf } from '../../src/documents/read/labels.js';
import { buildLines } from '../../src/documents/layout/lines.js';
import type { Word } from '../../src/documents/page.js';

function line(texts: string[], conf: number) {
  let x = 40;
  const words: Word[] = texts.map((text) => { const w = { text, x, y: 100, w: text.length * 6, h: 10, conf }; x += text.length * 6 + 4; return w; });
  return buildLines({ number: 1, width: 595, height: 842, words })[0];
}

const index = new LabelIndex([labelDef('Qty', 'quantity'), labelDef('No. Klaim', 'claim_id'), labelDef('Jumlah', 'amount'), labelDef('Nama Pasien', 'patient_name')]);

test('OCR shapes: the usual confusions fold together, other letters do not', () => {
  assert.equal(ocrShape('oty'), ocrShape('qty'));
  assert.equal(ocrShape('jurnlah'), ocrShape('jumlah'));
  assert.equal(ocrShape('k1aim'), ocrShape('klaim'));
  assert.notEqual(ocrShape('tarif'), ocrShape('total'));
});

test('a misread label word is a label on a scanned page, and not on a text layer', () => {
  for (const [texts, field] of [[['Oty'], 'quantity'], [['Jurnlah'], 'amount'], [['N0.', 'K1aim'], 'claim_id'], [['Narna', 'Pasien'], 'patient_name']] as const) {
    const scanned = tokensOf(line([...texts], 0.93));
    const hit = index.at(scanned, 0);
    assert.deepEqual(hit?.label.fields, [field], texts.join(' '));
    assert.equal(index.at(tokensOf(line([...texts], 1)), 0), null, `${texts.join(' ')} on a text layer`);
  }
});

test('capitals the engine read as one line stay one cell across a title\'s wide spaces; a table\'s columns do not', () => {
  const words = (texts: string[], gap: number): Word[] => {
    let x = 40;
    return texts.map((text) => { const w = { text, x, y: 100, w: text.length * 7, h: 12, conf: 0.95, ocrLine: 3 }; x += text.length * 7 + gap; return w; });
  };
  const title = buildLines({ number: 1, width: 595, height: 842, words: words(['PASIEN', 'RAWAT', 'INAP'], 9) })[0];
  assert.equal(title.cells.length, 1);
  const row = buildLines({ number: 1, width: 595, height: 842, words: words(['02/11', 'Kamar', 'ICCU'], 9) })[0];
  assert.deepEqual(row.cells.map((c) => c.text), ['02/11', 'Kamar', 'ICCU']);
  // Without the engine's line (a text layer's separate runs), capitals keep the tight rule.
  const runs = buildLines({ number: 1, width: 595, height: 842, words: words(['PASIEN', 'RAWAT'], 9).map((w, i) => ({ ...w, ocrLine: undefined, run: i })) })[0];
  assert.equal(runs.cells.length, 2);
});
