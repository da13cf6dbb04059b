/** Remote names become landing paths only when they stay inside the landing folder. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { landingPath } from '../../src/sources/landing.js';
import { DataError } from '../../src/errors.js';

const ROOT = '/var/halo/landing';

test('ordinary names land under the source, absolute ones too (they are read as relative)', () => {
  assert.equal(landingPath(ROOT, 'm', 'F1/merchants/M1/inbox/stok.csv'), join(ROOT, 'm/F1/merchants/M1/inbox/stok.csv'));
  assert.equal(landingPath(ROOT, 'm', 'F1//merchants/./M1/a.csv'), join(ROOT, 'm/F1/merchants/M1/a.csv'));
});

test('names that would leave the folder, or carry odd bytes, are refused', () => {
  for (const bad of ['../etc/passwd', 'F1/../../x.csv', 'F1/a\u0000b.csv', 'F1/a\nb.csv', 'F1/a\\..\\b.csv', '', '/']) {
    assert.throws(() => landingPath(ROOT, 'm', bad), (e) => e instanceof DataError && e.code === 'unsafe-name', JSON.stringify(bad));
  }
});

test('long names land under a bounded name: each part at most 120 bytes, the extension kept, distinct names apart', () => {
  const long = 'Laporan stok apotek ' + 'é'.repeat(120) + '.csv'; // 264 bytes
  const other = 'Laporan stok apotek ' + 'é'.repeat(119) + 'x.csv';
  const a = landingPath(ROOT, 'm', `F1/merchants/M1/inbox/${long}`);
  const b = landingPath(ROOT, 'm', `F1/merchants/M1/inbox/${other}`);
  assert.ok(a.startsWith(join(ROOT, 'm/F1/merchants/M1/inbox/')));
  const name = a.slice(a.lastIndexOf('/') + 1);
  assert.ok(Buffer.byteLength(name) <= 120, name);
  assert.match(name, /^Laporan stok apotek é+~[0-9a-f]{10}\.csv$/);
  assert.notEqual(a, b);
  assert.equal(landingPath(ROOT, 'm', `F1/merchants/M1/inbox/${long}`), a, 'the same name lands the same way every time');
  assert.equal(landingPath(ROOT, 'm', 'F1/' + 'x'.repeat(300)).length - ROOT.length <= 130, true);
});

test('a path too deep keeps the folders nearest the file and stays under 1024 bytes', () => {
  const deep = ['F1', ...Array.from({ length: 40 }, (_, i) => `folder-${i}-${'d'.repeat(100)}`), 'merchants', 'M1', 'inbox', 'stok.csv'].join('/');
  const p = landingPath(ROOT, 'm', deep);
  assert.ok(Buffer.byteLength(p) - ROOT.length <= 1030, String(p.length));
  assert.ok(p.endsWith('/merchants/M1/inbox/stok.csv'), p);
  assert.ok(p.startsWith(join(ROOT, 'm/F1/~')), p);
});
