import { createServer, connect, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of host:port that can break the server→client direction,
 * the one a download flows in: cut it after N bytes (as a dropped link), or stall it for a
 * while (as a congested one). Byte counts include the SSH handshake,
 * so pick thresholds well past it (a few KB) and well inside the file.
 */
export interface TcpFaults {
  /**
   * After exactly this many server→client bytes, the link ends: the server side is dropped and
   * the client is sent those bytes and then a FIN, never a reset (a reset makes the client's
   * kernel discard what it had received and not yet read, so how much arrived would be chance).
   */
  cutAfterBytes?: number;
  /** After this many server→client bytes, forward nothing for stallMs, then carry on. */
  stallAfterBytes?: number;
  stallMs?: number;
  /** Apply the faults to the first N connections only (default: all). */
  onlyFirst?: number;
}

export interface TcpProxy { port: number; /** Connections accepted so far. */ readonly connections: number; stop: () => Promise<void> }

export async function startTcpProxy(target: { host: string; port: number }, faults: TcpFaults = {}): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let connections = 0;
  const track = (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => s.destroy()); };

  const server = createServer((client) => {
    connections++;
    const faulty = connections <= (faults.onlyFirst ?? Infinity);
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    let cutting = false;
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => { if (!cutting) client.destroy(); });
    client.pipe(upstream);

    let sent = 0;
    let stalled = false;
    let stallDone = !faulty || faults.stallAfterBytes === undefined;
    const cutAt = faulty ? faults.cutAfterBytes ?? Infinity : Infinity;
    const write = (chunk: Buffer) => { sent += chunk.length; if (!client.write(chunk)) upstream.pause(); };
    client.on('drain', () => { if (!stalled) upstream.resume(); });
    upstream.on('data', (chunk: Buffer) => {
      if (sent + chunk.length >= cutAt) {
        cutting = true;
        upstream.pause();
        client.unpipe(upstream);
        client.resume(); // read and drop what the client still sends, so closing is a FIN
        upstream.destroy();
        if (cutAt > sent) client.end(chunk.subarray(0, cutAt - sent)); else client.end();
        const timer = setTimeout(() => { timers.delete(timer); client.destroy(); }, 5000);
        timers.add(timer);
        client.once('close', () => { clearTimeout(timer); timers.delete(timer); });
        sent = cutAt;
        return;
      }
      if (!stallDone && sent + chunk.length > faults.stallAfterBytes!) {
        stallDone = true;
        stalled = true;
        const head = faults.stallAfterBytes! - sent;
        write(chunk.subarray(0, head));
        upstream.pause();
        const timer = setTimeout(() => {
          timers.delete(timer);
          stalled = false;
          write(chunk.subarray(head));
          if (client.writableNeedDrain === false) upstream.resume();
        }, faults.stallMs ?? 1000);
        timers.add(timer);
        return;
      }
      write(chunk);
    });
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  return {
    port: (server.address() as { port: number }).port,
    get connections() { return connections; },
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
