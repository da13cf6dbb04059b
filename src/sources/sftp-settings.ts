import type { HaloConfig, SourceConfig } from '../config/types.js';
import { resolvePath } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { SUPPORTED_EXTENSIONS } from '../loaders/detect.js';
import { loginMethods } from './sftp-login.js';

/**
 * An SFTP source's settings, resolved from its config entry: paths absolute (`~` and
 * relative ones), defaults filled, the way to log in decided. Secrets are not here: only the
 * names of the files and environment variables holding them (see sftp-login.ts).
 */
export interface SftpSettings {
  name: string;
  host: string;
  port: number;
  user: string;
  privateKeyFile?: string;
  passphraseFile?: string;
  passphraseEnv?: string;
  passwordEnv?: string;
  /** ssh-agent's socket, when the agent is used. */
  agentSocket?: string;
  knownHostsFile: string;
  hostKeySha256?: string;
  /** Relative patterns start here (default: the folder the server logs us into). */
  base?: string;
  patterns: string[];
  /** Where the merchant id stands in a file's path: a listing it finds none in is a config error. */
  merchantIdFrom?: string;
  archive: boolean;
  /** Connect + handshake + login, and each request but READ (the stall watchdog guards those). */
  timeoutMs: number;
  /** A download receiving under minBytesPerSecond over this long is aborted (and retried). */
  stallMs: number;
  minBytesPerSecond: number;
  /** Tries after the first, for a transient fault. */
  retries: number;
  /** The first wait before a retry; doubled each time, at most 30 s. */
  retryDelayMs: number;
  /** Folder listings in flight at once (SFTP pipelines requests on one connection). */
  listConcurrency: number;
  /** Downloads at once (fetchSource's concurrency). */
  concurrency: number;
  /** Where passphraseEnv / passwordEnv / SSH_AUTH_SOCK are read. */
  env: NodeJS.ProcessEnv;
}

export const SFTP_DEFAULTS = {
  port: 22, knownHostsFile: '~/.ssh/known_hosts', timeoutSeconds: 30, stallSeconds: 30, minBytesPerSecond: 1024,
  retries: 3, retryDelaySeconds: 1, listConcurrency: 16, concurrency: 4,
} as const;

const ALL_SUPPORTED = `**/*.{${SUPPORTED_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;

export function sftpSettings(config: HaloConfig, s: SourceConfig, env: NodeJS.ProcessEnv = process.env): SftpSettings {
  const where = `source '${s.name}'`;
  if (!s.host || !s.user) throw new ConfigError(`${where}: an sftp source needs host and user`, { file: config.file ?? undefined });
  const login = loginMethods(s, env);
  if (typeof login === 'string') throw new ConfigError(`${where}: ${login}`, { file: config.file ?? undefined });
  const file = (p: string | undefined) => (p === undefined ? undefined : resolvePath(config, p));
  return {
    name: s.name,
    host: s.host,
    port: s.port ?? SFTP_DEFAULTS.port,
    user: s.user,
    privateKeyFile: file(s.privateKeyFile),
    passphraseFile: file(s.passphraseFile),
    passphraseEnv: s.passphraseEnv,
    passwordEnv: s.passwordEnv,
    agentSocket: login.agentSocket,
    knownHostsFile: file(s.knownHostsFile ?? SFTP_DEFAULTS.knownHostsFile)!,
    hostKeySha256: s.hostKeySha256,
    base: s.path,
    patterns: s.paths?.length ? s.paths : [ALL_SUPPORTED],
    merchantIdFrom: s.merchantIdFrom,
    archive: s.archive ?? false,
    timeoutMs: (s.timeoutSeconds ?? SFTP_DEFAULTS.timeoutSeconds) * 1000,
    stallMs: (s.stallSeconds ?? SFTP_DEFAULTS.stallSeconds) * 1000,
    minBytesPerSecond: s.minBytesPerSecond ?? SFTP_DEFAULTS.minBytesPerSecond,
    retries: s.retries ?? SFTP_DEFAULTS.retries,
    retryDelayMs: (s.retryDelaySeconds ?? SFTP_DEFAULTS.retryDelaySeconds) * 1000,
    listConcurrency: SFTP_DEFAULTS.listConcurrency,
    concurrency: s.concurrency ?? SFTP_DEFAULTS.concurrency,
    env,
  };
}
