import { readFileSync } from 'node:fs';
import type { SourceConfig } from '../config/types.js';
import { ConfigError } from '../errors.js';
import type { SftpSettings } from './sftp-settings.js';

/**
 * Logging in to an SFTP server. Secrets are never config values, only the names of files and
 * environment variables; they are read at each connect, handed to ssh2 and not kept, logged
 * or put in a message (which names the file or variable instead).
 */

/**
 * How the source logs in, or why it cannot: a private key, a password variable, or ssh-agent
 * (asked for with `agent: true`: a config means the same on every machine). Shared by the
 * config check and the source.
 */
export function loginMethods(s: SourceConfig, env: NodeJS.ProcessEnv | 'config-only'): { key: boolean; password: boolean; agentSocket?: string } | string {
  // The config check ('config-only') judges the file alone: whether this shell has an agent
  // must not make `validate` or `doctor` refuse the config; the socket is checked at connect.
  const sock = env === 'config-only' ? undefined : env.SSH_AUTH_SOCK;
  if (s.passphraseFile !== undefined && s.passphraseEnv !== undefined) return 'set passphraseFile or passphraseEnv, not both';
  if ((s.passphraseFile !== undefined || s.passphraseEnv !== undefined) && s.privateKeyFile === undefined) return 'a passphrase is set but no privateKeyFile';
  const key = s.privateKeyFile !== undefined;
  const password = s.passwordEnv !== undefined;
  if (s.agent === true) {
    if (env === 'config-only') return { key, password, agentSocket: 'SSH_AUTH_SOCK' };
    if (!sock) return 'agent: true, but SSH_AUTH_SOCK is not set (is ssh-agent running?)';
    return { key, password, agentSocket: sock };
  }
  if (key || password) return { key, password };
  return 'no way to log in: set privateKeyFile (+ passphraseFile or passphraseEnv), passwordEnv, or agent: true';
}

/** What ssh2 needs to log in, read now from the named files and variables; never stored. */
export interface LoginSecrets { privateKey?: Buffer; passphrase?: string; password?: string; agent?: string }

/** Reads the secrets; a missing file or variable is a ConfigError naming it (never its content). */
export function loginSecrets(s: SftpSettings): LoginSecrets {
  const where = `source '${s.name}'`;
  const readFile = (path: string, what: string) => {
    try { return readFileSync(path); } catch (e) {
      throw new ConfigError(`${where}: cannot read the ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { hint: `check ${what === 'private key' ? 'privateKeyFile' : 'passphraseFile'}` });
    }
  };
  const readEnv = (name: string, what: string) => {
    const v = s.env[name];
    if (v === undefined || v === '') throw new ConfigError(`${where}: the environment variable ${name} (the ${what}) is not set`, { hint: `export ${name}=... before running, or change ${what === 'password' ? 'passwordEnv' : 'passphraseEnv'}` });
    return v;
  };
  const out: LoginSecrets = {};
  if (s.privateKeyFile) out.privateKey = readFile(s.privateKeyFile, 'private key');
  // A passphrase file ends with a newline more often than not; the passphrase does not.
  if (s.passphraseFile) out.passphrase = readFile(s.passphraseFile, 'passphrase file').toString('utf8').replace(/\r?\n$/, '');
  if (s.passphraseEnv) out.passphrase = readEnv(s.passphraseEnv, 'key passphrase');
  if (s.passwordEnv) out.password = readEnv(s.passwordEnv, 'password');
  if (s.agentSocket) out.agent = s.agentSocket;
  return out;
}

/** How it logs in, for messages: the names of files and variables, never their contents. */
export function describeLogin(s: SftpSettings): string {
  const ways: string[] = [];
  if (s.privateKeyFile) ways.push(`private key ${s.privateKeyFile}${s.passphraseFile ? ` (passphrase from ${s.passphraseFile})` : s.passphraseEnv ? ` (passphrase from $${s.passphraseEnv})` : ''}`);
  if (s.passwordEnv) ways.push(`password from $${s.passwordEnv}`);
  if (s.agentSocket) ways.push('ssh-agent');
  return ways.join(', ');
}
