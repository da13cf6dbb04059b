/**
 * Issue 15 item 12: `fetched 4 files (0.0 MB)` for 2 KB. Every size is printed by one helper
 * (src/output/size.ts) in B, KB, MB or GB; a size that is not zero never prints as zero, and
 * the printed figure is within 5 % of the bytes it stands for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatBytes } from '../../src/output/size.js';

const FACTOR: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4, PB: 1024 ** 5 };
const parse = (s: string) => { const [n, u] = s.split(' '); return Number(n) * FACTOR[u]; };

test('examples: bytes, then one decimal below 10 of a unit, none above', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(812), '812 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1 KB');
  assert.equal(formatBytes(2150), '2.1 KB');
  assert.equal(formatBytes(64 * 1024), '64 KB');
  assert.equal(formatBytes(1024 * 1024 - 1), '1 MB');
  assert.equal(formatBytes(32 * 1024 ** 2), '32 MB');
  assert.equal(formatBytes(4.25 * 1024 ** 3), '4.3 GB');
});

test('any size: a well-formed figure under 1024 of its unit, within 5 %, zero only for zero, in order', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (a, b) => {
    const s = formatBytes(a);
    assert.match(s, /^\d+(\.\d)? (B|KB|MB|GB|TB|PB)$/);
    const [n] = s.split(' ');
    assert.ok(Number(n) < 1024 || s.endsWith('PB'), s);
    assert.equal(Number(n) === 0, a === 0, s);
    assert.ok(Math.abs(parse(s) - a) <= a * 0.05, `${a} → ${s}`);
    if (a <= b) assert.ok(parse(s) <= parse(formatBytes(b)), `${a} → ${s} but ${b} → ${formatBytes(b)}`);
  }), { numRuns: 2000 });
});
