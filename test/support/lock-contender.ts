/**
 * A process that takes a lock `rounds` times and, holding it, adds one to a counter file by
 * read → pause → write (a lost update whenever two hold the lock at once). Run by
 * test/unit/lock.test.ts: node --import tsx lock-contender.ts <lock> <counter> <rounds>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { acquireLock } from '../../src/util/lock.js';

const [lockFile, counter, rounds] = process.argv.slice(2);
for (let i = 0; i < Number(rounds); i++) {
  const lock = await acquireLock({ file: lockFile, what: 'the test lock', code: 'test-locked', staleSeconds: 60, waitSeconds: 60, advice: '' });
  const n = Number(readFileSync(counter, 'utf8'));
  await new Promise((r) => setTimeout(r, 2));
  writeFileSync(counter, String(n + 1));
  if (lock.tookOver) process.stdout.write('took over\n');
  lock.release();
}
