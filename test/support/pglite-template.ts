import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { openWarehouse } from '../../src/warehouse/open.js';

/**
 * A new embedded warehouse costs PGlite's initdb (5 s on an idle 2-core machine, 15-30 s on a
 * busy one), opening an existing one about 1 s. Tests that need a fresh, empty warehouse per
 * case but do not test its creation copy this one instead: created once per test process by
 * the same code path a command takes (openWarehouse on a folder that does not exist), closed
 * at once, so it holds PGlite's empty cluster and none of halo-data's tables (the command
 * under test still creates its schema). Removed when the test process exits.
 */
let template: Promise<string> | null = null;

function pristine(): Promise<string> {
  return (template ??= (async () => {
    const root = mkdtempSync(join(tmpdir(), 'halo-wh-template-'));
    process.on('exit', () => rmSync(root, { recursive: true, force: true }));
    const folder = join(root, 'warehouse');
    const config = loadConfig({ cwd: root, env: { HALO_DATA_WAREHOUSE_PATH: folder } });
    const wh = await openWarehouse(config);
    await wh.close();
    rmSync(`${folder}.lock`, { force: true }); // the open's lock beside the folder: not copied anyway
    return folder;
  })());
}

/** Puts a copy of the empty embedded warehouse at `folder` (default: a project's default warehouse path). */
export async function seedPglite(projectDir: string, folder = join(projectDir, '.halo-data', 'warehouse')): Promise<void> {
  const from = await pristine();
  mkdirSync(dirname(folder), { recursive: true });
  cpSync(from, folder, { recursive: true });
}
