// A worker that never answers a 'hang' task: stands in for a PDF that loops forever.
import { parentPort } from 'node:worker_threads';
parentPort.on('message', ({ id, task }) => {
  if (task === 'hang') for (;;) { /* spin */ }
  parentPort.postMessage({ id, result: `done ${task}` });
});
