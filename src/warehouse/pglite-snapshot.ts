import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

/**
 * A new embedded warehouse costs PGlite's initdb: a second wasm instance that builds the
 * cluster's catalogs (5-10 s, ~0.9 GiB). Every new warehouse's cluster is the same bytes, so
 * the build makes one empty cluster (`npm run build`, scripts/copy-assets.mjs), PGlite dumps
 * it as a tarball (`dumpDataDir`), and a new warehouse is unpacked from it (`loadDataDir`):
 * about 3× faster. It is made by the PGlite that is installed and used only by that same
 * version (the sidecar names it): after an upgrade without a rebuild, or in a checkout never
 * built, a new warehouse simply runs initdb as before. Nothing is downloaded.
 */
const ASSETS = fileURLToPath(new URL('../../dist/assets/', import.meta.url));
export const SNAPSHOT_FILE = join(ASSETS, 'pglite-empty-cluster.tar.gz');
const SIDECAR_FILE = join(ASSETS, 'pglite-empty-cluster.json');

/** The installed PGlite's version, from its package.json (its exports hide that path). */
export function installedPgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
  }
  throw new Error('cannot find the installed @electric-sql/pglite package.json');
}

function snapshotVersion(): string | null {
  try {
    return (JSON.parse(readFileSync(SIDECAR_FILE, 'utf8')) as { pglite?: string }).pglite ?? null;
  } catch {
    return null;
  }
}

/** The empty cluster to unpack into a new warehouse folder, or undefined to run initdb. */
export function emptyClusterSnapshot(): Blob | undefined {
  if (!existsSync(SNAPSHOT_FILE) || snapshotVersion() !== installedPgliteVersion()) return undefined;
  return new Blob([readFileSync(SNAPSHOT_FILE)]);
}

/**
 * Writes the snapshot (build time). Kept when one of the installed version is there already;
 * written under temporary names and renamed, so an interrupted build leaves none or a whole one
 * (the sidecar, renamed last, is what makes it count).
 */
export async function writeEmptyClusterSnapshot(): Promise<'kept' | 'written'> {
  const version = installedPgliteVersion();
  if (existsSync(SNAPSHOT_FILE) && snapshotVersion() === version) return 'kept';
  mkdirSync(ASSETS, { recursive: true });
  const db = await PGlite.create();
  let tarball: Blob;
  try {
    tarball = await db.dumpDataDir('gzip');
  } finally {
    await db.close();
  }
  const tmp = `${SNAPSHOT_FILE}.tmp-${process.pid}`;
  writeFileSync(tmp, Buffer.from(await tarball.arrayBuffer()));
  renameSync(tmp, SNAPSHOT_FILE);
  writeFileSync(`${SIDECAR_FILE}.tmp-${process.pid}`, JSON.stringify({ pglite: version }) + '\n');
  renameSync(`${SIDECAR_FILE}.tmp-${process.pid}`, SIDECAR_FILE);
  return 'written';
}
