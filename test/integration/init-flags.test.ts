/**
 * `halo-data init` for provisioning scripts (issue 15, item 9): every answer as a flag or,
 * with --from-env, a HALO_DATA_INIT_* variable; without a terminal nothing is asked and a
 * missing answer is exit 2 naming its flag; --force/--yes for an existing file. The file it
 * writes loads (validate and doctor accept it) and cites only documents of this repository.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli, ROOT } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { loadConfig } from '../../src/config/load.js';
import { renderConfigYaml, buildConfig } from '../../src/commands/init-config.js';
import { INIT_FLAGS, envName } from '../../src/commands/init-answers.js';

const tmp = tempDir('halo-init-flags-');
after(() => tmp.cleanup());

let n = 0;
function freshDir(): string {
  const dir = join(tmp.path, `d${++n}`);
  mkdirSync(dir);
  return dir;
}

const KEY = { HALO_DATA_MEMBER_KEY: 'test-member-key-not-a-secret-0123456789' };

describe('init with flags, without a terminal', () => {
  test('a local source: the file loads, and validate and doctor accept it', () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'drop'));
    const r = runCli(['init', '-o', 'cfg.yaml', '--source-type', 'local', '--source-name', 'claims', '--schema', 'insurance_claim',
      '--folder', './drop', '--paths', '*.csv', '--paths', '**/*.{xls,xlsx}', '--merchant-id-from', '', '--lake', './lake', '--warehouse-path', './wh'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*cfg\.yaml \(mode 0600\)/);
    const file = join(dir, 'cfg.yaml');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(parse(readFileSync(file, 'utf8')), {
      sources: [{ name: 'claims', type: 'local', path: './drop', paths: ['*.csv', '**/*.{xls,xlsx}'], schema: 'insurance_claim' }],
      lake: { url: './lake' },
      warehouse: { engine: 'pglite', path: './wh' },
    });
    const v = runCli(['validate', join(ROOT, 'fixtures/claims/claims-clean.csv'), '--config', file], { cwd: dir });
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const doctor = runCli(['doctor', '--config', file], { cwd: dir, env: KEY });
    assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /all checks passed/);
  });

  test('sftp with a key and a pinned host key, an S3 lake, Redshift serverless: every branch by flags', () => {
    const dir = freshDir();
    const fp = `SHA256:${'A'.repeat(43)}`;
    const r = runCli(['init', '-o', 'cfg.yaml', '--host', 'sftp.example.co.id', '--port', '2222', '--user', 'halo', '--schema', 'merchant_inventory',
      '--private-key-file', '/etc/halo/id_ed25519', '--passphrase-env', 'HALO_KEY_PASS', '--host-key-sha256', fp,
      '--lake', 's3://halo-lake/prod', '--lake-region', 'ap-southeast-3', '--lake-kms-key-id', 'alias/halo',
      '--redshift-workgroup', 'halo-wg', '--redshift-database', 'halo', '--redshift-iam-role', 'arn:aws:iam::123456789012:role/halo-copy'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(join(dir, 'cfg.yaml'), 'utf8');
    assert.deepEqual(parse(text), {
      sources: [{
        name: 'merchants', type: 'sftp', host: 'sftp.example.co.id', port: 2222, user: 'halo', privateKeyFile: '/etc/halo/id_ed25519',
        passphraseEnv: 'HALO_KEY_PASS', hostKeySha256: fp, paths: ['/merchants/*/inbox/*.{csv,xls,xlsx}'],
        merchantIdFrom: '/merchants/{merchant_id}/inbox/', schema: 'merchant_inventory', inventory: 'full',
      }],
      lake: { url: 's3://halo-lake/prod', region: 'ap-southeast-3', kmsKeyId: 'alias/halo' },
      warehouse: { engine: 'redshift-data', workgroupName: 'halo-wg', database: 'halo', iamRole: 'arn:aws:iam::123456789012:role/halo-copy', region: 'ap-southeast-3' },
    });
    assert.ok(loadConfig({ configFile: join(dir, 'cfg.yaml'), env: {}, cwd: dir }));
    assert.match(r.stdout, /HALO_KEY_PASS/, 'the variables to set are named');
  });

  test('--from-env: HALO_DATA_INIT_* answers, then the HALO_DATA_* a flag names; a flag wins over both', () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'in'));
    const env = {
      HALO_DATA_INIT_SOURCE_TYPE: 'local', HALO_DATA_INIT_SCHEMA: 'claim_pdf', HALO_DATA_INIT_FOLDER: './in',
      HALO_DATA_INIT_PATHS: '*.pdf\n**/*.PDF', HALO_DATA_LAKE_URL: './from-halo-data-lake-url',
      HALO_DATA_WAREHOUSE_URL: 'postgres://halo@db.internal:5432/halo', HALO_DATA_INIT_SOURCE_NAME: 'ignored-by-the-flag',
    };
    const r = runCli(['init', '--from-env', '-o', 'cfg.yaml', '--source-name', 'pdfs'], { cwd: dir, env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(parse(readFileSync(join(dir, 'cfg.yaml'), 'utf8')), {
      sources: [{ name: 'pdfs', type: 'local', path: './in', paths: ['*.pdf', '**/*.PDF'], schema: 'claim_pdf' }],
      lake: { url: './from-halo-data-lake-url' },
      warehouse: { engine: 'postgres', url: 'postgres://halo@db.internal:5432/halo' },
    });
    // Without --from-env the variables are not read.
    const without = runCli(['init', '-o', 'other.yaml'], { cwd: dir, env });
    assert.equal(without.code, 2);
    assert.match(without.stderr, /missing: --source-type sftp\|local/);
  });

  test('a missing answer: exit 2 naming the flags, nothing written, never a prompt', () => {
    const dir = freshDir();
    const cases: Array<[string[], RegExp]> = [
      [[], /needs a terminal .*missing: --source-type sftp\|local/],
      [['--source-type', 'sftp', '--schema', 'merchant_inventory'], /missing: --host, --user, --auth key\|agent\|password/],
      [['--host', 'h.example', '--user', 'u', '--auth', 'agent', '--schema', 'claim_pdf', '--host-key', 'pinned'], /missing: --host-key-sha256\b/],
      [['--source-type', 'local', '--schema', 'claim_pdf', '--warehouse', 'redshift-data', '--lake', 's3://halo-lake/x'], /missing: --redshift cluster\|serverless/],
      [['--source-type', 'local', '--schema', 'claim_pdf', '--redshift-cluster', 'c1', '--lake', 's3://halo-lake/x'], /missing: --redshift-sign-in dbUser\|secretArn/],
      [['--source-type', 'local', '--schema', 'claim_pdf', '--redshift-cluster', 'c1', '--redshift-db-user', 'etl', '--lake', 's3://halo-lake/x'], /missing: --redshift-iam-role$/m],
    ];
    for (const [flags, says] of cases) {
      const r = runCli(['init', '-o', 'cfg.yaml', ...flags], { cwd: dir });
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, says, flags.join(' '));
      assert.match(r.stderr, /HALO_DATA_INIT_/);
      assert.equal(r.stdout, '');
      assert.doesNotMatch(r.stderr, /\?\s*$/m, 'no question was printed');
    }
    assert.deepEqual(readdirSync(dir), []);
  });

  test('a wrong answer or a flag no question takes: exit 2 naming the flag', () => {
    const dir = freshDir();
    const base = ['init', '-o', 'cfg.yaml', '--source-type', 'local', '--schema', 'claim_pdf'];
    const cases: Array<[string[], RegExp]> = [
      [['--warehouse', 'mysql'], /--warehouse "mysql": one of pglite, postgres\n/],
      [['--warehouse-url', 'postgres://halo:secret@db/halo'], /--warehouse-url: no password in the URL/],
      [['--host', 'sftp.example'], /--host answers no question of this config/],
      [['--paths', 'a\nb'], /--paths: one line, no control characters/],
      [['--warehouse', 'redshift-data', '--redshift', 'cluster'], /--warehouse "redshift-data": not possible here \(needs an s3:\/\/ lake\)/],
    ];
    for (const [flags, says] of cases) {
      const r = runCli([...base, ...flags], { cwd: dir });
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, says);
      assert.doesNotMatch(r.stderr, /secret/, 'a refused password is not echoed');
    }
    assert.deepEqual(readdirSync(dir), []);
  });

  test('an existing file: kept without --force (also with --yes), replaced with it', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'cfg.yaml'), 'lake: { url: ./old }\n');
    const flags = ['init', '-o', 'cfg.yaml', '--source-type', 'local', '--schema', 'claim_pdf'];
    for (const extra of [[], ['--yes']]) {
      const r = runCli([...flags, ...extra], { cwd: dir });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /exists and was left as it is[^]*--force/);
      assert.equal(readFileSync(join(dir, 'cfg.yaml'), 'utf8'), 'lake: { url: ./old }\n');
    }
    const forced = runCli([...flags, '--force'], { cwd: dir });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(readFileSync(join(dir, 'cfg.yaml'), 'utf8'), /schema: claim_pdf/);
  });

  test('no flag takes a secret: passwords and passphrases are variable names, the key a path', () => {
    const flags = INIT_FLAGS.map((f) => f.flag);
    assert.ok(!flags.some((f) => /^(password|passphrase|secret|key)$/.test(f) || /-(password|passphrase|value)$/.test(f)), flags.join(' '));
    assert.equal(envName('source-type'), 'HALO_DATA_INIT_SOURCE_TYPE');
    const r = runCli(['init', '-o', join(tmp.path, 'x.yaml'), '--password', 'hunter2']);
    assert.equal(r.code, 2);
  });
});

/** The markdown documents a text names, as paths from the repository root. */
function citedDocuments(text: string): string[] {
  return [...text.matchAll(/[A-Za-z0-9_./-]+\.md\b/g)].map((m) => m[0]);
}

describe('documents the tool cites are in the repository', () => {
  test("the config header cites only files that exist in the repository", () => {
    const text = renderConfigYaml(buildConfig({
      sources: [{ type: 'local', name: 'inbox', schema: 'claim_pdf', path: './drop', paths: ['*.pdf'] }],
      lake: { kind: 'local', path: './lake' }, warehouse: { engine: 'pglite', path: './wh' },
    }), new Date(0));
    const header = text.split('\n').filter((l) => l.startsWith('#')).join('\n');
    const cited = citedDocuments(header);
    assert.ok(cited.length > 0, 'the header names its reference');
    for (const doc of cited) assert.ok(existsSync(join(ROOT, doc)), `the header cites ${doc}, which is not in the repository`);
  });

  test('src/, scripts/, README.md and docs/ cite only documents that exist in the repository', () => {
    const files: string[] = [join(ROOT, 'README.md')];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else files.push(p);
      }
    };
    for (const d of ['src', 'scripts', 'docs']) walk(join(ROOT, d));
    const missing: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const doc of citedDocuments(text)) {
        // A bare name (README.md) is the repository's root file; a path is from the root or the file's folder.
        if (!existsSync(join(ROOT, doc)) && !existsSync(join(f, '..', doc))) missing.push(`${f.slice(ROOT.length)}: ${doc}`);
      }
      for (const m of text.matchAll(/\.\.\/shared|\bspec\/[\w-]+\.md/g)) missing.push(`${f.slice(ROOT.length)}: ${m[0]}`);
    }
    assert.deepEqual(missing, []);
  });

  test('the missing-answer error cites only files of the repository', () => {
    const r = runCli(['init', '-o', join(tmp.path, 'y.yaml')]);
    assert.equal(r.code, 2);
    for (const doc of citedDocuments(r.stderr)) assert.ok(existsSync(join(ROOT, doc)), doc);
    assert.doesNotMatch(r.stderr, /cli\.md/);
  });
});
