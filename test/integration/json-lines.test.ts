/**
 * Issue 15 item 7: with --log-format json every line `run` (and stage, load, fetch) writes,
 * on stdout and stderr, is one JSON object, its result a final event with the facts --json
 * has; errors are JSON events too (no stack without --verbose). And `run --json` prints a
 * document saying why when it could not run (the lock held, a config error) or was
 * interrupted, where it printed nothing before.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, spawnCli, ROOT, type CliRun } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir();
after(() => tmp.cleanup());
const ENV = { HALO_DATA_MEMBER_KEY: 'test-member-key' };

function project(name: string, withBad = false): { dir: string; cfg: string } {
  const dir = join(tmp.path, name);
  mkdirSync(join(dir, 'drop'), { recursive: true });
  for (const f of ['clean-comma.csv', 'pipe-delimited.csv']) copyFileSync(join(ROOT, 'fixtures/inventory', f), join(dir, 'drop', f));
  if (withBad) copyFileSync(join(ROOT, 'fixtures/inventory/binary-renamed.csv'), join(dir, 'drop/binary-renamed.csv'));
  const cfg = join(dir, 'halo-data.config.yaml');
  writeFileSync(cfg, 'sources:\n  - { name: inventory, type: local, path: ./drop, paths: ["*.csv"], schema: merchant_inventory, stableAfterSeconds: 0 }\n');
  return { dir, cfg };
}

type Event = Record<string, any> & { time: string; level: string; msg: string };

/** Every line of both streams, parsed: a line that is not one JSON object fails the test. */
function events(r: CliRun): { out: Event[]; err: Event[] } {
  const parse = (text: string, stream: string) => text.split('\n').filter((l) => l !== '').map((l) => {
    let v: unknown;
    try { v = JSON.parse(l); } catch { assert.fail(`a ${stream} line is not JSON: ${l}`); }
    assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `a ${stream} line is not a JSON object: ${l}`);
    const e = v as Event;
    assert.equal(typeof e.time, 'string', l);
    assert.equal(typeof e.level, 'string', l);
    assert.equal(typeof e.msg, 'string', l);
    return e;
  });
  return { out: parse(r.stdout, 'stdout'), err: parse(r.stderr, 'stderr') };
}

const run = (p: { dir: string; cfg: string }, ...a: string[]) => runCli(['run', '--config', p.cfg, ...a], { env: ENV, cwd: p.dir });

describe('run --log-format json: every line is a JSON object', () => {
  test('a run that loads: its summary is the last event, with the facts of run --json', () => {
    const p = project('ok');
    const r = run(p, '--log-format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const { out, err } = events(r);
    assert.equal(out.length, 1, r.stdout);
    const done = out[0];
    assert.equal(done.msg, 'run finished');
    assert.equal(done.level, 'info');
    assert.equal(done.ok, true);
    assert.equal(done.exitCode, 0);
    assert.equal(done.sources[0].source, 'inventory');
    assert.equal(done.sources[0].staged.length, 1);
    assert.ok(done.sources[0].rowsLoaded > 0);
    assert.ok(err.some((e) => e.msg === 'batch loaded'), r.stderr);
    // Not said twice (stderr's 'run finished' is the stdout event).
    assert.ok(!err.some((e) => e.msg === 'run finished'));
    // The cron line: --quiet leaves the errors and the one summary event.
    const q = run(p, '--quiet', '--log-format', 'json');
    assert.equal(q.code, 0, q.stderr);
    const quiet = events(q);
    assert.deepEqual(quiet.err, []);
    assert.deepEqual(quiet.out.map((e) => e.msg), ['run finished']);
  });

  test('a run with a refused file: exit 1, the file named in the final event, every line JSON', () => {
    const p = project('refused', true);
    const r = run(p, '--log-format', 'json');
    assert.equal(r.code, 1, r.stderr);
    const { out, err } = events(r);
    const done = out.at(-1)!;
    assert.equal(done.msg, 'run finished');
    assert.equal(done.level, 'error');
    assert.equal(done.exitCode, 1);
    assert.deepEqual(done.sources[0].left.map((l: { path: string }) => l.path.split('/').at(-1)), ['binary-renamed.csv']);
    assert.ok(err.some((e) => e.msg === 'file left out' && e.level === 'warn'), r.stderr);
  });

  test('a config error: a JSON error event (no stack without --verbose), and a result event on stdout; exit 2', () => {
    const p = project('bad-config');
    writeFileSync(p.cfg, 'sources:\n  - { name: inventory, type: nosuchtype, path: ./drop }\n');
    const r = run(p, '--log-format', 'json');
    assert.equal(r.code, 2, r.stderr);
    const { out, err } = events(r);
    assert.equal(err.length, 1, r.stderr);
    assert.equal(err[0].level, 'error');
    assert.equal(err[0].code, 'config-error');
    assert.equal(err[0].exitCode, 2);
    assert.equal(err[0].stack, undefined);
    assert.deepEqual(out.map((e) => [e.msg, e.exitCode, e.error.code]), [['run failed', 2, 'config-error']]);
    const v = run(p, '--log-format', 'json', '--verbose');
    assert.equal(typeof events(v).err.at(-1)!.stack, 'string');
    // run --json: the same, as a document.
    const j = run(p, '--json');
    assert.equal(j.code, 2);
    const doc = JSON.parse(j.stdout);
    assert.deepEqual([doc.ok, doc.exitCode, doc.error.code], [false, 2, 'config-error']);
  });

  test('a usage error is one JSON event too', () => {
    const r = runCli(['run', '--no-such-option', '--log-format', 'json']);
    assert.equal(r.code, 2);
    const { out, err } = events(r);
    assert.deepEqual(out, []);
    assert.equal(err.length, 1, r.stderr);
    assert.match(err[0].error, /unknown option '--no-such-option'/);
  });
});

describe('a run that cannot run or is stopped still says so', () => {
  const stall = (p: { dir: string }, point: string) => {
    const file = join(p.dir, `release-${point.replace(/:/g, '-')}`);
    return { env: { ...ENV, HALO_DATA_STALLPOINT: `${point}:60000:${file}` }, release: () => writeFileSync(file, '') };
  };
  const until = async (ok: () => boolean, what: string) => {
    const deadline = Date.now() + 60_000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  test('the run lock held: run --json prints why (run-locked), run --log-format json too', async () => {
    const p = project('locked');
    const hold = stall(p, 'run:before-stage');
    const first = spawnCli(['run', '--config', p.cfg], { env: hold.env, cwd: p.dir });
    try {
      await until(() => existsSync(join(p.dir, '.halo-data/run.lock')), 'the first run to take the lock');
      const j = run(p, '--json');
      assert.equal(j.code, 1, j.stderr);
      const doc = JSON.parse(j.stdout);
      assert.deepEqual([doc.ok, doc.exitCode, doc.error.code, doc.sources], [false, 1, 'run-locked', []]);
      assert.match(doc.error.message, /run lock/);
      const l = run(p, '--log-format', 'json');
      assert.equal(l.code, 1);
      const { out, err } = events(l);
      assert.deepEqual(out.map((e) => [e.msg, e.error.code]), [['run failed', 'run-locked']]);
      assert.deepEqual(err.map((e) => e.code), ['run-locked']);
    } finally {
      hold.release();
    }
    assert.equal((await first.done).code, 0);
  });

  test('interrupted (SIGTERM): run --json prints a document saying so, with what it had finished; exit 143', async () => {
    for (const flags of [['--json'], ['--log-format', 'json']]) {
      const p = project(`stopped${flags.length}`);
      const hold = stall(p, 'run:before-stage');
      const r = spawnCli(['run', '--config', p.cfg, ...flags], { env: hold.env, cwd: p.dir });
      await until(() => existsSync(join(p.dir, '.halo-data/run.lock')), 'the run to start');
      // The stall blocks the main thread: the signal is handled when it ends.
      r.child.kill('SIGTERM');
      hold.release();
      const done = await r.done;
      assert.equal(done.code, 143, done.stderr);
      if (flags[0] === '--json') {
        const doc = JSON.parse(done.stdout);
        assert.deepEqual([doc.ok, doc.exitCode, doc.error.code], [false, 143, 'interrupted']);
        assert.match(doc.error.message, /terminated \(SIGTERM\)/);
      } else {
        const { out, err } = events(done);
        assert.deepEqual(out.map((e) => [e.msg, e.exitCode]), [['run interrupted', 143]]);
        assert.ok(err.some((e) => e.msg === 'terminated' && e.exitCode === 143), done.stderr);
      }
    }
  });
});

describe('stage, load and fetch under --log-format json', () => {
  test('their results are one JSON event each', () => {
    const p = project('others');
    writeFileSync(p.cfg, `lake: { url: ${JSON.stringify(join(p.dir, 'lake'))} }\nwarehouse: { engine: pglite, path: ${JSON.stringify(join(p.dir, 'wh'))} }\n`
      + 'sources:\n  - { name: inventory, type: local, path: ./drop, paths: ["*.csv"], schema: merchant_inventory, stableAfterSeconds: 0 }\n');
    const cli = (...a: string[]) => runCli([...a, '--config', p.cfg, '--log-format', 'json'], { env: ENV, cwd: p.dir });
    const s = cli('stage', join(p.dir, 'drop/clean-comma.csv'), '--schema', 'merchant_inventory');
    assert.equal(s.code, 0, s.stderr);
    const staged = events(s).out;
    assert.deepEqual(staged.map((e) => e.msg), ['batch staged']);
    const l = cli('load', staged[0].batchId);
    assert.equal(l.code, 0, l.stderr);
    assert.deepEqual(events(l).out.map((e) => [e.msg, e.batches[0].status]), [['load finished', 'loaded']]);
    const f = cli('fetch', '--dry-run');
    assert.equal(f.code, 0, f.stderr);
    assert.deepEqual(events(f).out.map((e) => [e.msg, e.sources[0].fetched.length]), [['fetch finished', 2]]);
  });
});
