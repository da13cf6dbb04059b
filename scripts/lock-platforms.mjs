// Run after `npm install` changes package-lock.json.
//
// The package registry reachable here carries only linux builds of DuckDB's native bindings
// (a devDependency, for the benchmark). npm then leaves the other platforms' optional
// packages out of the lockfile, and `npm ci` refuses a lockfile that lacks an optional
// dependency a package declares. This adds the missing entries, marked optional with their
// os/cpu, so npm ci skips them on every other platform exactly as it would with a full lock.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(new URL('../package-lock.json', import.meta.url));
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [key, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const path = `node_modules/${name}`;
    if (packages[path] || packages[`${key}/node_modules/${name}`]) continue;
    const m = /-(darwin|linux|win32)-(x64|arm64)(-musl)?$/.exec(name);
    if (!m) continue;
    packages[path] = {
      version, cpu: [m[2]], dev: entry.dev, license: entry.license, optional: true, os: [m[1]],
      ...(m[1] === 'linux' ? { libc: [m[3] ? 'musl' : 'glibc'] } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: ${added} platform entr${added === 1 ? 'y' : 'ies'} added`);
