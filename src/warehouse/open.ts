import type { HaloConfig } from '../config/types.js';
import { resolvePath } from '../config/load.js';
import { ConfigError } from '../errors.js';
import type { Warehouse } from './warehouse.js';

/** The warehouse the config names: pglite (default, ./.halo-data/warehouse), postgres, redshift-data. */
export async function openWarehouse(config: HaloConfig): Promise<Warehouse> {
  const w = config.warehouse;
  switch (w.engine) {
    case 'pglite': {
      const { PgliteWarehouse } = await import('./pglite.js');
      return PgliteWarehouse.open(resolvePath(config, w.path ?? './.halo-data/warehouse'));
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
