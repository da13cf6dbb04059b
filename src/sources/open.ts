import type { HaloConfig, SourceConfig } from '../config/types.js';
import { resolvePath } from '../config/load.js';
import { UsageError } from '../errors.js';
import { SUPPORTED_EXTENSIONS } from '../loaders/detect.js';
import type { Source } from './source.js';
import { LocalSource } from './local.js';
import { SftpSource, sftpSettings } from './sftp.js';

/** With no source configured, the embedded default: a local folder, every supported file below it. */
export const DEFAULT_SOURCE: SourceConfig = { name: 'inbox', type: 'local', path: './.halo-data/inbox' };
const ALL_SUPPORTED = [`**/*.{${SUPPORTED_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`];

/** The configured sources (or the default one), narrowed to `--source` names when given. */
export function chosenSources(config: HaloConfig, names: string[]): SourceConfig[] {
  const all = config.sources.length ? config.sources : [DEFAULT_SOURCE];
  if (!names.length) return all;
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) throw new UsageError('no-such-source', `no source named ${unknown.join(', ')} in ${config.file ?? 'the embedded defaults'}`, { hint: `sources: ${all.map((s) => s.name).join(', ')}` });
  return all.filter((s) => names.includes(s.name));
}

export async function openSource(config: HaloConfig, s: SourceConfig): Promise<Source> {
  switch (s.type) {
    case 'local':
      return new LocalSource(s.name, resolvePath(config, s.path ?? '.'), s.paths?.length ? s.paths : ALL_SUPPORTED, s === DEFAULT_SOURCE, s.merchantIdFrom);
    case 'sftp':
      return new SftpSource(sftpSettings(config, s));
  }
}
