/**
 * The CSV line-accounting invariant (issue 14, items 2 and 3): every line of a CSV file is
 * accounted for (title, header, data, blank, footer, or inside a record that is reported), or
 * the file is refused with a parse-error naming the line where the unclosed quote or the
 * oversized record starts. Never fewer rows with a success.
 *
 * (a) The mechanism: checkChunk refuses a chunk whose lines or records do not add up.
 * (b) The chunk cutter agrees with the tokenizer on damaged text too (boundaries.ts): a cut
 *     never falls inside what the tokenizer reads as a quoted field, and every record end is
 *     found, so no chunk ends in a quote the tokenizer would call never closed.
 * (c) End to end, in process (validate(), inline chunks cut small so files are cut in many
 *     places, a small record limit): random merchant_inventory CSVs with random damage (stray
 *     quotes, cuts at random byte offsets, oversized fields, lone CRs and CR/LF/CRLF mixes,
 *     blank lines, a BOM, a title line, any delimiter) against csv-parse as the oracle: where
 *     csv-parse in strict mode reads the file and no record is over the limit, the tool
 *     counts exactly its data rows and does not refuse; otherwise it either refuses the file
 *     (parse-error on a line) or counts the rows the oracle does. csv-parse's strict mode
 *     refuses a quote inside an unquoted field, which the tool reads as a literal (its
 *     documented rule, csv-parse's relax_quotes): for those files the oracle is csv-parse
 *     with relax_quotes, and a record with text after a closing quote ("a"b), which the tool
 *     rejects with a parse-error, is one row in both counts.
 *
 * HALO_PROPERTY_SCALE multiplies the runs; HALO_PROPERTY_SEED=random draws new cases.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { tokenize, type TokenizeError } from '../../src/loaders/csv/tokenizer.js';
import { lastRecordEnd } from '../../src/loaders/csv/boundaries.js';
import { checkChunk, chunkLines } from '../../src/files/csv-accounting.js';
import type { ChunkResult } from '../../src/files/csv-chunk.js';
import { validate } from '../../src/files/validate.js';
import { loadConfig } from '../../src/config/load.js';
import type { FileOutcome } from '../../src/files/file-outcome.js';
import { tempDir } from '../support/tmp.js';
import { SCALE } from '../support/prng.js';

const seedEnv = process.env.HALO_PROPERTY_SEED;
if (seedEnv !== 'random') fc.configureGlobal({ seed: seedEnv ? Number(seedEnv) : 0xacc0 });

const tmp = tempDir('halo-csv-accounting-');
after(() => tmp.cleanup());

// ------------------------------------------------------------------ (a) the mechanism

function chunk(over: { lines: number; records: number; unclosedQuoteAt?: number; rows: number; skipped: number } | null): ChunkResult {
  const empty = { h1: new Uint32Array(0), h2: new Uint32Array(0), rows: new Int32Array(0), valid: new Uint8Array(0), length: 0 };
  return {
    rows: over?.rows ?? 0, validRows: 0, skipped: over?.skipped ?? 0, errors: 0, warnings: 0, problems: [], keys: empty,
    out: null, outKey: new Int32Array(0), rejects: null, rejectLines: 0,
    accounting: over ? { lines: over.lines, records: over.records, unclosedQuoteAt: over.unclosedQuoteAt ?? 0 } : undefined,
  };
}

describe('(a) checkChunk: a chunk whose lines or records do not add up refuses the file', () => {
  test('all lines read and every record counted (rows + blank/footer): accepted', () => {
    assert.equal(checkChunk(chunk({ lines: 10, records: 9, rows: 7, skipped: 2 }), 5, 10), null);
  });
  test('a quoted field never closed: refused on its line', () => {
    const p = checkChunk(chunk({ lines: 3, records: 3, rows: 3, skipped: 0, unclosedQuoteAt: 8 }), 5, 10)!;
    assert.equal(p.code, 'parse-error');
    assert.equal(p.row, 8);
    assert.match(p.message, /never closed/);
  });
  test('fewer lines read than the reader counted: refused on the first line not read', () => {
    const p = checkChunk(chunk({ lines: 4, records: 4, rows: 4, skipped: 0 }), 5, 10)!;
    assert.equal(p.code, 'parse-error');
    assert.equal(p.row, 9);
  });
  test('a record neither counted as a row nor skipped as blank/footer: refused', () => {
    const p = checkChunk(chunk({ lines: 10, records: 10, rows: 8, skipped: 1 }), 5, 10)!;
    assert.equal(p.code, 'parse-error');
  });
  test('a chunk without its accounting (a worker of another version): refused, never counted', () => {
    assert.equal(checkChunk(chunk(null), 5, 10)?.code, 'parse-error');
  });
  test('chunkLines: line feeds, plus a last line without one', () => {
    assert.equal(chunkLines(Buffer.from('a\nb\n')), 2);
    assert.equal(chunkLines(Buffer.from('a\nb')), 2);
    assert.equal(chunkLines(Buffer.from('a\r\nb\r')), 2);
    assert.equal(chunkLines(Buffer.from('')), 0);
  });
});

// ------------------------------------------------------------------ (b) boundaries mirror the tokenizer

const DELIMITERS = [',', ';', '\t', '|'] as const;
/** Damaged-CSV pieces: quotes in every position, CR alone, CRLF, LF, delimiters, text (BMP only). */
const piece = fc.constantFrom('"', '""', '"""', '\n', '\r\n', '\r', ',', ';', '\t', '|', 'a', 'bc', ' ', 'é', '日本');
const damagedText = fc.array(piece, { maxLength: 40 }).map((p) => p.join(''));

interface Read { records: string[][]; starts: number[]; errors: TokenizeError[]; lines: number }

function read(text: string, delimiter: string): Read {
  const records: string[][] = [];
  const starts: number[] = [];
  const r = tokenize(text, delimiter, (cells, line) => { records.push(cells); starts.push(line); });
  return { records, starts, errors: r.errors, lines: r.lines };
}

/** Byte offset of the start of each line of `bytes` (line 0 at 0). */
function lineOffsets(bytes: Buffer): number[] {
  const out = [0];
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) out.push(i + 1);
  return out;
}

describe('(b) lastRecordEnd mirrors the tokenizer on damaged text', () => {
  test('examples where a quote after a lone CR, or text after a closing quote, used to mislead it', () => {
    // The tokenizer reads a\r"b as one unquoted field: the quote on the next line opens a field.
    assert.equal(lastRecordEnd(Buffer.from('a\r"b\n"c,d\n'), 44), 5);
    // "abc"x: read on as an unquoted field, so "g opens a field that "h closes.
    assert.equal(lastRecordEnd(Buffer.from('"abc"x,"g\n"h,i\n'), 44), 15);
    assert.equal(lastRecordEnd(Buffer.from('"abc"x,"g\n"h,i\n"\n'), 44), 15);
    assert.equal(lastRecordEnd(Buffer.from('"a"x"b\nc\n'), 44), 9, 'quotes after the closing one are literal');
  });

  test('any cut of any text: the cut is the last record end the tokenizer has there, and the parts read as the whole', () => {
    fc.assert(fc.property(damagedText, fc.constantFrom(...DELIMITERS), fc.nat(), (text, delimiter, at) => {
      const bytes = Buffer.from(text, 'utf8');
      const whole = read(text, delimiter);
      // Record ends of the whole text: the start of every record after the first (broken ones
      // too), and the end when the last record ends with a line feed.
      const offsets = lineOffsets(bytes);
      const ends = [...whole.starts, ...whole.errors.map((e) => e.line)].filter((l) => l > 0).map((l) => offsets[l]);
      if (whole.errors.every((e) => e.kind !== 'unterminated-quote') && text.endsWith('\n')) ends.push(bytes.length);
      const k = at % (bytes.length + 1);
      const expected = Math.max(-1, ...ends.filter((e) => e <= k));
      const end = lastRecordEnd(bytes.subarray(0, k), delimiter.charCodeAt(0));
      assert.equal(end, expected, `cut at ${k} of ${JSON.stringify(text)} (${JSON.stringify(delimiter)})`);
      if (end <= 0) return;
      const head = read(bytes.subarray(0, end).toString('utf8'), delimiter);
      const tail = read(bytes.subarray(end).toString('utf8'), delimiter);
      // The head is whole records: every one of its lines read, no quote left open.
      assert.equal(head.lines, chunkLines(bytes.subarray(0, end)));
      assert.deepEqual([...head.records, ...tail.records], whole.records);
      const shifted = tail.errors.map((e) => ({ ...e, line: e.line + head.lines }));
      assert.deepEqual([...head.errors, ...shifted], whole.errors);
    }), { numRuns: 2000 * SCALE });
  });
});

// ------------------------------------------------------------------ (c) end to end against csv-parse

const HEADER = ['merchant_id', 'sku', 'product_name', 'unit', 'price', 'stock'];
const namePiece = fc.constantFrom('Salep', ' 5 g', 'Tube', ',', ';', '|', '\t', '"', '\n', '\r\n', 'é', '日本', ' ', 'Obat');

const row = fc.record({
  merchant: fc.integer({ min: 1000, max: 1010 }),
  sku: fc.nat({ max: 99 }),
  name: fc.array(namePiece, { maxLength: 4 }).map((p) => p.join('')),
  price: fc.constantFrom('1000', '12.500', '"24.800,00"', 'abc', ''),
  stock: fc.constantFrom('5', '0', '-1', ''),
  /** A field past the record limit (by this factor of it), in the name. */
  oversized: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(0.5, 0.9, 1.1, 2, 4) }),
  quoteAll: fc.boolean(),
  eol: fc.constantFrom('\n', '\r\n'),
  /** A blank line after the row: empty, spaces, or only delimiters. */
  blank: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('', '  ', 'DELIMS', '\t') }),
});

const damage = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('quote' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  fc.record({ kind: fc.constant('cr' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('lf' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

const file = fc.record({
  delimiter: fc.constantFrom(...DELIMITERS),
  bom: fc.boolean(),
  title: fc.boolean(),
  rows: fc.array(row, { maxLength: 25 }),
  damage: fc.array(damage, { maxLength: 3 }),
  trailingEol: fc.boolean(),
  recordLimit: fc.integer({ min: 200, max: 600 }),
  chunkBytes: fc.constantFrom(16, 64, 300, 1 << 20),
});

type Spec = typeof file extends fc.Arbitrary<infer T> ? T : never;

function render(spec: Spec): { bytes: Buffer; dataFrom: number } {
  const d = spec.delimiter;
  const cell = (s: string, force: boolean) => (force || s.includes(d) || s.includes('"') || s.includes('\n') || s.includes('\r') ? `"${s.replace(/"/g, '""')}"` : s);
  let text = (spec.title ? 'Laporan stok apotek\n' : '') + HEADER.join(d) + '\n';
  const dataFrom = text.length;
  spec.rows.forEach((r, i) => {
    const name = r.oversized ? 'x'.repeat(Math.round(spec.recordLimit * r.oversized)) : r.name;
    const price = r.price.startsWith('"') ? (d === ',' ? r.price : r.price.slice(1, -1)) : r.price;
    const cells = [`M${r.merchant}`, cell(`A-${r.sku}`, r.quoteAll), cell(name, r.quoteAll), cell('Tube', false), price, r.stock];
    const last = i === spec.rows.length - 1;
    text += cells.join(d) + (last && !spec.trailingEol && r.blank === null ? '' : r.eol);
    if (r.blank !== null) text += (r.blank === 'DELIMS' ? d.repeat(5) : r.blank) + (last && !spec.trailingEol ? '' : '\n');
  });
  // Damage lands after the header (damage to the header is the sniffer's, tested by examples).
  let cut = -1;
  for (const dm of spec.damage) {
    if (dm.kind === 'cut') { cut = dm.at; continue; }
    const at = dataFrom + Math.floor(dm.at * (text.length - dataFrom));
    text = text.slice(0, at) + (dm.kind === 'quote' ? '"' : dm.kind === 'cr' ? '\r' : '\n') + text.slice(at);
  }
  let bytes = Buffer.from(text, 'utf8');
  // Cut at a byte offset (it may split a UTF-8 sequence: an encoding-error row, still a row).
  // The title and header are ASCII: dataFrom is a byte offset too.
  if (cut >= 0) bytes = bytes.subarray(0, dataFrom + Math.floor(cut * (bytes.length - dataFrom)));
  return { bytes: spec.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]) : bytes, dataFrom };
}

/** Data rows, and the longest record after the header in bytes (raw text; its line end not included). */
interface Oracle { rows: number; longest: number }

/** Data rows by csv-parse (records after the header, blank ones not counted), or null when it refuses the text. */
function oracle(bytes: Buffer, delimiter: string, relaxQuotes: boolean): Oracle | null {
  let records: Array<{ record: string[]; raw: string }>;
  // The tool ends the last line at a CR that is the file's last byte (a CRLF file cut before
  // its LF); csv-parse would keep it as data.
  if (bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, bytes.length - 1);
  try {
    records = parse(bytes, {
      delimiter, relax_quotes: relaxQuotes, relax_column_count: true, skip_empty_lines: false, bom: true,
      record_delimiter: ['\r\n', '\n'], raw: true,
    }) as unknown as Array<{ record: string[]; raw: string }>;
  } catch {
    return null;
  }
  const h = records.findIndex((r) => r.record.join('\u0000') === HEADER.join('\u0000'));
  assert.ok(h >= 0, 'the header is never damaged');
  let rows = 0, longest = 0;
  for (const r of records.slice(h + 1)) {
    longest = Math.max(longest, Buffer.byteLength(r.raw));
    if (!r.record.every((c) => /^[ \t\u00a0]*$/.test(c))) rows++;
  }
  return { rows, longest };
}

const config = loadConfig({ env: {} });
let fileNo = 0;

async function tool(bytes: Buffer, recordLimit: number, chunkBytes: number): Promise<FileOutcome> {
  const path = join(tmp.path, `f${fileNo++}.csv`);
  writeFileSync(path, bytes);
  const report = await validate({
    inputs: [path], schema: 'merchant_inventory', config: { ...config, limits: { ...config.limits, csvRecordBytes: recordLimit } },
    maxErrors: 10_000, threads: 0, csvChunkBytes: chunkBytes,
  });
  return report.files[0];
}

/** Refused whole: no row, one parse-error naming a line of the file. */
function refusedOn(f: FileOutcome, lines: number): boolean {
  if (!(f.rows === 0 && f.validRows === 0 && f.errorCount === 1 && f.problems.length === 1)) return false;
  const p = f.problems[0];
  assert.equal(p.code, 'parse-error', `a refusal is a parse-error: ${p.message}`);
  assert.ok(p.row !== null && p.row >= 1 && p.row <= lines, `a refusal names a line of the file (${p.row} of ${lines})`);
  return true;
}

describe('(c) damaged merchant_inventory CSVs: refused with a line, or every data row counted (csv-parse is the oracle)', () => {
  test('validate in process, files cut into small chunks, a small record limit', async () => {
    const seen = { strict: 0, relaxed: 0, badClose: 0, refused: 0, unclosed: 0, tooLong: 0, cut: 0 };
    await fc.assert(fc.asyncProperty(file, async (spec) => {
      const { bytes } = render(spec);
      const lines = chunkLines(bytes);
      const f = await tool(bytes, spec.recordLimit, spec.chunkBytes);
      const refused = refusedOn(f, lines);
      if (refused) {
        seen.refused++;
        if (/never closed/.test(f.problems[0].message)) seen.unclosed++;
        if (/no end of record/.test(f.problems[0].message)) seen.tooLong++;
      }
      if (spec.damage.some((d) => d.kind === 'cut')) seen.cut++;
      const why = () => `${JSON.stringify(bytes.toString('utf8'))} (limit ${spec.recordLimit}, chunks ${spec.chunkBytes}): ${f.rows} rows, ${JSON.stringify(f.problems.slice(0, 3))}`;
      // The record limit: a record within it is always read (+2: its line end), one past it by
      // min(limit, chunk) always refused (chunks.ts).
      const limits = (o: Oracle) => {
        if (o.longest + 2 <= spec.recordLimit) assert.ok(!refused, `refused though every record is within the limit: ${why()}`);
        if (o.longest > spec.recordLimit + Math.min(spec.recordLimit, spec.chunkBytes)) assert.ok(refused, `a record of ${o.longest} bytes read: ${why()}`);
      };
      const strict = oracle(bytes, spec.delimiter, false);
      if (strict) {
        seen.strict++;
        limits(strict);
        if (!refused) assert.equal(f.rows, strict.rows, `rows vs csv-parse (strict): ${why()}`);
        return;
      }
      const relaxed = oracle(bytes, spec.delimiter, true);
      if (relaxed) limits(relaxed);
      if (refused) return;
      if (f.problems.some((p) => p.code === 'parse-error' && /closing quote/.test(p.message))) seen.badClose++;
      seen.relaxed++;
      assert.ok(relaxed, `accepted, but csv-parse refuses it even with relax_quotes: ${why()}`);
      // A record with text after a closing quote is one rejected row here, one record there.
      assert.equal(f.rows, relaxed.rows, `rows vs csv-parse (relax_quotes): ${why()}`);
    }), { numRuns: 400 * SCALE });
    // The damage must actually reach every branch, or the property says little.
    assert.ok(seen.strict > 50 && seen.relaxed > 10 && seen.unclosed > 10 && seen.tooLong > 5 && seen.badClose > 5 && seen.cut > 50, JSON.stringify(seen));
  });
});

// ------------------------------------------------------------------ (d) the sniffer's share: title and header lines

describe('(d) the lines before the data: the header ends where the next record starts, broken or not', () => {
  test('a broken record right after the header is read and reported (it was skipped, unreported)', async () => {
    const f = await tool(Buffer.from(`${HEADER.join(',')}\n"M1000,"A-1",Salep,Tube,1000,5\nM1000,A-2,Salep,Tube,1000,5\n`), 1 << 20, 1 << 20);
    assert.equal(f.rows, 2);
    assert.equal(f.validRows, 1);
    assert.deepEqual(f.problems.map((p) => [p.code, p.row]), [['parse-error', 2]]);
  });

  test('a quote opened before any header and not closed within the sniffed 64 KB: parse-error on its line', async () => {
    const f = await tool(Buffer.from(`Laporan stok\n"catatan\n${'M1000,A-1,Salep,Tube,1000,5\n'.repeat(3000)}`), 1 << 20, 1 << 20);
    assert.deepEqual(f.problems.map((p) => [p.code, p.row]), [['parse-error', 2]]);
    assert.match(f.problems[0].message, /never closed \(not within the first 64 KB, and no header row before it\)/);
    assert.equal(f.rows, 0);
  });
});
