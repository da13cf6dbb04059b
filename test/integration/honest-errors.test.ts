/**
 * Issue 15 items 8 and 12 through the CLI, as a user meets them: a report folder that does not
 * exist is a usage error naming it (was: `internal error: ENOENT … open ***`, exit 1); an
 * unknown option speaks as halo-data with where the help is; a batch id the lake lacks is a
 * usage error naming it and how to list batches (was exit 1); `batches list --status
 * incomplete` says what the lake holds instead of "no batches"; `doctor` against a server that
 * refuses connections says it cannot connect (exit 3), not that the host key is wrong.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runCli, runCliAsync } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const tmp = tempDir('halo-honest-');
after(() => tmp.cleanup());
const CLEAN = 'fixtures/inventory/clean-comma.csv';
const STACK = /^\s+at .*:\d+:\d+\)?$/m;

describe('validate -o into a folder that is not there', () => {
  test('exit 2, the folder named as typed, nothing masked, no internal error, nothing written', () => {
    const r = runCli(['validate', CLEAN, '-o', '/nonexistent/dir/r.json']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.split('\n')[0], 'halo-data: error: cannot write the report to /nonexistent/dir/r.json: the folder /nonexistent/dir does not exist (ENOENT)');
    assert.doesNotMatch(r.stderr, /\*\*\*|internal error/);
    assert.doesNotMatch(r.stderr, /schema guessed/, 'checked before any file is read');
    const file = join(tmp.path, 'file.txt');
    writeFileSync(file, 'x');
    const notDir = runCli(['validate', CLEAN, '-o', join(file, 'r.json')]);
    assert.equal(notDir.code, 2);
    assert.match(notDir.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a folder \\(ENOTDIR\\)`));
    const isDir = runCli(['validate', CLEAN, '-o', tmp.path]);
    assert.equal(isDir.code, 2);
    assert.match(isDir.stderr, /: it is a folder/);
    assert.deepEqual(readdirSync(tmp.path), ['file.txt'], 'no temporary file left');
  });
});

describe("commander's usage errors in halo-data's voice", () => {
  test("unknown option, unknown command, bad value, missing argument: 'halo-data:' and the command's --help, exit 2", () => {
    const cases: Array<[string[], string]> = [
      [['validate', CLEAN, '--x'], "halo-data: unknown option '--x'\n(see halo-data validate --help)\n"],
      [['batches', 'list', '--sttus', 'complete'], "halo-data: unknown option '--sttus'\n(Did you mean --status?)\n(see halo-data batches list --help)\n"],
      [['--x'], "halo-data: unknown option '--x'\n(see halo-data --help)\n"],
      [['frobnicate'], "halo-data: unknown command 'frobnicate'\n(see halo-data --help)\n"],
      [['validate'], "halo-data: missing required argument 'paths'\n(see halo-data validate --help)\n"],
      [['validate', CLEAN, '--max-errors', '0'], "halo-data: option '--max-errors <n>' argument '0' is invalid. --max-errors must be a whole number >= 1.\n(see halo-data validate --help)\n"],
      // Was parseFloat: 'abc' became NaN, and a NaN rate refuses nothing.
      [['stage', CLEAN, '--schema', 'merchant_inventory', '--max-reject-rate', 'abc'], "halo-data: option '--max-reject-rate <r>' argument 'abc' is invalid. --max-reject-rate must be a share of rows from 0 to 1 (0.01 is 1 %).\n(see halo-data stage --help)\n"],
      [['run', '--max-reject-rate', '5%'], "halo-data: option '--max-reject-rate <r>' argument '5%' is invalid. --max-reject-rate must be a share of rows from 0 to 1 (0.01 is 1 %).\n(see halo-data run --help)\n"],
      [['refused', 'retry', '--all', '--max-reject-rate', '-1'], "halo-data: option '--max-reject-rate <r>' argument '-1' is invalid. --max-reject-rate must be a share of rows from 0 to 1 (0.01 is 1 %).\n(see halo-data refused retry --help)\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr, stderr, args.join(' '));
      assert.equal(r.stdout, '');
    }
    // A command group without its subcommand: its help on stderr, a usage error like `halo-data` alone (was exit 0).
    const group = runCli(['batches']);
    assert.equal(group.code, 2);
    assert.match(group.stderr, /^Usage: halo-data batches \[options\] \[command\]/);
    assert.equal(runCli(['batches', '--help']).code, 0);
  });
});

describe('batch ids and the lake', () => {
  const cfg = join(tmp.path, 'lake.yaml');
  const lake = join(tmp.path, 'lake');
  let batchId = '';
  before(() => {
    writeFileSync(cfg, `lake: { url: ${JSON.stringify(lake)} }\nwarehouse: { engine: pglite, path: ${JSON.stringify(join(tmp.path, 'wh'))} }\n`);
    const s = runCli(['stage', CLEAN, '--schema', 'merchant_inventory', '--config', cfg]);
    assert.equal(s.code, 0, s.stderr);
    batchId = s.stdout.trim();
  });

  test('load and batches show of an id the lake lacks: exit 2, the id named, and how to list batches; no warehouse created', () => {
    const missing = '01JD3Q7W0Y5R4M8Z2K6F9X1B3C';
    for (const args of [['load', missing], ['batches', 'show', missing]]) {
      const r = runCli([...args, '--config', cfg]);
      assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`halo-data: error: no batch ${missing} in \\S+lake\\n  halo-data batches list shows the batches the lake holds`));
      assert.doesNotMatch(r.stderr, STACK);
    }
    assert.ok(!existsSync(join(tmp.path, 'wh')), 'nothing was opened for it');
  });

  test('a filter that leaves nothing says what the lake holds; sizes in KB', () => {
    const none = runCli(['batches', 'list', '--status', 'incomplete', '--config', cfg]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /^no incomplete batches in \S+lake \(it holds 1 complete\)\n$/);
    const list = runCli(['batches', 'list', '--config', cfg]);
    assert.match(list.stdout, new RegExp(`${batchId} .* \\d+(\\.\\d)? KB\\n`), list.stdout);
  });
});

describe('doctor against an SFTP server that refuses the connection', () => {
  test('the connection check fails: "cannot connect to host:port (connection refused)", exit 3; no host-key row', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => { const a = s.address() as { port: number }; s.close(() => resolve(a.port)); });
    });
    const dir = join(tmp.path, 'doctor');
    const cfg = join(tmp.path, 'doctor.json');
    writeFileSync(cfg, JSON.stringify({
      lake: { url: join(dir, 'lake') }, warehouse: { engine: 'pglite', path: join(dir, 'wh') }, landing: join(dir, 'landing'),
      sources: [{ name: 'merchants', type: 'sftp', host: '127.0.0.1', port, user: 'halo', passwordEnv: 'HALO_TEST_PW', paths: ['/m/*.csv'], schema: 'merchant_inventory', timeoutSeconds: 5 }],
    }));
    const env = { HALO_TEST_PW: 'not-a-secret', HALO_DATA_MEMBER_KEY: 'a-member-key-long-enough-for-doctor-0123456789' };
    const r = await runCliAsync(['doctor', '--config', cfg], { env });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`✗ merchants: connection to 127\\.0\\.0\\.1:${port} +source 'merchants': cannot connect to 127\\.0\\.0\\.1:${port} \\(connection refused\\)`));
    assert.doesNotMatch(r.stdout, /host key/);
    const json = JSON.parse((await runCliAsync(['doctor', '--json', '--config', cfg], { env })).stdout);
    const failed = json.checks.filter((k: { ok: boolean }) => !k.ok);
    assert.deepEqual(failed.map((k: { check: string }) => k.check), [`merchants: connection to 127.0.0.1:${port}`]);
  });
});
