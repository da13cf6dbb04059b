/**
 * From a page image to the page model, with a stand-in engine (the real one costs seconds a
 * page; test/integration/ocr-scans.test.ts runs it): words placed in points on one baseline
 * per engine line, confidences 0..1, the page turned until the engine reads it well, and a
 * page too small or too blurred marked unreadable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ocrPage, toWords, READABLE_MEAN, MAX_RECOGNITION_PIXELS } from '../../src/documents/words/ocr/ocr-page.js';
import { defaultPrep } from '../../src/documents/words/ocr/prep.js';
import type { OcrEngine, OcrResult, OcrWord } from '../../src/documents/words/ocr/engine.js';
import type { GrayImage } from '../../src/documents/images/image.js';
import { buildLines } from '../../src/documents/layout/lines.js';

/** A page whose top-left corner is marked black: upright when the mark is at the top left. */
function page(w: number, h: number, dpi: number | null): GrayImage {
  const data = new Uint8Array(w * h).fill(255);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) data[y * w + x] = 0;
  return { width: w, height: h, data, dpi };
}
const upright = (img: GrayImage) => img.data[0] === 0;

/** Reads well only an upright page; gives fixed words. */
function engine(words: OcrWord[], meanWhenUpright = 93): OcrEngine & { calls: number } {
  return {
    name: 'stand-in', languages: ['ind'], calls: 0,
    recognize(img: GrayImage): OcrResult {
      this.calls++;
      return upright(img) ? { words, meanConf: meanWhenUpright } : { words: words.map((w) => ({ ...w, text: '~', conf: 12 })), meanConf: 12 };
    },
  };
}

const WORDS: OcrWord[] = [
  { text: 'Total', x: 300, y: 600, w: 120, h: 40, conf: 96, line: 0 },
  { text: 'Tagihan:', x: 440, y: 598, w: 190, h: 42, conf: 95, line: 0 },
  { text: 'Rp', x: 900, y: 600, w: 60, h: 40, conf: 97, line: 0 },
  { text: 'masuk', x: 300, y: 712, w: 130, h: 28, conf: 91, line: 1 },
];

test('words in points: one baseline and one size per engine line, confidence 0..1', () => {
  const out = toWords(WORDS, 300);
  assert.equal(out.length, 4);
  const [a, b, c] = out;
  assert.equal(a.y, b.y);
  assert.equal(a.h, c.h);
  assert.ok(Math.abs(a.x - 300 * 72 / 300) < 1e-9);
  assert.equal(a.conf, 0.96);
  // The lowercase word gets its line's baseline: its box bottom, not its glyphs' top.
  const d = out[3];
  assert.ok(Math.abs(d.y + 0.8 * d.h - (712 + 28) * 72 / 300) < 1e-6);
  const lines = buildLines({ number: 1, width: 595, height: 842, words: out });
  assert.deepEqual(lines.map((l) => l.text), ['Total Tagihan: Rp', 'masuk']);
});

test('any quarter turn of a page is read upright, and the turn is reported', () => {
  fc.assert(fc.property(fc.constantFrom(0, 90, 180, 270), (turn) => {
    const base = page(60, 80, 300);
    // The page as scanned: turned clockwise by `turn`; straightening it turns it by 360 - turn.
    const scanned = turn === 0 ? base : defaultPrep.quarterTurn(base, turn as 90 | 180 | 270);
    const prep = { ...defaultPrep, textDirection: (img: GrayImage) => ({ horizontal: img.width < img.height }) };
    const e = engine(WORDS);
    const p = ocrPage(scanned, 1, e, { dpi: 300, languages: ['ind'] }, () => {}, prep);
    assert.equal(p.ocr!.rotated, (360 - turn) % 360);
    assert.equal(p.words[0].text, 'Total');
    assert.ok(e.calls <= 2, `${e.calls} recognitions`);
    assert.equal(p.source, 'ocr');
  }));
});

test('a page the engine reads poorly either way is unreadable, with the mean confidence in the message', () => {
  const p = ocrPage(page(60, 80, 300), 2, engine(WORDS, 40), { dpi: 300, languages: ['ind'] });
  assert.ok(p.ocr!.unreadable);
  assert.match(p.ocr!.unreadable!, /too blurred or too small to read \(mean OCR confidence 0\.40, below 0\.60\)/);
  assert.ok(READABLE_MEAN === 0.6);
});

test('a page with no text, and a page whose text is too small: unreadable, saying which', () => {
  assert.match(ocrPage(page(60, 80, 300), 1, engine([]), { dpi: 300, languages: ['ind'] }).ocr!.unreadable!, /found no text/);
  const small = ocrPage(page(60, 80, 300), 1, engine(WORDS), { dpi: 300, languages: ['ind'] }, () => {}, { ...defaultPrep, textHeight: () => 5 });
  assert.match(small.ocr!.unreadable!, /too small to read \(about 5 pixels high at 300 dpi\)/);
});

test('each recognition is announced (the worker renews the per-page time limit there)', () => {
  let steps = 0;
  ocrPage(page(60, 80, 300), 1, engine(WORDS), { dpi: 300, languages: ['ind'] }, () => steps++);
  assert.equal(steps, 1);
  steps = 0;
  const turned = defaultPrep.quarterTurn(page(60, 80, 300), 180);
  ocrPage(turned, 1, engine(WORDS), { dpi: 300, languages: ['ind'] }, () => steps++);
  assert.equal(steps, 2);
});

test('a photo without a resolution is taken to span an A4 width (and brought up, at most 2.5×); a fine scan is brought down to the recognition resolution', () => {
  const photo = ocrPage(page(827, 1170, null), 1, engine(WORDS), { dpi: 300, languages: ['ind'] });
  assert.equal(photo.ocr!.dpi, 250);
  assert.ok(Math.abs(photo.width - 595.44) < 0.5);
  const fine = ocrPage(page(1200, 1600, 600), 1, engine(WORDS), { dpi: 300, languages: ['ind'] });
  assert.equal(fine.ocr!.dpi, 300);
  assert.ok(Math.abs(fine.width - 144) < 0.5);
});

test("a table's vertical rules read as '|' are not words", () => {
  const out = toWords([
    { text: '|', x: 10, y: 100, w: 4, h: 40, conf: 60, line: 0 },
    { text: '|Kamar', x: 20, y: 100, w: 120, h: 40, conf: 90, line: 0 },
    { text: 'Inap│', x: 150, y: 100, w: 90, h: 40, conf: 90, line: 0 },
  ], 300);
  assert.deepEqual(out.map((w) => w.text), ['Kamar', 'Inap']);
});

test('specks read as marks are dropped, and a smudge does not set its line\'s size', () => {
  const out = toWords([
    { text: '“', x: 10, y: 100, w: 8, h: 12, conf: 31, line: 0 },
    { text: 'Kamar', x: 20, y: 100, w: 120, h: 40, conf: 95, line: 0 },
    { text: 'Inap', x: 150, y: 100, w: 90, h: 40, conf: 93, line: 0 },
    { text: 'I', x: 250, y: 60, w: 30, h: 120, conf: 41, line: 0 },
    { text: ':', x: 290, y: 110, w: 6, h: 20, conf: 90, line: 0 },
  ], 300);
  assert.deepEqual(out.map((w) => w.text), ['Kamar', 'Inap', 'I', ':']);
  assert.ok(Math.abs(out[0].h - (40 / 0.9) * 72 / 300) < 1e-9);
});

test('no resolution makes a page bigger than any page, and no page is recognised above 12 MP (an upscale must not be a memory bomb)', () => {
  // 6000 × 6000 saying 72 dpi would be an 83-inch page: not believed; it spans an A4 width.
  let seen: GrayImage | null = null;
  const spy: OcrEngine = { name: 'spy', languages: [], recognize(img) { seen = img; return { words: WORDS, meanConf: 93 }; } };
  ocrPage(page(6000, 6000, 72), 1, spy, { dpi: 250, languages: [] });
  assert.ok(seen!.width * seen!.height <= MAX_RECOGNITION_PIXELS);
  assert.ok(Math.abs(seen!.width - 6000 * 250 / (6000 / 8.27)) < 2, `${seen!.width}`);
  // A long roll: whatever its resolution, recognised at no more than 12 MP.
  ocrPage(page(3000, 20000, 100), 1, spy, { dpi: 250, languages: [] });
  assert.ok(seen!.width * seen!.height <= MAX_RECOGNITION_PIXELS, `${seen!.width} × ${seen!.height}`);
});
