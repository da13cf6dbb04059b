import type { HaloConfig } from '../config/types.js';
import { resolvePath } from '../config/load.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../output/logger.js';
import type { Warehouse } from './warehouse.js';

/**
 * The warehouse the config names: pglite (default, ./.halo-data/warehouse), postgres,
 * redshift-data. The embedded one is locked while open (see PgliteWarehouse.open): `log`
 * hears that this command waits for another, or took over a dead one's lock.
 */
export async function openWarehouse(config: HaloConfig, opts: { log?: Logger } = {}): Promise<Warehouse> {
  const w = config.warehouse;
  switch (w.engine) {
    case 'pglite': {
      const { PgliteWarehouse } = await import('./pglite.js');
      return PgliteWarehouse.open(resolvePath(config, w.path ?? './.halo-data/warehouse'), {
        lockWaitSeconds: w.lockWaitSeconds, staleSeconds: config.locks?.staleSeconds,
        onWait: (m) => opts.log?.warn(m), onTakeover: (m) => opts.log?.warn(m),
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
