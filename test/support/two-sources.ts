import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/**
 * A project folder with two local sources, `inventory` (the given fixtures, under the names
 * given) then `claims` (a clean claims CSV), and its config: the shape the run tests need when
 * one source must not stop the next.
 */
export function twoSourceProject(dir: string, inventory: Record<string, string>, extra = ''): { dir: string; cfg: string } {
  mkdirSync(join(dir, 'drop/inventory'), { recursive: true });
  mkdirSync(join(dir, 'drop/claims'), { recursive: true });
  for (const [to, fixture] of Object.entries(inventory)) copyFileSync(join(ROOT, 'fixtures', fixture), join(dir, 'drop/inventory', to));
  copyFileSync(join(ROOT, 'fixtures/claims/claims-clean.csv'), join(dir, 'drop/claims/claims-clean.csv'));
  const cfg = join(dir, 'halo-data.config.yaml');
  writeFileSync(cfg, [
    'sources:',
    '  - { name: inventory, type: local, path: ./drop/inventory, paths: ["*.csv"], schema: merchant_inventory, stableAfterSeconds: 0 }',
    '  - { name: claims, type: local, path: ./drop/claims, paths: ["*.csv"], schema: insurance_claim, stableAfterSeconds: 0 }',
    extra, '',
  ].join('\n'));
  return { dir, cfg };
}
