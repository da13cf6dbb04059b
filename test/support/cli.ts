import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/halo-data.js', import.meta.url));

export interface CliRun { code: number; stdout: string; stderr: string }

let cliTmp: string | null = null;
/**
 * The TMPDIR of every CLI this test process starts: a CLI killed with SIGKILL (the crash
 * tests) cannot remove its build folders, and the suite must leave nothing behind, so they
 * go to one folder per test process, removed when the process exits. A test that sets its
 * own TMPDIR (to look at what a stage left) keeps it.
 */
function cliTmpDir(): string {
  if (cliTmp === null) {
    const dir = mkdtempSync(join(tmpdir(), 'halo-data-cli-tmp-'));
    cliTmp = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return cliTmp;
}

function cliEnv(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', TMPDIR: cliTmpDir(), ...env };
}

/** Runs the built CLI (npm test builds first) with no stdin, like cron and CI do. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: cliEnv(opts.env),
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return privacyChecked(args, { code: r.status ?? (r.signal ? 128 : -1), stdout: r.stdout, stderr: r.stderr });
}

/**
 * The suite-wide privacy check: every CLI run of every test (this helper is how tests run the
 * CLI) has its stdout and stderr, logs included, grepped for every personal value of the
 * fixtures; a hit fails the test that ran it.
 */
function privacyChecked(args: string[], r: CliRun): CliRun {
  assertNoPersonalData(r.stdout + r.stderr, `the output of halo-data ${args.filter((a) => !a.includes('/')).slice(0, 3).join(' ')}`);
  return r;
}

let personal: string[] | null = null;
/** Every personal value of the claim fixtures, one per line in fixtures/personal-values.txt. */
export function personalValues(): string[] {
  return (personal ??= readFileSync(new URL('../../fixtures/personal-values.txt', import.meta.url), 'utf8')
    .split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
}

/** Fails with the offending value's position (never the value itself: test logs are output too). */
export function assertNoPersonalData(text: string, where: string): void {
  const values = personalValues();
  values.forEach((v, i) => {
    if (text.includes(v)) throw new Error(`${where}: personal value #${i + 1} of fixtures/personal-values.txt appears in the output`);
  });
}

/**
 * The same, without blocking this process's event loop: for servers that run inside the
 * test process (s3rver, the ssh2 server), which spawnSync would freeze.
 */
export function runCliAsync(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return spawnCli(args, opts).done;
}

/** A running CLI process, for tests that signal it (Ctrl-C, kill -9) while it works. */
export function spawnCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: cliEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    let stdout = '', stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr!.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try { resolve(privacyChecked(args, { code: code ?? (signal ? 128 : -1), stdout, stderr })); } catch (e) { reject(e); }
    });
  });
  return { child, done };
}
