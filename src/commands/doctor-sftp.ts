import type { HaloConfig, SourceConfig } from '../config/types.js';
import { checkSftp, probeHostKey, sftpSettings } from '../sources/sftp.js';
import { HaloError, exitCodeFor } from '../errors.js';
import type { Check } from './doctor.js';

/** An SFTP source's checks, one line each: host key, login, listing (sources/sftp.ts does them). */
export async function sftpChecks(config: HaloConfig, s: SourceConfig): Promise<Check[]> {
  try {
    return await checkSftp(sftpSettings(config, s));
  } catch (e) {
    if (!(e instanceof HaloError)) throw e;
    return [{ check: `${s.name}: settings`, ok: false, detail: e.message, fix: e.hint, exitCode: exitCodeFor(e) }];
  }
}

export interface TrustHostReport {
  source: string;
  host: string;
  port: number;
  fingerprint: string;
  keyType: string;
  knownHostsLine: string;
  /** What the config makes of the key today: trusted already, or why not. */
  verdict: 'trusted' | 'unknown' | 'changed' | 'revoked' | 'pin-mismatch';
  text: string;
}

/**
 * `doctor --trust-host NAME`: the key the server presents now, and how to pin it. It trusts
 * nothing and writes nothing: the fingerprint must be checked with the server's operator
 * (over another channel) before it goes into the config or known_hosts.
 */
export async function trustHostReport(config: HaloConfig, s: SourceConfig): Promise<TrustHostReport> {
  const settings = sftpSettings(config, s);
  const k = await probeHostKey(settings);
  const verdict = k.verdict.ok ? 'trusted' : k.verdict.why;
  const lines = [
    `source ${s.name}: ${settings.host}:${settings.port} presents this ${k.keyType} host key:`,
    '',
    `  ${k.fingerprint}`,
    '',
  ];
  if (verdict === 'trusted') lines.push('The config already trusts it: nothing to do.');
  else {
    if (verdict === 'changed' || verdict === 'pin-mismatch' || verdict === 'revoked') {
      lines.push(`WARNING: this is not the key the config expects (${verdict}). A server rebuilt by its operator`,
        'changes its key; so does someone intercepting the connection. Do not pin it until the operator confirms it.', '');
    }
    lines.push(
      'Nothing was trusted. Ask the server\'s operator to confirm the fingerprint, read on the server with',
      '  ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub   (or the key type above)',
      'then either pin it in the source:',
      `  hostKeySha256: "${k.fingerprint}"`,
      `or add this line to ${settings.knownHostsFile}:`,
      `  ${k.knownHostsLine}`,
    );
  }
  return {
    source: s.name, host: settings.host, port: settings.port, fingerprint: k.fingerprint, keyType: k.keyType, knownHostsLine: k.knownHostsLine, verdict,
    text: lines.join('\n') + '\n',
  };
}
