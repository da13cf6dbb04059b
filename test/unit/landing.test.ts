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
  for (const bad of ['../etc/passwd', 'F1/../../x.csv', 'F1/a\u0000b.csv', 'F1/a\nb.csv', 'F1/a\\..\\b.csv', '', '/', 'F1/' + 'x'.repeat(256)]) {
    assert.throws(() => landingPath(ROOT, 'm', bad), (e) => e instanceof DataError && e.code === 'unsafe-name', JSON.stringify(bad));
  }
});
