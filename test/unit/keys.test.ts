import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { KeyIndex, KeyList, KeyHasher, hashKey } from '../../src/validation/keys.js';
import { mulberry32, int } from '../support/prng.js';

/** A key as validation builds it: merchant id and SKU joined by a separator that cannot occur in them. */
const key = (merchant: string, sku: string) => `${merchant}\u0000${sku}`;
/** Pushes a key the way RowProcessor does: hashed part by part. */
const pushKey = (list: KeyList, parts: string[], row: number, valid: boolean) => {
  const h = new KeyHasher();
  for (const p of parts) h.add(p);
  h.finish();
  list.push(h.h1, h.h2, row, valid);
};

describe('hashKey', () => {
  test('deterministic, two unsigned 32-bit halves', () => {
    const a = hashKey(key('APT-001', 'SKU-12345'));
    assert.deepEqual(hashKey(key('APT-001', 'SKU-12345')), a);
    for (const h of a) assert.ok(Number.isInteger(h) && h >= 0 && h <= 0xffffffff);
  });
  test('near-identical keys differ', () => {
    const keys = ['', 'a', 'b', 'ab', 'ba', 'A', key('APT-001', 'SKU-1'), key('APT-001', 'SKU-2'), key('APT-00', '1SKU-1'), key('APT-0011', 'SKU-1'), 'é', 'e\u0301'];
    const seen = new Set(keys.map((k) => hashKey(k).join(':')));
    assert.equal(seen.size, keys.length);
  });
});

describe('KeyIndex', () => {
  test('200,000 distinct keys give no false duplicate', () => {
    const idx = new KeyIndex();
    let row = 2;
    for (let m = 0; m < 200; m++) {
      const merchant = `APT-${String(m).padStart(4, '0')}`;
      for (let s = 0; s < 1000; s++) {
        // SKUs like partners write them: numbers, zero-padded, prefixed.
        const sku = s % 3 === 0 ? String(s) : s % 3 === 1 ? String(s).padStart(8, '0') : `BRG-${s}`;
        const prev = idx.add(key(merchant, sku), row);
        if (prev !== -1) assert.fail(`false duplicate: ${merchant}/${sku} at row ${row} (said first seen at row ${prev})`);
        row++;
      }
    }
    assert.equal(idx.count, 200_000);
  });

  test('200,000 sequential numeric SKUs of one merchant give no false duplicate', () => {
    const idx = new KeyIndex();
    for (let i = 0; i < 200_000; i++) {
      const prev = idx.add(key('APT-001', String(i)), i + 2);
      if (prev !== -1) assert.fail(`false duplicate: SKU ${i} (said first seen at row ${prev})`);
    }
    assert.equal(idx.count, 200_000);
  });

  test('a repeated key returns the row of its first sighting, every time', () => {
    const idx = new KeyIndex();
    assert.equal(idx.add(key('APT-001', 'A1'), 2), -1);
    assert.equal(idx.add(key('APT-001', 'A2'), 3), -1);
    assert.equal(idx.add(key('APT-001', 'A1'), 7), 2);
    assert.equal(idx.add(key('APT-001', 'A1'), 9), 2, 'a third sighting still points at the first');
    assert.equal(idx.add(key('APT-002', 'A1'), 10), -1, 'another merchant, same SKU: not a duplicate');
    assert.equal(idx.count, 3);
  });

  test('growth and rehash keep every entry and its row (small initial capacity)', () => {
    for (const capacity of [0, 1, 2, 3, 16]) {
      const idx = new KeyIndex(capacity);
      const n = 20_000;
      for (let i = 0; i < n; i++) assert.equal(idx.add(`k${i}`, i + 1), -1);
      assert.equal(idx.count, n);
      for (let i = 0; i < n; i++) {
        const r = idx.add(`k${i}`, 999_999);
        if (r !== i + 1) assert.fail(`capacity ${capacity}: key k${i} row ${r}, expected ${i + 1}`);
      }
      assert.equal(idx.count, n, 'repeats do not grow the set');
    }
  });

  test('addHash with colliding slots (same low bits) probes linearly', () => {
    const idx = new KeyIndex(4);
    // Same first half, different second halves: distinct keys.
    for (let b = 0; b < 1000; b++) assert.equal(idx.addHash(12345, b, b + 1), -1);
    for (let b = 0; b < 1000; b++) assert.equal(idx.addHash(12345, b, 0), b + 1);
    assert.equal(idx.count, 1000);
  });

  test('random interleaving of new and repeated keys matches a Map', () => {
    const rng = mulberry32(200_000);
    const idx = new KeyIndex(8);
    const ref = new Map<string, number>();
    for (let row = 1; row <= 50_000; row++) {
      const k = key(`APT-${int(rng, 0, 9)}`, String(int(rng, 0, 20_000)));
      const expected = ref.get(k) ?? -1;
      if (!ref.has(k)) ref.set(k, row);
      const got = idx.add(k, row);
      if (got !== expected) assert.fail(`row ${row} key ${JSON.stringify(k)}: ${got} !== ${expected}`);
    }
    assert.equal(idx.count, ref.size);
  });
});

describe('KeyList', () => {
  test('push grows past its capacity and keeps hashes, rows and validity', () => {
    const list = new KeyList(4);
    for (let i = 0; i < 10_000; i++) pushKey(list, ['APT-001', `S${i}`], i + 2, i % 3 !== 0);
    assert.equal(list.length, 10_000);
    assert.ok(list.h1.length >= 10_000);
    for (const i of [0, 1, 3, 4, 5, 1023, 1024, 4095, 9999]) {
      const [a, b] = hashKey(key('APT-001', `S${i}`));
      assert.equal(list.h1[i], a);
      assert.equal(list.h2[i], b);
      assert.equal(list.rows[i], i + 2);
      assert.equal(list.valid[i], i % 3 !== 0 ? 1 : 0);
    }
  });

  test('a KeyList replayed into a KeyIndex finds the duplicates', () => {
    const list = new KeyList();
    const skus = ['A1', 'A2', 'A1', 'A3', 'A2'];
    skus.forEach((s, i) => pushKey(list, ['APT-001', s], i + 2, true));
    const idx = new KeyIndex();
    const dups: Array<[number, number]> = [];
    for (let i = 0; i < list.length; i++) {
      const first = idx.addHash(list.h1[i], list.h2[i], list.rows[i]);
      if (first !== -1) dups.push([list.rows[i], first]);
    }
    assert.deepEqual(dups, [[4, 2], [6, 3]]);
  });
});

describe('KeyHasher', () => {
  test('parts are separated: (ab, c) and (a, bc) differ; the same parts agree', () => {
    const h = (parts: string[]) => { const k = new KeyHasher(); parts.forEach((p) => k.add(p)); k.finish(); return `${k.h1}:${k.h2}`; };
    assert.notEqual(h(['ab', 'c']), h(['a', 'bc']));
    assert.equal(h(['APT-001', 'SKU-1']), h(['APT-001', 'SKU-1']));
    const single = new KeyHasher(); single.add('x'); single.finish();
    assert.deepEqual(hashKey('x'), [single.h1, single.h2]);
  });
});
