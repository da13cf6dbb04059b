import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * An HTTP proxy on 127.0.0.1 in front of an S3-compatible server (s3rver) that injects the
 * faults a real S3 and a real network give, request by request, as its `plan` says:
 *
 * - `slow-down`: 503 SlowDown, as S3 answers when a prefix is hot (the body is read first);
 * - `reset`: the connection is destroyed as soon as the request's headers arrive (nothing
 *   reaches the server: a connection reset);
 * - `cut-body`: part of the request body is read, then the connection is destroyed (a PUT
 *   cut mid-body; a request without a body is reset instead);
 * - `reset-response`: the request reaches the server and is done there, then the response is
 *   cut: its headers and half of its body are sent (none of it when the body is empty), then
 *   the connection is destroyed (a response lost mid-way).
 *
 * `plan(n, req)` is asked for every request (n counts from 1) and may be replaced at any time
 * (`proxy.plan = …`): return null to pass the request through untouched.
 */
export type HttpFault = 'slow-down' | 'reset' | 'cut-body' | 'reset-response';
export type FaultPlan = (n: number, req: { method: string; url: string }) => HttpFault | null;

export interface FaultProxy {
  endpoint: string;
  plan: FaultPlan;
  /** Every request seen, with the fault it got (null: passed through). */
  readonly requests: Array<{ method: string; url: string; fault: HttpFault | null; at: number }>;
  /** How many requests got each fault. */
  injected(): Record<HttpFault, number>;
  stop: () => Promise<void>;
}

const SLOW_DOWN = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';

export const passAll: FaultPlan = () => null;

/** The first `count` requests get `fault` (in turn when several are given), the rest pass. */
export function firstRequests(count: number, ...faults: HttpFault[]): FaultPlan {
  return (n) => (n <= count ? faults[(n - 1) % faults.length] : null);
}

/** Every k-th request gets a fault (in turn when several are given), at most `limit` of them. */
export function everyKth(k: number, faults: HttpFault[], limit = Infinity): FaultPlan {
  return (n) => (n % k === 0 && n / k <= limit ? faults[(n / k - 1) % faults.length] : null);
}

/**
 * Faults by method and the request's number among that method's requests (retries count):
 * `{ PUT: { 1: 'cut-body' }, GET: { 2: 'reset-response' } }` cuts the first PUT mid-body and
 * the second GET's response.
 */
export function byMethod(script: Partial<Record<string, Record<number, HttpFault>>>): FaultPlan {
  const seen = new Map<string, number>();
  return (_n, req) => {
    const k = (seen.get(req.method) ?? 0) + 1;
    seen.set(req.method, k);
    return script[req.method]?.[k] ?? null;
  };
}

/** Every request fails, the faults in turn: the service is down. */
export function allRequests(...faults: HttpFault[]): FaultPlan {
  return (n) => faults[(n - 1) % faults.length];
}

export async function startFaultProxy(target: string, plan: FaultPlan = passAll): Promise<FaultProxy> {
  const upstream = new URL(target);
  const requests: FaultProxy['requests'] = [];
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = {
    endpoint: '',
    plan,
    requests,
    injected: () => {
      const out: Record<HttpFault, number> = { 'slow-down': 0, reset: 0, 'cut-body': 0, 'reset-response': 0 };
      for (const r of requests) if (r.fault) out[r.fault]++;
      return out;
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  const forward = (req: IncomingMessage, onResponse: (up: IncomingMessage) => void, onError: () => void) => {
    const fwd = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, onResponse);
    fwd.on('error', onError);
    req.pipe(fwd);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const info = { method: req.method ?? '', url: req.url ?? '' };
    let fault = proxy.plan(requests.length + 1, info);
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (fault === 'cut-body' && !hasBody) fault = 'reset';
    requests.push({ ...info, fault, at: Date.now() });
    const socket = req.socket;
    switch (fault) {
      case null:
        forward(req, (up) => { res.writeHead(up.statusCode ?? 502, up.headers); up.pipe(res); }, () => socket.destroy());
        return;
      case 'slow-down':
        req.resume();
        req.on('end', () => {
          res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(SLOW_DOWN) });
          res.end(SLOW_DOWN);
        });
        return;
      case 'reset':
        socket.destroy();
        return;
      case 'cut-body': {
        const length = Number(req.headers['content-length'] ?? 0);
        let seen = 0;
        req.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          // Half of a known length, else the first chunk: then the line goes dead.
          if (!length || seen >= length / 2) socket.destroy();
        });
        return;
      }
      case 'reset-response':
        forward(req, (up) => {
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () => {
            const body = Buffer.concat(chunks);
            if (!body.length) { socket.destroy(); return; }
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.write(body.subarray(0, Math.max(1, body.length >> 1)), () => socket.destroy());
          });
        }, () => socket.destroy());
        return;
    }
  };

  const server = createServer(handle);
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.on('clientError', (_e, s) => s.destroy());
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  proxy.endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return proxy;
}
