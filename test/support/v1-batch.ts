/**
 * A batch in the format halo-data wrote before members were hashed at staging (manifest
 * version 1): its part holds the row processor's normalised lines unchanged, member_id,
 * patient_name and patient_dob in clear. Such batches are still in lakes, and must still load
 * and replay; this writes one the way the old BatchBuilder did (normalised lines as gzip
 * members, one part, a Redshift COPY manifest, the manifest last), so tests need no old
 * build. Only for CSV and spreadsheets (normalizeFile's path).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ulid } from 'ulid';
import { normalizeFile } from '../../src/files/normalize-file.js';
import { getSchema } from '../../src/schemas/registry.js';

export interface V1Batch { batchId: string; prefix: string; objects: Array<[key: string, body: Buffer]> }

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * `objectUrl` turns a lake key into the URL a COPY manifest names (s3://bucket/prefix/key);
 * `dir` is a scratch folder. Returns the objects to put into the lake, the manifest last.
 */
export async function v1Batch(opts: { file: string; schema: 'insurance_claim'; source: string; createdAt: Date; dir: string; objectUrl: (key: string) => string }): Promise<V1Batch> {
  const schema = getSchema(opts.schema);
  const batchId = ulid(opts.createdAt.getTime());
  const prefix = `${opts.source}/dt=${opts.createdAt.toISOString().slice(0, 10)}/${batchId}`;
  const outFile = join(opts.dir, `${batchId}.csv.gz`);
  const r = await normalizeFile({ path: opts.file, schema: opts.schema, outFile, threads: 0 });
  const part = readFileSync(outFile);
  const raw = readFileSync(opts.file);
  const name = basename(opts.file);
  const partKey = 'normalized/part-00000.csv.gz';
  const copyManifest = Buffer.from(JSON.stringify({ entries: [{ url: opts.objectUrl(`${prefix}/${partKey}`), mandatory: true, meta: { content_length: part.length } }] }, null, 2) + '\n');
  const manifest = {
    format: 'halo-data-batch', version: 1, batchId, source: opts.source,
    schema: { name: schema.name, version: schema.version },
    columns: [...schema.fields.map((f) => f.name), 'source_file', 'source_row'],
    createdAt: opts.createdAt.toISOString(), sequence: opts.createdAt.getTime(), tool: { name: 'halo-data', version: '0.1.0' },
    files: [{ name, bytes: statSync(opts.file).size, sha256: sha256(raw), format: 'csv', rows: r.rows, validRows: r.validRows, rejectedRows: r.rows - r.validRows }],
    parts: [{ key: partKey, rows: r.validRows, bytes: part.length, uncompressedBytes: gunzipSync(part).length, sha256: sha256(part) }],
    rejects: null, copyManifest: 'copy.manifest',
    counts: { files: 1, rows: r.rows, validRows: r.validRows, rejectedRows: r.rows - r.validRows },
  };
  return {
    batchId, prefix,
    objects: [
      [`${prefix}/raw/${name}`, raw],
      [`${prefix}/${partKey}`, part],
      [`${prefix}/copy.manifest`, copyManifest],
      [`${prefix}/manifest.json`, Buffer.from(JSON.stringify(manifest, null, 2) + '\n')],
    ],
  };
}
