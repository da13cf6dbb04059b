// The README's first command until `halo-data run` lands: the main job on the embedded
// defaults (a lake in ./.halo-data/lake, embedded PostgreSQL in ./.halo-data/warehouse; no
// server, no cloud account): validate a mix of good and broken partner files, stage the good
// ones as batches, load them into the star schema, and query it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Members are stored as a keyed hash; a real key comes from a secrets store. This one is for the demo.
const env = { ...process.env, HALO_DATA_MEMBER_KEY: process.env.HALO_DATA_MEMBER_KEY ?? 'demo-only-member-key' };
const say = (s) => console.error(`\n\x1b[1m${s}\x1b[0m`);
function halo(args, { allow = [0], capture = false } = {}) {
  console.error(`$ halo-data ${args.join(' ')}`);
  const r = spawnSync(process.execPath, ['bin/halo-data.js', ...args], { cwd: root, env, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8' });
  if (!allow.includes(r.status)) { console.error(`demo failed: exit ${r.status}`); process.exit(r.status ?? 1); }
  if (capture) process.stdout.write(r.stdout);
  return r.stdout?.trim();
}

say('1. Validate partner files: good ones and deliberately broken ones (exit 1 is expected)');
halo(['validate', 'fixtures/inventory/clean-comma.csv', 'fixtures/inventory/duplicate-sku.csv', 'fixtures/claims/claims-errors.csv',
  'fixtures/claims-pdf/rs-harapan-sehat-1.pdf', 'fixtures/claims-pdf/total-mismatch.pdf', 'fixtures/claims-pdf/scan-image-only.pdf',
  '--max-errors', '3', '--log-format', 'text'], { allow: [1] });

say('2. Stage the good files as batches in the lake (./.halo-data/lake)');
const batches = [
  halo(['stage', 'fixtures/inventory/clean-comma.csv', 'fixtures/inventory/pipe-delimited.csv', 'fixtures/inventory/utf8-bom.csv', '--schema', 'merchant_inventory', '--source', 'merchants', '--quiet'], { capture: true }),
  halo(['stage', 'fixtures/claims/claims-clean.csv', '--schema', 'insurance_claim', '--source', 'claims', '--quiet'], { capture: true }),
  halo(['stage', 'fixtures/claims-pdf/rs-harapan-sehat-1.pdf', 'fixtures/claims-pdf/klinik-medika-1.pdf', 'fixtures/claims-pdf/rsu-bunda-mulia-2.pdf',
    '--schema', 'claim_pdf', '--source', 'claim-pdfs', '--quiet'], { capture: true }),
];

say('3. Load them into the star schema (embedded PostgreSQL in ./.halo-data/warehouse)');
halo(['load', ...batches, '--quiet']);
halo(['batches', 'list']);

say('4. Query it: the cheapest pharmacy per product, and claims by hospital');
halo(['warehouse', 'query', `SELECT p.product_name, MIN(f.selling_price) AS cheapest, COUNT(*) AS pharmacies
  FROM halo.fact_inventory_snapshot f JOIN halo.dim_product p USING (product_sk) GROUP BY 1 ORDER BY 1 LIMIT 8`]);
halo(['warehouse', 'query', `SELECT pr.provider_name, COUNT(*) AS claims, SUM(c.claimed_amount) AS claimed
  FROM halo.fact_claim c JOIN halo.dim_provider pr USING (provider_sk) GROUP BY 1 ORDER BY 2 DESC`]);
console.error('\nPersonal data in the claim files (names, member numbers, birth dates) appears nowhere above, nor in the warehouse.');
