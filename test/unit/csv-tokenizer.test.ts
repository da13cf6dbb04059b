import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'csv-parse/sync';
import { tokenize, type TokenizeResult } from '../../src/loaders/csv/tokenizer.js';
import { lastRecordEnd } from '../../src/loaders/csv/boundaries.js';
import { mulberry32, int, SCALE } from '../support/prng.js';
import { DELIMITERS, randomCsv } from '../support/csv-gen.js';

/*
 * CSV records: src/loaders/csv/tokenizer.ts (cells and records, compared with csv-parse) and
 * src/loaders/csv/boundaries.ts (where a byte chunk may be cut so records parse independently).
 */
interface Tokenized extends TokenizeResult {
  records: string[][];
  lines0: number[];
}

function run(text: string, delimiter = ','): Tokenized {
  const records: string[][] = [];
  const lines0: number[] = [];
  const r = tokenize(text, delimiter, (cells, line) => { records.push(cells); lines0.push(line); });
  return { ...r, records, lines0 };
}

describe('tokenize: records and fields', () => {
  test('plain records, LF', () => {
    const r = run('kode,nama,harga\nA1,Paracetamol,12500\n');
    assert.deepEqual(r.records, [['kode', 'nama', 'harga'], ['A1', 'Paracetamol', '12500']]);
    assert.deepEqual(r.lines0, [0, 1]);
    assert.equal(r.lines, 2);
    assert.deepEqual(r.errors, []);
  });

  test('CRLF line endings are not part of the last cell', () => {
    const r = run('a,b\r\nc,d\r\n');
    assert.deepEqual(r.records, [['a', 'b'], ['c', 'd']]);
    assert.deepEqual(r.lines0, [0, 1]);
  });

  test('the last line without a newline is still a record', () => {
    assert.deepEqual(run('a,b\nc,d').records, [['a', 'b'], ['c', 'd']]);
    assert.deepEqual(run('a,b\r\nc,"d"').records, [['a', 'b'], ['c', 'd']]);
    assert.deepEqual(run('"only"').records, [['only']]);
    assert.equal(run('a,b\nc,d').lines, 2);
  });

  test('empty lines give [\'\'] and keep later line numbers', () => {
    const r = run('a,b\n\nc,d\n');
    assert.deepEqual(r.records, [['a', 'b'], [''], ['c', 'd']]);
    assert.deepEqual(r.lines0, [0, 1, 2]);
    const crlf = run('a\r\n\r\nb');
    assert.deepEqual(crlf.records, [['a'], [''], ['b']]);
    assert.deepEqual(crlf.lines0, [0, 1, 2]);
    assert.deepEqual(run('\n').records, [['']]);
    assert.deepEqual(run('\n"x"\n').records, [[''], ['x']]);
  });

  test('empty text gives no records', () => {
    const r = run('');
    assert.deepEqual(r.records, []);
    assert.equal(r.lines, 0);
  });

  test('empty cells', () => {
    assert.deepEqual(run(',\n').records, [['', '']]);
    assert.deepEqual(run('a,\n').records, [['a', '']]);
    assert.deepEqual(run('"",""\n').records, [['', '']]);
    assert.deepEqual(run('a,"b",\n').records, [['a', 'b', '']]);
    assert.deepEqual(run('a,"b",').records, [['a', 'b', '']]);
    assert.deepEqual(run('a,"b",\r\n').records, [['a', 'b', '']]);
  });

  test('quoted fields hold delimiters', () => {
    assert.deepEqual(run('A1,"Paracetamol 500mg, strip",12500\n').records, [['A1', 'Paracetamol 500mg, strip', '12500']]);
    assert.deepEqual(run('"12.500,00";"Rp 1;2"\n', ';').records, [['12.500,00', 'Rp 1;2']]);
    assert.deepEqual(run('a\t"b\tc"\td\n', '\t').records, [['a', 'b\tc', 'd']]);
    assert.deepEqual(run('a|"b|c"|d\n', '|').records, [['a', 'b|c', 'd']]);
  });

  test('"" inside a quoted field is one quote', () => {
    assert.deepEqual(run('a,"he said ""hi""",c\n').records, [['a', 'he said "hi"', 'c']]);
    assert.deepEqual(run('"""",x\n').records, [['"', 'x']]);
    assert.deepEqual(run('"Obat ""Batuk"" 60ml"\n').records, [['Obat "Batuk" 60ml']]);
  });

  test('an embedded LF: the record keeps its start line, the next record its own', () => {
    const r = run('h1,h2,h3\na,"line1\nline2",c\nd,e,f\n');
    assert.deepEqual(r.records, [['h1', 'h2', 'h3'], ['a', 'line1\nline2', 'c'], ['d', 'e', 'f']]);
    assert.deepEqual(r.lines0, [0, 1, 3]);
    assert.equal(r.lines, 4);
  });

  test('an embedded CRLF is kept verbatim in the cell', () => {
    const r = run('a,"line1\r\nline2",c\r\nd,e,f\r\n');
    assert.deepEqual(r.records, [['a', 'line1\r\nline2', 'c'], ['d', 'e', 'f']]);
    assert.deepEqual(r.lines0, [0, 2]);
    assert.equal(r.lines, 3);
  });

  test('several embedded newlines, blank lines inside quotes', () => {
    const r = run('x\na,"b"\r\n"c\n\nd",e\nlast\n');
    assert.deepEqual(r.records, [['x'], ['a', 'b'], ['c\n\nd', 'e'], ['last']]);
    assert.deepEqual(r.lines0, [0, 1, 2, 5]);
  });

  test('a lone CR inside a quoted field is data', () => {
    assert.deepEqual(run('"a\rb",c\n').records, [['a\rb', 'c']]);
  });

  test('quotes in the middle of an unquoted field are literal', () => {
    assert.deepEqual(run('a,b"c,d\n').records, [['a', 'b"c', 'd']]);
    assert.deepEqual(run('Obat 5",x\n').records, [['Obat 5"', 'x']]);
    assert.deepEqual(run('12" TV,"y"\n').records, [['12" TV', 'y']]);
    assert.deepEqual(run(' "a",b\n').records, [[' "a"', 'b']]);
  });
});

describe('tokenize: errors', () => {
  test('an unterminated quote reports the line where its record starts and stops', () => {
    const r = run('h1,h2\nok,1\na,"unterminated\nmore\nand more\n');
    assert.deepEqual(r.records, [['h1', 'h2'], ['ok', '1']]);
    assert.deepEqual(r.errors, [{ kind: 'unterminated-quote', line: 2 }]);
    // Lines read as records: the broken record's lines were not (csv-accounting.ts refuses the file).
    assert.equal(r.lines, 2);
  });

  test('an unterminated quote that is one open quote pair', () => {
    assert.deepEqual(run('"a""').errors, [{ kind: 'unterminated-quote', line: 0 }]);
    assert.deepEqual(run('"').errors, [{ kind: 'unterminated-quote', line: 0 }]);
  });

  test('text after a closing quote: the record is dropped with an error, the next one is read', () => {
    const r = run('x\na,"abc"def,g\nh,i\n');
    assert.deepEqual(r.records, [['x'], ['h', 'i']]);
    assert.deepEqual(r.lines0, [0, 2]);
    assert.deepEqual(r.errors, [{ kind: 'bad-closing-quote', line: 1 }]);
  });

  test('a closing quote followed by a space before the delimiter is also bad', () => {
    const r = run('"a" ,b\nc\n');
    assert.deepEqual(r.errors, [{ kind: 'bad-closing-quote', line: 0 }]);
    assert.deepEqual(r.records, [['c']]);
  });

  test('a closing quote followed by a lone CR and more text is bad', () => {
    assert.deepEqual(run('"a"\rb\n').errors, [{ kind: 'bad-closing-quote', line: 0 }]);
    assert.deepEqual(run('"a"\r').records, [['a']]);
  });

  test('line numbers after a multi-line broken record', () => {
    const r = run('"a\nb"x,c\nd\n');
    assert.deepEqual(r.errors, [{ kind: 'bad-closing-quote', line: 0 }]);
    assert.deepEqual(r.records, [['d']]);
    assert.deepEqual(r.lines0, [2]);
  });
});

const PER_DELIMITER = 500 * SCALE;

describe(`tokenize: differential property test against csv-parse (${4 * PER_DELIMITER} texts in all)`, () => {
  const options = (delimiter: string) => ({ delimiter, relax_quotes: true, relax_column_count: true, skip_empty_lines: false });

  for (const delimiter of DELIMITERS) {
    test(`${PER_DELIMITER} random well-formed texts with delimiter ${JSON.stringify(delimiter)}`, () => {
      const rng = mulberry32(0xc5f + delimiter.charCodeAt(0));
      let checked = 0, multiline = 0;
      for (let i = 0; i < PER_DELIMITER; i++) {
        const g = randomCsv(rng, delimiter);
        if (g.records.some((r) => r.some((c) => c.includes('\n')))) multiline++;
        const ours = run(g.text, delimiter);
        const theirs = parse(g.text, options(delimiter)) as string[][];
        checked++;
        if (ours.errors.length === 0 && isDeepStrictEqual(ours.records, theirs) && isDeepStrictEqual(ours.records, g.records)
          && isDeepStrictEqual(ours.lines0, g.startLines)) continue;
        // Only on a mismatch: build the (costly) messages.
        assert.deepEqual(ours.errors, [], JSON.stringify(g.text));
        assert.deepEqual(ours.records, theirs, `tokenize vs csv-parse on ${JSON.stringify(g.text)}`);
        assert.deepEqual(ours.records, g.records, `tokenize vs generated records on ${JSON.stringify(g.text)}`);
        assert.deepEqual(ours.lines0, g.startLines, `start lines on ${JSON.stringify(g.text)}`);
      }
      assert.equal(checked, PER_DELIMITER);
      assert.ok(multiline > PER_DELIMITER / 10, `the generator should produce embedded newlines often (${multiline})`);
    });
  }

  test('hand-picked texts agree with csv-parse', () => {
    for (const text of ['a,b"c,d\n', 'a,b"c\nd"e\n', 'a\n\nb\n', '"a\r\nb",c\r\nd\r\n', ',,\n,\n', '"x"\n""\n', 'é,"日本"\n😀\n']) {
      assert.deepEqual(run(text).records, parse(text, options(',')), JSON.stringify(text));
    }
  });
});

// ---------------------------------------------------------------- boundaries.ts

const COMMA = 44;
const lre = (s: string, delimiter = COMMA) => lastRecordEnd(Buffer.from(s, 'utf8'), delimiter);

function records(bytes: Uint8Array, delimiter: string): string[][] {
  const out: string[][] = [];
  tokenize(new TextDecoder().decode(bytes), delimiter, (cells) => { out.push(cells); });
  return out;
}

describe('lastRecordEnd: examples', () => {
  test('no quotes: just past the last line feed', () => {
    assert.equal(lre('a,b\nc,d\n'), 8);
    assert.equal(lre('a,b\nc,d'), 4);
    assert.equal(lre('a,b\r\nc,d\r\ne'), 10);
    assert.equal(lre('\n'), 1);
  });
  test('-1 when there is no complete record', () => {
    assert.equal(lre(''), -1);
    assert.equal(lre('a,b'), -1);
    assert.equal(lre('a,"x\ny'), -1);
    assert.equal(lre('"a\nb\nc'), -1);
    assert.equal(lre('"a\nb"'), -1, 'the record is not complete until its line feed');
    assert.equal(lre('"a\nb""\n'), -1, 'a doubled quote keeps the field open');
  });
  test('an open quote near the end: the record before it', () => {
    assert.equal(lre('a,b\nc,"x\ny'), 4);
    assert.equal(lre('a,b\nc,"x\ny\nz'), 4);
    assert.equal(lre('a,b\r\nc,"x\r\ny'), 5);
  });
  test('a closed quote with an embedded newline', () => {
    assert.equal(lre('"a\nb"\nc'), 6);
    assert.equal(lre('"a\nb"\n'), 6);
    assert.equal(lre('x,"a\nb",c\nd,e'), 10);
  });
  test('a quote as the last byte may be half of an escaped pair', () => {
    assert.equal(lre('a\n"b\nc"'), 2);
    assert.equal(lre('a\n"b\nc""'), 2);
    assert.equal(lre('a,b\nc,"x"'), 4);
  });
  test('quotes inside an unquoted field do not open anything', () => {
    assert.equal(lre('x"y\nz\n'), 6);
    assert.equal(lre('12" TV,a\nb'), 9);
  });
  test('the delimiter decides where a quote can open', () => {
    // With ';' a quote after ',' is inside an unquoted field.
    assert.equal(lastRecordEnd(Buffer.from('a,"b\nc\n'), 59), 7);
    assert.equal(lastRecordEnd(Buffer.from('a;"b\nc\n'), 59), -1);
    assert.equal(lastRecordEnd(Buffer.from('a\t"b\nc"\nd'), 9), 8);
  });
  test('multi-byte UTF-8 does not confuse it', () => {
    const s = 'Parasétamol,"日本\n😀"\n€';
    assert.equal(lre(s), Buffer.byteLength('Parasétamol,"日本\n😀"\n'));
  });
});

interface Case { delimiter: string; text: string; bytes: Buffer; ends: number[]; starts: number[]; whole: string[][] }

function randomCases(seed: number, count: number): Case[] {
  const rng = mulberry32(seed);
  const out: Case[] = [];
  for (let i = 0; i < count; i++) {
    const delimiter = DELIMITERS[i % DELIMITERS.length];
    const g = randomCsv(rng, delimiter, 5, 4);
    const bytes = Buffer.from(g.text, 'utf8');
    const ends = g.ends.filter((e) => e >= 0).map((e) => Buffer.byteLength(g.text.slice(0, e)));
    out.push({ delimiter, text: g.text, bytes, ends, starts: [0, ...ends], whole: records(bytes, delimiter) });
  }
  return out;
}

/** The end of the last complete record within the first k bytes, or -1. */
function expectedEnd(c: Case, k: number): number {
  let e = -1;
  for (const end of c.ends) if (end <= k) e = end;
  return e;
}

/** True when the incomplete record cut at k already holds a line feed (necessarily inside quotes). */
function tailHasNewline(c: Case, k: number): boolean {
  const start = Math.max(0, expectedEnd(c, k));
  return c.bytes.subarray(start, k).includes(10);
}

function checkCut(c: Case, k: number, split: boolean): void {
  const got = lastRecordEnd(c.bytes.subarray(0, k), c.delimiter.charCodeAt(0));
  const expected = expectedEnd(c, k);
  if (got !== expected) {
    assert.equal(got, expected, `cut at byte ${k} of ${JSON.stringify(c.text)} (delimiter ${JSON.stringify(c.delimiter)})`);
  }
  if (split && got > 0) {
    // The two parts tokenize to the same records as the whole.
    const split = [...records(c.bytes.subarray(0, got), c.delimiter), ...records(c.bytes.subarray(got), c.delimiter)];
    if (!isDeepStrictEqual(split, c.whole)) assert.deepEqual(split, c.whole, `split at ${got} of ${JSON.stringify(c.text)}`);
  }
}

describe('lastRecordEnd: property on random well-formed CSV bytes', () => {
  const cases = randomCases(0xb0da, 2000 * SCALE);

  test('2,000 random texts (all delimiters), every cut at a record end or inside a record whose cut part has no line feed yet', () => {
    let checked = 0, none = 0, openQuote = 0;
    for (const c of cases) {
      for (let k = 0; k <= c.bytes.length; k++) {
        if (tailHasNewline(c, k)) continue;
        // Every cut is checked; one in 8 also re-tokenizes both parts.
        checkCut(c, k, (k & 7) === 3);
        checked++;
        if (expectedEnd(c, k) === -1) none++;
        const tail = c.bytes.subarray(Math.max(0, expectedEnd(c, k)), k);
        if (tail.includes(34)) openQuote++;
      }
    }
    assert.ok(checked > 100_000, `cut points checked: ${checked}`);
    assert.ok(none > 1000, `cuts with no complete record (-1): ${none}`);
    assert.ok(openQuote > 10_000, `cuts inside a record holding quotes: ${openQuote}`);
  });

  test('the same texts, cuts inside a record whose cut part already holds an embedded newline', () => {
    let checked = 0;
    for (const c of cases) {
      for (let k = 0; k <= c.bytes.length; k++) {
        if (!tailHasNewline(c, k)) continue;
        checkCut(c, k, true);
        checked++;
      }
    }
    assert.ok(checked > 1000);
  });

  test('minimal example: h\\na,"x\\ny",b cut before its line feed ends after h', () => {
    assert.equal(lre('h\na,"x\ny",b'), 2);
    assert.equal(lre('h\na,"x\ny","z\nw'), 2);
  });

  test('an open quoted field with embedded newlines right at the end of the buffer', () => {
    const rng = mulberry32(77);
    for (let i = 0; i < 1000; i++) {
      const head = randomCsv(rng, ',', 3, 3);
      const text = head.text.endsWith('\n') ? head.text : head.text + '\n';
      const headEnd = Buffer.byteLength(text);
      const tail = `x,"${'ab\n'.repeat(int(rng, 1, 3))}${rng() < 0.5 ? '""' : ''}${rng() < 0.5 ? '\r\n' : '\n'}`;
      // The tail's quoted field is still open: the last complete record ends before it.
      assert.equal(lastRecordEnd(Buffer.from(text + tail), COMMA), headEnd, JSON.stringify(text + tail));
      // Closing it and ending the line completes it.
      const closed = text + tail + '"\n';
      assert.equal(lastRecordEnd(Buffer.from(closed), COMMA), Buffer.byteLength(closed), JSON.stringify(closed));
    }
  });
});
