/**
 * The package as a user gets it: `npm pack` (npm test has built dist/ first), the tarball
 * installed into a clean folder, and the installed `halo-data` run from there — help,
 * version, validate (CSV inline and through the worker threads, a claim PDF through the PDF
 * worker and the built-in templates), and one `run` on the embedded defaults. The tarball
 * must carry everything bin/halo-data.js reaches and nothing else: no sources, tests,
 * fixtures, source maps or local state.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ROOT, assertNoPersonalData } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('halo-data-pack-');
after(() => tmp.cleanup());

const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; private?: boolean; dependencies: Record<string, string> };
const PACK_DIR = join(tmp.path, 'pack');
const APP = join(tmp.path, 'app');
const INSTALLED = join(APP, 'node_modules', PKG.name);
const INSTALL_TIMEOUT = 5 * 60_000;

/**
 * npm as the test runner's npm ran us (npm_execpath), else the one on PATH. Its children get
 * an environment without the npm_* variables of the `npm test` that started this file:
 * npm_config_local_prefix=<repo> among them would point the install back at the repository.
 */
const NPM: [string, string[]] = process.env.npm_execpath?.endsWith('.js') ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', npm_config_update_notifier: 'false' };
};

function npm(args: string[], cwd: string, timeout: number): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(NPM[0], [...NPM[1], ...args], { cwd, env: cleanEnv(), input: '', encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The installed CLI, through node_modules/.bin as a user's shell would find it, with no stdin. */
function installedCli(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(join(APP, 'node_modules', '.bin', 'halo-data'), args, {
    cwd: APP, env: { ...cleanEnv(), ...env }, input: '', encoding: 'utf8', timeout: 180_000, maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? (r.signal ? 128 : -1), stdout: r.stdout, stderr: r.stderr };
}

interface PackResult { filename: string; size: number; unpackedSize: number; entryCount: number; files: Array<{ path: string; size: number }> }
let packed: PackResult;
let tarball: string;
const seconds: Record<string, number> = {};

before(() => {
  mkdirSync(PACK_DIR, { recursive: true });
  mkdirSync(APP, { recursive: true });
  // dist/ is built by npm test; --ignore-scripts keeps prepack from rebuilding it under the
  // other test files running meanwhile.
  let t = performance.now();
  const p = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', PACK_DIR], ROOT, 120_000);
  seconds.pack = (performance.now() - t) / 1000;
  assert.equal(p.code, 0, `npm pack failed (private: true must not stop it): ${p.stderr}`);
  packed = (JSON.parse(p.stdout.slice(p.stdout.indexOf('['))) as PackResult[])[0];
  tarball = join(PACK_DIR, packed.filename);
  assert.ok(existsSync(tarball), `the tarball ${packed.filename} is in the pack folder`);

  writeFileSync(join(APP, 'package.json'), JSON.stringify({ name: 'halo-data-pack-check', version: '1.0.0', private: true }, null, 2) + '\n');
  t = performance.now();
  const i = npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], APP, INSTALL_TIMEOUT);
  seconds.install = (performance.now() - t) / 1000;
  assert.equal(i.code, 0, `npm install of the tarball failed: ${i.stderr.slice(-2000)}`);
}, { timeout: INSTALL_TIMEOUT + 180_000 });

describe('the tarball', () => {
  test('holds bin, dist, README.md and package.json, and nothing else', (t) => {
    t.diagnostic(`${packed.filename}: ${packed.entryCount} files, ${packed.size} bytes (${packed.unpackedSize} unpacked); pack ${seconds.pack.toFixed(1)} s, install ${seconds.install.toFixed(1)} s`);
    const paths = packed.files.map((f) => f.path);
    assert.equal(paths.length, packed.entryCount);
    for (const must of ['package.json', 'README.md', 'bin/halo-data.js', 'dist/cli.js', 'dist/util/interrupt.js', 'dist/files/csv-worker.js', 'dist/files/pdf-worker.js', 'dist/assets/pglite-empty-cluster.tar.gz', 'dist/assets/pglite-empty-cluster.json']) {
      assert.ok(paths.includes(must), `the tarball has ${must}`);
    }
    const outside = paths.filter((p) => !(p.startsWith('bin/') || p.startsWith('dist/') || p === 'package.json' || p === 'README.md'));
    assert.deepEqual(outside, [], 'files outside bin/, dist/, package.json and README.md');
    const unwanted = paths.filter((p) => /(^|\/)(src|test|fixtures|bench|scripts|node_modules|\.halo-data|\.ci|\.git)\//.test(p) || /\.(map|ts|tgz|env)$/.test(p) || /(^|\/)\.npmrc$/.test(p));
    assert.deepEqual(unwanted, [], 'no sources, tests, fixtures, source maps, local state or config');
    // The empty PGlite cluster (already gzipped, ~4.5 MB) is the one large file; the rest stays small.
    const cluster = packed.files.find((f) => f.path === 'dist/assets/pglite-empty-cluster.tar.gz')!.size;
    assert.ok(cluster < 8 * 1024 * 1024, `the empty cluster is ${cluster} bytes`);
    assert.ok(packed.size - cluster < 5 * 1024 * 1024, `the tarball stays small (${packed.size} bytes, ${cluster} of them the empty cluster)`);
  });

  test('carries every compiled module and the built-in claim templates', () => {
    const paths = new Set(packed.files.map((f) => f.path));
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
    const built = walk(join(ROOT, 'dist')).map((f) => relative(ROOT, f).split(sep).join('/')).filter((f) => !f.endsWith('.map'));
    const missing = built.filter((f) => !paths.has(f));
    assert.deepEqual(missing, [], 'dist/ files left out of the tarball');
    const templates = readdirSync(join(ROOT, 'src/documents/templates/builtin')).filter((f) => /\.ya?ml$/.test(f));
    assert.ok(templates.length >= 3);
    for (const f of templates) assert.ok(paths.has(`dist/documents/templates/builtin/${f}`), `template ${f} is packed`);
  });

  test('every import of the package resolves inside it or to one of its dependencies', () => {
    assert.ok(!realpathSync(INSTALLED).startsWith(realpathSync(ROOT)), 'installed as a copy, not a link to the repository');
    const deps = new Set(Object.keys(PKG.dependencies));
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    let relativeImports = 0;
    const files = packed.files.map((f) => f.path).filter((p) => p.endsWith('.js'));
    for (const file of files) {
      const text = readFileSync(join(INSTALLED, file), 'utf8');
      const specs = [...text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)]
        .map((m) => m[1] ?? m[2] ?? m[3]);
      for (const spec of specs) {
        if (spec.startsWith('.')) {
          relativeImports++;
          if (!existsSync(resolve(dirname(join(INSTALLED, file)), spec))) problems.push(`${file}: ${spec} is not in the package`);
        } else if (spec.startsWith('node:') || builtins.has(spec)) {
          continue;
        } else {
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
          if (!deps.has(name)) problems.push(`${file}: imports ${name}, which is not in dependencies`);
        }
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(relativeImports > 100, `the import scan found the package's own imports (${relativeImports})`);
  });

  test('no personal value of the fixtures is in any packed file', () => {
    for (const f of packed.files) assertNoPersonalData(readFileSync(join(INSTALLED, f.path), 'latin1'), `packed ${f.path}`);
  });

  test('package.json is the repository\'s (private: true packs all the same)', () => {
    const installed = JSON.parse(readFileSync(join(INSTALLED, 'package.json'), 'utf8')) as typeof PKG;
    assert.equal(installed.version, PKG.version);
    assert.equal(installed.private, true);
    assert.deepEqual(installed.dependencies, PKG.dependencies);
  });
});

describe('the installed halo-data', () => {
  test('--version prints package.json\'s version', () => {
    const r = installedCli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), PKG.version);
  });

  test('--help lists the commands', () => {
    const r = installedCli(['--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const c of ['validate', 'stage', 'batches', 'fetch', 'run', 'doctor', 'init', 'load', 'merge', 'replay', 'warehouse', 'schemas']) {
      assert.match(r.stdout, new RegExp(`^\\s+${c}\\b`, 'm'), `--help lists ${c}`);
    }
  });

  test('validate reads a CSV (inline and across worker threads) with --json', () => {
    copyFileSync(join(ROOT, 'fixtures/inventory/clean-comma.csv'), join(APP, 'clean-comma.csv'));
    const small = installedCli(['validate', 'clean-comma.csv', '--json']);
    assert.equal(small.code, 0, small.stderr);
    const report = JSON.parse(small.stdout);
    assert.equal(report.valid, true);
    assert.equal(report.files[0].schema, 'merchant_inventory');
    assert.ok(report.files[0].rows > 0);

    // Larger than one chunk (~4 MB): parsed in dist/files/csv-worker.js of the package.
    const lines = ['merchant_id,sku,nama_produk,harga,stok'];
    for (let i = 0; i < 120_000; i++) lines.push(`M0001,SKU-${String(i).padStart(7, '0')},Paracetamol 500 mg tablet strip isi 10 no ${i},12.500,${i % 97}`);
    writeFileSync(join(APP, 'large.csv'), lines.join('\n') + '\n');
    assert.ok(statSync(join(APP, 'large.csv')).size > 6 * 1024 * 1024);
    const large = installedCli(['validate', 'large.csv', '--json', '--threads', '2']);
    assert.equal(large.code, 0, large.stderr);
    const big = JSON.parse(large.stdout);
    assert.equal(big.files[0].rows, 120_000);
    assert.equal(big.files[0].validRows, 120_000);
  });

  test('validate reads a claim PDF with a built-in template (the PDF worker and the templates are packed)', () => {
    copyFileSync(join(ROOT, 'fixtures/claims-pdf/rs-harapan-sehat-1.pdf'), join(APP, 'claim.pdf'));
    const r = installedCli(['validate', 'claim.pdf', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.files[0].schema, 'claim_pdf');
    assert.equal(report.files[0].template, 'rs-harapan-sehat');
    assert.equal(report.files[0].validRows, 1);
    assertNoPersonalData(r.stdout + r.stderr, 'validate claim.pdf');
    const shown = installedCli(['schemas', 'show', 'claim_pdf', '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    for (const name of ['rs-harapan-sehat', 'klinik-medika', 'rsu-bunda-mulia']) assert.ok(shown.stdout.includes(name), `schemas show claim_pdf names ${name}`);
  });

  test('run on the embedded defaults: fetch, stage, load into PGlite, then a query', () => {
    const inbox = join(APP, '.halo-data', 'inbox');
    mkdirSync(inbox, { recursive: true });
    copyFileSync(join(ROOT, 'fixtures/inventory/clean-comma.csv'), join(inbox, 'stok.csv'));
    writeFileSync(join(inbox, 'stok.csv.done'), '');
    const run = installedCli(['run', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.sources[0].loaded.length, 1);
    const q = installedCli(['warehouse', 'query', 'SELECT COUNT(*) AS n FROM halo.fact_inventory_current', '--json']);
    assert.equal(q.code, 0, q.stderr);
    assert.ok(Number(JSON.parse(q.stdout)[0].n) > 0);
  });
});
