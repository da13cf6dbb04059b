/**
 * The embedded warehouse is one process's database: every command that opens it holds
 * `<folder>.lock` while it is open. Real CLIs on one PGlite folder: a second `load` waits
 * for the first (told whom it waits for) and both batches are there, every row; a reader
 * and a writer that wait less than the holder takes give up with exit 1 naming the holder
 * (pid, host, command, start); a holder whose main thread is blocked in a statement
 * longer than the stale age is not taken over (its heartbeat beats in a worker); SIGTERM
 * ends a run like Ctrl-C: exit 143, both locks released.
 */
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { runCli, spawnCli, type CliRun } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir();
after(() => tmp.cleanup());

const HEADER = 'Kode Apotek,Kode Barang,Nama Barang,Barcode,Satuan,Harga Jual,Stok,Tgl Kadaluarsa,Tgl Update';
/** An inventory file of `rows` products of its own merchant. */
function inventory(file: string, merchant: string, rows: number): void {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) lines.push(`${merchant},BRG-${String(i).padStart(5, '0')},Produk ${i},,Strip,${1000 + i},${i % 50},21/11/2027,21/11/2026 10:30`);
  writeFileSync(file, lines.join('\n') + '\n');
}

const ROWS = 1500;
/** A project: a local lake, the embedded warehouse, a local source with one file; three staged batches. */
const dir = join(tmp.path, 'p');
const cfg = join(dir, 'halo-data.config.yaml');
const lockFile = join(dir, '.halo-data/warehouse.lock');
const batches: string[] = [];
const cli = (args: string[], env: Record<string, string> = {}) => runCli([...args, '--config', cfg], { cwd: dir, env });
const spawn = (args: string[], env: Record<string, string> = {}) => spawnCli([...args, '--config', cfg], { cwd: dir, env });
const count = (): number => Number(JSON.parse(cli(['warehouse', 'query', 'SELECT count(*) AS n FROM halo.fact_inventory_history', '--json']).stdout)[0].n);

before(() => {
  mkdirSync(join(dir, 'drop'), { recursive: true });
  writeFileSync(cfg, 'sources:\n  - { name: shop, type: local, path: ./drop, schema: merchant_inventory, stableAfterSeconds: 0 }\n');
  for (const m of ['M0201', 'M0202', 'M0203']) {
    const f = join(tmp.path, `${m}.csv`);
    inventory(f, m, ROWS);
    const r = cli(['stage', f, '--schema', 'merchant_inventory', '--source', 'manual']);
    assert.equal(r.code, 0, r.stderr);
    batches.push(r.stdout.trim());
  }
  inventory(join(dir, 'drop', 'M0204.csv'), 'M0204', ROWS);
});

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Holds a CLI at a point (its main thread blocked, as in a long statement) until release() (or 60 s). */
function stall(point: string): { env: Record<string, string>; release: () => void } {
  const file = join(tmp.path, `release-${Math.random().toString(36).slice(2)}`);
  return { env: { HALO_DATA_STALLPOINT: `${point}:60000:${file}` }, release: () => writeFileSync(file, '') };
}

/** stderr as it comes (spawnCli gives it at the end). */
function live(child: ChildProcess): () => string {
  let text = '';
  child.stderr!.on('data', (d) => { text += d; });
  return () => text;
}

describe('one process at a time in the embedded warehouse', () => {
  test('a second load waits for the first (even while its main thread is blocked past the stale age), then loads: no row lost', async () => {
    // The first holds the warehouse inside its load transaction, its main thread blocked (as
    // in a long PGlite statement), longer than the 1 s stale age: only the heartbeat keeps it.
    const env = { HALO_DATA_LOCK_STALE_SECONDS: '1' };
    const hold = stall('load:before-commit');
    const first = spawn(['load', batches[0]], { ...env, ...hold.env });
    await until('the first load to open the warehouse', () => existsSync(lockFile));
    const second = spawn(['load', batches[1]], env);
    const said = live(second.child);
    await until('the second load to wait', () => /waiting up to/.test(said()));
    await new Promise((r) => setTimeout(r, 2500)); // past the stale age, twice
    hold.release();
    const [a, b] = await Promise.all([first.done, second.done]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stderr, new RegExp(`the embedded warehouse \\S+ is in use by pid ${first.child.pid} on ${hostname()} \\(halo-data load\\), started \\S+, last heartbeat \\d+ s ago; waiting up to 60 s for it \\(warehouse\\.lockWaitSeconds\\)`));
    assert.doesNotMatch(b.stderr, /took over/);
    assert.equal(count(), 2 * ROWS);
    assert.ok(!existsSync(lockFile), 'released when the last one closed');
  });

  test('while a run holds it, a load and a reader that wait 1 s give up with exit 1 naming the holder; the run goes on', async () => {
    const hold = stall('load:before-commit');
    const run = spawn(['run'], { ...hold.env, HALO_DATA_MEMBER_KEY: 'k' });
    await until('the run to open the warehouse', () => existsSync(lockFile));
    const wait1 = { HALO_DATA_WAREHOUSE_LOCK_WAIT_SECONDS: '1' };
    const refused = await Promise.all([spawn(['load', batches[2]], wait1).done, spawn(['warehouse', 'status'], wait1).done]);
    hold.release();
    for (const r of refused as CliRun[]) {
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`error: the embedded warehouse \\S+ is held by pid ${run.child.pid} on ${hostname()} \\(halo-data run\\), started \\d{4}-\\S+, last heartbeat \\d+ s ago \\(\\S+warehouse\\.lock\\); waited 1 s \\(warehouse\\.lockWaitSeconds\\); nothing was done`));
    }
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(count(), 3 * ROWS, 'the run loaded its file; the refused load changed nothing');
  });

  test('SIGTERM ends a run like Ctrl-C: exit 143, the run lock and the warehouse lock released', async () => {
    inventory(join(dir, 'drop', 'M0205.csv'), 'M0205', ROWS);
    const hold = stall('load:before-commit');
    const run = spawn(['run'], { ...hold.env, HALO_DATA_MEMBER_KEY: 'k' });
    await until('the run to open the warehouse', () => existsSync(lockFile));
    run.child.kill('SIGTERM');
    hold.release(); // the signal is handled once the blocked statement returns
    const r = await run.done;
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stderr, /halo-data: terminated/);
    assert.ok(!existsSync(lockFile), 'no warehouse lock left');
    assert.ok(!existsSync(join(dir, '.halo-data/run.lock')), 'no run lock left');
    // Nothing to take over: the next run loads whatever the stopped one did not commit.
    const again = cli(['run'], { HALO_DATA_MEMBER_KEY: 'k' });
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /took over/);
    assert.equal(count(), 4 * ROWS);
  });
});
