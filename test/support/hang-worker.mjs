// A worker that never answers a 'hang' task: stands in for a PDF that loops forever.
// 'steps:N:MS' works N steps of MS ms, renewing its time limit before each (as OCR does page by page);
// 'steps:N:MS:hang' then hangs in its last step.
import { parentPort } from 'node:worker_threads';
const busy = (ms) => { const end = Date.now() + ms; while (Date.now() < end) { /* work */ } };
parentPort.on('message', ({ id, task }) => {
  if (task === 'hang') for (;;) { /* spin */ }
  const steps = /^steps:(\d+):(\d+)(:hang)?$/.exec(task);
  if (steps) {
    for (let i = 0; i < Number(steps[1]); i++) {
      parentPort.postMessage({ id, extend: 2 * Number(steps[2]) + 200 });
      if (steps[3] && i === Number(steps[1]) - 1) for (;;) { /* spin */ }
      busy(Number(steps[2]));
    }
  }
  parentPort.postMessage({ id, result: `done ${task}` });
});
