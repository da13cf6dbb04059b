/**
 * The PDF worker thread (src/files/pdf-worker.ts) with a probe: every message it posts also
 * says whether Array.prototype.push and JSON.parse are V8's own at that moment (taken here,
 * before pdf.js loads). Used by test/unit/pdf-worker-builtins.test.ts.
 */
import { parentPort, type Transferable } from 'node:worker_threads';

const push = Array.prototype.push;
const parse = JSON.parse;
const port = parentPort!;
const post = port.postMessage.bind(port);
port.postMessage = (msg: { result?: object }, transfer?: readonly Transferable[]) =>
  post({ ...msg, result: { ...msg.result, v8Builtins: Array.prototype.push === push && JSON.parse === parse } }, transfer);
await import('../../src/files/pdf-worker.js');
