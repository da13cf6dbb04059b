/**
 * replay: loads batches again from the lake. Never prompts without a terminal; on one, the
 * checkbox picker (driven here in a real terminal: tmux) chooses the batches.
 */
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli, ROOT, BIN } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir();
const cfg = join(tmp.path, 'halo-data.config.yaml');
const ids: string[] = [];
before(() => {
  writeFileSync(cfg, `lake: { url: ${JSON.stringify(join(tmp.path, 'lake'))} }\nwarehouse: { engine: pglite, path: ${JSON.stringify(join(tmp.path, 'wh'))} }\n`);
  for (const f of ['clean-comma.csv', 'pipe-delimited.csv']) {
    const r = runCli(['stage', join(ROOT, 'fixtures/inventory', f), '--schema', 'merchant_inventory', '--source', 'merchants', '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    ids.push(r.stdout.trim());
  }
  assert.equal(runCli(['load', ...ids, '--config', cfg]).code, 0);
});
after(() => tmp.cleanup());

const ledger = () => JSON.parse(runCli(['warehouse', 'query', 'SELECT batch_id, status, rows_loaded FROM halo.etl_batch ORDER BY 1', '--json', '--config', cfg]).stdout);
const facts = () => JSON.parse(runCli(['warehouse', 'query', 'SELECT batch_id, product_sk, selling_price, is_current FROM halo.fact_inventory_history ORDER BY 1, 2', '--json', '--config', cfg]).stdout);

describe('replay', () => {
  test('without a terminal it never waits: ids or a range, and --yes, are required', () => {
    for (const args of [['replay'], ['replay', '--source', 'merchants'], [ 'replay', ids[0]]]) {
      const r = runCli([...args, '--config', cfg]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /--yes/);
    }
  });
  test('--dry-run lists what would load, loads nothing', () => {
    const r = runCli(['replay', '--source', 'merchants', '--dry-run', '--json', '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).wouldLoad, ids);
  });
  test('a range with --yes loads the batches again and changes nothing', () => {
    const before = facts();
    const today = new Date().toISOString().slice(0, 10);
    const r = runCli(['replay', '--source', 'merchants', '--since', today, '--until', today, '--yes', '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n').filter((l) => / loaded /.test(l)).length, 2);
    assert.deepEqual(facts(), before);
    assert.deepEqual(ledger().map((l: { status: string }) => l.status), ['loaded', 'loaded']);
  });
  test('on a terminal, the picker chooses (driven in tmux)', { skip: spawnSync('tmux', ['-V']).status === 0 ? false : 'tmux not installed' }, async () => {
    const session = `halo-replay-${process.pid}`;
    const out = join(tmp.path, 'picker.out');
    // A server of its own (socket in the test's folder, no ~/.tmux.conf): never the user's.
    const socket = join(tmp.path, 'tmux.sock');
    const tmux = (...a: string[]) => spawnSync('tmux', ['-S', socket, '-f', '/dev/null', ...a], { encoding: 'utf8' });
    const screen = () => tmux('capture-pane', '-p', '-t', session).stdout;
    const waitFor = async (re: RegExp, what: string) => {
      const started = Date.now();
      while (!re.test(screen())) {
        if (Date.now() - started > 30_000) throw new Error(`${what} did not appear:\n${screen()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const cmd = `NO_COLOR=1 ${process.execPath} ${BIN} replay --config ${cfg} > ${out}; echo "exit=$?" >> ${out}`;
    assert.equal(tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '40', cmd).status, 0);
    try {
      await waitFor(/Batches to load again/, 'the picker');
      tmux('send-keys', '-t', session, 'Space');
      await new Promise((r) => setTimeout(r, 200));
      tmux('send-keys', '-t', session, 'Enter');
      // The session ends with the command: wait for its exit status in the output file.
      const started = Date.now();
      while (!(existsSync(out) && /exit=\d+/.test(readFileSync(out, 'utf8')))) {
        if (Date.now() - started > 60_000) throw new Error(`replay did not finish: ${existsSync(out) ? readFileSync(out, 'utf8') : ''}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const text = readFileSync(out, 'utf8');
      assert.match(text, /exit=0/);
      // The first choice is the newest batch: it, and only it, was loaded again.
      assert.match(text, new RegExp(`${ids[1]} loaded`));
      assert.doesNotMatch(text, new RegExp(`${ids[0]} loaded`));
    } finally {
      tmux('kill-server');
    }
  });
});
