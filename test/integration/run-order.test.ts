/**
 * Batches of one source are ordered by a sequence that never goes backwards, whatever the
 * host clock says (issue 14 item 10). The clock is moved through HALO_DATA_NOW, the CLI's
 * test seam for the host time (src/util/clock.ts); the machine's clock is never touched.
 * End to end on the embedded warehouse: a claim correction fetched with the clock set back a
 * day still wins; a one-off `stage` after the clock went forward and back continues after
 * the forward batch; a host with no local state beside a lake that has batches continues
 * after them.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTime } from 'ulid';
import { runCli, ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('halo-run-order-');
after(() => tmp.cleanup());
const ENV = { HALO_DATA_MEMBER_KEY: 'test-member-key' };
const DAY = 24 * 3600_000;
const REAL_NOW = Date.now();
const CLEAN = readFileSync(join(ROOT, 'fixtures/claims/claims-clean.csv'), 'utf8');
// The same file, with claim CLM-2026-000101's approved amount corrected (14.200.000 → 14.000.000).
const CORRECTED = CLEAN.replace('15.750.000,14.200.000', '15.750.000,14.000.000');

function project(name: string): { dir: string; cfg: string; drop: string } {
  const dir = join(tmp.path, name);
  const drop = join(dir, 'drop');
  mkdirSync(drop, { recursive: true });
  const cfg = join(dir, 'halo-data.config.yaml');
  writeFileSync(cfg, 'sources:\n  - { name: claims, type: local, path: ./drop, schema: insurance_claim, stableAfterSeconds: 0 }\n');
  return { dir, cfg, drop };
}

/** Writes the claims file with an mtime well in the past of every clock the tests use. */
function drop(p: { drop: string }, text: string, mtime: number): void {
  writeFileSync(join(p.drop, 'claims.csv'), text);
  utimesSync(join(p.drop, 'claims.csv'), new Date(mtime), new Date(mtime));
}

const cli = (p: { dir: string; cfg: string }, now: number, ...args: string[]) =>
  runCli([...args, '--config', p.cfg], { cwd: p.dir, env: { ...ENV, HALO_DATA_NOW: String(now) } });

function approved(p: { dir: string; cfg: string }): string {
  const r = cli(p, REAL_NOW, 'warehouse', 'query', "SELECT approved_amount FROM halo.fact_claim WHERE claim_id = 'CLM-2026-000101'", '--json');
  assert.equal(r.code, 0, r.stderr);
  return String(JSON.parse(r.stdout)[0].approved_amount);
}

function lakeBatches(p: { dir: string }, source: string): string[] {
  const root = join(p.dir, '.halo-data/lake', source);
  return readdirSync(root).flatMap((dt) => readdirSync(join(root, dt))).sort();
}

describe('batch order does not come from the host clock alone', () => {
  const p = project('run');

  test('with the clock set back a day, a claim correction fetched by run still wins', () => {
    drop(p, CLEAN, REAL_NOW - 3 * DAY);
    const first = cli(p, REAL_NOW, 'run', '--json');
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(approved(p), /^14200000(\.00?)?$/);
    drop(p, CORRECTED, REAL_NOW - 3 * DAY + 60_000);
    const second = cli(p, REAL_NOW - DAY, 'run', '--json');
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const [s] = JSON.parse(second.stdout).sources;
    assert.equal(s.loaded.length, 1);
    assert.match(approved(p), /^14000000(\.00?)?$/, 'the correction is what the warehouse holds');
    const [a, b] = lakeBatches(p, 'claims');
    assert.ok(b > a && decodeTime(b) > decodeTime(a), `${b} after ${a}`);
    const dt = readdirSync(join(p.dir, '.halo-data/lake/claims')).sort().pop()!;
    const manifest = JSON.parse(readFileSync(join(p.dir, '.halo-data/lake/claims', dt, b, 'manifest.json'), 'utf8'));
    assert.equal(manifest.sequence, decodeTime(b));
  });

  test('no local state beside a lake that has batches: the next batch continues after them', () => {
    // A new bastion host: the same lake and warehouse, no state, no landing folder.
    rmSync(join(p.dir, '.halo-data/state'), { recursive: true, force: true });
    rmSync(join(p.dir, '.halo-data/landing'), { recursive: true, force: true });
    const before = lakeBatches(p, 'claims');
    drop(p, CLEAN, REAL_NOW - 3 * DAY + 120_000); // the correction withdrawn: the original value again
    const r = cli(p, REAL_NOW - 2 * DAY, 'run', '--json');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const after = lakeBatches(p, 'claims');
    assert.equal(after.length, before.length + 1);
    assert.equal(after[after.length - 1] > before[before.length - 1], true);
    assert.match(approved(p), /^14200000(\.00?)?$/);
  });
});

describe('a one-off stage takes its source\'s next number', () => {
  test('clock forward, then back: ids never go backwards, and the later correction wins on load', () => {
    const p = project('stage');
    const original = join(p.dir, 'original.csv');
    const corrected = join(p.dir, 'corrected.csv');
    writeFileSync(original, CLEAN);
    writeFileSync(corrected, CORRECTED);
    const ahead = cli(p, REAL_NOW + 30 * DAY, 'stage', original, '--schema', 'insurance_claim', '--source', 'claims');
    assert.equal(ahead.code, 0, ahead.stderr);
    const back = cli(p, REAL_NOW, 'stage', corrected, '--schema', 'insurance_claim', '--source', 'claims');
    assert.equal(back.code, 0, back.stderr);
    const [id1, id2] = [ahead.stdout.trim(), back.stdout.trim()];
    assert.ok(id2 > id1, `${id2} after ${id1}`);
    assert.ok(decodeTime(id2) > REAL_NOW + 30 * DAY - 1, 'continues after the forward batch');
    for (const id of [id1, id2]) assert.equal(cli(p, REAL_NOW, 'load', id).code, 0);
    assert.match(approved(p), /^14000000(\.00?)?$/);
  });
});
