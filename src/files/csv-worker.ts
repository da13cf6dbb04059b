import { parentPort, type Transferable } from 'node:worker_threads';
import { processChunk, type ChunkTask, type ChunkResult } from './csv-chunk.js';

/** Worker thread entry: validates and normalises CSV chunks posted by the main thread. */
function transferables(r: ChunkResult): Transferable[] {
  const list: ArrayBuffer[] = [r.keys.h1.buffer, r.keys.h2.buffer, r.keys.rows.buffer, r.keys.valid.buffer, r.outKey.buffer] as ArrayBuffer[];
  if (r.out) list.push(r.out.buffer as ArrayBuffer);
  if (r.rejects) list.push(r.rejects.buffer as ArrayBuffer);
  return [...new Set(list)];
}

parentPort!.on('message', (msg: { id: number; task: ChunkTask }) => {
  try {
    const result = processChunk(msg.task);
    parentPort!.postMessage({ id: msg.id, result }, transferables(result));
  } catch (e) {
    const err = e as Error & { code?: string };
    parentPort!.postMessage({ id: msg.id, error: { message: err.message, stack: err.stack, code: err.code } });
  }
});
