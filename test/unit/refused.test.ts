/**
 * The refused/ folder's bookkeeping (pipeline/refused.ts) and the reconcile window
 * (batch/catalog.ts): a retry interrupted after moving some files is finished by the next
 * run with exactly the files it moved, the others still waiting; nothing is lost or doubled
 * whichever file the crash came after (property); the window's dates.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync, readdirSync, renameSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ulid } from 'ulid';
import { finishRetries, listRefused, retryRefused } from '../../src/pipeline/refused.js';
import { landedFetches, writeJsonAtomic, REFUSED_RECORD, type RefusedRecord } from '../../src/pipeline/landed.js';
import { recentDates, inLoadOrder } from '../../src/batch/catalog.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;

/** A landing folder whose source has one refused fetch holding `count` files. */
async function refusedFolder(count: number): Promise<{ landing: string; fetchId: string }> {
  const landing = join(tmp.path, `landing-${n++}`);
  const fetchId = ulid();
  const folder = join(landing, 'src', 'refused', fetchId);
  mkdirSync(folder, { recursive: true });
  const files: RefusedRecord['files'] = [];
  for (let i = 0; i < count; i++) {
    writeFileSync(join(folder, `f${i}.csv`), `file ${i}\n`);
    files.push({ path: `/in/f${i}.csv`, landedAs: `f${i}.csv`, code: 'reject-rate', message: `${i} of 10 rows were rejected` });
  }
  await writeJsonAtomic(join(folder, REFUSED_RECORD), { fetchId, source: 'src', refusedAt: new Date().toISOString(), files } satisfies RefusedRecord);
  return { landing, fetchId };
}

describe('refused retry', () => {
  test('moves the files into a new landed fetch with their rate; the refused folder goes', async () => {
    const { landing } = await refusedFolder(2);
    const waiting = await listRefused(landing, 'src');
    assert.deepEqual(waiting.map((f) => [f.path, f.code]), [['/in/f0.csv', 'reject-rate'], ['/in/f1.csv', 'reject-rate']]);
    const id = await retryRefused(landing, 'src', waiting, { maxRejectRate: 1 });
    const [f] = await landedFetches(landing, 'src');
    assert.equal(f.fetchId, id);
    assert.equal(f.record.retry?.maxRejectRate, 1);
    assert.deepEqual(f.record.files.map((x) => x.path), ['/in/f0.csv', '/in/f1.csv']);
    assert.equal(readFileSync(join(f.folder, 'f1.csv'), 'utf8'), 'file 1\n');
    assert.deepEqual(await listRefused(landing, 'src'), []);
    assert.ok(!existsSync(join(landing, 'src', 'refused', waiting[0].fetchId)));
  });

  test('interrupted after any number of moves: finished with exactly the moved files, the rest still waiting (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.nat(), async (count, k) => {
      const moved = k % (count + 1);
      const { landing } = await refusedFolder(count);
      const waiting = await listRefused(landing, 'src');
      // What retryRefused does before its commit, cut after `moved` files: the plan, then the moves.
      const id = ulid();
      const hidden = join(landing, 'src', `.retry-${id}`);
      mkdirSync(hidden);
      const record = { fetchId: id, source: 'src', files: waiting.map((w) => ({ path: w.path, landedAs: w.landedAs, bytes: 7, sha256: 'x' })), retry: { of: [waiting[0].fetchId] } };
      await writeJsonAtomic(join(hidden, '.retry.json'), { record, from: waiting.map((w) => w.file) });
      for (const w of waiting.slice(0, moved)) renameSync(w.file, join(hidden, w.landedAs));
      // Run and retry are blind to the hidden folder until it is finished.
      assert.deepEqual(await landedFetches(landing, 'src'), []);
      await finishRetries(landing, 'src');
      const fetches = await landedFetches(landing, 'src');
      assert.deepEqual(fetches.flatMap((f) => f.record.files.map((x) => x.path)), waiting.slice(0, moved).map((w) => w.path));
      assert.deepEqual((await listRefused(landing, 'src')).map((w) => w.path), waiting.slice(moved).map((w) => w.path));
      assert.ok(!readdirSync(join(landing, 'src')).some((x) => x.startsWith('.retry-')));
    }), { numRuns: 30 });
  });
});

describe('the reconcile window', () => {
  test('recentDates: the last N days up to tomorrow, UTC', () => {
    assert.deepEqual(recentDates(new Date('2026-12-06T23:30:00Z'), 2), ['2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07']);
    assert.deepEqual(recentDates(new Date('2026-03-01T00:00:00Z'), 1), ['2026-02-28', '2026-03-01', '2026-03-02']);
  });
  test('inLoadOrder sorts by batch id and leaves its input alone', () => {
    const xs = [{ batchId: 'B' }, { batchId: 'A' }, { batchId: 'C' }];
    assert.deepEqual(inLoadOrder(xs).map((x) => x.batchId), ['A', 'B', 'C']);
    assert.equal(xs[0].batchId, 'B');
  });
});
