/**
 * The DuckDB reference point: the same parse + normalise + gzip work halo-data does for a
 * merchant_inventory CSV, done by DuckDB's vectorised, multi-threaded C++ engine. It is the
 * "how fast could this be" yardstick the normalise+gzip contender is compared against.
 *
 * What it does NOT do that halo-data does: per-cell validation with error reporting, GS1
 * check digits, duplicate-key detection, ambiguity checks. It only casts (and would abort on
 * the first bad value), so the comparison flatters DuckDB slightly.
 */
import * as fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

export interface DuckdbRunResult {
  seconds: number;
  rowsWritten: number;
  bytesWritten: number;
  threads: number;
  duckdbVersion: string;
}

/** SQL string literal. */
const lit = (value: string): string => `'${value.replace(/'/g, "''")}'`;

export function normaliseSql(inputCsv: string, outputGz: string): string {
  return `
COPY (
  SELECT
    trim(kode_apotek)                                            AS merchant_id,
    trim(kode_barang)                                            AS merchant_sku,
    regexp_replace(trim(nama_barang), '\\s+', ' ', 'g')          AS product_name,
    nullif(trim(barcode), '')                                    AS barcode,
    -- id-ID: drop "Rp" and spaces, "." groups thousands, "," marks decimals
    CAST(replace(replace(regexp_replace(harga_jual, '(?i)rp|\\s', '', 'g'), '.', ''), ',', '.')
         AS DECIMAL(14,2))                                       AS selling_price,
    CAST(trim(stok) AS INTEGER)                                  AS stock_qty,
    lower(trim(satuan))                                          AS unit,
    CAST(strptime(trim(tgl_kadaluarsa), '%d/%m/%Y') AS DATE)     AS expiry_date,
    -- naive Asia/Jakarta (UTC+7, no DST) to UTC
    strptime(trim(tgl_update), '%d/%m/%Y %H:%M') - INTERVAL 7 HOUR AS updated_at
  FROM read_csv(${lit(inputCsv)}, delim = ';', header = true, quote = '"', escape = '"',
                all_varchar = true, auto_detect = true)
) TO ${lit(outputGz)} (FORMAT csv, HEADER, COMPRESSION gzip)`;
}

export async function runDuckdb(inputCsv: string, outputGz: string, threads: number): Promise<DuckdbRunResult> {
  const started = performance.now();
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await instance.connect();
  try {
    const version = await (await connection.run('SELECT version()')).getRowsJS();
    const result = await connection.run(normaliseSql(inputCsv, outputGz));
    // COPY ... TO returns one row with the number of rows written.
    const rows = await result.getRowsJS();
    const rowsWritten = Number(rows[0]?.[0] ?? result.rowsChanged);
    return {
      seconds: (performance.now() - started) / 1000,
      rowsWritten,
      bytesWritten: fs.statSync(outputGz).size,
      threads,
      duckdbVersion: String(version[0]?.[0] ?? 'unknown'),
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
