import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { tempDir } from '../support/tmp.js';
import { emptyClusterSnapshot, installedPgliteVersion, SNAPSHOT_FILE } from '../../src/warehouse/pglite-snapshot.js';
import { PgliteWarehouse } from '../../src/warehouse/pglite.js';
import { initSchema } from '../../src/warehouse/schema.js';

// The build writes the empty cluster new embedded warehouses are unpacked from (npm test
// builds first). A warehouse made from it must be the database initdb would have made.
const tmp = tempDir('halo-snapshot-');
after(() => tmp.cleanup());

const CLUSTER_FACTS = `SELECT current_setting('server_version') AS version, current_setting('server_encoding') AS encoding,
  current_setting('lc_collate', true) AS collate, current_setting('TimeZone') AS tz,
  (SELECT string_agg(datname || ':' || pg_encoding_to_char(encoding) || ':' || datcollate || ':' || datctype, ',' ORDER BY datname) FROM pg_database) AS databases,
  (SELECT count(*) FROM pg_class) AS catalog_relations`;

test('the build made an empty cluster for the installed PGlite, and a new warehouse is unpacked from it', async () => {
  assert.ok(existsSync(SNAPSHOT_FILE), `${SNAPSHOT_FILE} (npm run build writes it)`);
  assert.ok(emptyClusterSnapshot(), `the snapshot's sidecar names PGlite ${installedPgliteVersion()}`);
  const folder = join(tmp.path, 'from-snapshot');
  const wh = await PgliteWarehouse.open(folder);
  try {
    await initSchema(wh);
    const r = await wh.query<{ n: number }>('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema() OR table_schema = \'halo\'');
    assert.ok(r.rows[0]!.n > 0, 'the star schema was created in the unpacked cluster');
  } finally {
    await wh.close();
  }
  assert.ok(existsSync(join(folder, 'PG_VERSION')));
  // And it opens again as an existing database (no second unpack over it).
  const again = await PgliteWarehouse.open(folder);
  await again.close();
});

test('a cluster unpacked from the snapshot has the same settings and catalogs as one made by initdb', async () => {
  const viaInitdb = await PGlite.create(join(tmp.path, 'initdb'));
  const initdbFacts = (await viaInitdb.query(CLUSTER_FACTS)).rows[0];
  await viaInitdb.close();
  const snapshot = emptyClusterSnapshot();
  assert.ok(snapshot);
  const viaSnapshot = await PGlite.create(join(tmp.path, 'unpacked'), { loadDataDir: snapshot });
  const snapshotFacts = (await viaSnapshot.query(CLUSTER_FACTS)).rows[0];
  await viaSnapshot.close();
  assert.deepEqual(snapshotFacts, initdbFacts);
});
