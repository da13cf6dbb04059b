// The build copies what tsc does not: the built-in claim templates (YAML) beside their module.
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../src/schemas/claim-templates/', import.meta.url));
const to = fileURLToPath(new URL('../dist/schemas/claim-templates/', import.meta.url));
cpSync(from, to, { recursive: true });
