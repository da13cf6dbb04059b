import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  detectEncoding, isUtf8, BinaryFileError, normaliseEncodingName, decodeBytes, isAsciiCompatible,
} from '../../src/loaders/csv/encoding.js';

const bytes = (...b: number[]) => new Uint8Array(b);
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const latin1 = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('detectEncoding: byte order marks decide', () => {
  test('UTF-8 BOM', () => {
    assert.deepEqual(detectEncoding(bytes(0xef, 0xbb, 0xbf, 0x6b, 0x6f, 0x64, 0x65), true), { encoding: 'utf-8', bomLength: 3, reason: 'bom' });
  });
  test('UTF-16LE and UTF-16BE BOMs (NUL bytes are expected there, not binary)', () => {
    const le = new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('kode;nama\r\n', 'utf16le')]));
    assert.deepEqual(detectEncoding(le, true), { encoding: 'utf-16le', bomLength: 2, reason: 'bom' });
    const be = new Uint8Array(Buffer.from([0xfe, 0xff, 0x00, 0x6b, 0x00, 0x6f]));
    assert.deepEqual(detectEncoding(be, true), { encoding: 'utf-16be', bomLength: 2, reason: 'bom' });
  });
  test('a BOM wins over the profile encoding', () => {
    assert.equal(detectEncoding(bytes(0xef, 0xbb, 0xbf, 0x61), true, 'windows-1252').reason, 'bom');
  });
  test('a partial BOM is not a BOM', () => {
    const r = detectEncoding(bytes(0xef, 0xbb), true);
    assert.equal(r.bomLength, 0);
    assert.equal(r.encoding, 'windows-1252');
  });
});

describe('detectEncoding: without a BOM', () => {
  test('valid UTF-8 (Indonesian text with accents, the rupiah sign, emoji)', () => {
    assert.deepEqual(detectEncoding(utf8('kode_barang,nama_barang,harga\nA1,Parasétamol 500mg,"Rp 12.500"\nA2,Obat 😀,€\n'), true),
      { encoding: 'utf-8', bomLength: 0, reason: 'valid-utf8' });
  });
  test('pure ASCII is UTF-8', () => {
    assert.equal(detectEncoding(utf8('a,b\r\n1,2\r\n'), true).encoding, 'utf-8');
  });
  test('an empty sample is UTF-8', () => {
    assert.equal(detectEncoding(bytes(), true).encoding, 'utf-8');
  });
  test('a UTF-8 character cut at the end of a sample that is not the end of the file is still UTF-8', () => {
    for (const ch of ['é', '€', '日', '😀']) {
      const full = utf8(`nama\nCaf${ch}`);
      const enc = Buffer.byteLength(ch);
      for (let cut = 1; cut < enc; cut++) {
        const sample = full.subarray(0, full.length - cut);
        assert.equal(detectEncoding(sample, false).encoding, 'utf-8', `${ch} cut by ${cut}`);
        // At the end of the file the same bytes are a broken character.
        assert.equal(detectEncoding(sample, true).encoding, 'windows-1252', `${ch} cut by ${cut} at EOF`);
      }
    }
  });
  test('Windows-1252 bytes (Excel on Indonesian Windows): é as 0xE9, € as 0x80', () => {
    for (const s of ['nama\nCaf\xe9\n', 'harga\n\x80 12.500\n', 'Kode;Nama\r\nA1;Pasta gigi \x93Pepsodent\x94\r\n']) {
      assert.deepEqual(detectEncoding(latin1(s), true), { encoding: 'windows-1252', bomLength: 0, reason: 'not-utf8' }, JSON.stringify(s));
    }
  });
  test('a single stray high byte in the middle is not UTF-8 even when the sample is cut', () => {
    assert.equal(detectEncoding(latin1('a\xe9b,c\n'), false).encoding, 'windows-1252');
  });
  test('the decision holds on the whole sample, not only its start', () => {
    const s = Buffer.concat([Buffer.from('a,b\n'.repeat(10_000)), Buffer.from('Caf\xe9\n', 'latin1')]);
    assert.equal(detectEncoding(new Uint8Array(s), true).encoding, 'windows-1252');
  });
});

describe('detectEncoding: binary files', () => {
  test('a NUL byte throws BinaryFileError', () => {
    assert.throws(() => detectEncoding(utf8('a,b\n\0\0\0'), true), BinaryFileError);
    assert.throws(() => detectEncoding(bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00), true), BinaryFileError, 'an XLSX (zip) renamed .csv');
    assert.throws(() => detectEncoding(bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0x00, 0x00), true), BinaryFileError, 'an XLS (OLE2) renamed .csv');
  });
  test('UTF-16 without a BOM has NUL bytes: binary', () => {
    assert.throws(() => detectEncoding(new Uint8Array(Buffer.from('kode,nama\n', 'utf16le')), true), BinaryFileError);
  });
  test('many control bytes are binary; a few are tolerated', () => {
    const many = new Uint8Array(200).fill(0x61);
    for (let i = 0; i < 20; i++) many[i * 10] = 0x01;
    assert.throws(() => detectEncoding(many, true), BinaryFileError);
    const few = new Uint8Array(2000).fill(0x61);
    for (let i = 0; i < 5; i++) few[i * 100] = 0x01;
    assert.equal(detectEncoding(few, true).encoding, 'utf-8');
  });
  test('tabs, CR, LF, form feed and the DOS EOF (0x1A) are not control bytes here', () => {
    const s = new Uint8Array(Buffer.from('a\tb\r\nc\fd\n'.repeat(20) + '\x1a'));
    assert.equal(detectEncoding(s, true).encoding, 'utf-8');
  });
  test('the error is a BinaryFileError (an Error)', () => {
    try {
      detectEncoding(bytes(0, 1, 2), true);
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof BinaryFileError);
      assert.ok(e instanceof Error);
      assert.match((e as Error).message, /binary/);
    }
  });
});

describe('detectEncoding: profile encoding', () => {
  test('the profile names the encoding for text without a BOM', () => {
    assert.deepEqual(detectEncoding(latin1('Caf\xe9'), true, 'ISO-8859-1'), { encoding: 'iso-8859-1', bomLength: 0, reason: 'profile' });
    assert.deepEqual(detectEncoding(utf8('abc'), true, 'cp1252'), { encoding: 'windows-1252', bomLength: 0, reason: 'profile' });
    assert.deepEqual(detectEncoding(utf8('abc'), true, 'UTF8'), { encoding: 'utf-8', bomLength: 0, reason: 'profile' });
  });
  test('an unknown encoding name throws', () => {
    assert.throws(() => detectEncoding(utf8('abc'), true, 'klingon-8'), /unknown encoding 'klingon-8'/);
  });
  test('binary data is refused even with a profile encoding', () => {
    assert.throws(() => detectEncoding(bytes(0x61, 0, 0x62), true, 'windows-1252'), BinaryFileError);
  });
  test('normaliseEncodingName', () => {
    assert.equal(normaliseEncodingName(' UTF8 '), 'utf-8');
    assert.equal(normaliseEncodingName('CP1252'), 'windows-1252');
    assert.equal(normaliseEncodingName('win1252'), 'windows-1252');
    assert.equal(normaliseEncodingName('Windows1252'), 'windows-1252');
    assert.equal(normaliseEncodingName('Windows-1252'), 'windows-1252');
    assert.equal(normaliseEncodingName('latin1'), 'latin1');
  });
});

describe('isUtf8 and decoding', () => {
  test('isUtf8', () => {
    assert.equal(isUtf8(utf8('Parasétamol'), true), true);
    assert.equal(isUtf8(utf8('😀').subarray(0, 3), false), true);
    assert.equal(isUtf8(utf8('😀').subarray(0, 3), true), false);
    assert.equal(isUtf8(bytes(0xc3, 0x28), false), false, 'invalid continuation byte');
    assert.equal(isUtf8(bytes(0xe9, 0x0a), false), false);
    assert.equal(isUtf8(bytes(0xc0, 0xaf), true), false, 'overlong encoding');
    assert.equal(isUtf8(bytes(0xed, 0xa0, 0x80), true), false, 'UTF-16 surrogate');
    assert.equal(isUtf8(bytes(), true), true);
  });
  test('decodeBytes: windows-1252 maps 0x80 to € and 0xE9 to é; UTF-8 keeps a BOM-less text as is', () => {
    assert.equal(decodeBytes(latin1('Caf\xe9 \x80 12.500'), 'windows-1252', false), 'Café € 12.500');
    assert.equal(decodeBytes(utf8('Café'), 'utf-8', true), 'Café');
    assert.throws(() => decodeBytes(bytes(0xe9), 'utf-8', true));
    assert.equal(decodeBytes(bytes(0xe9), 'utf-8', false), '\ufffd');
  });
  test('isAsciiCompatible', () => {
    assert.equal(isAsciiCompatible('utf-8'), true);
    assert.equal(isAsciiCompatible('windows-1252'), true);
    assert.equal(isAsciiCompatible('utf-16le'), false);
    assert.equal(isAsciiCompatible('UTF-16BE'), false);
    assert.equal(isAsciiCompatible('utf32'), false);
  });
});
