import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HaloConfig } from '../config/types.js';
import { resolvePath } from '../config/load.js';
import { ConfigError, UsageError } from '../errors.js';
import type { Logger } from '../output/logger.js';
import type { Warehouse } from './warehouse.js';
import { SCHEMA } from './sql/ddl.js';

const DEFAULT_PGLITE_PATH = './.halo-data/warehouse';

export interface OpenOptions {
  /** Hears that this command waits for another holder of the embedded warehouse, or took over a dead one's lock. */
  log?: Logger;
  /** Only reads will be made: the embedded warehouse starts faster (see PgliteOpenOptions.reader). */
  reader?: boolean;
}

/**
 * The warehouse the config names: pglite (default, ./.halo-data/warehouse), postgres,
 * redshift-data. The embedded one is locked while open (see PgliteWarehouse.open): `log`
 * hears that this command waits for another, or took over a dead one's lock. Opening an
 * embedded warehouse that does not exist creates it: commands that only read use
 * openExistingWarehouse instead.
 */
export async function openWarehouse(config: HaloConfig, opts: OpenOptions = {}): Promise<Warehouse> {
  const w = config.warehouse;
  switch (w.engine) {
    case 'pglite': {
      const { PgliteWarehouse } = await import('./pglite.js');
      return PgliteWarehouse.open(embeddedFolder(config)!, {
        lockWaitSeconds: w.lockWaitSeconds, staleSeconds: config.locks?.staleSeconds,
        onWait: (m) => opts.log?.warn(m), onTakeover: (m) => opts.log?.warn(m), reader: opts.reader,
      });
    }
    case 'postgres': {
      if (!w.url) throw new ConfigError('warehouse.engine is postgres but warehouse.url is not set', { hint: 'a connection string without the password (PGPASSWORD gives it)' });
      const { PostgresWarehouse } = await import('./postgres.js');
      return PostgresWarehouse.open(w.url);
    }
    case 'redshift-data': {
      const { openRedshiftData } = await import('./redshift/open.js');
      return openRedshiftData(config);
    }
  }
}

/** The embedded warehouse's folder (absolute), or null when the engine is a server. */
export function embeddedFolder(config: HaloConfig): string | null {
  return config.warehouse.engine === 'pglite' ? resolvePath(config, config.warehouse.path ?? DEFAULT_PGLITE_PATH) : null;
}

/**
 * Whether a folder holds an embedded database: PGlite itself starts an existing one when
 * PG_VERSION is there and runs initdb otherwise, so this is its own test.
 */
export function holdsEmbeddedDatabase(folder: string): boolean {
  return existsSync(join(folder, 'PG_VERSION'));
}

/**
 * There is no warehouse to read yet: no embedded database in its folder, or no star schema
 * on the server. Exit 2 where a command needs one (`warehouse query`); commands that answer
 * a question (`warehouse status`, `batches`, `doctor`) say it and exit 0.
 */
export class NoWarehouseError extends UsageError {
  constructor(readonly where: string, readonly what: 'database' | 'star schema') {
    super('no-warehouse', what === 'database' ? `no warehouse yet: ${where} has not been created` : `no warehouse yet: ${where} has no star schema`, {
      hint: 'halo-data warehouse init creates it (halo-data run and halo-data load do too)',
    });
  }
}

/** What openExistingWarehouse found when there is no warehouse (for a command's answer). */
export function describeNoWarehouse(config: HaloConfig): string {
  const folder = embeddedFolder(config);
  if (folder) return `embedded PostgreSQL in ${folder}`;
  const w = config.warehouse;
  if (w.engine === 'postgres') return `PostgreSQL at ${(w.url ?? '').replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}`;
  return `Amazon Redshift ${w.workgroupName ?? w.clusterIdentifier ?? ''}${w.database ? `/${w.database}` : ''}`;
}

/**
 * For commands that only read (warehouse status and query, batches, doctor, status): the
 * warehouse when there is one to read, else null, and nothing is created either way. For
 * the embedded engine null means its folder holds no database (no folder, lock file or
 * database is made) or one without the star schema; for a server, that the star schema is
 * not there. The warehouse is closed again when null is returned. Use
 * `requireExistingWarehouse` where none is an error. It is opened for reading (a faster
 * start of the embedded one) unless `writes` says the command will also write (merge).
 */
export async function openExistingWarehouse(config: HaloConfig, opts: { log?: Logger; writes?: boolean } = {}): Promise<Warehouse | null> {
  const folder = embeddedFolder(config);
  if (folder && !holdsEmbeddedDatabase(folder)) return null;
  const wh = await openWarehouse(config, { log: opts.log, reader: opts.writes !== true });
  try {
    if ((await schemaVersionOrNone(wh)) > 0) return wh;
  } catch (e) {
    await wh.close();
    throw e;
  }
  await wh.close();
  return null;
}

/**
 * The star schema's version, 0 when it is not there. Unlike currentVersion (which reads any
 * failure as "none"), a server that fails for another reason (gone, no permission) is an
 * error here: a reader must not be told "no warehouse yet" of a warehouse it cannot reach.
 */
async function schemaVersionOrNone(wh: Warehouse): Promise<number> {
  try {
    const r = await wh.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${SCHEMA}.schema_version`);
    return Number(r.rows[0]?.v ?? 0);
  } catch (e) {
    if (/does not exist/i.test(String((e as Error)?.message ?? e))) return 0;
    throw e;
  }
}

/** openExistingWarehouse, with no warehouse an error (exit 2) saying what to run. */
export async function requireExistingWarehouse(config: HaloConfig, opts: { log?: Logger; writes?: boolean } = {}): Promise<Warehouse> {
  const wh = await openExistingWarehouse(config, opts);
  if (!wh) throw noWarehouseYet(config);
  return wh;
}

export function noWarehouseYet(config: HaloConfig): NoWarehouseError {
  const folder = embeddedFolder(config);
  return new NoWarehouseError(describeNoWarehouse(config), folder && !holdsEmbeddedDatabase(folder) ? 'database' : 'star schema');
}
