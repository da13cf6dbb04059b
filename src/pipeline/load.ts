import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { Lake } from '../lake/lake.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { BatchEntry } from '../batch/catalog.js';
import type { Manifest } from '../batch/manifest.js';
import { SCHEMA } from '../warehouse/sql/ddl.js';
import {
  INVENTORY_STAGING, CLAIM_STAGING, CLAIM_LINE_STAGING, createStaging, inventoryMerge, claimMerge, type Staging,
} from '../warehouse/sql/merge.js';
import { bindUsed } from '../warehouse/bind.js';
import { ConfigError, DataError } from '../errors.js';
import { crashpoint } from '../util/crashpoint.js';

export interface LoadOutcome { batchId: string; status: 'loaded' | 'skipped'; rows: number; seconds: number }

function plan(m: Manifest, d: Warehouse['dialect']): { staging: Staging; merges: string[]; lines: boolean } {
  switch (m.schema.name) {
    case 'merchant_inventory': return { staging: INVENTORY_STAGING, merges: inventoryMerge(d, m.files.length === 1), lines: false };
    case 'insurance_claim': return { staging: CLAIM_STAGING, merges: claimMerge(d, false), lines: false };
    case 'claim_pdf': return { staging: CLAIM_STAGING, merges: claimMerge(d, true), lines: true };
    default: throw new DataError('unknown-batch-schema', `batch ${m.batchId} holds schema ${m.schema.name}, which this warehouse does not load`);
  }
}

async function* gunzipped(stream: Readable): AsyncIterable<Buffer> {
  yield* stream.pipe(createGunzip()) as AsyncIterable<Buffer>;
}

/**
 * Loads one complete batch: COPY its parts into staging, check the row count against the
 * manifest, merge into the star schema and record it in etl_batch, all in one transaction.
 * A batch the ledger has as loaded is skipped unless forced (then it is merged again:
 * delete-insert by batch, so the result is the same). A failure rolls everything back and
 * leaves only a `failed` ledger row.
 */
export async function loadBatch(wh: Warehouse, lake: Lake, entry: BatchEntry, opts: { force: boolean; memberKey?: string }): Promise<LoadOutcome> {
  const started = performance.now();
  const m = entry.manifest;
  if (!m) throw new DataError('incomplete-batch', `batch ${entry.batchId} is incomplete (no manifest): it is never loaded`);
  const id = m.batchId;
  const ledger = await wh.query<{ status: string }>(`SELECT status FROM ${SCHEMA}.etl_batch WHERE batch_id = $1`, [id]);
  if (ledger.rows[0]?.status === 'loaded' && !opts.force) return { batchId: id, status: 'skipped', rows: 0, seconds: 0 };
  const p = plan(m, wh.dialect);
  const isClaims = m.schema.name !== 'merchant_inventory';
  if (isClaims && !opts.memberKey) {
    throw new ConfigError('claims need a member hash key: set HALO_DATA_MEMBER_KEY (from your secrets store)', { hint: 'members are stored only as a keyed hash of member_id' });
  }
  const manifestSha = createHash('sha256').update(JSON.stringify(m)).digest('hex');
  const now = new Date().toISOString();
  const snapshotKey = Number(m.createdAt.slice(0, 10).replace(/-/g, ''));
  const params = [id, m.source, now, snapshotKey, opts.memberKey ?? ''];
  const ledgerRow = async (q: (sql: string, params: unknown[]) => Promise<unknown>, status: string, rows: number | null, error: string | null) => {
    await q(`DELETE FROM ${SCHEMA}.etl_batch WHERE batch_id = $1`, [id]);
    await q(`INSERT INTO ${SCHEMA}.etl_batch (batch_id, source, schema_name, schema_version, status, rows_total, rows_loaded, manifest_sha256, started_at, finished_at, error)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CAST($9 AS TIMESTAMP), CAST($10 AS TIMESTAMP), $11)`,
    [id, m.source, m.schema.name, m.schema.version, status, m.counts.rows, rows, manifestSha, now, new Date().toISOString(), error]);
  };
  let loaded = 0;
  try {
    await wh.transaction(async (tx) => {
      await tx.query(createStaging(p.staging));
      for (const part of m.parts) loaded += await tx.copyCsv(p.staging.table, p.staging.columns, gunzipped(await lake.get(`${entry.prefix}/${part.key}`)));
      if (loaded !== m.counts.validRows) {
        throw new DataError('row-count-mismatch', `batch ${id}: COPY loaded ${loaded} rows but the manifest has ${m.counts.validRows}`);
      }
      if (p.lines) {
        await tx.query(createStaging(CLAIM_LINE_STAGING));
        let lineRows = 0;
        for (const part of m.claimLines?.parts ?? []) lineRows += await tx.copyCsv(CLAIM_LINE_STAGING.table, CLAIM_LINE_STAGING.columns, gunzipped(await lake.get(`${entry.prefix}/${part.key}`)));
        const expected = (m.claimLines?.parts ?? []).reduce((n, x) => n + x.rows, 0);
        if (lineRows !== expected) throw new DataError('row-count-mismatch', `batch ${id}: COPY loaded ${lineRows} claim lines but the manifest has ${expected}`);
      }
      crashpoint('load:before-merge');
      for (const stmt of p.merges) {
        const b = bindUsed(stmt, params);
        await tx.query(b.sql, b.params);
      }
      await ledgerRow((sql, ps) => tx.query(sql, ps), 'loaded', loaded, null);
      crashpoint('load:before-commit');
    });
  } catch (e) {
    // The transaction rolled back: leave a trace of the attempt, and nothing else.
    const msg = String((e as Error)?.message ?? e).slice(0, 500);
    await ledgerRow((sql, ps) => wh.query(sql, ps), 'failed', null, msg).catch(() => {});
    throw e;
  }
  return { batchId: id, status: 'loaded', rows: loaded, seconds: (performance.now() - started) / 1000 };
}
