import type { Dialect } from '../warehouse.js';

/**
 * Amazon Redshift's SQL where it differs from PostgreSQL's. The merges themselves are the
 * same text on every engine; only these pieces change.
 */
const DIST: Record<string, string> = {
  // Small dimensions are copied to every node; facts are spread on their join key.
  dim_date: ' DISTSTYLE ALL SORTKEY (date_key)',
  dim_merchant: ' DISTSTYLE ALL SORTKEY (merchant_id)',
  dim_provider: ' DISTSTYLE ALL',
  dim_diagnosis: ' DISTSTYLE ALL',
  dim_member: ' DISTKEY (member_sk)',
  dim_product: ' DISTKEY (product_sk) SORTKEY (merchant_id, merchant_sku)',
  fact_inventory_snapshot: ' DISTKEY (product_sk) SORTKEY (batch_id)',
  // A product's offers side by side, in product_key order: a barcode lookup on the best-price
  // view reads the blocks that hold it (the zone maps of the sort key), not the table.
  fact_inventory_current: ' DISTKEY (product_sk) SORTKEY (product_key)',
  fact_inventory_history: ' DISTKEY (product_sk) SORTKEY (product_sk, batch_id)',
  etl_batch_merchant: ' DISTKEY (merchant_id) SORTKEY (merchant_id, batch_id)',
  fact_claim: ' DISTKEY (claim_id) SORTKEY (admission_date_key)',
  fact_claim_diagnosis: ' DISTKEY (claim_id)',
  fact_claim_line: ' DISTKEY (claim_id)',
};

/** 0..255: enough positions for every code a VARCHAR(1024) JSON array can hold. */
const POSITIONS = (() => {
  const digits = Array.from({ length: 16 }, (_, i) => `SELECT ${i} AS n`).join(' UNION ALL ');
  return `SELECT a.n * 16 + b.n + 1 AS n FROM (${digits}) AS a CROSS JOIN (${digits}) AS b`;
})();

export const REDSHIFT_DIALECT: Dialect = {
  name: 'redshift',
  identity: 'BIGINT IDENTITY(1,1)',
  tableOptions: (table) => DIST[table] ?? '',
  // No ON COMMIT DROP on Redshift: a temporary table lives as long as the session, and each
  // Data API batch without a session id gets a session of its own.
  tempTable: (name, cols) => `CREATE TEMP TABLE ${name} (${cols})`,
  tempTableAs: (name, select) => `CREATE TEMP TABLE ${name} AS ${select}`,
  // No JSON table functions that PostgreSQL shares: codes are ICD-10 (letters, digits, a dot),
  // so the array text splits on commas once its brackets and quotes are gone.
  jsonArrayElements: (table, key, arr) => `SELECT x.claim_id, x.code FROM (SELECT s.${key} AS claim_id,
      TRIM(SPLIT_PART(REPLACE(REPLACE(REPLACE(s.${arr}, '[', ''), ']', ''), '"', ''), ',', i.n)) AS code
      FROM ${table} s CROSS JOIN (${POSITIONS}) AS i) AS x WHERE x.code <> ''`,
  keyedHash: (expr, key) => `SHA2(${key} || ':' || ${expr}, 256)`,
  // No ANALYZE statement: the staging COPY computes statistics itself (STATUPDATE ON, see
  // render.ts), and Redshift analyzes a table made by CREATE TEMP TABLE AS (the de-duplicated
  // staging) when it creates it. There are no indexes to drop, summarise or add.
  analyze: () => [],
  firstLoadProductIndexes: null,
  v2Extras: [],
  v3Extras: [],
};
