/**
 * Issue 15 items 8 and 12, the pieces below the CLI: an unexpected error is masked only where
 * it may quote a value (a library's message), never a path Node's own calls name; a server
 * that refuses the connection is "cannot connect", not a host-key problem; an empty
 * `batches list` says what the lake does hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { reportError } from '../../src/cli.js';
import { UnreachableError, TransientError, describeFailure } from '../../src/sources/sftp-errors.js';
import { exitCodeFor } from '../../src/errors.js';
import { noneMatch } from '../../src/commands/batches.js';
import type { BatchEntry } from '../../src/batch/catalog.js';

function reported(err: unknown): string {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (b) => { text += String(b); });
  reportError(err, { stdout: new PassThrough(), stderr, env: { NO_COLOR: '1' }, cwd: '/' }, false);
  return text;
}

test("an internal error from Node's own file calls shows its path; any other keeps losing quoted values", () => {
  const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/nonexistent/dir/r.json'"), { code: 'ENOENT', errno: -2, syscall: 'open', path: '/nonexistent/dir/r.json' });
  assert.match(reported(enoent), /internal error: ENOENT: no such file or directory, open '\/nonexistent\/dir\/r\.json'/);
  // A library's message (a parser, a database driver) may quote a row's value: it goes.
  assert.match(reported(new Error('invalid input syntax for type date: "1984-02-29"')), /internal error: invalid input syntax for type date: \*\*\*\n/);
  // An errno-like code alone (no syscall) is not Node's: still masked.
  assert.match(reported(Object.assign(new Error("bad value 'x'"), { code: 'EBADV' })), /bad value \*\*\*/);
});

test('a refused connection: UnreachableError, exit 3, "cannot connect to host:port (connection refused)"', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2222'), { code: 'ECONNREFUSED', syscall: 'connect' });
  // As connectSftp hands it on: wrapped in a TransientError whose cause is ssh2's error.
  const wrapped = new TransientError('connection-lost', describeFailure(refused), { cause: refused });
  for (const e of [refused, wrapped]) {
    const u = new UnreachableError('merchants', 'sftp.example.org', 2222, e);
    assert.equal(u.message, "source 'merchants': cannot connect to sftp.example.org:2222 (connection refused)");
    assert.equal(exitCodeFor(u), 3);
    assert.equal(u.code, 'sftp-unreachable');
  }
  assert.equal(describeFailure(refused), 'connection refused (ECONNREFUSED)');
  const other = new UnreachableError('m', 'h', 22, new TransientError('timeout', 'Timed out while waiting for handshake'));
  assert.equal(other.message, "source 'm': cannot connect to h:22 (Timed out while waiting for handshake)");
});

test('batches list with nothing to list says what the lake holds', () => {
  const entry = (status: 'complete' | 'incomplete') => ({ status } as BatchEntry);
  const url = 'file:///lake';
  assert.equal(noneMatch({}, url, [], true), 'no batches in file:///lake');
  assert.equal(noneMatch({ source: 'claims' }, url, [], true), 'no batches of source claims in file:///lake');
  assert.equal(noneMatch({ status: 'incomplete' }, url, [entry('complete'), entry('complete')], true), 'no incomplete batches in file:///lake (it holds 2 complete)');
  assert.equal(noneMatch({ status: 'complete', since: '2026-11-01' }, url, [entry('complete'), entry('incomplete')], true),
    'no complete batches dated 2026-11-01 or later in file:///lake (it holds 1 complete, 1 incomplete)');
  assert.equal(noneMatch({ status: 'failed' }, url, [entry('complete')], true), 'no batches that the warehouse ledger has as failed in file:///lake (it holds 1 complete)');
  assert.equal(noneMatch({ status: 'loaded' }, url, [entry('complete')], false),
    'no batches that the warehouse ledger has as loaded (the ledger could not be read) in file:///lake (it holds 1 complete)');
});
