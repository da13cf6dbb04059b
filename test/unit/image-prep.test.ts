import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { GrayImage } from '../../src/documents/images/image.js';
import {
  estimateSkew,
  inkRatio,
  inkThreshold,
  otsuThreshold,
  quarterTurn,
  removeRules,
  rotate,
  scaleBy,
  scaleTo,
  scaleToWidth,
  textDirection,
  textHeight,
  type QuarterTurn,
} from '../../src/documents/images/prep/index.js';
import { drawForm, renderPdfPage, speckle } from '../support/page-images.js';

/** Image-prep properties on drawn claim forms and on the repo's claim PDFs rendered by pdf.js. No OCR here. */

const arbImage = (max = 24) =>
  fc
    .record({ width: fc.integer({ min: 1, max }), height: fc.integer({ min: 1, max }) })
    .chain(({ width, height }) =>
      fc.record({
        width: fc.constant(width),
        height: fc.constant(height),
        data: fc.uint8Array({ minLength: width * height, maxLength: width * height }),
        dpi: fc.option(fc.integer({ min: 50, max: 600 }), { nil: null }),
      }),
    );

const mean = (image: GrayImage) => image.data.reduce((a, b) => a + b, 0) / image.data.length;

/** Ink pixels (darker than mid-grey). */
const inkCount = (image: GrayImage) => image.data.reduce((n, v) => n + (v < 128 ? 1 : 0), 0);

/** The longest run of ink along any row (or, transposed, column). */
function longestRun(image: GrayImage, vertical: boolean): number {
  const { width, height, data } = image;
  const [outer, inner] = vertical ? [width, height] : [height, width];
  let longest = 0;
  for (let o = 0; o < outer; o++) {
    let run = 0;
    for (let i = 0; i < inner; i++) {
      const v = vertical ? data[i * width + o] : data[o * width + i];
      run = v < 128 ? run + 1 : 0;
      if (run > longest) longest = run;
    }
  }
  return longest;
}

describe('quarterTurn', () => {
  test('four quarter turns, two half turns and 90 then 270 are the identity; 90 swaps the sides', () => {
    fc.assert(
      fc.property(arbImage(), (image) => {
        const t90 = quarterTurn(image, 90);
        assert.equal(t90.width, image.height);
        assert.equal(t90.height, image.width);
        assert.deepEqual(quarterTurn(quarterTurn(quarterTurn(t90, 90), 90), 90).data, image.data);
        assert.deepEqual(quarterTurn(quarterTurn(image, 180), 180).data, image.data);
        assert.deepEqual(quarterTurn(t90, 270).data, image.data);
        assert.deepEqual(quarterTurn(t90, 90).data, quarterTurn(image, 180).data);
        assert.equal(quarterTurn(image, 0), image);
      }),
    );
  });

  test('90 is clockwise: the top-left pixel goes to the top-right corner', () => {
    const image: GrayImage = { width: 3, height: 2, data: Uint8Array.from([0, 1, 2, 3, 4, 5]), dpi: null };
    assert.deepEqual([...quarterTurn(image, 90).data], [3, 0, 4, 1, 5, 2]);
    assert.deepEqual([...quarterTurn(image, 270).data], [2, 5, 1, 4, 0, 3]);
  });
});

describe('scale', () => {
  test('area-average downscaling keeps the mean grey (within rounding) and scales the dpi', () => {
    fc.assert(
      fc.property(arbImage(60), fc.double({ min: 0.1, max: 0.95, noNaN: true }), (image, factor) => {
        const small = scaleBy(image, factor);
        assert.ok(small.width <= image.width && small.height <= image.height);
        assert.equal(small.data.length, small.width * small.height);
        if (image.dpi !== null && small !== image) assert.ok(Math.abs((small.dpi ?? 0) - image.dpi * factor) < 1e-9);
        // Output pixels cover equal areas tiling the whole source, so the mean moves only by each pixel's rounding.
        assert.ok(Math.abs(mean(small) - mean(image)) <= 0.5);
      }),
    );
  });

  test('on a drawn page the mean grey moves by under 0.5 at any factor', () => {
    const page = drawForm({ dpi: 150, table: true });
    for (const factor of [0.25, 1 / 3, 0.5, 0.6, 0.77]) {
      assert.ok(Math.abs(mean(scaleBy(page, factor)) - mean(page)) < 0.5, `factor ${factor}`);
    }
  });

  test('a flat grey stays that grey both ways; upscaling is bilinear and bounded by its input', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 255 }), fc.double({ min: 0.1, max: 4, noNaN: true }), (width, height, grey, factor) => {
        const image: GrayImage = { width, height, data: new Uint8Array(width * height).fill(grey), dpi: 100 };
        assert.ok(scaleBy(image, factor).data.every((v) => v === grey));
      }),
    );
    fc.assert(
      fc.property(arbImage(20), fc.double({ min: 1.1, max: 4, noNaN: true }), (image, factor) => {
        const big = scaleBy(image, factor);
        const lo = Math.min(...image.data);
        const hi = Math.max(...image.data);
        assert.ok(big.data.every((v) => v >= lo && v <= hi));
      }),
    );
  });

  test('scaleTo downscales to the target dpi, never up unless asked, and leaves an image without dpi alone', () => {
    const page: GrayImage = { width: 2480, height: 100, data: new Uint8Array(2480 * 100).fill(200), dpi: 300 };
    const at150 = scaleTo(page, 150);
    assert.equal(at150.width, 1240);
    assert.equal(at150.dpi, 150);
    assert.equal(scaleTo(at150, 300), at150);
    assert.equal(scaleTo(at150, 300, { upscale: true }).width, 2480);
    const noDpi = { ...page, dpi: null };
    assert.equal(scaleTo(noDpi, 150), noDpi);
    assert.equal(scaleToWidth(noDpi, 620).height, 25);
  });
});

describe('otsuThreshold / inkThreshold / inkRatio', () => {
  test('two grey levels split between them; a blank noisy page has no ink', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 160, max: 255 }), fc.double({ min: 0.02, max: 0.5, noNaN: true }), (ink, paper, share) => {
        const n = 1000;
        const data = new Uint8Array(n).fill(paper);
        data.fill(ink, 0, Math.round(n * share));
        const image: GrayImage = { width: n, height: 1, data, dpi: null };
        const t = otsuThreshold(image);
        assert.ok(t >= ink && t < paper);
        assert.ok(Math.abs(inkRatio(image) - Math.round(n * share) / n) < 1e-9);
      }),
    );
    const blank = speckle({ width: 400, height: 400, data: new Uint8Array(160000).fill(235), dpi: 150 }, 0, 1);
    const noisy: GrayImage = { ...blank, data: blank.data.map((v, i) => v + ((i * 7919) % 17)) };
    assert.equal(inkThreshold(noisy), -1);
    assert.equal(inkRatio(noisy), 0);
    assert.equal(textHeight(noisy), null);
  });
});

describe('skew', () => {
  let pages: Array<[string, GrayImage]> = [];
  before(async () => {
    pages = [
      ['bordered-1.pdf at 150 dpi', await renderPdfPage('fixtures/claims-layouts/bordered-1.pdf', 150)],
      ['multipage-1.pdf at 100 dpi, speckled', speckle(await renderPdfPage('fixtures/claims-layouts/multipage-1.pdf', 100), 0.01)],
      ['a drawn form with a table at 150 dpi', drawForm({ dpi: 150, table: true })],
      ['a drawn form of three lines at 200 dpi', drawForm({ dpi: 200, lines: 3, seed: 5 })],
    ];
  });

  test('estimateSkew(rotate(page, a)) is a within 0.3 degrees for a in [-5, 5] (positive = clockwise)', () => {
    for (const [name, page] of pages) {
      fc.assert(
        fc.property(fc.integer({ min: -50, max: 50 }), (tenths) => {
          const a = tenths / 10;
          const got = estimateSkew(rotate(page, a));
          assert.ok(Math.abs(got - a) <= 0.3, `${name}: rotated ${a}, estimated ${got}`);
        }),
        { numRuns: 8 },
      );
    }
  });

  test('a page drawn skewed (canvas transform, not our rotate) is estimated, and straightened to within 0.3', () => {
    for (const angle of [-4.2, -1.5, 2.7, 4.6]) {
      const page = drawForm({ dpi: 150, table: true, angle, seed: 3 });
      const got = estimateSkew(page);
      assert.ok(Math.abs(got - angle) <= 0.3, `drawn at ${angle}, estimated ${got}`);
      assert.ok(Math.abs(estimateSkew(rotate(page, -got))) <= 0.3);
    }
  });

  test('a blank page has no skew; the estimate stays within [-6, 6]', () => {
    assert.equal(estimateSkew({ width: 300, height: 400, data: new Uint8Array(120000).fill(255), dpi: 50 }), 0);
    fc.assert(
      fc.property(arbImage(80), (image) => {
        const got = estimateSkew(image);
        assert.ok(got >= -6 && got <= 6);
      }),
      { numRuns: 30 },
    );
  });

  test('rotate keeps the size (or expands to hold the whole page), fills with white, and undoes itself', () => {
    const page = drawForm({ dpi: 150, lines: 6 });
    const turned = rotate(page, 3.5);
    assert.equal(turned.width, page.width);
    assert.equal(turned.height, page.height);
    assert.equal(turned.data[0], 255);
    const back = rotate(turned, -3.5);
    // The text, well inside the margins, all comes back: bilinear twice blurs it but keeps its darkness.
    const darkness = (image: GrayImage) => image.data.reduce((a, v) => a + 255 - v, 0);
    assert.ok(Math.abs(darkness(back) - darkness(page)) / darkness(page) < 0.02);
    assert.equal(estimateSkew(back), 0);
    const expanded = rotate(page, 3.5, { expand: true });
    assert.ok(expanded.width > page.width && expanded.height > page.height);
    assert.equal(rotate(page, 0), page);
  });
});

describe('textDirection', () => {
  let pages: Array<[string, GrayImage]> = [];
  before(async () => {
    pages = [
      ['multipage-1.pdf (a long table)', await renderPdfPage('fixtures/claims-layouts/multipage-1.pdf', 150)],
      ['rsu-bunda-mulia-2.pdf (a table of repeated codes)', await renderPdfPage('fixtures/claims-pdf/rsu-bunda-mulia-2.pdf', 150)],
      ['two-column-1.pdf', await renderPdfPage('fixtures/claims-layouts/two-column-1.pdf', 150)],
      ['a drawn form of two lines', drawForm({ dpi: 150, lines: 2 })],
      ['a drawn ruled table with no other text', drawForm({ dpi: 150, lines: 0, table: true })],
      ['a drawn form in 8-point text at 300 dpi', drawForm({ dpi: 300, fontPt: 8, table: true, seed: 9 })],
    ];
  });

  test('horizontal for pages turned 0 or 180, vertical for 90 or 270, skewed a little, with or without a dpi', () => {
    for (const [name, page] of pages) {
      fc.assert(
        fc.property(fc.constantFrom<QuarterTurn>(0, 90, 180, 270), fc.integer({ min: -40, max: 40 }), fc.boolean(), (turns, tenths, knownDpi) => {
          const turned = rotate(quarterTurn(page, turns), tenths / 10);
          const direction = textDirection(knownDpi ? turned : { ...turned, dpi: null });
          assert.equal(direction.horizontal, turns % 180 === 0, `${name} turned ${turns}, skewed ${tenths / 10}`);
          assert.ok(direction.strength > 0.3, `${name}: strength ${direction.strength}`);
        }),
        { numRuns: 6 },
      );
    }
  });

  test('a blank page gives no evidence', () => {
    assert.deepEqual(textDirection({ width: 200, height: 300, data: new Uint8Array(60000).fill(250), dpi: 72 }), { horizontal: true, strength: 0 });
  });
});

describe('removeRules', () => {
  test('a page of text alone comes back unchanged', () => {
    for (const dpi of [150, 300]) {
      const page = drawForm({ dpi, lines: 30, seed: dpi });
      assert.equal(removeRules(page), page);
    }
    const scanned = speckle(drawForm({ dpi: 200, lines: 20 }), 0.005);
    assert.equal(removeRules(scanned), scanned);
  });

  for (const dpi of [150, 300]) {
    test(`a ruled table at ${dpi} dpi loses its grid and keeps the digits that touch it`, () => {
      const ruled = drawForm({ dpi, table: true, lines: 3, seed: 11 });
      const text = drawForm({ dpi, table: true, grid: false, lines: 3, seed: 11 });
      const cleaned = removeRules(ruled);
      // No rule left: every remaining run is letter-sized (the heading's letters are the longest).
      const letterRun = Math.max(longestRun(text, false), longestRun(text, true));
      assert.ok(longestRun(cleaned, false) <= letterRun, `row run ${longestRun(cleaned, false)} > ${letterRun}`);
      assert.ok(longestRun(cleaned, true) <= letterRun, `column run ${longestRun(cleaned, true)} > ${letterRun}`);
      // The glyphs' ink stays: of the text-only page's ink pixels, nearly all are ink after the grid is removed
      // (those lost lie on the rules themselves, where a digit's foot and the border are the same pixels).
      let kept = 0;
      let total = 0;
      for (let i = 0; i < text.data.length; i++) {
        if (text.data[i] >= 128) continue;
        total++;
        if (cleaned.data[i] < 128) kept++;
      }
      assert.ok(kept / total > 0.98, `kept ${kept} of ${total} glyph pixels`);
      // And little else is left: the ink after is the text's ink, within a few percent.
      assert.ok(Math.abs(inkCount(cleaned) - inkCount(text)) / inkCount(text) < 0.03);
    });
  }

  test('random long rules drawn over a text page are removed, the text kept', () => {
    const text = drawForm({ dpi: 150, lines: 12, seed: 4 });
    const letterRun = Math.max(longestRun(text, false), longestRun(text, true));
    fc.assert(
      fc.property(
        fc.array(fc.record({ vertical: fc.boolean(), at: fc.double({ min: 0.05, max: 0.95, noNaN: true }), from: fc.double({ min: 0, max: 0.5, noNaN: true }), length: fc.double({ min: 0.1, max: 0.5, noNaN: true }), thickness: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 6 }),
        (rules) => {
          const data = text.data.slice();
          for (const r of rules) {
            const [along, across] = r.vertical ? [text.height, text.width] : [text.width, text.height];
            const c = Math.floor(r.at * (across - 3));
            const a0 = Math.floor(r.from * along);
            const a1 = Math.min(along, a0 + Math.floor(r.length * along));
            for (let t = 0; t < r.thickness; t++) for (let a = a0; a < a1; a++) data[r.vertical ? a * text.width + c + t : (c + t) * text.width + a] = 0;
          }
          const cleaned = removeRules({ ...text, data });
          assert.ok(longestRun(cleaned, false) <= letterRun && longestRun(cleaned, true) <= letterRun);
          let kept = 0;
          let total = 0;
          for (let i = 0; i < text.data.length; i++) {
            if (text.data[i] >= 128) continue;
            total++;
            if (cleaned.data[i] < 128) kept++;
          }
          assert.ok(kept / total > 0.97, `kept ${kept} of ${total}`);
        },
      ),
      { numRuns: 15 },
    );
  });

  test('a thick filled bar (white text on it) is not whitened', () => {
    const width = 400;
    const height = 100;
    const data = new Uint8Array(width * height).fill(255);
    for (let y = 30; y < 60; y++) for (let x = 20; x < 380; x++) data[y * width + x] = 20;
    const bar: GrayImage = { width, height, data, dpi: 150 };
    assert.deepEqual(removeRules(bar).data, data);
  });
});

describe('textHeight', () => {
  test('follows the resolution and the type size; null for a blank page', () => {
    const at150 = textHeight(drawForm({ dpi: 150, lines: 20 }));
    const at300 = textHeight(drawForm({ dpi: 300, lines: 20 }));
    assert.ok(at150 !== null && at300 !== null);
    assert.ok(Math.abs(at300 - 2 * at150) <= 3, `${at150} at 150 dpi, ${at300} at 300 dpi`);
    const small = textHeight(drawForm({ dpi: 100, lines: 20, fontPt: 6 }));
    assert.ok(small !== null && small < 8, `6-point text at 100 dpi is ${small} px`);
    assert.equal(textHeight({ width: 100, height: 100, data: new Uint8Array(10000).fill(255), dpi: 100 }), null);
  });

  test('a rendered claim: its 10-point text has a cap height of ~15 px at 150 dpi, ruled table or not', async () => {
    const page = await renderPdfPage('fixtures/claims-layouts/bordered-1.pdf', 150);
    const height = textHeight(page);
    assert.ok(height !== null && height >= 12 && height <= 18, `${height}`);
    assert.equal(textHeight(removeRules(page)), height);
  });
});
