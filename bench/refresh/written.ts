/**
 * What one load wrote, read back from the warehouse: its history rows (those carrying the
 * load's load_seq, by change kind) and its current rows (those whose batch_id is the batch:
 * the batch set their values), with the tables' totals after it.
 */
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { SCHEMA } from '../../src/warehouse/sql/ddl.js';

export interface Written {
  loadSeq: number | null;
  history: number;
  historyByKind: Record<string, number>;
  current: number;
  totals: { history: number; current: number; listed: number };
}

const n = (v: unknown): number => Number(v ?? 0);

export async function writtenBy(wh: Warehouse, batchId: string): Promise<Written> {
  const seq = await wh.query<{ load_seq: unknown }>(`SELECT load_seq FROM ${SCHEMA}.etl_batch WHERE batch_id = $1`, [batchId]);
  const loadSeq = seq.rows[0]?.load_seq == null ? null : n(seq.rows[0].load_seq);
  const historyByKind: Record<string, number> = {};
  if (loadSeq !== null) {
    const kinds = await wh.query<{ change_kind: string; c: unknown }>(
      `SELECT change_kind, COUNT(*) AS c FROM ${SCHEMA}.fact_inventory_history WHERE load_seq = $1 GROUP BY change_kind ORDER BY change_kind`, [loadSeq]);
    for (const r of kinds.rows) historyByKind[r.change_kind] = n(r.c);
  }
  const current = await wh.query<{ c: unknown }>(`SELECT COUNT(*) AS c FROM ${SCHEMA}.fact_inventory_current WHERE batch_id = $1`, [batchId]);
  const cur = await wh.query<{ c: unknown; listed: unknown }>(
    `SELECT COUNT(*) AS c, SUM(CASE WHEN is_listed THEN 1 ELSE 0 END) AS listed FROM ${SCHEMA}.fact_inventory_current`);
  const hist = await wh.query<{ c: unknown }>(`SELECT COUNT(*) AS c FROM ${SCHEMA}.fact_inventory_history`);
  return {
    loadSeq,
    history: Object.values(historyByKind).reduce((a, b) => a + b, 0),
    historyByKind,
    current: n(current.rows[0]?.c),
    totals: { history: n(hist.rows[0]?.c), current: n(cur.rows[0]?.c), listed: n(cur.rows[0]?.listed) },
  };
}
