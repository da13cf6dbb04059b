import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Client, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsCommand, ListObjectsV2Command, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertProbeKey, type Lake, type LakeObject, type PutResult } from './lake.js';
import type { LakeConfig } from '../config/types.js';
import { ConfigError, ServiceError } from '../errors.js';

/** Tries of an object's body: the first read and resumed ones after a cut. */
const READ_ATTEMPTS = 6;

/**
 * The lake on Amazon S3 (or an S3-compatible store: endpoint + path-style). Credentials come
 * from the AWS chain (environment, profile, instance role); objects are always encrypted at
 * rest (SSE-S3, or SSE-KMS with a key id); multipart uploads run parts in parallel; every
 * object is read back after upload and its SHA-256 compared.
 */
export class S3Lake implements Lake {
  constructor(private readonly client: S3Client, readonly bucket: string, readonly prefix: string, private readonly kmsKeyId: string | null,
    readonly url: string) {}

  static fromConfig(url: string, cfg: LakeConfig): S3Lake {
    // The SDK prints a multi-line notice on Node 20 (its 2027 releases need Node 22) on every
    // run; in cron logs that is noise. README says it; `engines` allows 20.17+.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
    if (!m) throw new ConfigError(`lake.url '${url}' is not s3://bucket/prefix`);
    const options: S3ClientConfig = {
      region: cfg.region ?? process.env.AWS_REGION ?? 'ap-southeast-3',
      maxAttempts: 6,
      retryMode: 'adaptive',
      ...(cfg.profile ? { profile: cfg.profile } : {}),
    };
    if (cfg.endpoint) {
      // S3-compatible stores: path-style addressing, and checksums only where S3 requires them.
      Object.assign(options, { endpoint: cfg.endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    }
    return new S3Lake(new S3Client(options), m[1], m[2].replace(/\/+$/, ''), cfg.kmsKeyId ?? null, url.replace(/\/+$/, ''));
  }

  private key(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  objectUrl(key: string): string {
    return `s3://${this.bucket}/${this.key(key)}`;
  }

  private fail(what: string, e: unknown): never {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
    // Named with the lake, the HTTP status and the tries: an answer without a body (HEAD, or a
    // 503 from a proxy) reaches here only as "Unknown: UnknownError".
    const status = err.$metadata?.httpStatusCode;
    const attempts = err.$metadata?.attempts ?? 1;
    const how = `${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${status ? `HTTP ${status}, ` : ''}${err.name ?? 'Error'}: ${err.message ?? String(e)}`;
    throw new ServiceError('lake-unreachable', `lake ${this.url}: S3 ${what} failed${how}`, {
      hint: 'check lake.url, lake.region/endpoint and the AWS credentials (AWS_PROFILE or lake.profile, the environment, the instance role)', cause: e,
    });
  }

  async put(key: string, body: Readable | Uint8Array, contentType = 'application/octet-stream'): Promise<PutResult> {
    const hash = createHash('sha256');
    let bytes = 0;
    const tee = new Transform({ transform(chunk: Buffer, _e, done) { hash.update(chunk); bytes += chunk.length; done(null, chunk); } });
    const source = body instanceof Uint8Array ? Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]) : body;
    const stream = new PassThrough();
    const feeding = pipeline(source, tee, stream);
    try {
      const upload = new Upload({
        client: this.client, queueSize: 4, partSize: 8 * 1024 * 1024, leavePartsOnError: false,
        params: {
          Bucket: this.bucket, Key: this.key(key), Body: stream, ContentType: contentType,
          ...(this.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.kmsKeyId } : { ServerSideEncryption: 'AES256' }),
        },
      });
      await Promise.all([upload.done(), feeding]);
    } catch (e) {
      stream.destroy();
      this.fail(`upload of ${key}`, e);
    }
    const sha256 = hash.digest('hex');
    // Read it back: the object in the lake is the backup, so it must be the bytes we hashed.
    const back = createHash('sha256');
    let backBytes = 0;
    for await (const chunk of await this.get(key)) { back.update(chunk as Buffer); backBytes += (chunk as Buffer).length; }
    if (backBytes !== bytes || back.digest('hex') !== sha256) {
      throw new ServiceError('lake-checksum', `S3 object ${key} reads back different from what was uploaded (${backBytes} of ${bytes} bytes)`);
    }
    return { bytes, sha256 };
  }

  /**
   * An object's bytes. The SDK retries a request, not a body cut mid-way (a connection reset
   * after the headers): the read then resumes where it stopped (a Range request, If-Match the
   * same ETag), a few times with backoff, before it fails as the lake being unreachable.
   */
  async get(key: string): Promise<Readable> {
    const open = async (range?: { from: number; etag: string | undefined }) => {
      try {
        return await this.client.send(new GetObjectCommand({
          Bucket: this.bucket, Key: this.key(key), ...(range ? { Range: `bytes=${range.from}-`, IfMatch: range.etag } : {}),
        }));
      } catch (e) {
        return this.fail(`read of ${key}`, e);
      }
    };
    const first = await open();
    const etag = first.ETag;
    const total = first.ContentLength;
    const fail = (e: unknown) => this.fail(`read of ${key}`, e);
    async function* resuming(): AsyncGenerator<Buffer> {
      let body = first.Body as Readable;
      let read = 0;
      for (let attempt = 1; ; attempt++) {
        try {
          for await (const chunk of body) { read += (chunk as Buffer).length; yield chunk as Buffer; }
          return;
        } catch (e) {
          body.destroy();
          if (attempt >= READ_ATTEMPTS || (total !== undefined && read >= total)) fail(e);
          await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt * Math.random())));
          const rest = await open({ from: read, etag });
          // Only the bytes not read yet (a server that ignored the Range would repeat them).
          if (!rest.ContentRange?.startsWith(`bytes ${read}-`)) { (rest.Body as Readable | undefined)?.destroy(); fail(e); }
          body = rest.Body as Readable;
        }
      }
    }
    return Readable.from(resuming(), { objectMode: false });
  }

  async removeProbe(key: string): Promise<void> {
    assertProbeKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
    } catch (e) {
      return this.fail(`delete of the probe object ${key}`, e);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return true;
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (e as { name?: string }).name === 'NotFound') return false;
      return this.fail(`check of ${key}`, e);
    }
  }

  async listFolders(prefix: string): Promise<string[]> {
    const base = this.key(prefix.replace(/^\/+/, ''));
    const names: string[] = [];
    let token: string | undefined;
    let objects = 0;
    do {
      const page = await this.listPage(prefix, { Prefix: base, Delimiter: '/', ContinuationToken: token });
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) names.push(p.Prefix.slice(base.length).replace(/\/$/, ''));
      objects += page.Contents?.length ?? 0;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    if (names.length || objects) return names.sort();
    // Nothing at all: either nothing is there, or the store ignores delimiters for deeper keys
    // (s3rver finds no common prefix two levels down). One key says which; if there are keys,
    // the folders are found by jumping over each: every key in `<name>/` sorts below `<name>0`.
    // (ListObjects v1 with a Marker: s3rver cannot make a v2 continuation token on Node 20.)
    let after = base;
    for (;;) {
      let page;
      try {
        page = await this.client.send(new ListObjectsCommand({ Bucket: this.bucket, Prefix: base, MaxKeys: 1, Marker: after }));
      } catch (e) {
        return this.fail(`listing of ${prefix || '/'}`, e);
      }
      const key = page.Contents?.[0]?.Key;
      if (!key) return names;
      const rest = key.slice(base.length);
      const slash = rest.indexOf('/');
      if (slash === -1) { after = key; continue; }
      names.push(rest.slice(0, slash));
      after = `${base}${rest.slice(0, slash)}0`;
    }
  }

  private async listPage(prefix: string, params: Omit<ConstructorParameters<typeof ListObjectsV2Command>[0], 'Bucket'>) {
    try {
      return await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, ...params }));
    } catch (e) {
      return this.fail(`listing of ${prefix || '/'}`, e);
    }
  }

  async *list(prefix: string): AsyncIterable<LakeObject> {
    let token: string | undefined;
    const base = this.key(prefix.replace(/^\/+/, ''));
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, ContinuationToken: token }));
      } catch (e) {
        return this.fail(`listing of ${prefix || '/'}`, e);
      }
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        yield { key: this.prefix ? o.Key.slice(this.prefix.length + 1) : o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}
