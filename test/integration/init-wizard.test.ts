/**
 * `halo-data init` on a real terminal: tmux runs the built CLI (bin/halo-data.js → dist/) in a
 * pseudo-terminal, the test reads the screen with capture-pane and types with send-keys,
 * waiting for each question to appear (never a fixed sleep). Then the file: its keys, its
 * mode, and loadConfig's verdict. Without a terminal init refuses (exit 2) and writes nothing.
 *
 * Runs against dist/: `npm test` builds first; run alone, this file builds once when dist's
 * init is missing or older than its sources.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BIN, ROOT, runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { loadConfig } from '../../src/config/load.js';

const HAS_TMUX = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
const WAIT_MS = 20_000;
const POLL_MS = 50;
const tmp = tempDir('halo-init-wizard-');
const servers: string[] = [];

before(() => buildIfStale());
// Each test kills its own terminal; this is the net for a test that died before it could.
after(() => {
  for (const s of servers) killServer(s);
  tmp.cleanup();
});

function killServer(socket: string): void {
  spawnSync('tmux', ['-S', socket, 'kill-server'], { stdio: 'ignore' });
}

/** dist/commands/init.js must be the code in src/: build once if it is not there or older. */
function buildIfStale(): void {
  const built = join(ROOT, 'dist/commands/init.js');
  const sources = ['src/commands/init.ts', 'src/commands/init-config.ts', 'src/cli.ts'].map((p) => statSync(join(ROOT, p)).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources)) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * One tmux server of its own (a socket in the test's folder, no ~/.tmux.conf, nothing left in
 * /tmp/tmux-UID, never the user's own server) running one command in
 * a 120×40 terminal. The command's exit status lands in a file, then the pane stays open so
 * a failing test can still show the screen.
 */
class Terminal {
  readonly socket = join(tmp.path, `tmux-${randomBytes(4).toString('hex')}.sock`);
  private readonly rcFile: string;

  constructor(readonly dir: string, command: string) {
    this.rcFile = join(dir, '.rc');
    servers.push(this.socket);
    const script = `${command}; echo $? > ${shq(this.rcFile)}; exec sleep 3600`;
    const r = spawnSync('tmux', ['-S', this.socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'init', '-x', '120', '-y', '40', '-c', dir, script], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', HALO_DATA_CONFIG: '', GITHUB_ACTIONS: '' },
    });
    assert.equal(r.status, 0, `tmux new-session: ${r.stderr}`);
  }

  private tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, `tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** The visible screen; -J joins lines the terminal wrapped, so a long message stays one line. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-t', 'init');
  }

  async waitFor(test: (screen: string) => boolean, what: string): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const s = this.screen();
      if (test(s)) return s;
      if (Date.now() > deadline) throw new Error(`waited ${WAIT_MS / 1000} s for ${what}; the screen:\n${s}`);
      await sleep(POLL_MS);
    }
  }

  /** Waits until `message` is the question being asked (inquirer marks it with '?'; answered ones with a tick). */
  prompt(message: string): Promise<string> {
    return this.waitFor((s) => s.split('\n').some((l) => isQuestion(l, message)), `the question "${message}"`);
  }

  /** Types an answer (literally: globs hold braces and stars) and presses Enter. */
  async answer(message: string, text: string): Promise<void> {
    await this.prompt(message);
    if (text) this.tmux('send-keys', '-t', 'init', '-l', text);
    this.tmux('send-keys', '-t', 'init', 'Enter');
  }

  /** Moves the select cursor down to the choice, checking the screen after each key, and picks it. */
  async choose(message: string, choice: string): Promise<void> {
    await this.prompt(message);
    for (let moves = 0; ; moves++) {
      const cursor = activeChoice(this.screen(), message);
      if (cursor?.includes(choice)) break;
      assert.ok(moves < 10, `"${choice}" is not a choice of "${message}":\n${this.screen()}`);
      this.tmux('send-keys', '-t', 'init', 'Down');
      await this.waitFor((s) => activeChoice(s, message) !== cursor, `the cursor to move in "${message}"`);
    }
    this.tmux('send-keys', '-t', 'init', 'Enter');
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'init', ...keys);
  }

  /** The command's exit status, once it has one. */
  async exitCode(): Promise<number> {
    await this.waitFor(() => existsSync(this.rcFile) && readFileSync(this.rcFile, 'utf8').trim() !== '', 'the command to exit');
    return Number(readFileSync(this.rcFile, 'utf8').trim());
  }

  kill(): void {
    killServer(this.socket);
    rmSync(this.socket, { force: true });
  }
}

/** A line of the question being asked: inquirer starts it with '?' (and an answered one with a tick). */
const isQuestion = (line: string, message: string) => line.startsWith('? ') && line.includes(message);

/** The line the select cursor is on, below the question. */
function activeChoice(screen: string, message: string): string | undefined {
  const lines = screen.split('\n');
  const at = lines.findIndex((l) => isQuestion(l, message));
  return at < 0 ? undefined : lines.slice(at + 1).find((l) => /^[❯>] /.test(l));
}

/** Runs init in a terminal in a fresh folder; always kills the terminal. */
async function inTerminal(name: string, args: string[], drive: (t: Terminal, dir: string) => Promise<void>, prepare?: (dir: string) => void): Promise<void> {
  const dir = join(tmp.path, name);
  mkdirSync(dir, { recursive: true });
  prepare?.(dir);
  const t = new Terminal(dir, `${shq(process.execPath)} ${shq(BIN)} init ${args.map(shq).join(' ')}`);
  try {
    await drive(t, dir);
  } finally {
    t.kill();
  }
}

/** Every file init left in the folder besides the ones the test expects (a temporary file would show here). */
const leftovers = (dir: string, expected: string[]) => readdirSync(dir).filter((f) => f !== '.rc' && !expected.includes(f));

describe('init on a terminal (tmux)', { skip: HAS_TMUX ? false : 'tmux is not installed' }, () => {
  test('sftp with a key and a passphrase variable, local lake, pglite', async () => {
    await inTerminal('sftp-pglite', ['-o', 'cfg.yaml'], async (t, dir) => {
      await t.choose('Where do the files come from?', 'an SFTP server');
      await t.answer('Source name', '');
      await t.choose('What do the files hold', 'merchant_inventory');
      // Asked of inventory sources only; its default (the first choice) is a full catalogue.
      const inventoryScreen = await t.prompt("whole catalogue?");
      assert.match(inventoryScreen, /only what changed \(delta\)/);
      t.keys('Enter');
      await t.answer('SFTP host', 'sftp.example.internal');
      // A bad port is refused on the spot; the answer is then corrected.
      await t.answer('SFTP port', '70000');
      await t.waitFor((s) => s.includes('a port is a whole number from 1 to 65535'), 'the port check');
      t.keys('C-u');
      await t.answer('SFTP port', '2222');
      await t.answer('SFTP user', 'halo');
      await t.choose('How does halo-data log in to sftp.example.internal?', 'a private key file');
      await t.answer('Private key file', '~/.ssh/halo_ed25519');
      await t.choose('Is the key protected by a passphrase?', 'in an environment variable');
      await t.answer('NAME of the environment variable holding the passphrase', '');
      const hostKeyScreen = await t.prompt("How is the server's host key checked?");
      assert.match(hostKeyScreen, /halo-data doctor --trust-host merchants/, 'the wizard says where the fingerprint comes from');
      t.keys('Enter'); // known_hosts, the first choice
      await t.answer('known_hosts file', '');
      await t.answer('Remote glob of the files to fetch', '');
      await t.answer('Another glob', '');
      await t.answer('Merchant id in the file path', '');
      await t.answer('Add another source?', '');
      await t.choose('Where does the lake', 'a local folder');
      await t.answer('Lake folder', '');
      await t.choose('Which warehouse?', 'PGlite');
      await t.answer('Warehouse folder', '');

      assert.equal(await t.exitCode(), 0, t.screen());
      const cfg = join(dir, 'cfg.yaml');
      const text = readFileSync(cfg, 'utf8');
      assert.match(text, /^# halo-data configuration, written by `halo-data init` on \d{4}-/);
      assert.deepEqual(parse(text), {
        sources: [{
          name: 'merchants', type: 'sftp', host: 'sftp.example.internal', port: 2222, user: 'halo',
          privateKeyFile: '~/.ssh/halo_ed25519', passphraseEnv: 'HALO_SFTP_KEY_PASSPHRASE', knownHostsFile: '~/.ssh/known_hosts',
          paths: ['/merchants/*/inbox/*.{csv,xls,xlsx}'], merchantIdFrom: '/merchants/{merchant_id}/inbox/', schema: 'merchant_inventory',
          inventory: 'full',
        }],
        lake: { url: './.halo-data/lake' },
        warehouse: { engine: 'pglite', path: './.halo-data/warehouse' },
      });
      assert.equal(statSync(cfg).mode & 0o777, 0o600);
      assert.deepEqual(leftovers(dir, ['cfg.yaml']), [], 'no temporary file left behind');
      const loaded = loadConfig({ configFile: cfg, env: {}, cwd: dir });
      assert.equal(loaded.sources[0].passphraseEnv, 'HALO_SFTP_KEY_PASSPHRASE');
      const screen = t.screen();
      assert.match(screen, /wrote .*cfg\.yaml \(mode 0600\)/);
      assert.match(screen, /HALO_SFTP_KEY_PASSPHRASE/);
      assert.match(screen, /halo-data doctor --config cfg\.yaml/);
      assert.match(screen, /halo-data run --config cfg\.yaml/);
    });
  });

  test('a local source, an s3 lake, postgres (a URL with a password is refused)', async () => {
    await inTerminal('postgres-s3', ['-o', 'conf/halo.yaml'], async (t, dir) => {
      await t.choose('Where do the files come from?', 'a local folder');
      await t.answer('Source name', 'claim-pdfs');
      await t.choose('What do the files hold', 'claim_pdf');
      await t.answer('Folder the files arrive in', './drop/claims');
      await t.answer('Glob of the files', '');
      await t.answer('Another glob', '');
      await t.answer('Merchant id in the file path', '');
      await t.answer('Add another source?', 'n');
      await t.choose('Where does the lake', 'S3');
      await t.answer('Lake URL', 'not-a-bucket');
      await t.waitFor((s) => s.includes('s3://bucket/prefix (bucket:'), 'the s3 URL check');
      t.keys('C-u');
      await t.answer('Lake URL', 's3://halo-lake/raw');
      await t.answer('Lake region', '');
      await t.answer('S3-compatible endpoint URL', 'http://127.0.0.1:9000');
      await t.answer('KMS key id', '');
      await t.choose('Which warehouse?', 'a PostgreSQL server');
      await t.answer('Connection URL, without the password', 'postgres://halo:hunter2@db.internal:5432/halo');
      await t.waitFor((s) => /no password in the URL.*PGPASSWORD/.test(s), 'the password check');
      t.keys('C-u');
      await t.answer('Connection URL, without the password', 'postgres://halo@db.internal:5432/halo');

      assert.equal(await t.exitCode(), 0, t.screen());
      const cfg = join(dir, 'conf/halo.yaml');
      const text = readFileSync(cfg, 'utf8');
      assert.ok(!text.includes('hunter2'), 'the refused password is nowhere in the file');
      assert.deepEqual(parse(text), {
        sources: [{ name: 'claim-pdfs', type: 'local', path: './drop/claims', paths: ['**/*.{pdf,png,jpg,jpeg,tif,tiff}'], schema: 'claim_pdf' }],
        lake: { url: 's3://halo-lake/raw', region: 'ap-southeast-3', endpoint: 'http://127.0.0.1:9000' },
        warehouse: { engine: 'postgres', url: 'postgres://halo@db.internal:5432/halo' },
      });
      assert.equal(statSync(cfg).mode & 0o777, 0o600);
      assert.deepEqual(leftovers(join(dir, 'conf'), ['halo.yaml']), []);
      const loaded = loadConfig({ configFile: cfg, env: {}, cwd: dir });
      assert.equal(loaded.warehouse.engine, 'postgres');
      assert.equal(loaded.lake.url, 's3://halo-lake/raw');
      assert.match(t.screen(), /PGPASSWORD/);
    });
  });

  test('an existing file is kept unless overwriting is confirmed', async () => {
    await inTerminal('exists', ['-o', 'cfg.yaml'], async (t, dir) => {
      await t.answer('cfg.yaml exists. Overwrite it?', ''); // the default is no
      assert.equal(await t.exitCode(), 2, t.screen());
      assert.equal(readFileSync(join(dir, 'cfg.yaml'), 'utf8'), 'lake: { url: ./mine }\n');
      assert.match(t.screen(), /left as it is/);
      assert.match(t.screen(), /--force/);
    }, (dir) => writeFileSync(join(dir, 'cfg.yaml'), 'lake: { url: ./mine }\n'));
  });

  test('Ctrl-C leaves with 130 and writes nothing', async () => {
    await inTerminal('ctrl-c', ['-o', 'cfg.yaml'], async (t, dir) => {
      await t.choose('Where do the files come from?', 'a local folder');
      await t.prompt('Source name');
      t.keys('C-c');
      assert.equal(await t.exitCode(), 130, t.screen());
      assert.match(t.screen(), /init cancelled: nothing was written/);
      assert.deepEqual(leftovers(dir, []), []);
    });
  });

  test('stdout redirected away from the terminal: refused, no prompt', async () => {
    const dir = join(tmp.path, 'stdout-file');
    mkdirSync(dir, { recursive: true });
    const t = new Terminal(dir, `${shq(process.execPath)} ${shq(BIN)} init -o cfg.yaml > out.txt 2> err.txt`);
    try {
      assert.equal(await t.exitCode(), 2);
      assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), '');
      assert.match(readFileSync(join(dir, 'err.txt'), 'utf8'), /needs a terminal/);
      assert.ok(!existsSync(join(dir, 'cfg.yaml')));
    } finally {
      t.kill();
    }
  });
});

describe('init without a terminal', () => {
  test('stdin not a TTY: exit 2, says why and what to do instead (the flags, or a file by hand), writes nothing', () => {
    const out = join(tmp.path, 'no-tty', 'cfg.yaml');
    const r = runCli(['init', '-o', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /init .*needs a terminal/);
    assert.match(r.stderr, /missing: --source-type/);
    assert.match(r.stderr, /"Configuration" in README\.md/);
    assert.match(r.stderr, /--config/);
    assert.doesNotMatch(r.stderr, /^\s+at .*:\d+:\d+\)?$/m, 'no stack trace');
    assert.ok(!existsSync(out), 'nothing written');
  });
});
