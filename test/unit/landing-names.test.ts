/**
 * Names made from partners' names are bounded and unique (issue 14 item 7): raw/ names in a
 * batch, and a file the landing folder cannot take is refused and named while the others land.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rawNames } from '../../src/pipeline/stage.js';
import { boundedName } from '../../src/util/bounded-name.js';
import { fetchSource } from '../../src/pipeline/fetch.js';
import type { Source, RemoteFile } from '../../src/sources/source.js';
import { tempDir } from '../support/tmp.js';

test('raw/ names: at most 120 + a number of bytes, safe characters, unique in the batch, whatever the inputs', () => {
  const name = fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('a.csv', '1-a.csv', '2-a.csv', 'x'.repeat(250) + '.csv'), fc.string({ unit: 'binary', maxLength: 200 }));
  fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('d1', 'd2', 'd3'), name.filter((n) => n !== '' && !n.includes('/'))), { maxLength: 30 }), (files) => {
    const names = rawNames(files.map(([d, n]) => `/landing/${d}/${n}`));
    assert.equal(new Set(names).size, names.length, JSON.stringify(names));
    for (const n of names) {
      assert.ok(Buffer.byteLength(n) <= 130, n);
      assert.match(n, /^[A-Za-z0-9._~-]+$/);
    }
  }));
});

test('boundedName keeps short names, cuts long ones on a character boundary with a hash and the extension', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (n) => {
    const b = boundedName(n);
    assert.ok(Buffer.byteLength(b) <= 120);
    if (Buffer.byteLength(n) <= 120) assert.equal(b, n);
    else assert.match(b, /~[0-9a-f]{10}(\.[^.]*)?$/);
    assert.equal(boundedName(n), b);
  }));
  assert.equal(boundedName('a'.repeat(200) + '.xlsx').slice(-5), '.xlsx');
});

test('a file the landing folder cannot take is refused and named; the others land', async () => {
  const tmp = tempDir('halo-landing-names-');
  try {
    const files: RemoteFile[] = [{ path: 'bad.csv', size: 2, mtimeMs: 0 }, { path: 'good.csv', size: 2, mtimeMs: 0 }];
    const src: Source = {
      name: 's', describe: 'fake',
      list: async () => files.map((f) => ({ ...f, doneMarker: true })),
      download: async (f, dest) => {
        if (f.path === 'bad.csv') throw Object.assign(new Error(`EILSEQ: illegal byte sequence, open '${dest}'`), { code: 'EILSEQ', path: dest, syscall: 'open' });
        writeFileSync(dest, 'x\n');
        return { bytes: 2, sha256: 'h' };
      },
      close: async () => {},
    };
    mkdirSync(join(tmp.path, 'landing'));
    const out = await fetchSource(src, { landingRoot: join(tmp.path, 'landing'), stateFile: join(tmp.path, 'state.json'), stableAfterMs: 0, dryRun: false, concurrency: 1 });
    assert.deepEqual(out.fetched.map((f) => f.path), ['good.csv']);
    assert.equal(out.refused.length, 1);
    assert.equal(out.refused[0].path, 'bad.csv');
    assert.match(out.refused[0].why, /cannot be written to the landing folder \(EILSEQ\)/);
  } finally {
    tmp.cleanup();
  }
});
