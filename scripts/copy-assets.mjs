// The build copies what tsc does not: the built-in claim templates (YAML) beside their module;
// and it makes the empty PGlite cluster that new embedded warehouses are unpacked from
// (dist/warehouse/pglite-snapshot.js says why; kept when the installed PGlite made it).
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../src/documents/templates/builtin/', import.meta.url));
const to = fileURLToPath(new URL('../dist/documents/templates/builtin/', import.meta.url));
cpSync(from, to, { recursive: true });

const { writeEmptyClusterSnapshot } = await import('../dist/warehouse/pglite-snapshot.js');
const started = Date.now();
const what = await writeEmptyClusterSnapshot();
if (what === 'written') console.log(`empty PGlite cluster for new warehouses written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
