// The README's first command: validates the bundled partner files with the embedded
// defaults (no server, no cloud account) and explains the result. Exit 1 from validate is
// expected here (the fixtures include broken files on purpose); anything else is a failure.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = ['bin/halo-data.js', 'validate', 'fixtures/inventory', 'fixtures/claims', '--config', 'fixtures/inventory/halo-data.config.yaml', '--max-errors', '5'];
console.error(`$ halo-data ${args.slice(1).join(' ')}\n`);
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (r.status !== 0 && r.status !== 1) process.exit(r.status ?? 1);
console.error('\nThe fixtures hold valid and deliberately broken partner files: exit 1 is the expected verdict here.');
