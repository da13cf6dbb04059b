/**
 * Scanned claims end to end through the built CLI, with the real OCR engine (Tesseract WASM
 * from npm): an image file picked by its bytes, a PDF mixing a text page and a scanned page,
 * a multi-page TIFF, what the reports and `claims explain` say about OCR, the bounds (a huge
 * image refused from its header), and the safety invariant on every scan read here: valid
 * only with every amount right. OCR costs seconds a page: few pages, all read once.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { Chalk } from 'chalk';
import { ROOT, runCli, assertNoPersonalData } from '../support/cli.js';
import { readClaimFile } from '../../src/documents/read-file.js';
import { claimReaderFor } from '../../src/documents/setup.js';
import { loadConfig } from '../../src/config/load.js';
import { explainText } from '../../src/documents/explain/text.js';
import { explainJson } from '../../src/documents/explain/json.js';
import { tempDir } from '../support/tmp.js';

const SCANS = join(ROOT, 'fixtures/claims-scans');
const FILES = ['rs-harapan-sehat-1.clean-150.png', 'rsu-bunda-mulia-2.mixed-300.pdf', 'multipage-1.tiff-150.tif'];

interface TestDoc { file: string; verdict: string; fields: { right: number; expected: number }; lines: { right: number; expected: number }; differences: Array<{ what: string; expected: string; got: string }> }
let report: { files: Array<Record<string, any>> };
let tested: { documents: TestDoc[] };
const tmp = tempDir();
const dir = tmp.path;
after(() => tmp.cleanup());

before(() => {
  for (const f of FILES) copyFileSync(join(SCANS, f), join(dir, f));
  // `claims test` reads the two one-scanned-page documents (the TIFF's three pages are read by validate only).
  for (const f of FILES.slice(0, 2)) copyFileSync(join(SCANS, f.replace(/\.[a-z]+$/u, '.expected.json')), join(dir, f.replace(/\.[a-z]+$/u, '.expected.json')));
  // A PNG scan named .pdf: picked by its bytes.
  copyFileSync(join(SCANS, FILES[0]), join(dir, 'named-wrong.pdf'));
  const v = runCli(['validate', dir, '--format', 'json']);
  assert.ok(v.code === 0 || v.code === 1, v.stderr);
  report = JSON.parse(v.stdout);
  const t = runCli(['claims', 'test', dir, '--format', 'json']);
  assert.ok(t.code === 0 || t.code === 1, t.stderr);
  tested = JSON.parse(t.stdout);
});

const outcome = (name: string) => report.files.find((f) => String(f.path).endsWith(name))!;

test('an image is read as a claim by OCR, picked by its bytes (a PNG named .pdf too)', () => {
  for (const name of [FILES[0], 'named-wrong.pdf']) {
    const f = outcome(name);
    assert.equal(f.schema, 'claim_pdf', name);
    assert.equal(f.format, 'image', name);
    assert.equal(f.ocr.pages.length, 1);
    assert.match(f.ocr.pages[0].engine, /^tesseract-wasm /);
    assert.ok(f.ocr.pages[0].meanConf > 0.6, `mean confidence ${f.ocr.pages[0].meanConf}`);
    assert.ok(Object.keys(f.ocr.fields).includes('claimed_amount'));
    assert.ok(Object.values(f.ocr.fields).every((c) => typeof c === 'number' && c >= 0 && c <= 1));
  }
});

test('a PDF mixing a text page and a scanned page reads each its own way', () => {
  const f = outcome(FILES[1]);
  assert.equal(f.format, 'pdf');
  assert.equal(f.pages, 2);
  assert.deepEqual(f.ocr.pages.map((p: { page: number }) => p.page), [2]);
});

test('a multi-page TIFF is one claim of all its pages', () => {
  const f = outcome(FILES[2]);
  assert.equal(f.format, 'image');
  assert.equal(f.pages, 3);
  assert.deepEqual(f.ocr.pages.map((p: { page: number }) => p.page), [1, 2, 3]);
});

test('the scans read well: most fields right, and never valid with a wrong amount', () => {
  let right = 0, expected = 0;
  for (const d of tested.documents) {
    right += d.fields.right; expected += d.fields.expected;
    const wrongAmount = d.differences.some((x) => /amount|unit_price|quantity/u.test(x.what));
    if (d.verdict === 'valid') assert.ok(!wrongAmount, `${d.file}: valid with ${d.differences.map((x) => x.what).join('; ')}`);
  }
  assert.ok(right >= 0.9 * expected, `fields right ${right}/${expected}`);
});

test('claims explain marks each value read by OCR with its confidence (text and JSON, one reading)', async () => {
  const r = await readClaimFile(join(dir, FILES[0]), { claims: claimReaderFor(loadConfig({ env: {}, cwd: ROOT })) });
  const text = explainText(r, FILES[0], new Chalk({ level: 0 }));
  assertNoPersonalData(text, 'claims explain of a scan');
  assert.match(text, /page 1 read by OCR \(tesseract-wasm [\d.]+\): mean confidence 0\.\d\d · \d+ dpi · turned 0° · skew/);
  assert.match(text, /claimed_amount +[\d.]+ .* OCR conf [01]\.\d\d/);
  const j = explainJson(r, FILES[0]);
  assert.equal(j.ocrPages.length, 1);
  assert.ok(j.fields.filter((f) => f.value !== null).every((f) => f.ocr || f.how === 'constant'));
});

test('a 20,000 × 20,000 PNG is file-too-large from its header, at once', () => {
  // A real PNG signature and IHDR; the data would inflate to 400 MP (never decoded).
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(20_000, 0); ihdr.writeUInt32BE(20_000, 4); ihdr[8] = 8; ihdr[9] = 0;
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1 << 16))), chunk('IEND', Buffer.alloc(0))]);
  const file = join(dir, 'huge.png');
  writeFileSync(file, png);
  const started = Date.now();
  const r = runCli(['validate', file, '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const f = JSON.parse(r.stdout).files[0];
  assert.equal(f.errors[0].code, 'file-too-large');
  assert.match(f.errors[0].message, /20000 × 20000 pixels \(400 MP\); the limit is 36 MP/);
  assert.ok(Date.now() - started < 20_000);
  assert.ok(readFileSync(file).length < 1 << 20);
});
