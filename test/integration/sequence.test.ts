/**
 * The per-source sequence behind batch ids (src/batch/sequence.ts): never backwards whatever
 * the clock does, continued from the lake when the local state is gone, and the lake's
 * newest batch found by folder listings on both lakes (local folder, S3 via s3rver).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { ulid } from 'ulid';
import { LocalLake } from '../../src/lake/local.js';
import { S3Lake } from '../../src/lake/s3.js';
import type { Lake } from '../../src/lake/lake.js';
import { newestInLake, nextSequence } from '../../src/batch/sequence.js';
import { batchPrefix } from '../../src/batch/manifest.js';
import { startS3, type TestS3 } from '../support/s3.js';
import { ServiceError } from '../../src/errors.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('halo-sequence-');
after(() => tmp.cleanup());
const T0 = Date.UTC(2026, 10, 20, 12);
const DAY = 24 * 3600_000;
let n = 0;

async function putBatch(lake: Lake, source: string, t: number): Promise<string> {
  const id = ulid(t);
  await lake.put(`${batchPrefix(source, id, new Date(t))}/manifest.json`, Buffer.from('{}'));
  return id;
}

test('whatever the clock does (back, forward, repeated), each value is above every earlier one', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: -400 * DAY, max: 400 * DAY }), { minLength: 1, maxLength: 25 }), async (moves) => {
    const dir = join(tmp.path, `prop-${n++}`);
    const deps = { lake: async () => new LocalLake(join(dir, 'lake')), stateDir: join(dir, 'state') };
    let last = 0;
    for (const m of moves) {
      const t = await nextSequence('claims', T0 + m, deps);
      assert.ok(t > last && t >= T0 + m);
      last = t;
    }
    rmSync(dir, { recursive: true, force: true });
  }), { numRuns: 30 });
});

test('no local state: continues after the lake\'s newest batch, and after a landed fetch not staged yet', async () => {
  const dir = join(tmp.path, 'empty-state');
  const lake = new LocalLake(join(dir, 'lake'));
  await putBatch(lake, 'claims', T0 - 3 * DAY);
  await putBatch(lake, 'claims', T0 + 5 * DAY); // written when the clock was ahead
  await putBatch(lake, 'other', T0 + 50 * DAY); // another source's order is its own
  const deps = { lake: async () => lake, stateDir: join(dir, 'state') };
  assert.equal(await nextSequence('claims', T0, deps), T0 + 5 * DAY + 1);
  assert.equal(await nextSequence('fresh', T0, deps), T0);
});

test('a lake that cannot be reached does not stop a fetch: the local state still keeps the order', async () => {
  const dir = join(tmp.path, 'lake-down');
  const down = { listFolders: async () => { throw new ServiceError('lake-unreachable', 'down'); } } as unknown as Lake;
  const deps = { lake: async () => down, stateDir: join(dir, 'state') };
  const first = await nextSequence('claims', T0, deps);
  assert.equal(await nextSequence('claims', T0 - DAY, deps), first + 1);
  const broken = { listFolders: async () => { throw new Error('a bug'); } } as unknown as Lake;
  await assert.rejects(nextSequence('claims', T0, { ...deps, lake: async () => broken }), /a bug/);
});

describe('newestInLake lists two folder levels, on both lakes', () => {
  let s3: TestS3;
  before(async () => { s3 = await startS3(); Object.assign(process.env, s3.env); });
  after(async () => { await s3?.stop(); });

  test('local folder and S3 agree', async () => {
    const lakes: Lake[] = [
      new LocalLake(join(tmp.path, 'both')),
      S3Lake.fromConfig(`s3://${s3.bucket}/pre`, { url: `s3://${s3.bucket}/pre`, endpoint: s3.endpoint } as never),
    ];
    for (const lake of lakes) {
      assert.equal(await newestInLake(lake, 'claims'), 0);
      await putBatch(lake, 'claims', T0 - DAY);
      const newest = await putBatch(lake, 'claims', T0 + 7);
      await putBatch(lake, 'claims', T0 + 3);
      await lake.put('claims/dt=2099-01-01/not-a-batch/x', Buffer.from('x')); // no batch there: the next day down counts
      await lake.put('claimsX/dt=2099-01-01/' + ulid(T0 + 99 * DAY) + '/manifest.json', Buffer.from('{}'));
      assert.equal(await newestInLake(lake, 'claims'), T0 + 7, `${lake.url}: ${newest}`);
      assert.deepEqual(await lake.listFolders('claims/'), ['dt=2026-11-19', 'dt=2026-11-20', 'dt=2099-01-01']);
    }
  });
});
