/**
 * Service faults end to end, through the built CLI (`halo-data run` on a local source): each
 * fault ends in success after retries, or in a clear error (the exit code README promises, no
 * stack trace, no "internal error", no personal value) with nothing half-written that could
 * load; and a later run, once the service is back, leaves the warehouse a clean run leaves.
 *
 * - S3 (s3rver behind test/support/http-fault-proxy.ts), embedded warehouse: transient 503
 *   SlowDown, connection resets, a PUT cut mid-body and responses cut mid-body are retried
 *   (exit 0); S3 down from the first request, then dying half-way through a stage, is exit 3
 *   naming the lake, with at most an `incomplete` batch that never loads; healed, the next run
 *   completes the same batch.
 * - PostgreSQL (a real server): a statement failing mid-batch (a trigger that raises) fails the
 *   batch (exit 1), named, its values redacted, nothing of it in the star schema; the trigger
 *   gone, the next run loads it. The server going away during the load (connection cut mid-COPY,
 *   then refused) is exit 3 with the landing folder kept; back up, the next run loads it.
 * - Redshift (Data API emulator): a sub-statement failing mid-batch leaves a `failed` ledger
 *   row and nothing else; the next run loads it.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { runCliAsync, assertNoPersonalData, ROOT, type CliRun } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { startS3, type TestS3, s3Access, s3LakeYaml } from '../support/s3.js';
import { startFaultProxy, allRequests, byMethod, passAll, type FaultProxy, type HttpFault } from '../support/http-fault-proxy.js';
import { startPostgres, postgresAvailable, withTestPassword, TEST_PGPASSWORD, type TestPostgres } from '../support/postgres.js';
import { startRedshiftDataEmulator, type RedshiftEmulator } from '../support/redshift-data-emulator.js';

const tmp = tempDir('halo-faults-');
after(() => tmp.cleanup());

const SOURCE = 'sources:\n  - { name: inventory, type: local, path: ./drop, paths: ["*.csv"], schema: merchant_inventory, stableAfterSeconds: 0 }\n';
const FILES = ['clean-comma.csv', 'pipe-delimited.csv'];

/** A project folder: the inventory source's drop folder with two fixture files, and a config. */
function project(name: string, yaml = ''): { dir: string; cfg: string } {
  const dir = join(tmp.path, name);
  mkdirSync(join(dir, 'drop'), { recursive: true });
  for (const f of FILES) copyFileSync(join(ROOT, 'fixtures/inventory', f), join(dir, 'drop', f));
  const cfg = join(dir, 'halo-data.config.yaml');
  writeFileSync(cfg, SOURCE + yaml);
  return { dir, cfg };
}

/** The CLI in a project's folder, with its config. */
const cli = (p: { dir: string; cfg: string }, env: Record<string, string> = {}) =>
  (...args: string[]): Promise<CliRun> => runCliAsync([...args, '--config', p.cfg], { cwd: p.dir, env });

/** What every fault's output must be: no stack trace, no "internal error", no personal value. */
function assertTidy(r: CliRun, where: string): void {
  const out = r.stdout + r.stderr;
  assert.doesNotMatch(out, /internal error/i, `${where}: ${r.stderr.slice(0, 600)}`);
  assert.doesNotMatch(out, /^\s+at .+:\d+:\d+\)?$/m, `${where}: a stack trace: ${r.stderr.slice(0, 600)}`);
  assertNoPersonalData(out, where);
}

async function tables(run: ReturnType<typeof cli>): Promise<Record<string, number>> {
  const r = await run('warehouse', 'status', '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).tables;
}

async function batches(run: ReturnType<typeof cli>): Promise<Array<{ batchId: string; status: string; warehouse: string | null; loadable: boolean }>> {
  const r = await run('batches', 'list', '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).batches;
}

const landing = (dir: string) => join(dir, '.halo-data/landing/inventory');
/** The fetch folders left in the landing folder, each with the bookkeeping files it holds. */
function fetchFolders(dir: string): Array<{ fetchId: string; fetched: boolean; staged: boolean }> {
  if (!existsSync(landing(dir))) return [];
  return readdirSync(landing(dir)).filter((n) => /^[0-9A-Z]{26}$/.test(n)).map((fetchId) => ({
    fetchId, fetched: existsSync(join(landing(dir), fetchId, '.fetch.json')), staged: existsSync(join(landing(dir), fetchId, '.staged.json')),
  }));
}

/** Table row counts after one clean run of the same files (local lake, embedded warehouse): what every healed run must give. */
let referenceCounts: Promise<Record<string, number>> | null = null;
function reference(): Promise<Record<string, number>> {
  return (referenceCounts ??= (async () => {
    const p = project('reference');
    const run = cli(p);
    const r = await run('run');
    assert.equal(r.code, 0, r.stderr);
    const counts = await tables(run);
    assert.ok(counts.fact_inventory_history > 0 && counts.etl_batch === 1, JSON.stringify(counts));
    return counts;
  })());
}

describe('S3 lake faults (s3rver behind a fault-injecting proxy), embedded warehouse', () => {
  let s3: TestS3;
  let proxy: FaultProxy;
  before(async () => {
    s3 = await startS3();
    proxy = await startFaultProxy(s3.endpoint);
  });
  after(async () => {
    await proxy?.stop();
    await s3?.stop();
  });
  const s3Project = (name: string) => project(name, `lake:\n  url: s3://halo-lake/${name}\n  endpoint: ${proxy.endpoint}\n  region: ap-southeast-3\n`);

  test('transient faults (503 SlowDown, resets, a PUT cut mid-body, responses cut mid-body) are retried: exit 0, the batch complete and loaded', async (t) => {
    const p = s3Project('transient');
    const run = cli(p, s3.env);
    const before = proxy.requests.length;
    proxy.plan = byMethod({
      HEAD: { 1: 'slow-down' },                                  // the first request: 503 SlowDown
      PUT: { 1: 'cut-body', 3: 'reset', 5: 'reset-response', 8: 'slow-down' },
      GET: { 1: 'reset-response', 4: 'reset', 9: 'reset-response' }, // read-backs, then the load's reads
    });
    const started = Date.now();
    const r = await run('run', '--json');
    const seconds = (Date.now() - started) / 1000;
    proxy.plan = passAll;
    assert.equal(r.code, 0, r.stderr);
    assertTidy(r, 'run through transient faults');
    const faults = proxy.requests.slice(before).filter((q) => q.fault);
    t.diagnostic(`${faults.length} faults in ${proxy.requests.length - before} requests, run took ${seconds.toFixed(1)} s: ${faults.map((q) => `${q.method} ${q.fault}`).join(', ')}`);
    for (const f of ['slow-down', 'reset', 'cut-body', 'reset-response'] as HttpFault[]) assert.ok(faults.some((q) => q.fault === f), `no ${f} was injected`);
    assert.ok(faults.some((q) => q.method === 'PUT' && q.fault === 'cut-body'), 'a PUT was cut mid-body');
    assert.ok(faults.some((q) => q.method === 'GET' && q.fault === 'reset-response'), 'a GET response was cut mid-body');

    const [inv] = JSON.parse(r.stdout).sources;
    assert.equal(inv.staged.length, 1);
    assert.deepEqual(inv.loaded.map((l: { batchId: string; status: string }) => [l.batchId, l.status]), [[inv.staged[0].batchId, 'loaded']]);
    const list = await batches(run);
    assert.deepEqual(list.map((b) => [b.batchId, b.status, b.warehouse]), [[inv.staged[0].batchId, 'complete', 'loaded']]);
    assert.deepEqual(await tables(run), await reference());
    assert.deepEqual(fetchFolders(p.dir), [], 'the loaded fetch left the landing folder');
  });

  test('S3 down (every request fails) is exit 3 naming the lake; dying mid-stage leaves only an incomplete batch that never loads; healed, the next run completes it', async () => {
    const p = s3Project('down');
    const run = cli(p, s3.env);
    const lakeUrl = 's3://halo-lake/down';

    // 1. Down from the first request: 503s and resets until the SDK gives up.
    proxy.plan = allRequests('slow-down', 'reset');
    const down = await run('run');
    proxy.plan = passAll;
    assert.equal(down.code, 3, down.stderr);
    assertTidy(down, 'run with S3 down');
    assert.match(down.stderr, new RegExp(`"code":"lake-unreachable".*lake ${lakeUrl}: S3 .+ failed after 6 attempts`));
    assert.match(down.stdout, new RegExp(`error \\(lake-unreachable\\): lake ${lakeUrl}: S3 `));
    assert.deepEqual(await batches(run), [], 'nothing in the lake');
    const [first] = fetchFolders(p.dir);
    assert.deepEqual(fetchFolders(p.dir), [{ fetchId: first.fetchId, fetched: true, staged: false }], 'the fetch is kept, to be staged again');

    // 2. S3 dies part-way through the stage: a few objects written, the rest fails (connection
    //    resets, a cut PUT, lost responses; no SlowDown here, whose adaptive backoff takes long).
    let n = 0;
    const dying: HttpFault[] = ['reset', 'cut-body', 'reset-response'];
    proxy.plan = () => (++n <= 4 ? null : dying[n % dying.length]);
    const dies = await run('run');
    proxy.plan = passAll;
    assert.equal(dies.code, 3, dies.stderr);
    assertTidy(dies, 'run with S3 dying mid-stage');
    assert.match(dies.stdout, new RegExp(`error \\(lake-unreachable\\): lake ${lakeUrl}: S3 `));
    const half = await batches(run);
    assert.equal(half.length, 1, JSON.stringify(half));
    assert.equal(half[0].status, 'incomplete');
    assert.equal(half[0].loadable, false);
    assert.notEqual(half[0].warehouse, 'loaded');
    assert.deepEqual(fetchFolders(p.dir), [{ fetchId: first.fetchId, fetched: true, staged: false }]);
    // An incomplete batch never loads, even when asked by name.
    const load = await run('load', half[0].batchId);
    assert.equal(load.code, 1, load.stderr);
    assert.match(load.stderr, /is incomplete \(no manifest\): it is never loaded/);
    assertTidy(load, 'load of the incomplete batch');
    const counts = await tables(run);
    assert.deepEqual(Object.entries(counts).filter(([, v]) => v !== 0), [], 'nothing in the warehouse, not even a ledger row');

    // 3. Healed: the next run stages the same fetch again (the same batch id), loads it, and
    //    the warehouse is what a clean run gives.
    const healed = await run('run', '--json');
    assert.equal(healed.code, 0, healed.stderr);
    assertTidy(healed, 'run after S3 healed');
    const [inv] = JSON.parse(healed.stdout).sources;
    assert.equal(inv.fetch.files, 0, 'nothing fetched again');
    assert.deepEqual(inv.staged.map((b: { batchId: string }) => b.batchId), [half[0].batchId]);
    assert.deepEqual(inv.loaded.map((l: { status: string }) => l.status), ['loaded']);
    const after = await batches(run);
    assert.deepEqual(after.map((b) => [b.batchId, b.status, b.warehouse]), [[half[0].batchId, 'complete', 'loaded']]);
    assert.deepEqual(await tables(run), await reference());
    assert.deepEqual(fetchFolders(p.dir), []);
  });
});

/**
 * A TCP gate on a fixed port in front of PostgreSQL, as a server that can stop: `down()` cuts
 * every connection and stops listening (connect: ECONNREFUSED), `up()` listens on the same port
 * again; `downOn(text)` goes down the moment a client sends that text (e.g. mid-transaction).
 */
interface Gate { port: number; down(): Promise<void>; up(): Promise<void>; downOn(text: string): void; stop(): Promise<void> }

async function startGate(target: { host: string; port: number }): Promise<Gate> {
  const sockets = new Set<Socket>();
  let trigger: string | null = null;
  let server: Server | null = null;
  let port = 0;
  const track = (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => s.destroy()); };
  const down = async () => {
    const s = server;
    server = null;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };
  const up = async () => {
    const s = createServer((client) => {
      const upstream = connect(target.port, target.host);
      track(client);
      track(upstream);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('data', (chunk: Buffer) => {
        if (trigger !== null && chunk.toString('latin1').includes(trigger)) { trigger = null; void down(); return; }
        upstream.write(chunk);
      });
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, '127.0.0.1', () => resolve()); });
    port = (s.address() as { port: number }).port;
    server = s;
  };
  await up();
  return { port, down, up, downOn: (text) => { trigger = text; }, stop: down };
}

describe('PostgreSQL warehouse faults', { skip: postgresAvailable() ? false : 'PostgreSQL not installed (.ci/run installs it)' }, () => {
  let server: TestPostgres;
  let gate: Gate;
  let admin: pg.Client;
  /** A database of its own on the test server; its URL without the password (PGPASSWORD gives it), optionally through the gate. */
  const database = async (name: string, viaGate = false): Promise<string> => {
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(server.url);
    u.pathname = `/${name}`;
    if (viaGate) u.port = String(gate.port);
    return u.toString();
  };
  const pgProject = async (name: string, viaGate = false) => {
    const url = await database(name, viaGate);
    const p = project(name, `warehouse:\n  engine: postgres\n  url: ${url}\n`);
    return { ...p, url, run: cli(p, { PGPASSWORD: TEST_PGPASSWORD }) };
  };
  /** Straight to the server (not through the gate), for the test's own statements. */
  const sql = async <T = Record<string, unknown>>(url: string, text: string): Promise<T[]> => {
    const u = new URL(withTestPassword(url));
    u.port = new URL(server.url).port;
    const c = new pg.Client({ connectionString: u.toString() });
    await c.connect();
    try { return (await c.query(text)).rows as T[]; } finally { await c.end(); }
  };

  before(async () => {
    server = await startPostgres();
    const u = new URL(server.url);
    gate = await startGate({ host: u.hostname, port: Number(u.port) });
    admin = new pg.Client({ connectionString: withTestPassword(server.url) });
    await admin.connect();
  });
  after(async () => {
    await admin?.end().catch(() => {});
    await gate?.stop();
    await server?.stop();
  });

  test('a statement failing mid-batch (a trigger that raises) fails the batch: exit 1, named, no values, nothing in the star schema; then the next run loads it', async () => {
    const p = await pgProject('trigger_fault');
    assert.equal((await p.run('warehouse', 'init')).code, 0);
    // Raised for the first snapshot row, after COPY and the dimension merges of the same
    // transaction; the message quotes a row value, as database messages do.
    await sql(p.url, `CREATE FUNCTION public.halo_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected fault: snapshot refused at price %', quote_literal(NEW.selling_price::text); END $$`);
    await sql(p.url, 'CREATE TRIGGER halo_test_refuse BEFORE INSERT ON halo.fact_inventory_history FOR EACH ROW EXECUTE FUNCTION public.halo_test_refuse()');

    const r = await p.run('run', '--json');
    assert.equal(r.code, 1, r.stderr);
    assertTidy(r, 'run with a failing statement');
    const [inv] = JSON.parse(r.stdout).sources;
    const id = inv.staged[0].batchId as string;
    assert.deepEqual(inv.loaded, []);
    assert.equal(inv.failedBatches.length, 1);
    assert.equal(inv.failedBatches[0].batchId, id);
    assert.match(inv.failedBatches[0].message, new RegExp(`${id}.*rejected a statement.*injected fault: snapshot refused at price \\*\\*\\*`));
    assert.match(r.stderr, new RegExp(`"batch":"${id}".*injected fault`));
    // No row value in any output: the quoted price was redacted.
    assert.doesNotMatch(r.stdout + r.stderr, /price '\d/);

    // Nothing of the batch in the star schema: only its ledger row, `failed`.
    const { etl_batch: ledgerRows, ...star } = await tables(p.run);
    assert.equal(ledgerRows, 1);
    assert.deepEqual(Object.entries(star).filter(([, v]) => v !== 0), [], 'no star-schema row after the failed batch');
    const ledger = await sql<{ batch_id: string; status: string; error: string }>(p.url, 'SELECT batch_id, status, error FROM halo.etl_batch');
    assert.equal(ledger.length, 1);
    assert.equal(ledger[0].batch_id, id);
    assert.equal(ledger[0].status, 'failed');
    assert.match(ledger[0].error, /injected fault/);
    assert.doesNotMatch(ledger[0].error, /price '\d/);
    assert.deepEqual((await batches(p.run)).map((b) => [b.batchId, b.status, b.warehouse]), [[id, 'complete', 'failed']]);
    assert.deepEqual(fetchFolders(p.dir).map((f) => f.staged), [true], 'the staged fetch is kept for the next run');

    // The fault gone, the next run loads the same batch; the warehouse is a clean run's.
    await sql(p.url, 'DROP TRIGGER halo_test_refuse ON halo.fact_inventory_history');
    const again = await p.run('run', '--json');
    assert.equal(again.code, 0, again.stderr);
    assertTidy(again, 'run after the fault was removed');
    assert.deepEqual(JSON.parse(again.stdout).sources[0].loaded.map((l: { batchId: string; status: string }) => [l.batchId, l.status]), [[id, 'loaded']]);
    assert.deepEqual(await tables(p.run), await reference());
    assert.deepEqual(fetchFolders(p.dir), []);
  });

  test('the server going away during the load (cut mid-COPY, then refused) is exit 3, the landing folder kept; back up, the next run loads it', async () => {
    const p = await pgProject('stopped_fault', true);
    assert.equal((await p.run('warehouse', 'init')).code, 0);

    // The server stops while the batch's transaction streams its COPY: every connection is cut
    // and new ones are refused.
    gate.downOn('COPY ');
    const r = await p.run('run');
    assert.equal(r.code, 3, r.stderr);
    assertTidy(r, 'run with the server stopping mid-load');
    assert.match(r.stdout, /error \(warehouse-unreachable\): lost the connection to PostgreSQL at postgresql:\/\/halo@127\.0\.0\.1:\d+\/stopped_fault/);
    const folders = fetchFolders(p.dir);
    assert.deepEqual(folders.map((f) => [f.fetched, f.staged]), [[true, true]], 'the landing folder is kept, staged');

    // Still down: refused at once, exit 3, the fix named.
    const refused = await p.run('run');
    assert.equal(refused.code, 3, refused.stderr);
    assertTidy(refused, 'run with the server down');
    assert.match(refused.stdout, /error \(warehouse-unreachable\): cannot connect to PostgreSQL at postgresql:\/\/halo@127\.0\.0\.1:\d+\/stopped_fault: .*ECONNREFUSED/);
    assert.match(refused.stdout, /fix: check warehouse\.url and PGPASSWORD/);
    // Nothing was committed: no fact, no loaded batch.
    assert.deepEqual(await sql(p.url, `SELECT (SELECT COUNT(*) FROM halo.fact_inventory_history)::int AS facts, (SELECT COUNT(*) FROM halo.etl_batch WHERE status = 'loaded')::int AS loaded`), [{ facts: 0, loaded: 0 }]);

    await gate.up();
    const again = await p.run('run', '--json');
    assert.equal(again.code, 0, again.stderr);
    assertTidy(again, 'run after the server came back');
    const [inv] = JSON.parse(again.stdout).sources;
    assert.deepEqual(inv.loaded.map((l: { status: string }) => l.status), ['loaded']);
    assert.deepEqual(await tables(p.run), await reference());
    assert.deepEqual(fetchFolders(p.dir), []);
  });

  test('Redshift (Data API emulator): a sub-statement failing mid-batch leaves only a failed ledger row; the next run loads the batch', async () => {
    const s3 = await startS3();
    let emu: RedshiftEmulator | null = null;
    try {
      emu = await startRedshiftDataEmulator({
        postgresUrl: withTestPassword(await database('redshift_fault')),
        s3: s3Access(s3),
      });
      const p = project('redshift_fault', s3LakeYaml(s3)
        + `warehouse:\n  engine: redshift-data\n  clusterIdentifier: halo-test\n  database: dev\n  dbUser: halo_etl\n`
        + `  iamRole: arn:aws:iam::123456789012:role/halo-data-copy\n  endpoint: ${emu.endpoint}\n  region: ap-southeast-3\n`);
      const run = cli(p, s3.env);
      emu.failOn.push((text) => (/INSERT INTO halo\.fact_inventory_history[\s\S]*FROM inv_new/.test(text) ? 'ERROR: injected fault' : undefined));
      const r = await run('run', '--json');
      emu.failOn.length = 0;
      // The Redshift engine calls a statement the server rejected a service fault (exit 3), as
      // warehouse-engines.test.ts expects of `load`.
      assert.equal(r.code, 3, r.stderr);
      assertTidy(r, 'run on Redshift with a failing statement');
      const [inv] = JSON.parse(r.stdout).sources;
      const id = inv.staged[0].batchId as string;
      assert.match(inv.failedBatches[0]?.message ?? '', /rejected statement \d+ of \d+.*injected fault/);
      const { etl_batch: ledgerRows, ...star } = await tables(run);
      assert.equal(ledgerRows, 1);
      assert.deepEqual(Object.entries(star).filter(([, v]) => v !== 0), [], 'no star-schema row after the failed batch');
      assert.deepEqual((await batches(run)).map((b) => [b.batchId, b.warehouse]), [[id, 'failed']]);
      assert.deepEqual(fetchFolders(p.dir).map((f) => f.staged), [true]);

      const again = await run('run', '--json');
      assert.equal(again.code, 0, again.stderr);
      assertTidy(again, 'run on Redshift after the fault was removed');
      assert.deepEqual(JSON.parse(again.stdout).sources[0].loaded.map((l: { batchId: string; status: string }) => [l.batchId, l.status]), [[id, 'loaded']]);
      assert.deepEqual(await tables(run), await reference());
    } finally {
      await emu?.stop();
      await s3.stop();
    }
  });
});
