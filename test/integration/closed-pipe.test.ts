import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from '../support/cli.js';

// `halo-data … | head -1`: the reader closes the pipe after its first line. That must not
// crash the command with an EPIPE stack trace (it did, for every command printing more than
// one pipe buffer's worth or writing after head left), nor change its exit code.
function throughHead(args: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', `node "${BIN}" ${args} | head -c 1 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' }, timeout: 60_000,
  });
  const m = /exit=(\d+)/.exec(r.stderr);
  return { code: m ? Number(m[1]) : -1, stdout: r.stdout, stderr: r.stderr };
}

for (const [args, code] of [
  ['--help', 0], ['validate --help', 0], ['schemas list', 0],
  ['schemas show merchant_inventory --json-schema', 0], ['validate fixtures/inventory --format json', 1],
] as const) {
  test(`halo-data ${args} | head: no EPIPE trace, exit ${code} as without the pipe`, () => {
    const r = throughHead(args);
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled 'error' event|at .*\.js:\d+/, r.stderr);
    assert.equal(r.code, code, r.stderr);
  });
}
