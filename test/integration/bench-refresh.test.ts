/**
 * Keeps the refresh benchmark (bench/refresh.ts) from rotting: the whole harness at a tiny
 * size on PGlite, as `npm run bench -- refresh` runs it (three stages, three loads, the
 * written rows read back, lookups, the floor). At this size the performance targets are only
 * shown; the exit code says whether every step loaded and each wrote exactly the history and
 * current rows the generator changed. `--engine postgres` differs only in its setup and floor
 * and is left out of the suite (its time budget): `npm run bench -- refresh --engine postgres
 * --rows 20000` runs it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('halo-bench-refresh-test-');
after(() => tmp.cleanup());

function bench(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Its temporary folders and generated files go under the test's folder (--no-cache, TMPDIR).
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', 'refresh', '--no-cache', '--rows', '600', '--per-merchant', '100', '--lookups', '10', '--basket', '3'], {
      cwd: ROOT, env: { ...process.env, TMPDIR: tmp.path, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function assertRan(r: { code: number | null; stdout: string; stderr: string }): void {
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  for (const line of ['history rows, 2 % refresh', 'history rows, no change', 'current rows, first load', 'one barcode, p99', 'the floor']) {
    assert.match(r.stdout, new RegExp(line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), `the report names "${line}"`);
  }
  assert.doesNotMatch(r.stdout.split('\nChecks')[1] ?? '', /^ {2}(history|current) rows.* MISS$/m);
}

test('the refresh benchmark runs on PGlite and its correctness checks hold', { timeout: 180_000 }, async () => {
  assertRan(await bench());
});
