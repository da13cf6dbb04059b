import { Worker } from 'node:worker_threads';

/**
 * Decompresses gzip parts on a second core. PGlite runs COPY on the main thread and blocks it
 * while it works, so a part decompressed there waits for the COPY before it; handed to this
 * worker, the next part is ready when the COPY of the previous one returns (5.5 M rows: ~2 s
 * of the load). Plain JavaScript, so it runs the same under tsx and from dist/.
 */
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { gunzipSync } = require('node:zlib');
parentPort.on('message', ({ id, gz }) => {
  try {
    const out = gunzipSync(Buffer.from(gz.buffer, gz.byteOffset, gz.byteLength));
    parentPort.postMessage({ id, out });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message || e) });
  }
});
`;

export class GunzipWorker {
  private readonly worker = new Worker(SOURCE, { eval: true });
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();

  constructor() {
    this.worker.on('message', (m: { id: number; out?: Uint8Array; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (!w) return;
      if (m.error !== undefined || !m.out) w.reject(new Error(`gunzip: ${m.error ?? 'no output'}`));
      else w.resolve(Buffer.from(m.out.buffer, m.out.byteOffset, m.out.byteLength));
    });
    this.worker.on('error', (e) => { for (const w of this.waiting.values()) w.reject(e); this.waiting.clear(); });
  }

  gunzip(gz: Buffer): Promise<Buffer> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, gz });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
