/**
 * Issue 16 item 4's mechanism: what counts as another loader's transaction in the way (on
 * each engine), the pause before a retry (doubling, half random, bounded), and the bound
 * on retries, after which the error says another loader was writing (exit 3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  WriteConflictError, isConflictMessage, isConflictSqlState, conflictPause, conflictPolicy, retryConflicts, DEFAULT_CONFLICT_POLICY,
} from '../../src/warehouse/conflict.js';
import { pgFailure } from '../../src/warehouse/steps.js';
import { exitCodeFor, ConfigError, DataError } from '../../src/errors.js';

test("Redshift's and PostgreSQL's words for a conflict are recognised, and nothing else is", () => {
  // Redshift, as the Data API reports it (a batch's failure is prefixed with its query).
  assert.ok(isConflictMessage('Query #7 failed with ERROR: 1023 DETAIL: Serializable isolation violation on table - 155173, transactions forming the cycle are: 9761, 9760 (pid:1073963378)'));
  assert.ok(isConflictMessage('ERROR: deadlock detected'));
  assert.ok(!isConflictMessage('ERROR: 1204 DETAIL: String length exceeds DDL length'));
  assert.ok(!isConflictMessage('ERROR: Invalid digit, Value \'r\', Pos 0, Type: Integer'));
  assert.ok(isConflictSqlState('40001') && isConflictSqlState('40P01'));
  assert.ok(!isConflictSqlState('23505') && !isConflictSqlState('22P02') && !isConflictSqlState(null));
});

test('PostgreSQL: a serialization failure or a deadlock is a WriteConflictError (exit 3); a refused statement stays a data error', () => {
  for (const code of ['40001', '40P01']) {
    const e = pgFailure(Object.assign(new Error('could not serialize access due to read/write dependencies among transactions'), { code }), 'PostgreSQL at x', 'load-1');
    assert.ok(e instanceof WriteConflictError, code);
    assert.equal((e as WriteConflictError).code, 'warehouse-write-conflict');
    assert.equal(exitCodeFor(e), 3);
  }
  assert.ok(pgFailure(Object.assign(new Error('duplicate key'), { code: '23505' }), 'PostgreSQL at x', 'load-1') instanceof DataError);
});

test('the pause before retry n lies between half and all of min(max, first × 2^(n-1))', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (first, n, r) => {
    const p = { retries: 5, firstMs: first, maxMs: 60_000 };
    const ceiling = Math.min(p.maxMs, first * 2 ** (n - 1));
    const pause = conflictPause(p, n, () => r);
    return pause >= Math.floor(ceiling / 2) && pause <= Math.ceil(ceiling);
  }));
});

test('a conflict that clears is retried; one that never clears ends after 1 + retries attempts, saying another loader was writing', async () => {
  const p = { retries: 3, firstMs: 1, maxMs: 4 };
  let calls = 0;
  const retried: number[] = [];
  const value = await retryConflicts('batch X', p, async (n) => {
    calls++;
    if (n < 3) throw new WriteConflictError('ERROR: 1023');
    return 'loaded';
  }, { onRetry: (n) => retried.push(n) });
  assert.equal(value, 'loaded');
  assert.equal(calls, 3);
  assert.deepEqual(retried, [1, 2]);

  calls = 0;
  await assert.rejects(retryConflicts('batch X', p, async () => { calls++; throw new WriteConflictError('ERROR: 1023'); }), (e: unknown) => {
    assert.ok(e instanceof WriteConflictError);
    assert.match(e.message, /^batch X: another loader was writing to the warehouse at the same time, and the load met it 4 times/);
    assert.equal(exitCodeFor(e), 3);
    return true;
  });
  assert.equal(calls, 4);

  // Any other failure is not retried.
  calls = 0;
  await assert.rejects(retryConflicts('batch X', p, async () => { calls++; throw new DataError('statement-failed', 'no'); }), DataError);
  assert.equal(calls, 1);
});

test('the policy comes from warehouse.conflictRetries and warehouse.conflictBackoffSeconds', () => {
  assert.deepEqual(conflictPolicy({}), DEFAULT_CONFLICT_POLICY);
  assert.deepEqual(conflictPolicy({ conflictRetries: 0, conflictBackoffSeconds: 0.25 }), { ...DEFAULT_CONFLICT_POLICY, retries: 0, firstMs: 250 });
  assert.throws(() => conflictPolicy({ conflictBackoffSeconds: -1 }), ConfigError);
});
