/**
 * The harness of issue 17's order tests: reference-model batches (inventory-model.ts) made
 * into real batches (CSV files staged in-process by the stage pipeline into a lake), loaded
 * with the real loadBatch in a given order with repeats, replays and failed attempts, and the
 * warehouse's inventory facts read back in the model's terms (natural keys, normalised values)
 * on any engine.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ulid } from 'ulid';
import type { HaloConfig } from '../../src/config/types.js';
import type { Lake } from '../../src/lake/lake.js';
import type { BatchEntry } from '../../src/batch/catalog.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { stage } from '../../src/pipeline/stage.js';
import { inventoryMode } from '../../src/batch/manifest.js';
import { loadBatch, mergeBatch, ledgerView } from '../../src/pipeline/load.js';
import { isoTime, money, byNaturalKey, type ModelBatch, type ModelFile, type ModelResult, type InventoryMode, type ChangeKind } from './inventory-model.js';
import { productName } from './v2-warehouse.js';

export const SCENARIO_SOURCE = 'pharmacies';

const HEADER = 'Kode Apotek,Kode Barang,Nama Barang,Satuan,Harga Jual,Stok,Tgl Kadaluarsa,Tgl Update';

/** A file of the model as a partner CSV (ISO times with Z: no zone to assume). */
export function fileCsv(f: ModelFile): string {
  return [HEADER, ...f.rows.map((r) => [r.merchant, r.sku, productName(r.sku), 'strip', r.price, r.stock, r.expiry ?? '', r.updatedAt ?? ''].join(','))].join('\n') + '\n';
}

/** A batch id at `time` (ULID: ids sort as times do, the source's sequence). */
export const batchIdAt = (time: string) => ulid(new Date(time).getTime());

/** Stages a model batch with the real stage pipeline (in this process), at its own id and time. */
export async function stageModelBatch(config: HaloConfig, dir: string, b: ModelBatch): Promise<BatchEntry> {
  const folder = join(dir, b.batchId);
  mkdirSync(folder, { recursive: true });
  const inputs = b.files.map((f) => {
    const p = join(folder, f.name);
    writeFileSync(p, fileCsv(f));
    return p;
  });
  const r = await stage({
    inputs, schema: 'merchant_inventory', source: SCENARIO_SOURCE, config, maxRejectRate: 0, threads: 0, inventory: b.mode,
    id: { batchId: b.batchId, createdAt: new Date(b.time) },
  });
  assert.equal(r.manifest.counts.rejectedRows, 0, `batch ${b.batchId}: rows rejected at stage`);
  assert.equal(inventoryMode(r.manifest), b.mode, `batch ${b.batchId}: the manifest records its mode`);
  return { batchId: r.batchId, source: SCENARIO_SOURCE, date: b.time.slice(0, 10), prefix: r.prefix, status: 'complete', manifest: r.manifest, objects: 0, bytes: 0, lastModified: new Date() };
}

/**
 * One load in a plan: a plain load (skipped when loaded), a forced replay, an attempt that
 * fails (the batch's COPY count cannot match), or `load --no-merge` then `merge` (forced).
 */
export interface LoadOp { batch: number; kind: 'load' | 'force' | 'fail' | 'staged' }

/**
 * Loads batches as `run` and `load` do (the ledger read before each, the newest loaded batch
 * passed on), op by op. A `fail` op loads a copy of the entry whose manifest promises one row
 * more than its parts hold: the transaction rolls back, a `failed` ledger row stays (or, for
 * a batch loaded before, a note of the failed reload). The shrink guard is off (allowShrink)
 * unless `guard` says otherwise: random catalogues shrink at random.
 */
export async function applyOps(wh: Warehouse, lake: Lake, entries: readonly BatchEntry[], ops: readonly LoadOp[], guard: { allowShrink: boolean } = { allowShrink: true }): Promise<void> {
  for (const op of ops) {
    const e = entries[op.batch];
    const view = await ledgerView(wh, [e.batchId]);
    const opts = { force: op.kind === 'force', merge: true, newestLoaded: view.newestLoaded, allowShrink: guard.allowShrink };
    if (op.kind === 'fail') {
      const m = e.manifest!;
      const broken = { ...e, manifest: { ...m, counts: { ...m.counts, validRows: m.counts.validRows + 1 } } };
      await assert.rejects(loadBatch(wh, lake, broken, view.statuses.get(e.batchId), { ...opts, force: true }), /COPY loaded|row/i, `the broken load of ${e.batchId} failed`);
    } else if (op.kind === 'staged') {
      await loadBatch(wh, lake, e, view.statuses.get(e.batchId), { ...opts, force: true, merge: false });
      await mergeBatch(wh, e, { newestLoaded: (await ledgerView(wh, [])).newestLoaded, allowShrink: guard.allowShrink });
    } else {
      await loadBatch(wh, lake, e, view.statuses.get(e.batchId), opts);
    }
  }
}

/** Every batch once, in batch-id order. */
export const inOrder = (entries: readonly BatchEntry[]): LoadOp[] =>
  entries.map((e, i) => [e.batchId, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, batch]) => ({ batch, kind: 'load' as const }));

export interface WarehouseFacts extends ModelResult {
  /** Each history row's load_seq, in the order of `history`. */
  loadSeqs: number[];
  /** etl_batch.load_seq of each loaded batch. */
  ledgerSeqs: Map<string, number>;
}

const ts = (col: string) => `TO_CHAR(${col}, 'YYYY-MM-DD HH24:MI:SS.MS')`;
const asTime = (v: unknown): string | null => (v === null || v === undefined ? null : isoTime(`${String(v).replace(' ', 'T')}Z`));
const asBool = (v: unknown) => v === true || v === 't' || v === 'true' || v === 1;

/** The inventory facts by natural keys, values normalised to the model's forms (whatever the engine returns). */
export async function readFacts(wh: Warehouse): Promise<WarehouseFacts> {
  type R = Record<string, unknown>;
  const q = async (sql: string) => (await wh.query<R>(sql)).rows;
  const current = (await q(`SELECT p.merchant_id, p.merchant_sku, CAST(c.selling_price AS VARCHAR(20)) AS price, c.stock_qty, TO_CHAR(c.expiry_date, 'YYYY-MM-DD') AS expiry,
      c.is_listed, ${ts('c.observed_at')} AS observed_at, c.batch_id FROM halo.fact_inventory_current c JOIN halo.dim_product p ON p.product_sk = c.product_sk`))
    .map((r) => ({
      merchant: String(r.merchant_id), sku: String(r.merchant_sku), price: money(String(r.price)), stock: Number(r.stock_qty), expiry: (r.expiry as string | null) ?? null,
      isListed: asBool(r.is_listed), observedAt: asTime(r.observed_at)!, batchId: String(r.batch_id),
    })).sort(byNaturalKey);
  const historyRows = (await q(`SELECT p.merchant_id, p.merchant_sku, h.batch_id, h.change_kind, CAST(h.selling_price AS VARCHAR(20)) AS price, h.stock_qty,
      TO_CHAR(h.expiry_date, 'YYYY-MM-DD') AS expiry, h.is_listed, ${ts('h.valid_from')} AS valid_from, ${ts('h.valid_to')} AS valid_to, h.is_current, h.load_seq
      FROM halo.fact_inventory_history h JOIN halo.dim_product p ON p.product_sk = h.product_sk`))
    .map((r) => ({
      merchant: String(r.merchant_id), sku: String(r.merchant_sku), batchId: String(r.batch_id), changeKind: String(r.change_kind) as ChangeKind,
      price: money(String(r.price)), stock: Number(r.stock_qty), expiry: (r.expiry as string | null) ?? null, isListed: asBool(r.is_listed),
      validFrom: asTime(r.valid_from)!, validTo: asTime(r.valid_to), isCurrent: asBool(r.is_current), loadSeq: Number(r.load_seq),
    })).sort(byNaturalKey);
  const batchMerchants = (await q(`SELECT batch_id, merchant_id, inventory, ${ts('observed_at')} AS observed_at, products FROM halo.etl_batch_merchant`))
    .map((r) => ({ batchId: String(r.batch_id), merchant: String(r.merchant_id), mode: String(r.inventory) as InventoryMode, observedAt: asTime(r.observed_at)!, products: Number(r.products) }))
    .sort(byNaturalKey);
  const ledgerSeqs = new Map((await q(`SELECT batch_id, load_seq FROM halo.etl_batch WHERE status = 'loaded'`)).map((r) => [String(r.batch_id), Number(r.load_seq)]));
  return {
    current, batchMerchants, ledgerSeqs,
    history: historyRows.map(({ loadSeq: _, ...h }) => h),
    loadSeqs: historyRows.map((h) => h.loadSeq),
  };
}

/** The facts of some merchants only (scenarios of their own in a shared warehouse). */
export function ofMerchants(f: WarehouseFacts, merchants: ReadonlySet<string>): WarehouseFacts {
  const keep = (r: { merchant: string }) => merchants.has(r.merchant);
  return {
    current: f.current.filter(keep), batchMerchants: f.batchMerchants.filter(keep), ledgerSeqs: f.ledgerSeqs,
    history: f.history.filter(keep), loadSeqs: f.loadSeqs.filter((_, i) => keep(f.history[i])),
  };
}

/** The model's part of the facts (what two load orders must agree on: load_seq is the order of loads, so it may differ). */
export const modelPart = (f: WarehouseFacts): ModelResult => ({ current: f.current, history: f.history, batchMerchants: f.batchMerchants });

/**
 * The facts equal the model's, table by table (a difference names its table), and the
 * bookkeeping holds: every history row was written by a load the ledger knows, no later
 * than the last one.
 */
export function assertFactsMatch(got: WarehouseFacts, want: ModelResult, what: string): void {
  assert.deepEqual(got.current, want.current, `${what}: fact_inventory_current differs from the model`);
  assert.deepEqual(got.history, want.history, `${what}: fact_inventory_history differs from the model`);
  assert.deepEqual(got.batchMerchants, want.batchMerchants, `${what}: etl_batch_merchant differs from the model`);
  const seqs = [...got.ledgerSeqs.values()];
  assert.ok(seqs.every((s) => Number.isInteger(s) && s >= 1), `${what}: a loaded batch without a load_seq`);
  assert.equal(new Set(seqs).size, seqs.length, `${what}: two loaded batches share a load_seq`);
  const top = Math.max(0, ...seqs);
  for (const s of got.loadSeqs) assert.ok(Number.isInteger(s) && s >= 1 && s <= top, `${what}: a history row's load_seq ${s} is not a load's (1..${top})`);
}

/**
 * Empties the warehouse between cases (PGlite: one per test file, reused): every table of
 * halo but schema_version truncated, identities restarted, --no-merge staging dropped.
 */
export async function resetWarehouse(wh: Warehouse): Promise<void> {
  const tables = (await wh.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'halo' AND table_type = 'BASE TABLE' AND table_name <> 'schema_version'`)).rows;
  if (tables.length) await wh.query(`TRUNCATE ${tables.map((t) => `halo.${t.table_name}`).join(', ')} RESTART IDENTITY`);
  const staged = (await wh.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'halo_staging'`)).rows;
  for (const t of staged) await wh.query(`DROP TABLE halo_staging.${t.table_name}`);
}
