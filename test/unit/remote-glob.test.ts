import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, fixedFolder, walkRemote, limiter, MissingFolderError, type DirEntry, type ListDir } from '../../src/sources/remote-glob.js';
import { ConfigError, exitCodeFor } from '../../src/errors.js';

/** An in-memory remote tree: paths of files ('/a/b.csv'), folders implied; records each listing. */
function tree(files: Record<string, number>, extra: Record<string, DirEntry[]> = {}): { listDir: ListDir; listed: string[]; maxInFlight: () => number } {
  const dirs = new Map<string, Map<string, DirEntry>>();
  const add = (dir: string, e: DirEntry) => {
    if (!dirs.has(dir)) dirs.set(dir, new Map());
    dirs.get(dir)!.set(e.name, e);
  };
  for (const [path, size] of Object.entries(files)) {
    const parts = path.split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const dir = '/' + parts.slice(0, i).join('/');
      const name = parts[i];
      add(dir, i === parts.length - 1 ? { name, kind: 'file', size, mtimeMs: 1000 } : { name, kind: 'dir', size: 0, mtimeMs: 0 });
    }
  }
  for (const [dir, entries] of Object.entries(extra)) for (const e of entries) add(dir, e);
  const listed: string[] = [];
  let inFlight = 0;
  let max = 0;
  return {
    listed,
    maxInFlight: () => max,
    listDir: async (dir) => {
      listed.push(dir);
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      const d = dirs.get(dir);
      return d ? [...d.values()] : null;
    },
  };
}

const walk = (patterns: string[], t: ReturnType<typeof tree>, o: { base?: string; concurrency?: number; skipDirs?: Set<string> } = {}) =>
  walkRemote(patterns.map((p) => compilePattern(p, o.base ?? '/')), t.listDir, o);

describe('compilePattern', () => {
  test('splits into literal, matcher and globstar segments', () => {
    const c = compilePattern('/merchants/*/inbox/**/*.{csv,xls,xlsx}', '/');
    assert.deepEqual(c.segments.map((s) => s.kind), ['literal', 'match', 'literal', 'globstar', 'match']);
    const last = c.segments[4];
    assert.ok(last.kind === 'match' && last.test('stock.xlsx') && last.test('a.csv') && !last.test('a.txt') && !last.test('.hidden.csv'));
  });
  test('a relative pattern starts at the base; . and // are tidied', () => {
    assert.deepEqual(compilePattern('inbox//./*.csv', '/home/halo').segments.slice(0, 3).map((s) => (s.kind === 'literal' ? s.name : s.kind)), ['home', 'halo', 'inbox']);
  });
  test('? and [..] are wildcards; an escaped * is not', () => {
    const c = compilePattern('/M?/[ab].csv/x\\*y', '/');
    assert.deepEqual(c.segments.map((s) => s.kind), ['match', 'match', 'match']);
    const [q, , esc] = c.segments;
    assert.ok(q.kind === 'match' && q.test('M1') && !q.test('M12'));
    assert.ok(esc.kind === 'match' && esc.test('x*y') && !esc.test('xzy'));
  });
  test('refused: a / inside braces, no file part, empty; .. above / stays at / (as a path does)', () => {
    assert.throws(() => compilePattern('/{a/b,c}/*.csv', '/'), (e: unknown) => e instanceof ConfigError && /brace/.test(e.message));
    assert.deepEqual(compilePattern('../../etc/*.csv', '/home').segments[0], { kind: 'literal', name: 'etc' });
    assert.throws(() => compilePattern('/', '/'), ConfigError);
    assert.throws(() => compilePattern('  ', '/'), ConfigError);
  });
});

describe('walkRemote', () => {
  const merchants = {
    '/merchants/M001/inbox/stock.csv': 10,
    '/merchants/M001/inbox/stock.csv.done': 0,
    '/merchants/M002/inbox/stock.xlsx': 20,
    '/merchants/M002/inbox/notes.txt': 5,
    '/merchants/M002/inbox/sub/deep.csv': 7,
    '/merchants/M003/other/x.csv': 1,
    '/merchants/.hidden/inbox/x.csv': 1,
    '/elsewhere/inbox/y.csv': 1,
  };

  test('merchant folders: absolute paths, sorted, .done markers, only reachable folders listed', async () => {
    const t = tree(merchants);
    const files = await walk(['/merchants/*/inbox/*.{csv,xls,xlsx}'], t);
    assert.deepEqual(files, [
      { path: '/merchants/M001/inbox/stock.csv', size: 10, mtimeMs: 1000, doneMarker: true },
      { path: '/merchants/M002/inbox/stock.xlsx', size: 20, mtimeMs: 1000, doneMarker: false },
    ]);
    // '/' and '/merchants/M001' are never listed: literal names are stepped into; a dot-folder is not matched by '*'.
    assert.deepEqual(t.listed.sort(), ['/merchants', '/merchants/M001/inbox', '/merchants/M002/inbox', '/merchants/M003/inbox']);
  });

  test('** reaches any depth (not dot-folders); a literal last segment matches one name', async () => {
    const t = tree(merchants);
    assert.deepEqual((await walk(['/merchants/**/*.csv'], t)).map((f) => f.path), [
      '/merchants/M001/inbox/stock.csv', '/merchants/M002/inbox/sub/deep.csv', '/merchants/M003/other/x.csv',
    ]);
    assert.deepEqual((await walk(['/merchants/M002/inbox/stock.xlsx'], tree(merchants))).map((f) => f.path), ['/merchants/M002/inbox/stock.xlsx']);
    assert.deepEqual((await walk(['/**'], tree({ '/a/b/c.csv': 1, '/d.csv': 1 }))).map((f) => f.path), ['/a/b/c.csv', '/d.csv']);
  });

  test('several patterns: each file once, each folder listed once', async () => {
    const t = tree(merchants);
    const files = await walk(['/merchants/*/inbox/*.csv', '/merchants/M002/inbox/*', '/elsewhere/*/*.csv'], t);
    assert.deepEqual(files.map((f) => f.path), ['/elsewhere/inbox/y.csv', '/merchants/M001/inbox/stock.csv', '/merchants/M002/inbox/notes.txt', '/merchants/M002/inbox/stock.xlsx']);
    assert.equal(new Set(t.listed).size, t.listed.length, `listed twice: ${t.listed.join(', ')}`);
  });

  test('relative patterns from a base', async () => {
    const t = tree({ '/home/halo/inbox/a.csv': 1 });
    assert.deepEqual((await walk(['inbox/*.csv'], t, { base: '/home/halo' })).map((f) => f.path), ['/home/halo/inbox/a.csv']);
  });

  test('a missing fixed folder is an error (exit 2) naming it and the nearest folder that exists; a missing folder below a wildcard is no files', async () => {
    const t = tree({ ...merchants, '/merchants/M009/inbox/empty.txt': 0 });
    await assert.rejects(walk(['/merchants/*/inbox/*.csv', '/srv/sftp/merchantz/*/inbox/*.csv'], t), (e: unknown) => {
      assert.ok(e instanceof MissingFolderError, String(e));
      assert.equal(exitCodeFor(e), 2);
      assert.equal(e.folder, '/srv/sftp/merchantz');
      assert.match(e.message, /the folder \/srv\/sftp\/merchantz does not exist \(path pattern "\/srv\/sftp\/merchantz\/\*\/inbox\/\*\.csv" starts there\)/);
      assert.match(e.hint!, /the nearest folder that exists is \/ \(/);
      return true;
    });
    // A typo deeper down: the nearest existing folder is named.
    await assert.rejects(walk(['/merchants/M001/inbx/*.csv'], tree(merchants)), (e: unknown) => e instanceof MissingFolderError && e.folder === '/merchants/M001/inbx' && /nearest folder that exists is \/merchants\/M001 /.test(e.hint!));
    // A plain file name: its folder is the fixed part.
    await assert.rejects(walk(['/nowhere/stock.csv'], tree(merchants)), MissingFolderError);
    // M003 has no inbox, M009's holds no csv: no files from them, and no error (an empty inbox is normal).
    assert.deepEqual((await walk(['/merchants/M00[39]/inbox/*.csv'], tree({ ...merchants, '/merchants/M009/inbox/empty.txt': 0 }))), []);
    assert.deepEqual(await walk(['/merchants/M009/inbox/*.csv'], tree({ '/merchants/M009/inbox/x.txt': 0 })), []);
  });

  test('fixedFolder: the leading plain names, the file name excluded', () => {
    const f = (p: string) => fixedFolder(compilePattern(p, '/'));
    assert.equal(f('/srv/sftp/merchants/*/inbox/*.csv'), '/srv/sftp/merchants');
    assert.equal(f('/inbox/stock.csv'), '/inbox');
    assert.equal(f('/data/**/x.csv'), '/data');
    assert.equal(f('/*.csv'), '/');
  });

  test('.done files are markers, never files; folders and links are never files', async () => {
    const t = tree({ '/in/a.csv.done': 0, '/in/b.csv': 1, '/in/dir.csv/x': 1 }, { '/in': [{ name: 'link.csv', kind: 'other', size: 0, mtimeMs: 0 }] });
    assert.deepEqual((await walk(['/in/*'], t)).map((f) => f.path), ['/in/b.csv']);
  });

  test('skipDirs (archive/) is entered only when a pattern names it', async () => {
    const files = { '/in/a.csv': 1, '/in/archive/old.csv': 1, '/in/x/archive/old.csv': 1 };
    const skipDirs = new Set(['archive']);
    assert.deepEqual((await walk(['/in/**/*.csv'], tree(files), { skipDirs })).map((f) => f.path), ['/in/a.csv']);
    assert.deepEqual((await walk(['/in/*/*.csv'], tree(files), { skipDirs })).map((f) => f.path), []);
    assert.deepEqual((await walk(['/in/archive/*.csv'], tree(files), { skipDirs })).map((f) => f.path), ['/in/archive/old.csv']);
  });

  test('names a server should not send are never walked into; odd file names are kept for landing to judge', async () => {
    const t = tree({ '/in/ok.csv': 1 }, { '/in': [
      { name: '..', kind: 'dir', size: 0, mtimeMs: 0 },
      { name: 'a/../../etc', kind: 'dir', size: 0, mtimeMs: 0 },
      { name: 'bell\x07.csv', kind: 'file', size: 1, mtimeMs: 0 },
    ] });
    const files = await walk(['/in/**/*.csv'], t);
    assert.deepEqual(files.map((f) => f.path), ['/in/bell\x07.csv', '/in/ok.csv']);
    assert.deepEqual(t.listed, ['/in']);
  });

  test('listings run concurrently, at most `concurrency` at once', async () => {
    const files: Record<string, number> = {};
    for (let i = 0; i < 100; i++) files[`/m/M${String(i).padStart(3, '0')}/inbox/s.csv`] = 1;
    const t = tree(files);
    const found = await walk(['/m/*/inbox/*.csv'], t, { concurrency: 8 });
    assert.equal(found.length, 100);
    assert.equal(t.maxInFlight(), 8);
    assert.equal(t.listed.length, 101);
  });
});

test('limiter: never more than the limit running, all run, in order of arrival', async () => {
  const limit = limiter(3);
  let running = 0;
  let max = 0;
  const order: number[] = [];
  await Promise.all(Array.from({ length: 20 }, (_, i) => limit(async () => {
    running++;
    max = Math.max(max, running);
    order.push(i);
    await new Promise((r) => setTimeout(r, 1));
    running--;
  })));
  assert.equal(max, 3);
  assert.deepEqual(order, Array.from({ length: 20 }, (_, i) => i));
});
