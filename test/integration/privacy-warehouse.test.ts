/**
 * Personal data never reaches the warehouse (issue 16 item 7). Claim fixtures (a CSV with
 * errors and duplicates, a spreadsheet, hospital PDFs with line items) are staged into an S3
 * lake; then on PGlite, PostgreSQL and Redshift (the Data API emulator) every part of those
 * batches, every halo_staging table a --no-merge load leaves, every table of the warehouse
 * database (the emulator's COPY-failure records too, after a COPY made to fail) is searched
 * for every personal value of the fixtures and for the member hash key. Batches of the new
 * format load without the key at all.
 *
 * And the batches staged before (manifest version 1: member_id, names and birth dates in the
 * parts, hashed in SQL) still load and replay, into the same dim_member rows as the new ones.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync, copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import { S3Client, GetObjectCommand, PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runCliAsync, ROOT, personalValues } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { startPostgres, postgresAvailable, createTestDatabase, TEST_PGPASSWORD, type TestPostgres } from '../support/postgres.js';
import { startS3, type TestS3, s3Access, s3LakeYaml } from '../support/s3.js';
import { startRedshiftDataEmulator, type RedshiftEmulator } from '../support/redshift-data-emulator.js';
import { v1Batch } from '../support/v1-batch.js';
import { loadConfig } from '../../src/config/load.js';
import { openWarehouse } from '../../src/warehouse/open.js';
import { createHash } from 'node:crypto';

const MEMBER_KEY = 'privacy-test-member-key-0123456789-abcdef';
const ROLE = 'arn:aws:iam::123456789012:role/halo-data-copy';

/** What must be found nowhere: each fixture's personal value, and the key. Hits are named by number, never shown. */
function assertClean(text: string, where: string): void {
  const values = [...personalValues(), MEMBER_KEY];
  const hits = values.flatMap((v, i) => (text.includes(v) ? [i === values.length - 1 ? 'the member hash key' : `personal value #${i + 1}`] : []));
  assert.deepEqual(hits, [], `${where} holds ${hits.join(', ')}`);
}

type Query = (sql: string) => Promise<Array<Record<string, unknown>>>;
/** Runs `fn` on one connection to the warehouse's database (opened for it, closed after). */
type Session = <T>(fn: (query: Query) => Promise<T>) => Promise<T>;

/** Every base table of the database outside the catalogs, as JSON text per table. */
async function dumpTables(query: Query): Promise<Map<string, string>> {
  const tables = await query(`SELECT table_schema AS s, table_name AS t FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`);
  const out = new Map<string, string>();
  for (const { s, t } of tables) out.set(`${s}.${t}`, JSON.stringify(await query(`SELECT * FROM "${s}"."${t}"`)));
  return out;
}

describe('no personal value and no key in parts, staging, warehouse or COPY-failure records (PGlite, PostgreSQL, Redshift)', { skip: postgresAvailable() ? false : 'PostgreSQL not installed (.ci/run installs it)' }, () => {
  const tmp = tempDir();
  let s3: TestS3;
  let server: TestPostgres;
  let s3client: S3Client;
  let lakeYaml = '';
  const prefixes = new Map<string, string>();
  /** New-format batches: claims (CSV + spreadsheet + a CSV with rejects) and claim PDFs. */
  const fresh: string[] = [];
  /** The same claims CSV as a batch of manifest version 1, older than the new one. */
  let old = '';

  const run = (args: string[], env: Record<string, string> = {}) => runCliAsync(args, { env: { ...s3.env, PGPASSWORD: TEST_PGPASSWORD, HALO_DATA_MEMBER_KEY: '', ...env } });
  const withKey = { HALO_DATA_MEMBER_KEY: MEMBER_KEY };
  const cfgFile = (name: string, warehouse: string) => {
    const f = join(tmp.path, `${name}.yaml`);
    writeFileSync(f, `${lakeYaml}warehouse:\n${warehouse}`);
    return f;
  };
  const getObject = async (key: string) => Buffer.from(await (await s3client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body!.transformToByteArray());
  const putObject = (key: string, body: Buffer) => s3client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
  const databaseUrl = (name: string) => createTestDatabase(server, name);
  const pgSession = (url: string): Session => async (fn) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try { return await fn(async (sql) => (await c.query(sql)).rows); } finally { await c.end(); }
  };

  before(async () => {
    s3 = await startS3();
    server = await startPostgres();
    s3client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'ap-southeast-3', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    lakeYaml = s3LakeYaml(s3);
    const stageCfg = cfgFile('stage', '  engine: pglite\n');
    const stage = async (files: string[], schema: string, source: string) => {
      const r = await run(['stage', ...files.map((f) => join(ROOT, f)), '--schema', schema, '--config', stageCfg, '--max-reject-rate', '1', '--source', source, '--json'], withKey);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      prefixes.set(out.batchId, out.prefix);
      return out.batchId as string;
    };
    // The old-format batch first: older than the new one of the same claims.
    const v1 = await v1Batch({ file: join(ROOT, 'fixtures/claims/claims-clean.csv'), schema: 'insurance_claim', source: 'claims-v1', createdAt: new Date(Date.now() - 86_400_000),
      dir: tmp.path, objectUrl: (key) => `s3://${s3.bucket}/lake/${key}` });
    for (const [key, body] of v1.objects) await putObject(`lake/${key}`, body);
    old = v1.batchId;
    prefixes.set(old, v1.prefix);
    fresh.push(await stage(['fixtures/claims/claims-clean.csv', 'fixtures/claims/claims-listing.xlsx', 'fixtures/claims/claims-errors.csv'], 'insurance_claim', 'claims'));
    fresh.push(await stage(['rs-harapan-sehat-1', 'rs-harapan-sehat-2', 'klinik-medika-1', 'klinik-medika-2', 'rsu-bunda-mulia-1', 'rsu-bunda-mulia-2']
      .map((n) => `fixtures/claims-pdf/${n}.pdf`), 'claim_pdf', 'claim-pdfs'));
  });
  after(async () => {
    await server?.stop();
    await s3?.stop();
    tmp.cleanup();
  });

  test('staging claims without the key is a configuration error naming it; validate needs none', async () => {
    const cfg = cfgFile('stage-nokey', '  engine: pglite\n');
    const r = await run(['stage', join(ROOT, 'fixtures/claims/claims-clean.csv'), '--schema', 'insurance_claim', '--config', cfg]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /configuration error: .*set HALO_DATA_MEMBER_KEY/);
    const v = await run(['validate', join(ROOT, 'fixtures/claims/claims-clean.csv'), '--schema', 'insurance_claim']);
    assert.equal(v.code, 0, v.stderr);
    // run: the source fails with exit 2 and its fetched file stays landed for the next run (not refused/).
    const dir = join(tmp.path, 'run-nokey');
    mkdirSync(join(dir, 'drop'), { recursive: true });
    copyFileSync(join(ROOT, 'fixtures/claims/claims-clean.csv'), join(dir, 'drop/claims-clean.csv'));
    writeFileSync(join(dir, 'halo-data.config.yaml'), 'lake: { url: ./lake }\nsources:\n'
      + '  - { name: claims, type: local, path: ./drop, paths: ["*.csv"], schema: insurance_claim, stableAfterSeconds: 0 }\n');
    const r2 = await runCliAsync(['run', '--config', join(dir, 'halo-data.config.yaml')], { cwd: dir, env: { HALO_DATA_MEMBER_KEY: '' } });
    assert.equal(r2.code, 2, r2.stdout + r2.stderr);
    assert.match(r2.stdout + r2.stderr, /set HALO_DATA_MEMBER_KEY/);
    assert.ok(!existsSync(join(dir, 'lake', 'claims')), 'no batch written');
    const landed = join(dir, '.halo-data', 'landing', 'claims');
    assert.ok(!existsSync(join(landed, 'refused')), 'nothing set aside as refused');
    assert.ok(readdirSync(landed).some((f) => existsSync(join(landed, f, 'claims-clean.csv'))), 'the file waits in landing');
  });

  test('every object of the new batches but the raw files (parts, claim lines, rejects, manifests) holds no personal value; member_key is the SQL hash', async () => {
    for (const id of fresh) {
      const listed = await s3client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `lake/${prefixes.get(id)}/` }));
      const keys = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => !k.includes('/raw/'));
      assert.ok(keys.some((k) => k.includes('/normalized/part-')), `${id}: a part`);
      for (const key of keys) {
        const body = await getObject(key);
        assertClean((key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8'), key);
      }
      const m = JSON.parse((await getObject(`lake/${prefixes.get(id)}/manifest.json`)).toString('utf8'));
      assert.equal(m.version, 2);
      assert.ok(m.columns.includes('member_key') && !m.columns.some((c: string) => ['member_id', 'patient_name', 'patient_dob'].includes(c)), m.columns.join(','));
    }
    // The first claim of claims-clean.csv: its member_key is hex SHA-256 of key:member_id (what the SQL computed before).
    const m = JSON.parse((await getObject(`lake/${prefixes.get(fresh[0])}/manifest.json`)).toString('utf8'));
    const part = gunzipSync(await getObject(`lake/${prefixes.get(fresh[0])}/${m.parts[0].key}`)).toString('utf8');
    const first = part.split('\n').find((l) => l.startsWith('CLM-2026-000101,'))!.split(',');
    assert.equal(first[m.columns.indexOf('member_key')], createHash('sha256').update(`${MEMBER_KEY}:${personalValues()[1]}`, 'utf8').digest('hex'));
  });

  const engines: Array<[string, () => Promise<{ cfg: string; session: Session; stop?: () => Promise<void>; failedCopyTables?: string[] }>]> = [
    ['PGlite', async () => {
      const cfg = cfgFile('pglite', `  engine: pglite\n  path: ${JSON.stringify(join(tmp.path, 'wh'))}\n`);
      // Read in this process between CLI runs (the CLI holds the embedded warehouse's lock only while it runs).
      const session: Session = async (fn) => {
        const wh = await openWarehouse(loadConfig({ configFile: cfg }));
        try { return await fn(async (sql) => (await wh.query<Record<string, unknown>>(sql)).rows); } finally { await wh.close(); }
      };
      return { cfg, session };
    }],
    ['PostgreSQL', async () => {
      const url = await databaseUrl('privacy_pg');
      return { cfg: cfgFile('postgres', `  engine: postgres\n  url: ${url.replace(`:${TEST_PGPASSWORD}@`, '@')}\n`), session: pgSession(url) };
    }],
    ['Redshift (Data API emulator)', async () => {
      const url = await databaseUrl('privacy_redshift');
      const emu: RedshiftEmulator = await startRedshiftDataEmulator({
        postgresUrl: url, s3: s3Access(s3),
      });
      const cfg = cfgFile('redshift', `  engine: redshift-data\n  clusterIdentifier: halo-test\n  database: dev\n  dbUser: halo_etl\n  iamRole: ${ROLE}\n  endpoint: ${emu.endpoint}\n  region: ap-southeast-3\n`);
      // The emulated system tables live in the same database (public.*): the dump reads them too.
      return { cfg, session: pgSession(url), stop: () => emu.stop(), failedCopyTables: ['sys_load_error_detail', 'stl_load_errors', 'stl_loaderror_detail'] };
    }],
  ];

  for (const [engine, open] of engines) {
    test(engine, async () => {
      const e = await open();
      try {
        const clean = async (what: string) => {
          const tables = await e.session(dumpTables);
          for (const [name, json] of tables) assertClean(json, `${engine}: ${name} ${what}`);
          return tables;
        };
        // The claims of claims-clean.csv with their member row, how many member rows, and members held twice.
        const members = () => e.session(async (query) => ({
          claims: (await query(`SELECT f.claim_id, m.member_sk, m.member_key FROM halo.fact_claim f JOIN halo.dim_member m
            ON m.member_sk = f.member_sk WHERE f.claim_id LIKE 'CLM-2026-0001%' ORDER BY 1`)).map((r) => `${r.claim_id} ${r.member_sk} ${r.member_key}`),
          rows: Number((await query('SELECT COUNT(*) AS n FROM halo.dim_member'))[0].n),
          twice: await query('SELECT member_key, COUNT(*) AS n FROM halo.dim_member GROUP BY member_key HAVING COUNT(*) > 1'),
        }));

        // The old-format batch still loads (with the key: its members are hashed in SQL) ...
        const noKey = await run(['load', old, '--config', e.cfg]);
        assert.equal(noKey.code, 2, noKey.stderr);
        assert.match(noKey.stderr, /HALO_DATA_MEMBER_KEY/);
        const v1 = await run(['load', old, '--config', e.cfg], withKey);
        assert.equal(v1.code, 0, v1.stderr);
        const before = await members();
        assert.ok(before.claims.length >= 5, before.claims.join('\n'));

        // ... and the new ones load without it: --no-merge first, then merge.
        const staged = await run(['load', ...fresh, '--no-merge', '--config', e.cfg]);
        assert.equal(staged.code, 0, staged.stderr);
        const kept = [...(await clean('after load --no-merge')).keys()].filter((t) => t.startsWith('halo_staging.'));
        assert.ok(kept.some((t) => t.startsWith('halo_staging.stg_claim_')) && kept.some((t) => t.startsWith('halo_staging.stg_claim_line_')), kept.join(', '));
        const merged = await run(['merge', '--config', e.cfg]);
        assert.equal(merged.code, 0, merged.stderr);
        // The same claims from the new batch (newer: it wins) point at the very dim_member rows the old batch made.
        const after = await members();
        assert.deepEqual(after.claims, before.claims);
        assert.ok(after.rows >= before.rows);
        assert.deepEqual(after.twice, [], 'no member twice');

        // Replay of both formats (the old needs the key): nothing changes.
        const replay = await run(['replay', old, ...fresh, '--yes', '--config', e.cfg], withKey);
        assert.equal(replay.code, 0, replay.stderr);
        assert.deepEqual(await members(), after);
        await clean('after loads and replays');

        // A claim COPY made to fail: the bad row's record (Redshift's system tables) holds nothing personal either.
        const id = fresh[0];
        const manifestBytes = await getObject(`lake/${prefixes.get(id)}/manifest.json`);
        const m = JSON.parse(manifestBytes.toString('utf8'));
        const partKey = `lake/${prefixes.get(id)}/${m.parts[0].key}`;
        const original = await getObject(partKey);
        const lines = gunzipSync(original).toString('utf8').split('\n');
        const at = (m.columns as string[]).indexOf('claimed_amount');
        const cells = lines[1].split(',');
        cells[at] = 'Rp-not-a-number';
        lines[1] = cells.join(',');
        await putObject(partKey, gzipSync(Buffer.from(lines.join('\n'))));
        try {
          // The manifest's SHA-256 would stop the local engines before COPY: the point here is what a failing COPY keeps.
          const broken = JSON.parse(JSON.stringify(m));
          broken.parts[0].sha256 = '';
          await putObject(`lake/${prefixes.get(id)}/manifest.json`, Buffer.from(JSON.stringify(broken)));
          const failed = await run(['load', id, '--force', '--config', e.cfg]);
          assert.equal(failed.code, 1, failed.stderr);
          const tables = await clean('after a failed claim COPY');
          if (e.failedCopyTables) {
            const records = [...tables.entries()].filter(([t]) => e.failedCopyTables!.some((x) => t.endsWith(`.${x}`)));
            assert.ok(records.length > 0, `${engine}: no COPY-failure table among ${[...tables.keys()].join(', ')}`);
            assert.ok(records.some(([, json]) => json.includes('claimed_amount')), `${engine}: the failed COPY was recorded`);
          }
        } finally {
          await putObject(partKey, original);
          await putObject(`lake/${prefixes.get(id)}/manifest.json`, manifestBytes);
        }
      } finally {
        await e.stop?.();
      }
    });
  }
});
