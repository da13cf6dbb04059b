import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../src/errors.js';
import { parseTemplate, type ClaimTemplate, type TemplateOrigin } from '../../src/documents/templates/template.js';
import { loadTemplates, loadTemplateFile, BUILTIN_TEMPLATE_DIR } from '../../src/documents/templates/load.js';
import { chooseTemplate } from '../../src/documents/templates/choose.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('halo-templates-');
after(() => tmp.cleanup());

const MINIMAL = 'name: t\nidentify: ["ACME HOSPITAL"]\n';

/** Parses `text` and returns the ConfigError's message (the test fails when it parses). */
function parseError(text: string, file = 'bad.yaml'): string {
  try {
    parseTemplate(text, file, 'config');
  } catch (e) {
    assert.ok(e instanceof ConfigError, `a ConfigError, got ${String(e)}`);
    return e.message;
  }
  assert.fail(`parsed without error:\n${text}`);
}

describe('claim templates: every bad key is a ConfigError naming file, line and key', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['unknown top-level key', MINIMAL + 'prority: 3\n', 3, /unknown key 'prority'/],
    ['unknown field key', MINIMAL + 'fields:\n  claim_id: { label: ["No"], lable: ["x"] }\n', 4, /unknown key 'fields\.claim_id\.lable'/],
    ['not an insurance_claim field', MINIMAL + 'fields:\n  claim_no: { label: ["No"] }\n', 4, /fields\.claim_no: 'claim_no' is not an insurance_claim field/],
    ['constant not a field', MINIMAL + 'constants:\n  hospital: X\n', 4, /constants\.hospital: 'hospital' is not an insurance_claim field/],
    ['field without label or region', MINIMAL + 'fields:\n  claim_id: { pattern: "\\\\S+" }\n', 4, /fields\.claim_id: needs a label .* or a region/],
    ['bad field pattern', MINIMAL + 'fields:\n  claim_id:\n    label: ["No"]\n    pattern: "(["\n', 6, /fields\.claim_id\.pattern: is not a valid regular expression/],
    ['bad position', MINIMAL + 'fields:\n  claim_id: { label: ["No"], position: above }\n', 4, /fields\.claim_id\.position: must be one of right, below, any, inline/],
    ['box x0 >= x1', MINIMAL + 'fields:\n  claim_id:\n    region: { x0: 300, y0: 10, x1: 200, y1: 40 }\n', 5, /fields\.claim_id\.region: x0 \(300\) must be less than x1 \(200\)/],
    ['box y0 >= y1', MINIMAL + 'fields:\n  claim_id:\n    region: { x0: 10, y0: 40, x1: 200, y1: 40 }\n', 5, /fields\.claim_id\.region: y0 \(40\) must be less than y1 \(40\)/],
    ['box without x1', MINIMAL + 'fields:\n  claim_id:\n    region: { x0: 10, y0: 10, y1: 40 }\n', 5, /fields\.claim_id\.region: is missing 'x1'/],
    ['box page 0', MINIMAL + 'fields:\n  claim_id:\n    region: { page: 0, x0: 10, y0: 10, x1: 20, y1: 40 }\n', 5, /fields\.claim_id\.region\.page: must be >= 1/],
    ['join not boolean', MINIMAL + 'fields:\n  diagnosis_codes: { label: ["Diagnosa"], join: yes please }\n', 4, /fields\.diagnosis_codes\.join: must be true or false/],
    ['priority not an integer', MINIMAL + 'priority: 1.5\n', 3, /priority: must be a whole number/],
    ['priority a string', MINIMAL + 'priority: high\n', 3, /priority: must be a number/],
    ['exclude not a list', MINIMAL + 'exclude: BEKASI\n', 3, /exclude: must be a list/],
    ['empty identify', 'name: t\nidentify: []\n', 2, /identify: needs at least one keyword/],
    ['blank identify keyword', 'name: t\nidentify: ["A", "  "]\n', 2, /identify\.1: must not be empty/],
    ['missing identify', 'name: t\n', 1, /is missing 'identify'/],
    ['bad locale', MINIMAL + 'locale: fr-FR\n', 3, /locale: must be one of id-ID, en-US/],
    ['bad labels', MINIMAL + 'labels: left\n', 3, /labels: must be one of/],
    ['unknown line column', MINIMAL + 'lines:\n  columns:\n    price: ["Harga"]\n', 5, /lines\.columns\.price: 'price' is not a line-item column \(line_no, code, description, quantity, unit_price, amount\)/],
    ['column texts not a list', MINIMAL + 'lines:\n  columns:\n    amount: Jumlah\n', 5, /lines\.columns\.amount: must be a list/],
    ['rowLines 0', MINIMAL + 'lines:\n  rowLines: 0\n', 4, /lines\.rowLines: must be >= 1/],
    ['empty header list', MINIMAL + 'lines:\n  header: []\n', 4, /lines\.header: needs at least one header word/],
    ['header list of non-strings', MINIMAL + 'lines:\n  header: [[a]]\n', 4, /lines\.header\[0\]: must be a string/],
    ['bad row regex', MINIMAL + 'lines:\n  row: "(?<description>.+"\n', 4, /lines\.row: is not a valid regular expression/],
    ['row group not a column', MINIMAL + 'lines:\n  row: "(?<description>.+) (?<total>\\\\d+)"\n', 4, /lines\.row: group 'total' is not a line-item column/],
    ['row without amount', MINIMAL + 'lines:\n  row: "(?<description>.+)"\n', 4, /lines\.row: needs a \(\?<amount>…\) group/],
    ['blank label', MINIMAL + 'fields:\n  claim_id: { label: ["No", ""] }\n', 4, /fields\.claim_id\.label\.1: must not be empty/],
    ['blank end marker', MINIMAL + 'lines:\n  end: [" "]\n', 4, /lines\.end\.0: must not be empty/],
    ['column without texts', MINIMAL + 'lines:\n  columns:\n    amount: []\n', 5, /lines\.columns\.amount: needs at least one header text/],
    ['exclude inside identify', MINIMAL + 'exclude: ["Hospital"]\n', 3, /exclude\.0: 'Hospital' is part of identify keyword 'ACME HOSPITAL': the template could never match/],
    ['unknown lines key', MINIMAL + 'lines:\n  footer: ["Halaman"]\n', 4, /unknown key 'lines\.footer'/],
    ['YAML syntax', 'name: t\nidentify: ["A"\n', 3, /bad\.yaml:\d+: /],
  ];
  for (const [what, text, line, message] of cases) {
    test(what, () => {
      const m = parseError(text);
      assert.match(m, message);
      if (what !== 'YAML syntax') assert.ok(m.startsWith(`bad.yaml:${line}: `), `names file and line ${line}: ${m}`);
    });
  }

  test('a JSON template is checked the same way', () => {
    const m = parseError('{\n  "name": "t",\n  "identify": ["A"],\n  "priority": "5"\n}\n', 'bad.json');
    assert.match(m, /^bad\.json:4: priority: must be a number/);
  });
});

describe('claim templates: the new keys', () => {
  test('every new key reaches the hints', () => {
    const t = parseTemplate(`name: rs-contoh
identify: ["RS CONTOH", "Jl. Contoh No. 1"]
exclude: ["CABANG BEKASI"]
priority: 5
fields:
  claim_id: { region: { page: 1, x0: 400, y0: 90, x1: 560, y1: 110 }, pattern: '\\S+' }
  diagnosis_codes: { label: ["Diagnosa Utama", "Diagnosa Sekunder"], join: true, position: any }
  patient_name: { label: ["Nama"], position: below }
  claim_type: { label: ["Jenis"], position: inline }
lines:
  header: [Uraian, Jumlah]
  columns: { description: [Uraian, Keterangan], amount: [Jumlah] }
  rowLines: 2
  end: ["TOTAL"]
  skip: ["Subtotal", "Kamar"]
`, '/x/rs-contoh.yaml', 'config');
    assert.deepEqual({ ...t, hints: undefined }, {
      name: 'rs-contoh', description: undefined, source: '/x/rs-contoh.yaml', origin: 'config',
      identify: ['RS CONTOH', 'Jl. Contoh No. 1'], exclude: ['CABANG BEKASI'], priority: 5, hints: undefined,
    });
    assert.deepEqual(t.hints, {
      name: 'rs-contoh', source: '/x/rs-contoh.yaml', locale: 'id-ID', dateOrder: 'DMY',
      fields: {
        claim_id: { region: { page: 1, x0: 400, y0: 90, x1: 560, y1: 110 }, pattern: '\\S+' },
        diagnosis_codes: { labels: ['Diagnosa Utama', 'Diagnosa Sekunder'], position: 'any', join: true },
        patient_name: { labels: ['Nama'], position: 'below' },
        claim_type: { labels: ['Jenis'], position: 'right' },
      },
      otherLabels: [], constants: {},
      table: { header: ['Uraian', 'Jumlah'], columns: { description: ['Uraian', 'Keterangan'], amount: ['Jumlah'] }, rowLines: 2, end: ['TOTAL'], skip: ['Subtotal', 'Kamar'] },
    });
  });

  test('defaults: priority 0, no exclude, no table hints, no position (the reader decides)', () => {
    const t = parseTemplate(MINIMAL + 'fields:\n  claim_id: { label: ["No. Reg"] }\n', 'a.yaml', 'built-in');
    assert.equal(t.priority, 0);
    assert.deepEqual(t.exclude, []);
    assert.deepEqual(t.hints.table, {});
    assert.deepEqual(t.hints.fields.claim_id, { labels: ['No. Reg'] });
  });
});

describe('claim templates: backward compatible with the built-in files', () => {
  const files = ['klinik-medika.yaml', 'rs-harapan-sehat.yaml', 'rsu-bunda-mulia.yaml'];
  for (const f of files) {
    test(`${f} parses to the hints its old keys meant`, () => {
      const path = join(BUILTIN_TEMPLATE_DIR, f);
      const text = readFileSync(path, 'utf8');
      // The old meaning, read straight from the YAML: labels inline|below per field, the header string's words.
      const raw = parseYaml(text) as { labels: 'inline' | 'below'; fields: Record<string, { label: string[]; pattern?: string; position?: string }>;
        lines: { header: string; row: string; end: string[] }; constants: Record<string, string>; otherLabels: string[]; locale: string; dateOrder: string };
      const t = parseTemplate(text, path, 'built-in');
      const expectFields = Object.fromEntries(Object.entries(raw.fields).map(([k, v]) => [k, {
        labels: v.label, position: (v.position ?? raw.labels) === 'below' ? 'below' : 'right', ...(v.pattern !== undefined ? { pattern: v.pattern } : {}),
      }]));
      assert.deepEqual(t.hints.fields, expectFields);
      assert.deepEqual(t.hints.table, { header: raw.lines.header.split(' '), row: raw.lines.row, end: raw.lines.end });
      assert.deepEqual(t.hints.constants, raw.constants);
      assert.deepEqual(t.hints.otherLabels, raw.otherLabels);
      assert.equal(t.hints.locale, raw.locale);
      assert.equal(t.hints.dateOrder, raw.dateOrder);
    });
  }

  test('the old rs-harapan-sehat file as it was before this change parses to the expected hints', () => {
    const t = parseTemplate(`name: rs-harapan-sehat
identify: ["RS HARAPAN SEHAT", "FORMULIR KLAIM ASURANSI"]
locale: id-ID
dateOrder: DMY
labels: inline
constants:
  provider_name: RS Harapan Sehat
fields:
  claim_id:        { label: ["No. Klaim"], pattern: '\\S+' }
  diagnosis_codes: { label: ["Diagnosa (ICD-10)"] }
otherLabels: ["Penjamin"]
lines:
  header: "No Uraian Jumlah Harga Satuan Subtotal"
  row: '^(?<line_no>\\d+) (?<description>.+) (?<quantity>\\d+) (?<unit_price>[\\d.]+) (?<amount>[\\d.]+)$'
  end: ["Total Tagihan"]
`, 'old.yaml', 'config');
    assert.deepEqual(t.hints, {
      name: 'rs-harapan-sehat', source: 'old.yaml', locale: 'id-ID', dateOrder: 'DMY',
      fields: {
        claim_id: { labels: ['No. Klaim'], position: 'right', pattern: '\\S+' },
        diagnosis_codes: { labels: ['Diagnosa (ICD-10)'], position: 'right' },
      },
      otherLabels: ['Penjamin'], constants: { provider_name: 'RS Harapan Sehat' },
      table: {
        header: ['No', 'Uraian', 'Jumlah', 'Harga', 'Satuan', 'Subtotal'],
        row: '^(?<line_no>\\d+) (?<description>.+) (?<quantity>\\d+) (?<unit_price>[\\d.]+) (?<amount>[\\d.]+)$',
        end: ['Total Tagihan'],
      },
    });
  });

  test('each built-in template matches its own fixtures and not the others', () => {
    const builtins = loadTemplates([]);
    const dir = new URL('../../fixtures/claims-pdf/_text/', import.meta.url);
    for (const name of ['rs-harapan-sehat-1', 'klinik-medika-2', 'rsu-bunda-mulia-2', 'unknown-layout']) {
      const text = readFileSync(new URL(`${name}.txt`, dir), 'utf8');
      const r = chooseTemplate(text, builtins);
      assert.equal(r.chosen?.name ?? null, name === 'unknown-layout' ? null : name.replace(/-\d$/, ''), name);
    }
  });
});

/** A template built in code (what parseTemplate gives), for the precedence tests. */
function tpl(name: string, identify: string[], extra: Partial<Pick<ClaimTemplate, 'origin' | 'priority' | 'exclude' | 'source'>> = {}): ClaimTemplate {
  const origin: TemplateOrigin = extra.origin ?? 'config';
  const source = extra.source ?? `/templates/${origin}/${name}.yaml`;
  return {
    name, source, origin, identify, exclude: extra.exclude ?? [], priority: extra.priority ?? 0,
    hints: { name, source, locale: 'id-ID', dateOrder: 'DMY', fields: {}, otherLabels: [], constants: {}, table: {} },
  };
}

const HQ = 'RS HARAPAN SEHAT\nJl. Letjen S. Parman No. 87, Slipi, Jakarta Barat\nFORMULIR KLAIM ASURANSI\n';
const BRANCH = 'RS HARAPAN SEHAT BEKASI\nJl. Ahmad Yani No. 5, Bekasi\nFORMULIR KLAIM ASURANSI\n';

describe('claim templates: which one applies', () => {
  const builtinHS = tpl('rs-harapan-sehat', ['RS HARAPAN SEHAT', 'FORMULIR KLAIM ASURANSI'], { origin: 'built-in' });

  test('a config template beats a built-in one, whatever their priorities', () => {
    const mine = tpl('my-harapan', ['FORMULIR KLAIM'], { priority: -3 });
    const r = chooseTemplate(HQ, [{ ...builtinHS, priority: 10 }, mine]);
    assert.equal(r.chosen?.name, 'my-harapan');
    assert.match(r.because, /^config template 'my-harapan' beats built-in 'rs-harapan-sehat'/);
    assert.deepEqual(r.candidates.map((c) => [c.name, c.matched]), [['my-harapan', true], ['rs-harapan-sehat', true]]);
  });

  test('a --template file beats the config', () => {
    const r = chooseTemplate(HQ, [tpl('cfg', ['RS HARAPAN SEHAT'], { priority: 9 }), tpl('draft', ['RS HARAPAN SEHAT'], { origin: 'file' })]);
    assert.equal(r.chosen?.name, 'draft');
    assert.match(r.because, /^file template 'draft' beats config 'cfg'/);
  });

  test('priority, then the more keywords, then the longer keywords', () => {
    const a = tpl('a', ['RS HARAPAN SEHAT'], { priority: 5 });
    const b = tpl('b', ['RS HARAPAN SEHAT', 'FORMULIR KLAIM ASURANSI', 'Jl. Letjen S. Parman No. 87']);
    let r = chooseTemplate(HQ, [b, a]);
    assert.equal(r.chosen?.name, 'a');
    assert.equal(r.because, "config template 'a' (priority 5) beats config 'b' (priority 0)");
    r = chooseTemplate(HQ, [{ ...a, priority: 0 }, b]);
    assert.equal(r.chosen?.name, 'b');
    assert.match(r.because, /'b' \(3 identify keywords\) beats config 'a' \(1\)/);
    const c = tpl('c', ['RS HARAPAN SEHAT', 'FORMULIR KLAIM']);
    const d = tpl('d', ['RS HARAPAN SEHAT', 'FORMULIR KLAIM ASURANSI']);
    r = chooseTemplate(HQ, [c, d]);
    assert.equal(r.chosen?.name, 'd');
    assert.match(r.because, /'d' \(identify keywords of 35 characters\) beats config 'c' \(27\)/);
  });

  test('a tie is a ConfigError naming both templates and their files', () => {
    const x = tpl('x', ['RS HARAPAN SEHAT'], { source: '/etc/halo/x.yaml' });
    const y = tpl('y', ['FORMULIR KLAIM A'], { source: '/etc/halo/y.yaml' });
    assert.throws(() => chooseTemplate('RS HARAPAN SEHAT FORMULIR KLAIM A', [x, y]), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /'x' \(\/etc\/halo\/x\.yaml\) and 'y' \(\/etc\/halo\/y\.yaml\)/);
      return true;
    });
    // A tie below the winner is no error: the winner is clear.
    assert.equal(chooseTemplate('RS HARAPAN SEHAT FORMULIR KLAIM A', [x, y, tpl('z', ['RS HARAPAN SEHAT'], { priority: 1 })]).chosen?.name, 'z');
  });

  test('exclude vetoes a template whose identify is all there', () => {
    const t = tpl('hq', ['RS HARAPAN SEHAT'], { exclude: ['BEKASI'] });
    const r = chooseTemplate(BRANCH, [t]);
    assert.equal(r.chosen, null);
    assert.equal(r.candidates[0].matched, false);
    assert.match(r.candidates[0].why, /excluded: found 'BEKASI'/);
    assert.equal(chooseTemplate(HQ, [t]).chosen?.name, 'hq');
  });

  test('the built-in rs-harapan-sehat does not read its Bekasi branch', () => {
    const r = chooseTemplate(BRANCH, loadTemplates([]));
    assert.equal(r.chosen, null);
    const hs = r.candidates.find((c) => c.name === 'rs-harapan-sehat')!;
    assert.match(hs.why, /^missing 'Jl\. Letjen S\. Parman No\. 87'; found 'RS HARAPAN SEHAT', 'FORMULIR KLAIM ASURANSI'$/);
  });

  test('keywords match at word boundaries, case- and space-insensitively', () => {
    const t = tpl('hs', ['RS HARAPAN SEHAT']);
    assert.equal(chooseTemplate('RS HARAPAN SEHATI\nFORMULIR', [t]).chosen, null, 'not inside a longer word');
    assert.equal(chooseTemplate('PRS HARAPAN SEHAT', [t]).chosen, null, 'not the end of a longer word');
    assert.equal(chooseTemplate('Rs  harapan\nSehat, Jakarta', [t]).chosen?.name, 'hs');
    assert.equal(chooseTemplate('(RS HARAPAN SEHAT)', [t]).chosen?.name, 'hs');
    assert.equal(chooseTemplate('RSHARAPANSEHAT', [t]).chosen?.name, 'hs', 'spaces in a keyword are optional in the text');
    assert.equal(chooseTemplate('Telp. (021) 5694', [tpl('p', ['(021) 5694'])]).chosen?.name, 'p', 'a keyword starting with punctuation');
    assert.equal(chooseTemplate('No. 870', [tpl('n', ['No. 87'])]).chosen, null, 'a number is a word too');
  });

  test('every candidate says which keywords were found or missing; no templates at all', () => {
    const r = chooseTemplate(HQ, [tpl('m', ['MEDIKA UTAMA CLINIC']), tpl('h', ['RS HARAPAN SEHAT', 'FORMULIR KLAIM ASURANSI'])]);
    assert.equal(r.because, "config template 'h' is the only template whose identify keywords were all found");
    assert.deepEqual(r.candidates.map((c) => c.why), [
      "matched: found 'RS HARAPAN SEHAT', 'FORMULIR KLAIM ASURANSI'; priority 0, 2 identify keywords of 35 characters",
      "missing 'MEDIKA UTAMA CLINIC'",
    ]);
    assert.match(chooseTemplate(HQ, []).because, /no claim templates are configured/);
    // None matches: the closest (largest share of identify found) comes first, for "closest: …" hints.
    const none = chooseTemplate('FORMULIR KLAIM ASURANSI', [tpl('a', ['MEDIKA']), tpl('b', ['RS X', 'FORMULIR KLAIM ASURANSI']), tpl('c', ['RS Y', 'KLAIM', 'FORMULIR'])]);
    assert.deepEqual(none.candidates.map((c) => c.name), ['c', 'b', 'a']);
  });

  test('the result does not depend on the order of the templates (property)', () => {
    // A small pool of phrases so that templates often match together and often tie.
    const pool = ['RS HARAPAN SEHAT', 'FORMULIR KLAIM', 'Jl. Letjen No. 87', 'BEKASI', 'RS HARAPAN SEHATI', 'KLAIM', 'SEHAT'];
    const text = fc.subarray(pool, { minLength: 4 }).map((ps) => ps.join('\n'));
    const template = fc.record({
      // Often one of a few shared identify lists: ties must come out the same too.
      identify: fc.oneof(fc.subarray(pool, { minLength: 1, maxLength: 3 }), fc.constantFrom<string[]>(['RS HARAPAN SEHAT'], ['KLAIM', 'SEHAT'])),
      exclude: fc.subarray(pool, { maxLength: 1 }),
      priority: fc.constantFrom(0, 0, 0, 1),
      origin: fc.constantFrom<TemplateOrigin>('config', 'config', 'config', 'built-in', 'file'),
    });
    const outcome = (t: string, list: ClaimTemplate[]) => {
      try {
        const r = chooseTemplate(t, list);
        return { chosen: r.chosen?.name ?? null, because: r.because, candidates: r.candidates };
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        return { tie: e.message };
      }
    };
    fc.assert(fc.property(text, fc.array(template, { minLength: 1, maxLength: 6 }), fc.nat(), (t, specs, seed) => {
      const list = specs.map((s, i) => tpl(`t${i}`, s.identify, s));
      const shuffled = [...list];
      for (let i = shuffled.length - 1, s = seed; i > 0; i--) { s = (s * 1103515245 + 12345) >>> 0; const j = s % (i + 1); [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]; }
      assert.deepEqual(outcome(t, shuffled), outcome(t, list));
    }), { numRuns: 300 });
  });
});

describe('claim templates: loading', () => {
  const dir = join(tmp.path, 'templates');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a.yaml'), 'name: rs-harapan-sehat\nidentify: ["RS HARAPAN SEHAT"]\npriority: 2\n');
  writeFileSync(join(dir, 'b.json'), '{"name": "rs-lain", "identify": ["RS LAIN"]}');
  writeFileSync(join(dir, 'notes.txt'), 'not a template');

  test('built-ins, then a folder of the config; a config template replaces a built-in one of its name', () => {
    const all = loadTemplates([dir]);
    const byName = new Map(all.map((t) => [t.name, t]));
    assert.deepEqual([...byName.keys()].sort(), ['klinik-medika', 'rs-harapan-sehat', 'rs-lain', 'rsu-bunda-mulia']);
    assert.equal(byName.get('rs-harapan-sehat')!.origin, 'config');
    assert.equal(byName.get('rs-harapan-sehat')!.priority, 2);
    assert.equal(byName.get('klinik-medika')!.origin, 'built-in');
    assert.deepEqual(loadTemplates([join(dir, 'b.json')], { builtins: false }).map((t) => [t.name, t.origin]), [['rs-lain', 'config']]);
  });

  test('two config templates with one name are a ConfigError naming both files', () => {
    const other = join(tmp.path, 'other.yaml');
    writeFileSync(other, 'name: rs-lain\nidentify: ["RS LAIN 2"]\n');
    assert.throws(() => loadTemplates([dir, other]), (e: unknown) => e instanceof ConfigError && e.message.includes('other.yaml') && e.message.includes('b.json'));
  });

  test('loadTemplateFile: origin file; a missing path or a folder is a ConfigError', () => {
    assert.equal(loadTemplateFile(join(dir, 'a.yaml')).origin, 'file');
    assert.throws(() => loadTemplateFile(join(dir, 'none.yaml')), (e: unknown) => e instanceof ConfigError && /not found/.test(e.message));
    assert.throws(() => loadTemplateFile(dir), (e: unknown) => e instanceof ConfigError && /one template file/.test(e.message));
    assert.throws(() => loadTemplates([join(dir, 'none')]), ConfigError);
  });
});
