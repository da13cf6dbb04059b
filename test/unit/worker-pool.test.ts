import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerPool, WorkerTimeoutError } from '../../src/files/worker-pool.js';

test('a task past its time limit has its worker killed; the pool goes on', async () => {
  const pool = new WorkerPool<string, string>(new URL('../support/hang-worker.mjs', import.meta.url), 1);
  try {
    const started = Date.now();
    await assert.rejects(pool.run('hang', [], 300), WorkerTimeoutError);
    assert.ok(Date.now() - started < 5000, 'stopped near its limit');
    assert.equal(await pool.run('next', [], 5000), 'done next');
  } finally {
    await pool.close();
  }
});

test('tasks queue in order on a small pool', async () => {
  const pool = new WorkerPool<string, string>(new URL('../support/hang-worker.mjs', import.meta.url), 2);
  try {
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((t) => pool.run(t)));
    assert.deepEqual(results, ['done a', 'done b', 'done c', 'done d', 'done e']);
  } finally {
    await pool.close();
  }
});

test('a task in steps renews its limit at each step: longer than the first limit in all, each step inside its own', async () => {
  const pool = new WorkerPool<string, string>(new URL('../support/hang-worker.mjs', import.meta.url), 1);
  try {
    assert.equal(await pool.run('warm', [], 10_000), 'done warm'); // the thread's start-up is not a step
    // 5 steps of 150 ms, each given 500 ms, the task first given 300 ms: 750 ms in all is fine.
    assert.equal(await pool.run('steps:5:150', [], 300), 'done steps:5:150');
    // A step that never ends is stopped at its own limit.
    const started = Date.now();
    await assert.rejects(pool.run('steps:3:100:hang', [], 300), WorkerTimeoutError);
    assert.ok(Date.now() - started < 5000);
    assert.equal(await pool.run('next', [], 5000), 'done next');
  } finally {
    await pool.close();
  }
});
