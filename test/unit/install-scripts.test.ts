/**
 * npm 11.16+ warns on `npm ci` about dependencies whose install scripts package.json's
 * `allowScripts` does not cover, and skips such scripts by default (issue 15, item 12). Every
 * package of the lockfile that has one must be decided there, so `npm ci` stays quiet and a
 * new dependency with a script is a decision, not a surprise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { allowScripts?: Record<string, boolean> };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { hasInstallScript?: boolean; version?: string }>;
};

/** The package name of a lockfile key such as node_modules/a/node_modules/@s/b. */
function nameOf(key: string): string {
  return key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

test('every dependency with an install script is allowed or denied in package.json allowScripts', () => {
  const withScripts = Object.entries(lock.packages).filter(([k, v]) => k !== '' && v.hasInstallScript).map(([k]) => nameOf(k));
  const policy = pkg.allowScripts ?? {};
  // Name-only entries: a version bump needs no new review unless the package is new.
  const decided = new Set(Object.keys(policy).map((k) => k.replace(/(?<=.)@.*$/, '')));
  const undecided = withScripts.filter((n) => !decided.has(n));
  assert.deepEqual(undecided, [], `add these to allowScripts in package.json (and README's note on install scripts): ${undecided.join(', ')}`);
  const stale = [...decided].filter((n) => !withScripts.includes(n));
  assert.deepEqual(stale, [], 'allowScripts names no package that has no install script any more');
});

test("esbuild's postinstall runs (tsx needs its binary); the optional native builds of ssh2 are not attempted", () => {
  assert.equal(pkg.allowScripts?.esbuild, true);
  assert.equal(pkg.allowScripts?.ssh2, false);
  assert.equal(pkg.allowScripts?.['cpu-features'], false);
});
