// The README's first command until `halo-data run` lands: validates a set of the bundled
// partner files (good ones and broken ones: inventory CSVs, an XLSX, claim listings and
// hospital claim PDFs) with the embedded defaults, no server and no cloud account, then
// explains the verdict. Exit 1 from validate is expected (the broken files are there on
// purpose); anything else fails the demo.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const files = [
  'fixtures/inventory/clean-comma.csv', 'fixtures/inventory/utf8-bom.csv', 'fixtures/inventory/pipe-delimited.csv',
  'fixtures/inventory/duplicate-sku.csv', 'fixtures/claims/claims-clean.csv', 'fixtures/claims/claims-errors.csv',
  'fixtures/claims-pdf/rs-harapan-sehat-1.pdf', 'fixtures/claims-pdf/klinik-medika-1.pdf', 'fixtures/claims-pdf/rsu-bunda-mulia-2.pdf',
  'fixtures/claims-pdf/total-mismatch.pdf', 'fixtures/claims-pdf/scan-image-only.pdf',
];
const args = ['bin/halo-data.js', 'validate', ...files, '--max-errors', '5', '--log-format', 'text'];
console.error(`$ halo-data validate ${files.length} bundled files --max-errors 5\n`);
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (r.status !== 0 && r.status !== 1) process.exit(r.status ?? 1);
console.error(`
Good and deliberately broken partner files side by side: exit 1 is the expected verdict.
Personal data in the claim files (names, member numbers, birth dates) never appears above.
Try: node bin/halo-data.js validate fixtures --format json | less   ·   node bin/halo-data.js schemas show claim_pdf`);
