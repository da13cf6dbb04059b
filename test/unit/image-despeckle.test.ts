import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { PDFParse } from 'pdf-parse';
import type { GrayImage } from '../../src/documents/images/image.js';
import { decodePng } from '../../src/documents/images/png-decode.js';
import { imageInfo } from '../../src/documents/images/info.js';
import { components } from '../../src/documents/images/prep/components.js';
import { despeckle } from '../../src/documents/images/prep/despeckle.js';
import { normalPolarity } from '../../src/documents/images/prep/polarity.js';
import { contrastLoss, speckle, unevenLight } from '../../fixtures/scan-kit/degrade.js';
import { mulberry32, SCALE } from '../support/prng.js';

/**
 * Despeckle and polarity on real claim pages (pdf.js renders, decoded by our own PNG decoder),
 * made noisy with the scan fixtures' own degradations. No OCR here: the OCR figures before and
 * after are measured by hand (see the h19clean notes).
 */

async function render(pdf: string, dpi: number): Promise<GrayImage> {
  const parser = new PDFParse({ data: new Uint8Array(readFileSync(pdf)), verbosity: 0 });
  try {
    const shot = await parser.getScreenshot({ scale: dpi / 72, imageBuffer: true, imageDataUrl: false, first: 1 });
    const png = new Uint8Array(shot.pages[0].data);
    return { ...decodePng(png, imageInfo(png)), dpi };
  } finally {
    await parser.destroy();
  }
}

/** The scanner the noise-300 fixture imitates: contrast loss (ink 38, paper 228), `perMegapixel` dust specks of up to 2.2 px radius, as many pin-holes. */
function scanned(page: GrayImage, perMegapixel: number, seed: number): GrayImage {
  return speckle(contrastLoss(page, 38, 228), mulberry32(seed), perMegapixel, 2.2);
}

function crop(image: GrayImage, top: number, height: number): GrayImage {
  return { ...image, height, data: image.data.slice(top * image.width, (top + height) * image.width) };
}

const DARK = 128;

/** Pixels dark on the page before the specks and still dark on the noisy one (not a pin-hole) that despeckle made light: a part of the text lost. */
function textLost(clean: GrayImage, noisy: GrayImage, out: GrayImage): number {
  let lost = 0;
  for (let i = 0; i < clean.data.length; i++) if (clean.data[i] < DARK && noisy.data[i] < DARK && out.data[i] >= DARK) lost++;
  return lost;
}

/**
 * The added specks that lie on open paper (no ink of the clean page within `clearance` px of
 * them), and how many of those are gone (every pixel light again) after despeckle.
 */
function openSpecks(clean: GrayImage, noisy: GrayImage, out: GrayImage, clearance: number): { open: number; removed: number } {
  const { width, height } = clean;
  const darkened = new Uint8Array(width * height);
  const loss = contrastLoss(clean, 38, 228).data;
  for (let i = 0; i < darkened.length; i++) darkened[i] = noisy.data[i] < loss[i] - 20 ? 1 : 0;
  // A summed-area table of the clean page's ink, to ask "any ink near this box?" in constant time.
  const sat = new Int32Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += clean.data[y * width + x] < 250 ? 1 : 0;
      sat[(y + 1) * (width + 1) + x + 1] = sat[y * (width + 1) + x + 1] + row;
    }
  }
  const inkIn = (x0: number, y0: number, x1: number, y1: number): number => {
    [x0, y0, x1, y1] = [Math.max(0, x0), Math.max(0, y0), Math.min(width, x1), Math.min(height, y1)];
    return sat[y1 * (width + 1) + x1] - sat[y0 * (width + 1) + x1] - sat[y1 * (width + 1) + x0] + sat[y0 * (width + 1) + x0];
  };
  let open = 0;
  let removed = 0;
  for (const s of components(darkened, width, height)) {
    if (inkIn(s.left - clearance, s.top - clearance, s.right + clearance, s.bottom + clearance) > 0) continue;
    open++;
    let gone = true;
    for (let y = s.top; y < s.bottom && gone; y++) for (let x = s.left; x < s.right; x++) if (out.data[y * width + x] < 200) gone = false;
    if (gone) removed++;
  }
  return { open, removed };
}

/** Pixels that differ (assert.deepEqual on two pages would build a diff of millions of bytes when they differ). */
function differing(a: GrayImage, b: GrayImage): number {
  assert.equal(a.data.length, b.data.length);
  let n = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) n++;
  return n;
}

function darkShare(image: GrayImage): number {
  return image.data.reduce((n, v) => n + (v < DARK ? 1 : 0), 0) / image.data.length;
}

const cpuMs = (run: () => unknown): number => {
  run(); // warm
  const start = process.cpuUsage();
  const n = 3;
  for (let i = 0; i < n; i++) run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / n;
};

let page: GrayImage; // rs-harapan-sehat-1 at 300 dpi: a form, a bordered item table, id-ID amounts
let other: GrayImage; // english-1 at 300 dpi

before(async () => {
  page = await render('fixtures/claims-pdf/rs-harapan-sehat-1.pdf', 300);
  other = await render('fixtures/claims-layouts/english-1.pdf', 300);
});

describe('despeckle', () => {
  test('a clean rendered page is returned as it is (no speck, paper white, ink black)', () => {
    for (const p of [page, other]) {
      assert.equal(despeckle(p), p);
      // Not only because it has few specks: none of its marks (full stops, decimal points, i dots, colons) is taken for one.
      assert.equal(differing(despeckle(p, { minSpecks: 0 }), p), 0);
    }
  });

  test('the noise-300 scan: the specks on open paper go, the grey paper turns white, no pixel of the text is lost', () => {
    const noisy = scanned(page, 400, 19);
    const out = despeckle(noisy);
    assert.equal(textLost(page, noisy, out), 0);
    const { open, removed } = openSpecks(page, noisy, out, 30);
    assert.ok(open > 1500, `open specks ${open}`);
    assert.ok(removed / open > 0.95, `removed ${removed}/${open}`);
    // paper to white, ink to black
    assert.equal(out.data[10 * out.width + 10], 255);
    const hist = new Uint32Array(256);
    for (const v of out.data) hist[v]++;
    assert.ok(hist[0] > 50_000, `black pixels ${hist[0]}`);
  });

  test('strokes are not thickened: the text is as dark as on the clean page, pixel for pixel, within a few per cent', () => {
    const noisy = contrastLoss(page, 38, 228); // no specks: only the stretch
    const out = despeckle(noisy);
    const before = darkShare(page);
    const after = darkShare(out);
    assert.ok(Math.abs(after - before) / before < 0.03, `dark share ${before} → ${after}`);
  });

  test('unevenly lit paper (a phone photo) is not stretched: the paper on the shaded side is never made darker', () => {
    const lit = unevenLight(scanned(page, 400, 7), 0.4, 0.3);
    const out = despeckle(lit);
    let darker = 0;
    for (let i = 0; i < page.data.length; i++) if (page.data[i] === 255 && out.data[i] < lit.data[i]) darker++;
    assert.equal(darker, 0);
  });

  test('property: any speck density and seed, no pixel of the text is lost and the specks on open paper go', () => {
    const top = crop(page, 0, 1750); // the header, the fields and the table's top: enough text, half the time
    fc.assert(
      fc.property(fc.integer({ min: 60, max: 1500 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (perMegapixel, seed) => {
        const noisy = scanned(top, perMegapixel, seed);
        const out = despeckle(noisy);
        assert.equal(textLost(top, noisy, out), 0);
        const { open, removed } = openSpecks(top, noisy, out, 30);
        // At a high density specks fall on one another and a clump outgrows a speck; never many.
        assert.ok(removed / open > (perMegapixel > 800 ? 0.85 : 0.93), `density ${perMegapixel}: removed ${removed}/${open}`);
      }),
      { numRuns: 6 * SCALE, seed: 19 },
    );
  });

  test('property: any small image, despeckle keeps its size and never changes its input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((w) =>
          fc.record({ w: fc.constant(w), data: fc.uint8Array({ minLength: w, maxLength: w * 40 }), dpi: fc.option(fc.integer({ min: 50, max: 600 }), { nil: null }) }),
        ),
        ({ w, data, dpi }) => {
          const h = Math.floor(data.length / w);
          const image = { width: w, height: h, data: data.slice(0, w * h), dpi };
          const copy = image.data.slice();
          const out = despeckle(image);
          assert.deepEqual(image.data, copy);
          assert.equal(out.width, w);
          assert.equal(out.height, h);
          assert.equal(out.data.length, w * h);
        },
      ),
    );
  });

  test('under 0.3 s of CPU on a 300 dpi A4 page', (t) => {
    const noisy = scanned(page, 400, 19);
    const msNoisy = cpuMs(() => despeckle(noisy));
    const msClean = cpuMs(() => despeckle(page));
    t.diagnostic(`despeckle 300 dpi A4: noisy ${msNoisy.toFixed(0)} ms, clean ${msClean.toFixed(0)} ms of CPU`);
    // The bound is loose for a shared, busy machine; the notes give the figures.
    assert.ok(msNoisy < 600 && msClean < 600);
  });
});

describe('normalPolarity', () => {
  const inverted = (image: GrayImage): GrayImage => ({ ...image, data: image.data.map((v) => 255 - v) });
  /** The page with a black band over `from`..`to` (shares of its height). */
  const band = (image: GrayImage, from: number, to: number, left = 0, right = 1): GrayImage => {
    const data = image.data.slice();
    const { width, height } = image;
    for (let y = Math.round(from * height); y < Math.round(to * height); y++) data.fill(20, y * width + Math.round(left * width), y * width + Math.round(right * width));
    return { ...image, data };
  };

  test('a page of dark text on light paper is returned as it is', () => {
    assert.equal(normalPolarity(page), page);
    assert.equal(normalPolarity(scanned(other, 400, 3)).width, other.width);
  });

  test('an inverted page (a "black is zero" fax, a negative) comes back to dark on light', () => {
    for (const p of [page, other]) assert.equal(differing(normalPolarity(inverted(p)), p), 0);
    // bilevel, as a fax is, and noisy
    const fax = { ...page, data: page.data.map((v) => (v < 128 ? 255 : 0)) };
    assert.ok(darkShare(normalPolarity(fax)) < 0.2);
    const negative = inverted(scanned(other, 400, 5));
    assert.ok(darkShare(normalPolarity(negative)) < 0.2);
  });

  test('a black header band, a large dark photo or a dark table around the sheet does not invert the page', () => {
    const header = band(page, 0, 0.2);
    assert.equal(normalPolarity(header), header);
    const photo = band(page, 0.15, 0.85, 0.1, 0.9); // mostly dark, but not its margin
    assert.ok(darkShare(photo) > 0.5);
    assert.equal(normalPolarity(photo), photo);
    const framed = band(band(band(band(page, 0, 0.09), 0.91, 1), 0, 1, 0, 0.12), 0, 1, 0.88, 1); // its margin dark, its text dark on light
    assert.equal(normalPolarity(framed), framed);
  });

  test('property: a page is inverted exactly when it is light text on dark, whatever its dark band (up to 30% of the page: more and its margin is as dark as light)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.double({ min: 0, max: 0.3, noNaN: true }), fc.double({ min: 0.5, max: 1, noNaN: true }), (flip, from, to) => {
        const normal = band(other, from, Math.max(from, to - 0.7));
        const given = flip ? inverted(normal) : normal;
        assert.equal(differing(normalPolarity(given), normal), 0);
      }),
      { numRuns: 4 * SCALE, seed: 19 },
    );
  });

  test('under 0.3 s of CPU on a 300 dpi A4 page', (t) => {
    const normal = cpuMs(() => normalPolarity(page));
    const negative = inverted(page);
    const flipped = cpuMs(() => normalPolarity(negative));
    t.diagnostic(`normalPolarity 300 dpi A4: upright ${normal.toFixed(0)} ms, inverted ${flipped.toFixed(0)} ms of CPU`);
    assert.ok(normal < 600 && flipped < 600);
  });
});
