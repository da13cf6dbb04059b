import type { HaloConfig } from '../config/types.js';
import { resolvePath } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { LocalLake } from './local.js';
import type { Lake } from './lake.js';

/** The lake the config names: s3://bucket/prefix, or a folder (default ./.halo-data/lake). */
export async function openLake(config: HaloConfig, urlOverride?: string): Promise<Lake> {
  const url = urlOverride ?? config.lake.url;
  if (url.startsWith('s3://')) {
    const { S3Lake } = await import('./s3.js');
    return S3Lake.fromConfig(url, config.lake);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new ConfigError(`lake.url '${url}' is neither s3://bucket/prefix nor a folder`);
  return new LocalLake(resolvePath(config, url));
}
