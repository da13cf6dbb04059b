/**
 * The generic claim reader and the template hints on hand-made pages (positioned words, no
 * PDF): labels beside and below, the config's labels, a template's region, joined fields,
 * rowLines, a built-in template that fails the checks giving way to the generic reader, and
 * a tie between templates being a configuration error.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { DocumentPages, Word } from '../../src/documents/page.js';
import { readClaim } from '../../src/documents/read/read.js';
import { readAndJudge } from '../../src/documents/claim.js';
import { DICTIONARY, extendDictionary } from '../../src/documents/read/dictionary.js';
import { parseTemplate } from '../../src/documents/templates/template.js';
import { claimPdf } from '../../src/schemas/builtin/claim-pdf.js';
import { ConfigError } from '../../src/errors.js';

/** A page from lines of cells: [y, [[x, text], ...]]; each cell is one drawn run, 10 pt. */
function page(lines: Array<[number, Array<[number, string]>]>, size = 10): DocumentPages {
  const words: Word[] = [];
  let run = 0;
  for (const [y, cells] of lines) {
    for (const [x, text] of cells) {
      let at = x;
      for (const w of text.split(' ')) {
        words.push({ text: w, x: at, y, w: w.length * size * 0.5, h: size, conf: 1, run });
        at += (w.length + 1) * size * 0.5;
      }
      run++;
    }
  }
  return { pages: [{ number: 1, width: 595, height: 842, words }], source: 'text-layer' };
}

const HEADER: Array<[number, Array<[number, string]>]> = [
  [40, [[40, 'RS Contoh Sejahtera']]],
];
const TABLE = (y: number): Array<[number, Array<[number, string]>]> => [
  [y, [[40, 'No'], [70, 'Uraian'], [300, 'Qty'], [360, 'Tarif'], [460, 'Jumlah']]],
  [y + 15, [[40, '1'], [70, 'Kamar Kelas 1'], [305, '2'], [360, '500.000'], [460, '1.000.000']]],
  [y + 30, [[40, '2'], [70, 'Visite Dokter'], [305, '1'], [360, '250.000'], [460, '250.000']]],
  [y + 50, [[300, 'Total Tagihan'], [460, 'Rp 1.250.000']]],
];
const FIELDS: Array<[number, Array<[number, string]>]> = [
  [80, [[40, 'No. Klaim'], [150, ': CT-001']]],
  [95, [[40, 'No. Polis'], [150, ': POL-9']]],
  [110, [[40, 'No. Peserta'], [150, ': 0099887766']]],
  [125, [[40, 'Nama Pasien'], [150, ': Ani Lestari Wibowo']]],
  [140, [[40, 'Jenis Rawat'], [150, ': Rawat Inap']]],
  [155, [[40, 'Tanggal Masuk'], [150, ': 01/11/2026']]],
  [170, [[40, 'Tanggal Keluar'], [150, ': 03/11/2026']]],
  [185, [[40, 'Diagnosa'], [150, ': J18.9']]],
];
const ctx = { schema: claimPdf, maxErrors: 100, emit: false, sourceFile: 'x.pdf' };

describe('the generic reader on hand-made pages', () => {
  test('a plain form: every field, the items, the total; valid', () => {
    const { reading, gated } = readAndJudge(page([...HEADER, ...FIELDS, ...TABLE(220)]), { templates: [] }, ctx);
    assert.equal(gated.judgement.verdict, 'valid', JSON.stringify(gated.judgement.problems));
    assert.equal(reading.reader, 'generic');
    assert.equal(gated.judgement.claim.claim_id, 'CT-001');
    assert.equal(gated.judgement.claim.provider_name, 'RS Contoh Sejahtera');
    assert.deepEqual(gated.judgement.lines.map((l) => [l.description, l.quantity, l.unit_price, l.amount]),
      [['Kamar Kelas 1', '2', '500000.00', '1000000.00'], ['Visite Dokter', '1', '250000.00', '250000.00']]);
  });

  test('a label the dictionary does not know: needs-review naming what was looked for; the config adds it', () => {
    const fields = FIELDS.map(([y, cells]) => [y, cells.map(([x, t]) => [x, t === 'No. Klaim' ? 'Nomor Berkas' : t])] as [number, Array<[number, string]>]);
    const doc = page([...HEADER, ...fields, ...TABLE(220)]);
    const before = readAndJudge(doc, { templates: [] }, ctx).gated.judgement;
    assert.equal(before.verdict, 'needs-review');
    const p = before.problems.find((x) => x.field === 'claim_id')!;
    assert.equal(p.code, 'needs-review');
    assert.match(p.message, /claim_id was not found: looked beside or below any of: 'No. Klaim'/);
    const dictionary = extendDictionary(DICTIONARY, { fields: { claim_id: ['Nomor Berkas'] } });
    const after = readAndJudge(doc, { templates: [], dictionary }, ctx).gated.judgement;
    assert.equal(after.verdict, 'valid', JSON.stringify(after.problems));
    assert.equal(after.claim.claim_id, 'CT-001');
  });

  test('a value whose required field is printed empty is needs-review, never valid with an empty value', () => {
    const fields = FIELDS.map(([y, cells]) => [y, cells.map(([x, t]) => [x, t === ': POL-9' ? ':' : t])] as [number, Array<[number, string]>]);
    const j = readAndJudge(page([...HEADER, ...fields, ...TABLE(220)]), { templates: [] }, ctx).gated.judgement;
    assert.equal(j.verdict, 'needs-review');
    assert.ok(j.problems.some((p) => p.code === 'needs-review' && p.field === 'policy_number'));
  });

  test('an unsure word (OCR confidence) makes the claim needs-review', () => {
    const doc = page([...HEADER, ...FIELDS, ...TABLE(220)]);
    doc.pages[0].words.find((w) => w.text === '1.000.000')!.conf = 0.4;
    assert.equal(readAndJudge(doc, { templates: [] }, ctx).gated.judgement.verdict, 'needs-review');
  });
});

const template = (yaml: string, origin: 'config' | 'built-in' | 'file' = 'config') => parseTemplate(yaml, 't.yaml', origin);

describe('template hints', () => {
  test('region: the words inside a box, less its label', () => {
    const doc = page([...HEADER, ...FIELDS, [200, [[420, 'Kode RS: RSC-77']]], ...TABLE(220)]);
    const t = template('name: t\nidentify: ["RS Contoh"]\nfields:\n  provider_id: { region: { page: 1, x0: 410, y0: 195, x1: 560, y1: 215 }, label: ["Kode RS"] }\n');
    const { reading } = readClaim(doc, t.hints);
    assert.equal(reading.fields.provider_id.value, 'RSC-77');
    assert.equal(reading.fields.provider_id.how, 'region');
  });

  test('join: primary and secondary diagnosis into one list; a dash for none is left out', () => {
    const extra: Array<[number, Array<[number, string]>]> = [[200, [[40, 'Diagnosa Sekunder'], [150, ': E11.9']]], [210, [[40, 'Diagnosa Tambahan'], [150, ': -']]]];
    const { gated } = readAndJudge(page([...HEADER, ...FIELDS, ...extra, ...TABLE(230)]), { templates: [] }, ctx);
    assert.equal(gated.judgement.claim.diagnosis_codes, '["J18.9","E11.9"]');
  });

  test('rowLines: an item row that spans two text lines, the second not tight under the first', () => {
    const table: Array<[number, Array<[number, string]>]> = [
      [220, [[40, 'No'], [70, 'Uraian'], [300, 'Qty'], [360, 'Tarif'], [460, 'Jumlah']]],
      [235, [[40, '1'], [70, 'Kamar Kelas 1'], [305, '2'], [360, '500.000'], [460, '1.000.000']]],
      [252, [[70, 'Paviliun Melati']]],
      [270, [[40, '2'], [70, 'Visite Dokter'], [305, '1'], [360, '250.000'], [460, '250.000']]],
      [287, [[70, 'Spesialis Dalam']]],
      [310, [[300, 'Total Tagihan'], [460, 'Rp 1.250.000']]],
    ];
    const t = template('name: t\nidentify: ["RS Contoh"]\nlines: { rowLines: 2 }\n');
    const { reading } = readClaim(page([...HEADER, ...FIELDS, ...table]), t.hints);
    assert.deepEqual(reading.items.map((i) => i.values.description), ['Kamar Kelas 1 Paviliun Melati', 'Visite Dokter Spesialis Dalam']);
  });

  test('a built-in template whose reading fails the checks gives way to the generic reader; a config one does not', () => {
    const doc = page([...HEADER, ...FIELDS, ...TABLE(220)]);
    // A template that reads the claim number from a label this document does not print.
    const yaml = 'name: rs-contoh\nidentify: ["RS Contoh"]\nfields:\n  claim_id: { label: ["Nomor Register"] }\n';
    const builtIn = readAndJudge(doc, { templates: [template(yaml, 'built-in')] }, ctx);
    assert.equal(builtIn.reading.reader, 'generic');
    assert.equal(builtIn.reading.fellBackFrom, 'rs-contoh');
    assert.equal(builtIn.gated.judgement.verdict, 'valid');
    const config = readAndJudge(doc, { templates: [template(yaml, 'config')] }, ctx);
    assert.equal(config.reading.reader, 'rs-contoh');
    assert.equal(config.gated.judgement.verdict, 'needs-review');
  });

  test('two templates that match equally: a configuration error naming both', () => {
    const a = parseTemplate('name: a\nidentify: ["Contoh"]\n', 'a.yaml', 'config');
    const b = parseTemplate('name: b\nidentify: ["Visite"]\n', 'b.yaml', 'config');
    assert.throws(() => readAndJudge(page([...HEADER, ...FIELDS, ...TABLE(220)]), { templates: [a, b] }, ctx),
      (e: unknown) => e instanceof ConfigError && /a\.yaml/.test((e as Error).message) && /b\.yaml/.test((e as Error).message));
  });
});

describe('a tie between templates on the command line', () => {
  test('validate exits 2 naming both template files, not a file problem', async () => {
    const { runCli } = await import('../support/cli.js');
    const { tempDir } = await import('../support/tmp.js');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const tmp = tempDir();
    try {
      writeFileSync(join(tmp.path, 'a.yaml'), 'name: a\nidentify: ["Anugerah"]\n');
      writeFileSync(join(tmp.path, 'b.yaml'), 'name: b\nidentify: ["Sidoarjo"]\n');
      const cfg = join(tmp.path, 'halo-data.config.yaml');
      writeFileSync(cfg, `claimTemplates: [${JSON.stringify(join(tmp.path, 'a.yaml'))}, ${JSON.stringify(join(tmp.path, 'b.yaml'))}]\n`);
      const r = runCli(['validate', 'fixtures/claims-layouts/bordered-1.pdf', '--config', cfg]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /a\.yaml/);
      assert.match(r.stderr, /b\.yaml/);
    } finally {
      tmp.cleanup();
    }
  });
});
