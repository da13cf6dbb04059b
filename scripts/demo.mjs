// The README's first command: the main job, `halo-data run`, on the embedded defaults (the
// default local source ./.halo-data/inbox, a lake in ./.halo-data/lake, embedded PostgreSQL in
// ./.halo-data/warehouse; no server, no cloud account, no config file).
// Partner files arrive in the inbox as an upload tool would drop them (each with a `.done`
// marker saying it is complete); `run` fetches, validates, stages, loads and merges them;
// a second `run` finds nothing new; a refresh changes a few prices; then the star schema is queried.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Members are stored as a keyed hash; a real key comes from a secrets store. This one is for the demo.
const env = { ...process.env, HALO_DATA_MEMBER_KEY: process.env.HALO_DATA_MEMBER_KEY ?? 'demo-only-member-key' };
const say = (s) => console.error(`\n\x1b[1m${s}\x1b[0m`);
function halo(args, { allow = [0] } = {}) {
  console.error(`$ halo-data ${args.join(' ')}`);
  const r = spawnSync(process.execPath, ['bin/halo-data.js', ...args], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (!allow.includes(r.status)) { console.error(`demo failed: exit ${r.status}`); process.exit(r.status ?? 1); }
  return r.status;
}

const drops = {
  'merchants/M0101': ['inventory/clean-comma.csv'],
  'merchants/M0102': ['inventory/pipe-delimited.csv'],
  'merchants/M0103': ['inventory/utf8-bom.csv', 'inventory/binary-renamed.csv'],
  'insurers/claims': ['claims/claims-clean.csv'],
  'hospitals/pdf': ['claims-pdf/rs-harapan-sehat-1.pdf', 'claims-pdf/klinik-medika-1.pdf', 'claims-pdf/rsu-bunda-mulia-2.pdf'],
};
say('1. Partner files arrive in the inbox (./.halo-data/inbox), each with a .done marker; one is broken on purpose');
for (const [dir, files] of Object.entries(drops)) {
  mkdirSync(join(root, '.halo-data/inbox', dir), { recursive: true });
  for (const f of files) {
    const to = join(root, '.halo-data/inbox', dir, basename(f));
    copyFileSync(join(root, 'fixtures', f), to);
    writeFileSync(`${to}.done`, '');
    console.error(`  ${dir}/${basename(f)}`);
  }
}

say('2. halo-data run: fetch → validate and stage (one batch per schema) → load → merge into the star schema');
console.error('   (exit 1 is expected on a first run: the broken file is left out, named, and kept for a look)');
halo(['run', '--log-format', 'text'], { allow: [0, 1] });

say('3. Run it again, as cron would: nothing new, 0 bytes fetched, nothing loaded');
halo(['run', '--log-format', 'text']);

say('4. A refresh: M0101 sends its catalogue again, two prices and one stock changed, one product gone');
{
  const dir = join(root, '.halo-data/inbox/merchants/M0101');
  const lines = readFileSync(join(root, 'fixtures/inventory/clean-comma.csv'), 'utf8').split('\n');
  const refreshed = lines
    .map((l) => l.replace('Paracetamol 500 mg,8992761001018,Strip,4500,120', 'Paracetamol 500 mg,8992761001018,Strip,4300,120')
      .replace('Amoxicillin 500mg Kapsul,8992761001025,STRIP,12.500,85', 'Amoxicillin 500mg Kapsul,8992761001025,STRIP,12.900,60')
      .replace(/,"24\.800,00",40,/, ',"23.900,00",40,')
      // exported a day later
      .replace(/21\/11\/2026 (\d\d:\d\d)$/, '22/11/2026 $1').replace(/2026-11-21 (\d\d:\d\d:\d\d)$/, '2026-11-22 $1'))
    .filter((l) => !l.startsWith('M0101,BRG-00071,'));
  writeFileSync(join(dir, 'clean-comma-1100.csv'), refreshed.join('\n'));
  writeFileSync(join(dir, 'clean-comma-1100.csv.done'), '');
  console.error('  merchants/M0101/clean-comma-1100.csv');
}
halo(['run', '--log-format', 'text']);
console.error('   Only what changed was written: the history has a version per change, the current table one row per product.');
halo(['warehouse', 'query', `SELECT p.merchant_id, p.merchant_sku, h.change_kind, h.selling_price, h.stock_qty, h.is_current
  FROM halo.fact_inventory_history h JOIN halo.dim_product p USING (product_sk)
  WHERE p.merchant_id = 'M0101' AND h.batch_id = (SELECT MAX(batch_id) FROM halo.fact_inventory_history) ORDER BY 2`]);

say('5. What the lake holds and what the warehouse ledger says of it');
halo(['batches', 'list']);

say('6. Query the star schema: the cheapest in-stock pharmacy per product (v_product_best_price), and claims by hospital');
halo(['warehouse', 'query', `SELECT product_key, product_name, merchant_id, selling_price, merchants_in_stock
  FROM halo.v_product_best_price ORDER BY product_name LIMIT 8`]);
// A claim names its hospital by code, by name or both (the schema asks for either):
// the warehouse keeps '' for the half the file left out, so the query shows both halves.
halo(['warehouse', 'query', `SELECT pr.provider_id, pr.provider_name, COUNT(*) AS claims, SUM(c.claimed_amount) AS claimed
  FROM halo.fact_claim c JOIN halo.dim_provider pr USING (provider_sk) GROUP BY 1, 2 ORDER BY 3 DESC, 2`]);
console.error('   (an empty provider_id or provider_name is one the claim did not give: a claim may name its hospital by code,');
console.error("    by name or both; claims-clean.csv leaves one of them blank on two rows, and RS Harapan Sehat's PDF form prints");
console.error('    no code. These claims gave only one of the two:)');
halo(['warehouse', 'query', `SELECT c.claim_id, pr.provider_id, pr.provider_name
  FROM halo.fact_claim c JOIN halo.dim_provider pr USING (provider_sk) WHERE pr.provider_id = '' OR pr.provider_name = '' ORDER BY 1`]);
console.error('\nPersonal data in the claim files (names, member numbers, birth dates) appears nowhere above, nor in the warehouse.');
console.error('Start over with: rm -rf .halo-data');
