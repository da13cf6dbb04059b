/** `halo-data init` without a terminal: answers → config → YAML that loadConfig accepts, and the question flow. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { UsageError } from '../../src/errors.js';
import { openRedshiftData } from '../../src/warehouse/redshift/open.js';
import {
  buildConfig, renderConfigYaml, envNeeds, normalizeFingerprint, checkPort, checkSourceName, checkS3Url, checkPostgresUrl,
  checkFingerprint, checkMerchantIdFrom, checkEnvName, checkEndpoint, checkRoleArn,
  type WizardAnswers, type SourceAnswers, type LakeAnswers, type WarehouseAnswers, type InitConfig,
} from '../../src/commands/init-config.js';
import { askAnswers, type Ask } from '../../src/commands/init.js';
import { INIT_FLAGS, givenAnswers, answeringAsk, unusedFlags, MissingAnswers } from '../../src/commands/init-answers.js';

let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'halo-init-config-test-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

const FP = 'SHA256:' + 'A'.repeat(42) + 'E';
const ROLE = 'arn:aws:iam::123456789012:role/halo-data-copy';
const SECRET_ARN = 'arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:halo-AbCdEf';

const base = { schema: 'merchant_inventory' as const, paths: ['/merchants/*/inbox/*.{csv,xls,xlsx}'], merchantIdFrom: '/merchants/{merchant_id}/inbox/' };
const sftp = (name: string, auth: Extract<SourceAnswers, { type: 'sftp' }>['auth'], hostKey: Extract<SourceAnswers, { type: 'sftp' }>['hostKey']): SourceAnswers =>
  ({ ...base, type: 'sftp', name, host: 'sftp.example.internal', port: 2222, user: 'halo', auth, hostKey });

const SOURCES: Record<string, SourceAnswers> = {
  'sftp key, no passphrase, known_hosts': sftp('k1', { kind: 'key', privateKeyFile: '~/.ssh/halo_ed25519', passphrase: { from: 'none' } }, { kind: 'knownHosts', file: '~/.ssh/known_hosts' }),
  'sftp key, passphrase file, pinned': sftp('k2', { kind: 'key', privateKeyFile: './keys/halo', passphrase: { from: 'file', file: './keys/halo.pass' } }, { kind: 'pinned', sha256: FP }),
  'sftp key, passphrase env': sftp('k3', { kind: 'key', privateKeyFile: '~/.ssh/halo', passphrase: { from: 'env', name: 'HALO_KEY_PASS' } }, { kind: 'knownHosts', file: './known_hosts' }),
  'sftp agent': sftp('agent.src', { kind: 'agent' }, { kind: 'pinned', sha256: FP }),
  'sftp password env': sftp('pw-src', { kind: 'password', env: 'HALO_SFTP_PASSWORD' }, { kind: 'knownHosts', file: '~/.ssh/known_hosts' }),
  // '**' and '*' start YAML aliases: the writer has to quote these globs.
  'local claims pdf': { type: 'local', name: 'claim-pdfs', path: './drop/claims', paths: ['**/*.pdf', '*.PDF'], schema: 'claim_pdf' },
  'local inventory with merchant id': { type: 'local', name: 'inbox', path: '/srv/drop', paths: ['*/*.{csv,xls,xlsx}'], merchantIdFrom: '/srv/drop/{merchant_id}/', schema: 'insurance_claim' },
};

const LAKES: Record<string, LakeAnswers> = {
  'local lake': { kind: 'local', path: './.halo-data/lake' },
  's3 lake': { kind: 's3', url: 's3://halo-lake/raw', region: 'ap-southeast-3' },
  's3 lake, endpoint and kms': { kind: 's3', url: 's3://halo-lake', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', kmsKeyId: 'alias/halo' },
};

const WAREHOUSES: Record<string, WarehouseAnswers> = {
  pglite: { engine: 'pglite', path: './.halo-data/warehouse' },
  postgres: { engine: 'postgres', url: 'postgres://halo@db.internal:5432/halo?sslmode=require' },
  'redshift cluster, dbUser': { engine: 'redshift-data', target: { kind: 'cluster', clusterIdentifier: 'halo-dw', database: 'dev', auth: { kind: 'dbUser', dbUser: 'halo_loader' } }, iamRole: ROLE, region: 'ap-southeast-3' },
  'redshift cluster, secret': { engine: 'redshift-data', target: { kind: 'cluster', clusterIdentifier: 'halo-dw', database: 'dev', auth: { kind: 'secretArn', secretArn: SECRET_ARN } }, iamRole: ROLE, region: 'ap-southeast-3' },
  'redshift serverless': { engine: 'redshift-data', target: { kind: 'serverless', workgroupName: 'halo-wg', database: 'halo' }, iamRole: ROLE, region: 'ap-southeast-3' },
  'redshift serverless, secret': { engine: 'redshift-data', target: { kind: 'serverless', workgroupName: 'halo-wg', database: 'halo', secretArn: SECRET_ARN }, iamRole: ROLE, region: 'ap-southeast-3' },
};

let counter = 0;
/** Writes the YAML init would write and loads it the way every command does. */
function roundTrip(config: InitConfig) {
  const file = join(dir, `${counter++}.yaml`);
  writeFileSync(file, renderConfigYaml(config, new Date('2026-11-22T00:00:00Z')));
  // agent: true wants SSH_AUTH_SOCK set when the config loads (init checks with a stand-in too).
  return loadConfig({ configFile: file, env: { SSH_AUTH_SOCK: join(dir, 'agent.sock') }, cwd: dir });
}

function assertWritten(loaded: object, written: object): void {
  for (const [k, v] of Object.entries(written)) assert.deepEqual((loaded as Record<string, unknown>)[k], v, k);
}

// Values a careless wizard could leak into the file: they sit in the environment the whole time.
const SENTINELS = { HALO_SFTP_PASSWORD: 'sentinel-password-9f3a', HALO_KEY_PASS: 'sentinel-passphrase-77c1', PGPASSWORD: 'sentinel-pg-0b2e' };

describe('every source × lake × warehouse combination loads', () => {
  const saved: Record<string, string | undefined> = {};
  before(() => { for (const [k, v] of Object.entries(SENTINELS)) { saved[k] = process.env[k]; process.env[k] = v; } });
  after(() => { for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; } });

  for (const [sName, source] of Object.entries(SOURCES)) {
    for (const [lName, lake] of Object.entries(LAKES)) {
      for (const [wName, warehouse] of Object.entries(WAREHOUSES)) {
        if (warehouse.engine === 'redshift-data' && lake.kind !== 's3') continue; // refused: see below
        test(`${sName} · ${lName} · ${wName}`, () => {
          const config = buildConfig({ sources: [source], lake, warehouse });
          const text = renderConfigYaml(config, new Date());
          const loaded = roundTrip(config);
          assert.deepEqual(loaded.sources, config.sources, 'sources survive the YAML round trip');
          // loadConfig lays the built-in defaults under what the file says (e.g. a pglite path): compare the written keys.
          assertWritten(loaded.lake, config.lake);
          assertWritten(loaded.warehouse, config.warehouse);
          for (const v of Object.values(SENTINELS)) assert.ok(!text.includes(v), 'a secret value reached the file');
          assert.doesNotMatch(text, /^\s*(password|passphrase|secret)\s*:/im, 'no key holds a secret itself');
          if (warehouse.engine === 'redshift-data') assert.doesNotThrow(() => openRedshiftData(loaded), 'the engine accepts the redshift keys');
        });
      }
    }
  }

  test('several sources in one file', () => {
    const loaded = roundTrip(buildConfig({ sources: Object.values(SOURCES), lake: LAKES['local lake'], warehouse: WAREHOUSES.pglite }));
    assert.deepEqual(loaded.sources.map((s) => s.name), Object.values(SOURCES).map((s) => s.name));
  });
});

describe('what is written', () => {
  test('keys follow README.md\'s reference and nothing is written that was not answered', () => {
    const c = buildConfig({ sources: [SOURCES['sftp key, passphrase env']], lake: LAKES['s3 lake'], warehouse: WAREHOUSES['redshift serverless'] });
    assert.deepEqual(Object.keys(c.sources[0]), ['name', 'type', 'host', 'port', 'user', 'privateKeyFile', 'passphraseEnv', 'knownHostsFile', 'paths', 'merchantIdFrom', 'schema']);
    assert.deepEqual(c.lake, { url: 's3://halo-lake/raw', region: 'ap-southeast-3' });
    assert.deepEqual(c.warehouse, { engine: 'redshift-data', workgroupName: 'halo-wg', database: 'halo', iamRole: ROLE, region: 'ap-southeast-3' });
  });
  test('agent login writes agent: true and no key, and says so in a comment', () => {
    const c = buildConfig({ sources: [SOURCES['sftp agent']], lake: LAKES['local lake'], warehouse: WAREHOUSES.pglite });
    assert.equal(c.sources[0].agent, true);
    for (const k of ['privateKeyFile', 'passwordEnv', 'passphraseFile', 'passphraseEnv']) assert.ok(!(k in c.sources[0]), k);
    const text = renderConfigYaml(c, new Date());
    assert.match(text, /# logs in with ssh-agent/);
    assert.match(text, /doctor --trust-host agent\.src/);
  });
  test('a header comment dated when written; a postgres note beside the URL', () => {
    const text = renderConfigYaml(buildConfig({ sources: [SOURCES['local claims pdf']], lake: LAKES['local lake'], warehouse: WAREHOUSES.postgres }), new Date('2026-11-22T01:02:03Z'));
    assert.match(text.split('\n')[0], /^# halo-data configuration, written by `halo-data init` on 2026-11-22T01:02:03\.000Z/);
    assert.match(text, /url: .*# the password comes from PGPASSWORD/);
  });
  test('envNeeds lists the variables the file names', () => {
    const c = buildConfig({ sources: [SOURCES['sftp password env'], SOURCES['sftp key, passphrase env'], SOURCES['sftp agent']], lake: LAKES['local lake'], warehouse: WAREHOUSES.postgres });
    assert.deepEqual(envNeeds(c).map((e) => e.name), ['HALO_SFTP_PASSWORD', 'HALO_KEY_PASS', 'SSH_AUTH_SOCK', 'PGPASSWORD']);
  });
  test('a fingerprint is stored in the SHA256:… form whatever way it was pasted', () => {
    const bare = FP.slice('SHA256:'.length);
    assert.equal(normalizeFingerprint(bare + '='), FP);
    const c = buildConfig({ sources: [sftp('x', { kind: 'agent' }, { kind: 'pinned', sha256: bare })], lake: LAKES['local lake'], warehouse: WAREHOUSES.pglite });
    assert.equal(c.sources[0].hostKeySha256, FP);
  });
});

describe('inventory: full | delta (issue 17 item 5)', () => {
  test('written after schema, with what it means beside it, and loads back', () => {
    for (const mode of ['full', 'delta'] as const) {
      const c = buildConfig({ sources: [{ ...SOURCES['sftp agent'], inventory: mode }], lake: LAKES['local lake'], warehouse: WAREHOUSES.pglite });
      assert.deepEqual(Object.keys(c.sources[0]).slice(-2), ['schema', 'inventory']);
      const text = renderConfigYaml(c, new Date());
      assert.match(text, new RegExp(`\\n    inventory: ${mode} # full \\| delta\\. ${mode}: each file `));
      assert.match(text, /shrinkGuardPercent` \(default 50\)/, 'the header names the shrink guard');
      assert.equal(roundTrip(c).sources[0].inventory, mode);
    }
    const none = renderConfigYaml(buildConfig({ sources: [SOURCES['local claims pdf']], lake: LAKES['local lake'], warehouse: WAREHOUSES.pglite }), new Date());
    assert.doesNotMatch(none, /inventory/, 'no word of it for a source without inventory');
  });
  test('refused on a source of another schema', () => {
    assert.throws(() => buildConfig({ sources: [{ ...SOURCES['local claims pdf'], inventory: 'full' }], lake: LAKES['local lake'], warehouse: WAREHOUSES.pglite }),
      (e: unknown) => e instanceof UsageError && /inventory \(full \| delta\) is only for merchant_inventory sources/.test(e.message));
  });
  test('asked of inventory sources only; --inventory answers it, default full without a terminal', async () => {
    const flags = { sourceType: 'local', schema: 'merchant_inventory', warehouse: 'pglite' };
    const full = await askAnswers(answeringAsk(givenAnswers(flags, {}, false), null));
    assert.equal(full.sources[0].inventory, 'full');
    const delta = await askAnswers(answeringAsk(givenAnswers({ ...flags, inventory: 'delta' }, {}, false), null));
    assert.equal(delta.sources[0].inventory, 'delta');
    await assert.rejects(askAnswers(answeringAsk(givenAnswers({ ...flags, inventory: 'some' }, {}, false), null)), /--inventory "some": one of full, delta/);
    const claims = answeringAsk(givenAnswers({ ...flags, schema: 'claim_pdf', inventory: 'delta' }, {}, false), null);
    const answers = await askAnswers(claims);
    assert.equal(answers.sources[0].inventory, undefined);
    assert.deepEqual(unusedFlags({ inventory: 'delta' }, claims.asked), ['--inventory'], 'a claims source leaves --inventory unused: init refuses it');
  });
});

describe('refused answers', () => {
  const ok = (over: Partial<WizardAnswers>): WizardAnswers => ({ sources: [SOURCES['sftp agent']], lake: LAKES['local lake'], warehouse: WAREHOUSES.pglite, ...over });
  const refused = (a: WizardAnswers, re: RegExp) => assert.throws(() => buildConfig(a), (e: unknown) => e instanceof UsageError && re.test(e.message));

  test('a postgres URL holding a password, in the authority or the query', () => {
    for (const url of ['postgres://halo:hunter2@db/halo', 'postgresql://halo@db/halo?password=hunter2']) {
      assert.match(String(checkPostgresUrl(url)), /no password in the URL.*PGPASSWORD/);
      refused(ok({ warehouse: { engine: 'postgres', url } }), /warehouse URL: no password/);
    }
    assert.notEqual(checkPostgresUrl('mysql://halo@db/halo'), true);
    assert.equal(checkPostgresUrl('postgres://halo@db:5432/halo'), true);
  });
  test('redshift-data with a local lake', () => refused(ok({ warehouse: WAREHOUSES['redshift serverless'] }), /needs an s3:\/\/ lake/));
  test('two sources with one name', () => refused(ok({ sources: [SOURCES['sftp agent'], SOURCES['sftp agent']] }), /already a source named agent\.src/));
  test('no source, no glob', () => {
    refused(ok({ sources: [] }), /at least one source/);
    refused(ok({ sources: [{ ...SOURCES['local claims pdf'], paths: [] } as SourceAnswers] }), /at least one glob/);
  });
  test('a port out of range', () => refused(ok({ sources: [{ ...SOURCES['sftp agent'], port: 70000 } as SourceAnswers] }), /port/));

  test('the inline checks', () => {
    for (const n of [1, 22, 65535]) assert.equal(checkPort(n), true);
    for (const n of [0, 65536, 22.5, undefined]) assert.notEqual(checkPort(n), true, String(n));
    for (const n of ['merchants', 'claim-pdfs', 'a', 'A0_b.c-d', 'x'.repeat(64)]) assert.equal(checkSourceName(n), true, n);
    for (const n of ['', '-x', '.x', 'has space', 'x'.repeat(65), 'é']) assert.notEqual(checkSourceName(n), true, n);
    for (const u of ['s3://halo-lake', 's3://halo-lake/raw/2026', 's3://a.b-c/']) assert.equal(checkS3Url(u), true, u);
    for (const u of ['s3://', 's3://Upper/x', 'https://halo-lake.s3.amazonaws.com', 'halo-lake/raw', 's3://ab']) assert.notEqual(checkS3Url(u), true, u);
    assert.equal(checkFingerprint(FP), true);
    assert.notEqual(checkFingerprint('SHA256:short'), true);
    assert.notEqual(checkFingerprint('MD5:' + 'A'.repeat(43)), true);
    assert.equal(checkMerchantIdFrom(''), true);
    assert.equal(checkMerchantIdFrom('/merchants/{merchant_id}/inbox/'), true);
    assert.notEqual(checkMerchantIdFrom('/merchants/inbox/'), true);
    assert.notEqual(checkMerchantIdFrom('/{merchant_id}/{merchant_id}/'), true);
    // A value typed where a NAME belongs is refused, so it never lands in the file.
    for (const v of ['hunter2!', 'p@ss word', '1PASSWORD', '']) assert.notEqual(checkEnvName(v), true, v);
    assert.equal(checkEnvName('HALO_SFTP_PASSWORD'), true);
    assert.notEqual(checkEndpoint('https://key:secret@minio.internal'), true);
    assert.equal(checkEndpoint(''), true);
    assert.notEqual(checkRoleArn('halo-data-copy'), true);
  });
});

/** Plays the user: each question must match the next expected message; the answer goes through the prompt's own check. */
function scriptedAsk(script: Array<[RegExp, string | number | boolean]>): Ask & { asked: string[]; notes: string[] } {
  const asked: string[] = [];
  const notes: string[] = [];
  const next = (message: string) => {
    asked.push(message);
    const step = script.shift();
    assert.ok(step, `unexpected question: ${message}`);
    assert.match(message, step[0]);
    return step[1];
  };
  return {
    asked, notes,
    async text(q) {
      const a = String(next(q.message));
      const v = a === '' ? q.default ?? '' : a; // Enter on an empty line takes the default, as inquirer does
      const ok = q.validate ? q.validate(v) : true;
      assert.equal(ok, true, `${q.message}: ${v} was refused: ${ok}`);
      return v;
    },
    async choose(q) {
      const a = next(q.message);
      const choice = q.choices.find((c) => c.value === a);
      assert.ok(choice && !choice.disabled, `${q.message}: ${String(a)} is not a choice one can pick`);
      return choice.value;
    },
    async yesNo(q) { return Boolean(next(q.message)); },
    async integer(q) { const a = next(q.message); const n = a === '' ? q.default : Number(a); assert.equal(q.validate(n), true); return n; },
    note(text) { notes.push(text); },
  };
}

describe('the question flow', () => {
  test('sftp with a password variable, s3 lake, redshift cluster', async () => {
    const ask = scriptedAsk([
      [/files come from/, 'sftp'], [/Source name/, ''], [/schema/, 'merchant_inventory'], [/whole catalogue/, 'delta'],
      [/SFTP host/, 'sftp.example.internal'], [/SFTP port/, ''], [/SFTP user/, 'halo'],
      [/log in to sftp\.example\.internal/, 'password'], [/NAME of the environment variable holding the password/, ''],
      [/host key checked/, 'knownHosts'], [/known_hosts file/, ''],
      [/Remote glob/, ''], [/Another glob/, '/merchants/*/inbox/*.txt'], [/Another glob/, ''],
      [/Merchant id/, ''], [/Add another source/, false],
      [/lake/, 's3'], [/Lake URL/, 's3://halo-lake/raw'], [/Lake region/, ''], [/endpoint/, ''], [/KMS/, ''],
      [/Which warehouse/, 'redshift-data'], [/Which Redshift/, 'cluster'], [/Cluster identifier/, 'halo-dw'], [/Database/, ''],
      [/sign in/, 'dbUser'], [/Database user/, 'loader'], [/IAM role/, ROLE], [/Redshift region/, ''],
    ]);
    const answers = await askAnswers(ask);
    assert.deepEqual(answers.sources[0], {
      type: 'sftp', name: 'merchants', schema: 'merchant_inventory', host: 'sftp.example.internal', port: 22, user: 'halo',
      auth: { kind: 'password', env: 'HALO_SFTP_PASSWORD' }, hostKey: { kind: 'knownHosts', file: '~/.ssh/known_hosts' },
      paths: ['/merchants/*/inbox/*.{csv,xls,xlsx}', '/merchants/*/inbox/*.txt'], merchantIdFrom: '/merchants/{merchant_id}/inbox/', inventory: 'delta',
    });
    assert.deepEqual(answers.warehouse, { engine: 'redshift-data', target: { kind: 'cluster', clusterIdentifier: 'halo-dw', database: 'dev', auth: { kind: 'dbUser', dbUser: 'loader' } }, iamRole: ROLE, region: 'ap-southeast-3' });
    assert.ok(ask.notes.some((n) => n.includes('halo-data doctor --trust-host merchants')), 'the wizard tells how to get the fingerprint');
    assert.doesNotThrow(() => roundTrip(buildConfig(answers)));
  });

  test('two local sources (the second name may not repeat the first), pglite; redshift is not offered without S3', async () => {
    const ask = scriptedAsk([
      [/files come from/, 'local'], [/Source name/, ''], [/schema/, 'claim_pdf'], [/Folder/, ''], [/Glob/, ''], [/Another glob/, ''], [/Merchant id/, ''],
      [/Add another source/, true],
      [/files come from/, 'local'], [/Source name/, 'claims'], [/schema/, 'insurance_claim'], [/Folder/, './claims'], [/Glob/, '*.xlsx'], [/Another glob/, ''], [/Merchant id/, ''],
      [/Add another source/, false],
      [/lake/, 'local'], [/Lake folder/, ''],
      [/Which warehouse/, 'pglite'], [/Warehouse folder/, ''],
    ]);
    const answers = await askAnswers(ask);
    assert.deepEqual(answers.sources.map((s) => [s.name, s.paths]), [['inbox', ['**/*.{pdf,png,jpg,jpeg,tif,tiff}']], ['claims', ['*.xlsx']]]);
    assert.deepEqual(answers.lake, { kind: 'local', path: './.halo-data/lake' });
    assert.deepEqual(answers.warehouse, { engine: 'pglite', path: './.halo-data/warehouse' });

    const refuses = scriptedAsk([
      [/files come from/, 'local'], [/Source name/, ''], [/schema/, 'claim_pdf'], [/Folder/, ''], [/Glob/, ''], [/Another glob/, ''], [/Merchant id/, ''],
      [/Add another source/, false], [/lake/, 'local'], [/Lake folder/, ''], [/Which warehouse/, 'redshift-data'],
    ]);
    await assert.rejects(askAnswers(refuses), /redshift-data is not a choice one can pick/);
  });
});

describe('answers from flags (init-answers.ts)', () => {
  test('every question has a flag, and every flag answers a question', () => {
    const source = readFileSync(new URL('../../src/commands/init.ts', import.meta.url), 'utf8');
    const keys = new Set([...source.matchAll(/key: '([a-z0-9-]+)'/g)].map((m) => m[1]));
    // Asked only on a terminal: flags describe one source, and --force answers "overwrite?".
    const terminalOnly = new Set(['another-source', 'overwrite']);
    const flags = new Set(INIT_FLAGS.map((f) => f.flag));
    assert.deepEqual([...keys].filter((k) => !flags.has(k) && !terminalOnly.has(k)), [], 'questions without a flag');
    assert.deepEqual([...flags].filter((f) => !keys.has(f)), [], 'flags no question reads');
  });

  test('on a terminal, flags answer their questions and only the rest is asked', async () => {
    const given = givenAnswers({ sourceType: 'local', schema: 'claim_pdf', paths: ['*.pdf', 'more/*.pdf'], warehouse: 'pglite' }, {}, false);
    const terminal = scriptedAsk([
      [/Source name/, 'pdfs'], [/Folder/, ''], [/Merchant id/, ''], [/Add another source/, false], [/lake/, 'local'], [/Lake folder/, ''], [/Warehouse folder/, './wh'],
    ]);
    const answers = await askAnswers(answeringAsk(given, terminal));
    assert.deepEqual(answers.sources, [{ type: 'local', name: 'pdfs', schema: 'claim_pdf', path: './drop', paths: ['*.pdf', 'more/*.pdf'] }]);
    assert.deepEqual(answers.warehouse, { engine: 'pglite', path: './wh' });
  });

  test('without a terminal: defaults, then the missing flags; a given answer goes through its question\'s check', async () => {
    const none = answeringAsk(givenAnswers({ host: 'sftp.example', schema: 'merchant_inventory' }, {}, false), null);
    await assert.rejects(askAnswers(none), (e: Error) => e instanceof MissingAnswers && /missing: --user, --auth key\|agent\|password$/.test(e.message));
    const bad = answeringAsk(givenAnswers({ sourceType: 'sftp', schema: 'claim_pdf', host: 'user@host:22' }, {}, false), null);
    await assert.rejects(askAnswers(bad), /--host: a host name or IP address/);
  });

  test('--from-env reads HALO_DATA_INIT_*, then the HALO_DATA_* a flag names; flags win', () => {
    const env = { HALO_DATA_INIT_SCHEMA: 'claim_pdf', HALO_DATA_INIT_PATHS: 'a/*.pdf\n\nb/*.pdf\n', HALO_DATA_LAKE_URL: 's3://halo-lake/x', HALO_DATA_INIT_LAKE: './lake', HALO_DATA_INIT_HOST: 'from-env' };
    const a = givenAnswers({ host: 'from-flag' }, env, true);
    assert.deepEqual(a.get('paths'), ['a/*.pdf', 'b/*.pdf']);
    assert.deepEqual(a.get('lake'), ['./lake']);
    assert.deepEqual(a.get('lake-kind'), ['local']);
    assert.deepEqual(a.get('host'), ['from-flag']);
    assert.deepEqual(a.get('source-type'), ['sftp'], 'implied by --host');
    assert.equal(givenAnswers({}, env, false).size, 0, 'without --from-env nothing is read');
  });
});
