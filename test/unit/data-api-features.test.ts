/**
 * `warehouse selftest`'s report of the Data API features the Redshift engine relies on, for
 * answers the emulator never gives: a long poll that is not held (a warning: loads still
 * end), and a request refused (a failed check naming what depends on it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DescribeStatementResponse } from '@aws-sdk/client-redshift-data';
import { probeDataApiFeatures } from '../../src/warehouse/redshift/features.js';
import type { DataApi } from '../../src/warehouse/redshift/data-api.js';
import { ServiceError } from '../../src/errors.js';

function fakeApi(over: Partial<Record<'submitBatch' | 'submit' | 'describe' | 'wait' | 'results', (...a: never[]) => Promise<unknown>>>): DataApi {
  const base = {
    submitBatch: async () => ({ id: 'b' }),
    submit: async () => ({ id: 's' }),
    describe: async (): Promise<DescribeStatementResponse> => ({ Id: 's', Status: 'FINISHED' }),
    wait: async () => ({ Id: 'b', Status: 'FINISHED' }),
    results: async () => ({ rows: [{ n: 42 }], fields: ['n'] }),
  };
  return { ...base, ...over } as unknown as DataApi;
}

test('both features answering as relied on: two passed lines', async () => {
  const [params, poll] = await probeDataApiFeatures(fakeApi({}));
  assert.deepEqual([params.ok, params.warn, poll.ok, poll.warn], [true, undefined, true, undefined]);
  assert.match(poll.detail, /answered FINISHED after \d+\.\d\d s/);
});

test('a long poll answered at once with the statement still running: passed with a warning (polled with backoff)', async () => {
  const [, poll] = await probeDataApiFeatures(fakeApi({ describe: async () => ({ Id: 's', Status: 'STARTED' }) }));
  assert.deepEqual([poll.ok, poll.warn], [true, true]);
  assert.match(poll.detail, /answered STARTED .* without holding: loads still end, polled with backoff/);
});

test('refused requests and wrong answers are failed checks saying what depends on them', async () => {
  const refused = new ServiceError('warehouse-unreachable', 'the Redshift Data API refused the request: ValidationException: Parameters not supported');
  const [params, poll] = await probeDataApiFeatures(fakeApi({
    submitBatch: async () => { throw refused; },
    describe: async () => { throw new ServiceError('warehouse-unreachable', 'ValidationException: WaitTimeSeconds'); },
  }));
  assert.equal(params.ok, false);
  assert.match(params.detail, /BatchExecuteStatement with Parameters failed: .*ValidationException.*every load sends/);
  assert.equal(params.error, refused);
  assert.equal(poll.ok, false);
  assert.match(poll.detail, /DescribeStatement with WaitTimeSeconds failed: .*the engine waits for every statement this way/);
  const [wrong] = await probeDataApiFeatures(fakeApi({ results: async () => ({ rows: [{ n: 41 }], fields: ['n'] }) }));
  assert.equal(wrong.ok, false);
  assert.match(wrong.detail, /gave 41, not 42/);
});
