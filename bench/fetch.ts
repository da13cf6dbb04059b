/**
 * `npm run bench -- fetch [--folders N] [--file-bytes N] [--server sshd|inprocess|both]`:
 * the SFTP source on the platform's shape, N merchant folders (default 3,500) with one small
 * file each (`/merchants/M0001/inbox/stock.csv`, ~1 KB), fetched by fetchSource as `halo-data
 * fetch` does, then fetched again with nothing changed (goal: 0 bytes).
 *
 * Servers: a local OpenSSH sshd (test/support/sshd.ts; needs root) and the in-process ssh2
 * server (test/support/sftp-server.ts), which counts the requests it receives by type. sshd
 * cannot count them, so the source counts the requests it sends (SftpSource.stats); with the
 * in-process server both counts are printed and must agree (it lists a folder in one packet,
 * so it runs with at most 2,000 folders: see INPROCESS_MAX_FOLDERS). The goal per folder is the
 * listing's floor: OPENDIR + READDIR + READDIR (EOF) + CLOSE, nothing more (no STAT). The
 * in-process server runs in this process, so its times include the server's own work.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdirSync, writeFileSync, utimesSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { makeTempDir } from './support/cleanup.js';
import { int, fixed, mb, padRight, padLeft } from './support/format.js';
import { sshdAvailable, startSshd } from '../test/support/sshd.js';
import { startSftpServer } from '../test/support/sftp-server.js';
import { loadConfig } from '../src/config/load.js';
import { SftpSource, sftpSettings } from '../src/sources/sftp.js';
import { fetchSource } from '../src/pipeline/fetch.js';

const INPROCESS_MAX_FOLDERS = 2000;

interface Target {
  label: string;
  host: string;
  port: number;
  user: string;
  privateKeyFile: string;
  knownHostsFile: string;
  /** The merchants folder as the server names it. */
  remoteRoot: string;
  /** Requests the server itself counted (in-process server only). */
  serverRequests?: Record<string, number>;
  folders: number;
  stop: () => Promise<void>;
}

/** `M0001/inbox/stock.csv` … under `<root>/merchants`, ~fileBytes each, an hour old (stable). */
function populate(root: string, folders: number, fileBytes: number): number {
  const hourAgo = new Date(Date.now() - 3600_000);
  const row = 'sku,name,qty,price\n';
  let bytes = 0;
  for (let i = 1; i <= folders; i++) {
    const id = `M${String(i).padStart(4, '0')}`;
    const dir = path.join(root, 'merchants', id, 'inbox');
    mkdirSync(dir, { recursive: true });
    let body = row;
    for (let n = 0; body.length < fileBytes; n++) body += `${id}-${n},Paracetamol 500 mg,${n % 97},${(n * 137) % 50000}.00\n`;
    const file = path.join(dir, 'stock.csv');
    writeFileSync(file, body);
    utimesSync(file, hourAgo, hourAgo);
    bytes += body.length;
  }
  return bytes;
}

const diff = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? 0)]).filter(([, v]) => (v as number) > 0)) as Record<string, number>;
const perFolder = (counts: Record<string, number>, folders: number) =>
  Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${fixed(v / folders, 2)}`).join(', ') || 'none';
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

async function measure(t: Target, folders: number, tmp: string, out: (s: string) => void): Promise<boolean> {
  const config = loadConfig({ env: {}, cwd: tmp });
  const settings = sftpSettings(config, {
    name: 'merchants', type: 'sftp', host: t.host, port: t.port, user: t.user, privateKeyFile: t.privateKeyFile, knownHostsFile: t.knownHostsFile,
    paths: [`${t.remoteRoot}/*/inbox/*.{csv,xls,xlsx}`],
  }, {});
  const src = new SftpSource(settings);
  const work = makeTempDir('halo-bench-fetch-landing-');
  const opts = { landingRoot: path.join(work, 'landing'), stateFile: path.join(work, 'state.json'), stableAfterMs: 60_000, dryRun: false, concurrency: settings.concurrency };
  const snap = () => ({ client: { ...src.stats.requests }, server: { ...(t.serverRequests ?? {}) } });
  let ok = true;
  try {
    out(`\n  ${t.label}\n`);
    // Listing alone first, to show its own cost; fetchSource then lists again.
    await src.connect();
    const s0 = snap();
    let t0 = performance.now();
    const listed = await src.list();
    const listSeconds = (performance.now() - t0) / 1000;
    const s1 = snap();
    const listClient = diff(s1.client, s0.client);
    out(`    list:    ${padLeft(fixed(listSeconds), 6)} s  ${int(listed.length)} files; requests per folder (client): ${perFolder(listClient, folders)}\n`);
    if (t.serverRequests) out(`    ${padRight('', 9)}${padRight('', 10)}requests per folder (server): ${perFolder(diff(s1.server, s0.server), folders)}\n`);

    t0 = performance.now();
    const first = await fetchSource(src, opts);
    const firstSeconds = (performance.now() - t0) / 1000;
    const s2 = snap();
    const fetchClient = diff(s2.client, s1.client);
    out(`    fetch:   ${padLeft(fixed(firstSeconds), 6)} s  ${int(first.fetched.length)} files, ${mb(first.bytes)} MB, ${int(first.fetched.length / firstSeconds)} files/s; `
      + `${fixed(sum(fetchClient) / folders, 2)} requests per folder (list + download): ${perFolder(fetchClient, folders)}\n`);
    if (t.serverRequests) out(`    ${padRight('', 9)}${padRight('', 10)}server counted: ${perFolder(diff(s2.server, s1.server), folders)}\n`);

    t0 = performance.now();
    const again = await fetchSource(src, opts);
    const againSeconds = (performance.now() - t0) / 1000;
    const s3 = snap();
    out(`    re-run:  ${padLeft(fixed(againSeconds), 6)} s  ${int(again.fetched.length)} files, ${int(again.bytes)} bytes downloaded (goal 0), ${int(again.unchanged)} unchanged; `
      + `requests per folder: ${perFolder(diff(s3.client, s2.client), folders)}\n`);
    out(`    connections: ${src.stats.connects}, retries: ${src.stats.retries}\n`);
    if (listed.length !== folders || first.fetched.length !== folders || again.bytes !== 0) ok = false;
  } finally {
    await src.close();
  }
  return ok;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    folders: { type: 'string', default: '3500' }, 'file-bytes': { type: 'string', default: '1024' },
    server: { type: 'string', default: 'both' }, help: { type: 'boolean' },
  } });
  if (values.help) { process.stdout.write('npm run bench -- fetch [--folders N (3500)] [--file-bytes N (1024)] [--server sshd|inprocess|both]\n'); return 0; }
  const folders = Number(values.folders);
  const fileBytes = Number(values['file-bytes']);
  const out = (s: string) => process.stdout.write(s);
  const tmp = makeTempDir('halo-bench-fetch-');
  out(`halo-data bench: fetch (SFTP source)\n\n  node ${process.version}, ${os.availableParallelism()} CPUs\n`);
  out(`  input: ${int(folders)} merchant folders × 1 file (/merchants/Mnnnn/inbox/stock.csv, ~${int(fileBytes)} bytes), pattern /merchants/*/inbox/*.{csv,xls,xlsx}\n`);
  out('  source: one connection, 16 folder listings and 4 downloads in flight\n');

  const targets: Array<() => Promise<Target>> = [];
  const wantSshd = values.server === 'both' || values.server === 'sshd';
  const wantInprocess = values.server === 'both' || values.server === 'inprocess' || (wantSshd && !sshdAvailable());
  if (wantSshd && !sshdAvailable()) out('  note: no local sshd here (needs root and openssh-server): the in-process ssh2 server only\n');
  if (wantSshd && sshdAvailable()) {
    targets.push(async () => {
      const root = path.join(tmp, 'sshd-root');
      mkdirSync(root);
      populate(root, folders, fileBytes);
      const s = await startSshd({ root });
      return { label: `OpenSSH sshd on 127.0.0.1:${s.port}, ${int(folders)} folders (requests counted by the client)`, ...s, remoteRoot: path.join(root, 'merchants'), folders, stop: s.stop };
    });
  }
  // The in-process test server answers a folder in ONE READDIR packet (OpenSSH sends 100
  // entries a time); past ~2,600 entries that packet exceeds ssh2's 256 KB limit and the
  // client drops the channel. Request counts are per folder, so fewer folders still check them.
  const inprocessFolders = Math.min(folders, INPROCESS_MAX_FOLDERS);
  if (wantInprocess) {
    if (inprocessFolders < folders) out(`  note: the in-process server runs with ${int(inprocessFolders)} folders (it lists a folder in one packet, which ssh2 refuses over 256 KB)\n`);
    targets.push(async () => {
      const root = path.join(tmp, 'inprocess-root');
      mkdirSync(root);
      populate(root, inprocessFolders, fileBytes);
      const s = await startSftpServer({ root });
      return { label: `in-process ssh2 server on 127.0.0.1:${s.port}, ${int(inprocessFolders)} folders (requests counted by client and server)`, ...s, remoteRoot: '/merchants', serverRequests: s.requests, folders: inprocessFolders, stop: s.stop };
    });
  }
  let ok = true;
  for (const start of targets) {
    const t = await start();
    try { ok = (await measure(t, t.folders, tmp, out)) && ok; } finally { await t.stop(); }
  }
  out(`\n  goal per folder for listing: OPENDIR + READDIR + READDIR (EOF) + CLOSE (the merchants folder's own listing is shared by all)\n`);
  return ok ? 0 : 1;
}
