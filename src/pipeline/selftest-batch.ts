import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import type { HaloConfig } from '../config/types.js';
import { stage } from './stage.js';
import { openLake } from '../lake/open.js';
import { readManifest, type BatchEntry } from '../batch/catalog.js';

/**
 * `warehouse selftest`'s built-in batches: a few inventory rows (two merchants, one SKU seen
 * in both files so the merge's de-duplication runs) and two claims, staged by the real stage
 * code under the source `selftest`, in a lake of its own:
 * - Redshift COPYs from S3, so there it is the configured lake's `_halo-data/selftest/`
 *   (`_halo-data/` is the tool's own area: no source can be named with `_`, and the lake's
 *   batch listing never reads below it). The lake has no delete: these few KB stay.
 * - PGlite and PostgreSQL read parts through the tool itself: a temporary local folder,
 *   removed afterwards, so nothing is left anywhere.
 * The values are synthetic (SELFTEST-…); nothing personal is in them.
 */
export const SELFTEST_SOURCE = 'selftest';

const INVENTORY_A = `merchant_id,merchant_sku,product_name,barcode,unit,selling_price,stock_qty,expiry_date,updated_at
SELFTEST-M1,SKU-1,Selftest tablet 500 mg,,strip,4500,120,2030-01-31,2026-01-01 10:00
SELFTEST-M1,SKU-2,Selftest syrup 60 ml,,bottle,24800,40,2030-06-30,2026-01-01 10:00
SELFTEST-M2,SKU-1,Selftest tablet 500 mg,,strip,4600,15,,2026-01-01 10:05
`;
// A later file of the same batch that repeats SKU-2 of SELFTEST-M1: the later row wins.
const INVENTORY_B = `merchant_id,merchant_sku,product_name,barcode,unit,selling_price,stock_qty,expiry_date,updated_at
SELFTEST-M1,SKU-2,Selftest syrup 60 ml,,bottle,25000,38,2030-06-30,2026-01-01 11:00
SELFTEST-M2,SKU-3,Selftest capsule,,box,12500,7,2029-12-31,2026-01-01 11:00
`;
const CLAIMS = `claim_id,policy_number,member_id,patient_name,patient_dob,provider_id,provider_name,claim_type,admission_date,discharge_date,diagnosis_codes,claimed_amount,approved_amount,currency
SELFTEST-C1,SELFTEST-P1,SELFTEST-MEMBER-1,Selftest Patient One,1970-01-01,SELFTEST-H1,Selftest Hospital,inpatient,2026-01-02,2026-01-04,"J18.9, A09",1500000,1400000,IDR
SELFTEST-C2,SELFTEST-P2,SELFTEST-MEMBER-2,Selftest Patient Two,1980-02-02,SELFTEST-H1,Selftest Hospital,outpatient,2026-01-03,,I10,485000,485000,IDR
`;

/** What the built-in batches must give once merged (the rows above, de-duplicated). */
export const SELFTEST_EXPECTED: Readonly<Record<string, number>> = {
  dim_merchant: 2,
  dim_product: 4,
  fact_inventory_current: 4,
  fact_inventory_history: 4,
  etl_batch_merchant: 2,
  dim_member: 2,
  dim_provider: 1,
  dim_diagnosis: 3,
  fact_claim: 2,
  fact_claim_diagnosis: 3,
  fact_claim_line: 0,
};

export interface SelftestLake { url: string; temporary: boolean; cleanup(): void }

/** Where the built-in batches go (see above). */
export function selftestLake(config: HaloConfig): SelftestLake {
  if (config.warehouse.engine === 'redshift-data' && config.lake.url.startsWith('s3://')) {
    return { url: `${config.lake.url.replace(/\/+$/, '')}/_halo-data/selftest`, temporary: false, cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'halo-data-selftest-lake-'));
  return { url: dir, temporary: true, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Stages the built-in inventory and claims batches into `lakeUrl` and returns them as the
 * lake lists them (manifests read back from the lake, as a load reads them). `memberKey`
 * hashes the claims' member ids as stage does (the selftest's own random key).
 */
export async function stageSelftestBatches(config: HaloConfig, lakeUrl: string, memberKey: string): Promise<BatchEntry[]> {
  const dir = mkdtempSync(join(tmpdir(), 'halo-data-selftest-files-'));
  try {
    const files = { a: join(dir, 'inventory-a.csv'), b: join(dir, 'inventory-b.csv'), claims: join(dir, 'claims.csv') };
    writeFileSync(files.a, INVENTORY_A);
    writeFileSync(files.b, INVENTORY_B);
    writeFileSync(files.claims, CLAIMS);
    // The user's merchant profiles, sources and ICD-10 list do not apply to these files.
    const cfg: HaloConfig = { ...config, lake: { ...config.lake, url: lakeUrl }, sources: [], merchants: {}, claims: undefined };
    const lake = await openLake(cfg);
    const entries: BatchEntry[] = [];
    for (const [schema, inputs] of [['merchant_inventory', [files.a, files.b]], ['insurance_claim', [files.claims]]] as const) {
      // A fixed id: no sequence state is written for this source on the host.
      const now = new Date();
      const r = await stage({ inputs: [...inputs], schema, source: SELFTEST_SOURCE, config: cfg, maxRejectRate: 0, memberKey, id: { batchId: ulid(now.getTime()), createdAt: now } });
      const manifest = await readManifest(lake, r.prefix);
      entries.push({ batchId: r.batchId, source: SELFTEST_SOURCE, date: r.prefix.split('/')[1]?.slice(3) ?? '', prefix: r.prefix, status: 'complete', manifest, objects: 0, bytes: 0, lastModified: now });
    }
    return entries;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
