import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A real S3-compatible server (s3rver) on 127.0.0.1, in this process, with one bucket. */
export interface TestS3 { endpoint: string; bucket: string; env: Record<string, string>; stop: () => Promise<void> }

export async function startS3(bucket = 'halo-lake'): Promise<TestS3> {
  const S3rver = require('s3rver');
  const dir = mkdtempSync(join(tmpdir(), 'halo-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const addr = await server.run();
  return {
    endpoint: `http://127.0.0.1:${addr.port}`,
    bucket,
    // s3rver's fixed credentials; the region is any.
    env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'ap-southeast-3', AWS_EC2_METADATA_DISABLED: 'true' },
    stop: async () => { await server.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** The S3 server as a client reaches it (the Redshift emulator's COPY reads through this). */
export const s3Access = (s3: TestS3) => ({ endpoint: s3.endpoint, region: 'ap-southeast-3', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });

/** A config file's `lake:` section that puts the lake in this server's bucket. */
export const s3LakeYaml = (s3: TestS3) => `lake:\n  url: s3://${s3.bucket}/lake\n  endpoint: ${s3.endpoint}\n  region: ap-southeast-3\n`;

/**
 * A recording HTTP proxy in front of the S3 server: what the client really sent (headers of
 * every request), e.g. that uploads ask for server-side encryption. Faults come here later.
 */
export interface RecordingProxy { endpoint: string; requests: Array<{ method: string; url: string; headers: Record<string, string | string[] | undefined> }>; stop: () => Promise<void> }

export async function startRecordingProxy(target: string, faults: { slowDownFirstPuts?: number } = {}): Promise<RecordingProxy> {
  const http = await import('node:http');
  const upstream = new URL(target);
  const requests: RecordingProxy['requests'] = [];
  let slowDowns = faults.slowDownFirstPuts ?? 0;
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });
    if (req.method === 'PUT' && slowDowns > 0) {
      // What S3 answers when a prefix is hot: the client must back off and retry.
      slowDowns--;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return;
    }
    const fwd = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on('error', () => { res.destroy(); });
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { endpoint: `http://127.0.0.1:${port}`, requests, stop: () => new Promise((r) => server.close(() => r())) };
}
