/**
 * A full disk (ENOSPC) or quota (EDQUOT) where halo-data writes — the local lake, the batch
 * build folder (TMPDIR), the landing folder — is a `disk-full` error naming the folder and
 * what was kept, exit 1, and nothing half-written is left: no temporary lake object, no build
 * folder, no partial download. The disk is "filled" by test/support/full-disk.mjs, loaded
 * into the CLI, which fails the write streams opened under a prefix as the kernel would.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { LocalLake } from '../../src/lake/local.js';
import { DiskFullError, asDiskFull, exitCodeFor } from '../../src/errors.js';

const tmp = tempDir();
after(() => tmp.cleanup());

const FULL_DISK = new URL('../support/full-disk.mjs', import.meta.url).href;
const FIXTURE = join(ROOT, 'fixtures/inventory/clean-comma.csv');
/** The files under a folder (not the folders), relative to it. */
const files = (dir: string): string[] => (existsSync(dir)
  ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
  : []);

function project(name: string): { dir: string; cfg: string; lake: string; tmpdir: string; cli: (args: string[], full?: string, env?: Record<string, string>) => ReturnType<typeof runCli> } {
  const dir = join(tmp.path, name);
  const tmpdir = join(dir, 'tmp');
  mkdirSync(join(dir, 'drop'), { recursive: true });
  mkdirSync(tmpdir);
  copyFileSync(FIXTURE, join(dir, 'drop', 'stok.csv'));
  const cfg = join(dir, 'halo-data.config.yaml');
  writeFileSync(cfg, 'sources:\n  - { name: shop, type: local, path: ./drop, schema: merchant_inventory, stableAfterSeconds: 0 }\n');
  return {
    dir, cfg, lake: join(dir, '.halo-data/lake'), tmpdir,
    cli: (args, full, env = {}) => runCli([...args, '--config', cfg], {
      cwd: dir, env: { TMPDIR: tmpdir, ...(full ? { NODE_OPTIONS: `--import ${FULL_DISK}`, HALO_TEST_FULL_DISK: full } : {}), ...env },
    }),
  };
}

describe('a full disk is a disk-full error naming the folder and what was kept', () => {
  test('the lake: stage exits 1, the batch stays incomplete, no temporary object, no build folder', () => {
    const p = project('lake');
    const r = p.cli(['stage', join(p.dir, 'drop/stok.csv'), '--schema', 'merchant_inventory'], p.lake, { HALO_TEST_FULL_DISK_AFTER: '100' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`error: no space left on the disk of ${p.lake} \\(ENOSPC\\): the lake object \\S+/raw/stok\\.csv was not written \\(its temporary file is removed\\); batch \\w{26} is incomplete in the lake \\(no manifest: nothing loads it, staging the files again rewrites it\\); its build folder is removed`));
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.deepEqual(files(p.lake).filter((f) => /\.tmp-|manifest\.json$/.test(f)), []);
    assert.deepEqual(files(p.tmpdir), []);
  });

  test('the build folder (TMPDIR): stage exits 1, nothing put into the lake', () => {
    const p = project('build');
    const r = p.cli(['stage', join(p.dir, 'drop/stok.csv'), '--schema', 'merchant_inventory'], join(p.tmpdir, 'halo-batch-'));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`error: no space left on the disk of ${p.tmpdir} \\(batch build folders: TMPDIR\\) \\(ENOSPC\\): nothing of batch \\w{26} was put into the lake; its build folder is removed`));
    assert.deepEqual(files(p.tmpdir), []);
    assert.deepEqual(files(p.lake), []);
  });

  test('the landing folder (over quota): run exits 1 with code disk-full, no partial download; the next run loads it', () => {
    const p = project('landing');
    const landing = join(p.dir, '.halo-data/landing');
    const r = p.cli(['run', '--json'], landing, { HALO_TEST_FULL_DISK_CODE: 'EDQUOT', HALO_TEST_FULL_DISK_AFTER: '64' });
    assert.equal(r.code, 1, r.stderr);
    const error = JSON.parse(r.stdout).sources[0].error;
    assert.equal(error.code, 'disk-full');
    assert.equal(error.message, `no space left on the disk of ${join(landing, 'shop')} (EDQUOT: over the disk quota): stok.csv was not landed (its partial download is removed); files landed before it are kept, and the next fetch takes the rest`);
    assert.deepEqual(files(landing).filter((f) => /\.part-/.test(f)), []);
    const again = p.cli(['run', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(JSON.parse(again.stdout).sources[0].rowsLoaded > 0);
  });
});

describe('asDiskFull', () => {
  test('ENOSPC and EDQUOT become DiskFullError (exit 1); other errors pass unchanged', () => {
    const errno = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['ENOSPC', 'EDQUOT']) {
      const e = asDiskFull(errno(code), '/data/lake', 'kept nothing');
      assert.ok(e instanceof DiskFullError && e.code === 'disk-full' && e.folder === '/data/lake');
      assert.equal(exitCodeFor(e), 1);
    }
    const other = errno('EACCES');
    assert.equal(asDiskFull(other, '/x', 'y'), other);
  });

  test('LocalLake.put on a full disk removes its temporary file', async () => {
    const root = join(tmp.path, 'unit-lake');
    const { failWritesUnder } = await import(FULL_DISK) as { failWritesUnder: (prefix: string, after?: number) => () => void };
    const undo = failWritesUnder(root, 10);
    try {
      await assert.rejects(new LocalLake(root).put('a/b.bin', Buffer.alloc(1000)), (e: unknown) => e instanceof DiskFullError && /a\/b\.bin was not written/.test((e as Error).message));
    } finally {
      undo();
    }
    assert.deepEqual(files(root).filter((f) => f.includes('.tmp-')), []);
  });
});
