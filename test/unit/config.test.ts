import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, findConfigFile } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { profileFor, merchantFromPath, merchantScope } from '../../src/schemas/profiles.js';
import type { HaloConfig } from '../../src/config/types.js';

let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'halo-config-test-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

let counter = 0;
function write(name: string, text: string): string {
  const path = join(dir, `${counter++}-${name}`);
  writeFileSync(path, text);
  return path;
}

function load(name: string, text: string, env: NodeJS.ProcessEnv = {}): HaloConfig {
  return loadConfig({ configFile: write(name, text), env, cwd: dir });
}

/** Loading throws a ConfigError; returns it. */
function configError(name: string, text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  const path = write(name, text);
  try {
    loadConfig({ configFile: path, env, cwd: dir });
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.code, 'config-error');
    assert.equal(e.fault, 'config');
    return e;
  }
  return assert.fail(`${name} should not load`);
}

const FULL_YAML = `# halo-data config
sources:
  - name: sftp-main
    type: sftp
    host: sftp.example.co.id
    port: 22
    user: halo
    privateKeyFile: ~/.ssh/halo
    knownHostsFile: ./known_hosts
    path: /merchants
    merchantIdFrom: /merchants/{merchant_id}/inbox/
    schema: merchant_inventory
  - name: dropbox
    type: local
    paths: [./inbox/*.csv, ./inbox/*.xlsx]
lake:
  url: s3://halo-lake/raw
  region: ap-southeast-3
  kmsKeyId: null
warehouse:
  engine: redshift-data
  workgroupName: halo
  database: dev
merchants:
  APT-001:
    locale: en-US
    dateOrder: MDY
    delimiter: tab
    encoding: windows-1252
    timezone: Asia/Makassar
    headerRow: 3
    aliases:
      selling_price: [harga_net, "Harga Netto"]
  "00123":
    locale: auto
limits:
  csvBytes: 1073741824
  spreadsheetRows: 2000000
`;

describe('loadConfig: valid files', () => {
  test('a full YAML config', () => {
    const c = load('full.yaml', FULL_YAML);
    assert.equal(c.sources.length, 2);
    assert.deepEqual(c.sources[0], {
      name: 'sftp-main', type: 'sftp', host: 'sftp.example.co.id', port: 22, user: 'halo', privateKeyFile: '~/.ssh/halo',
      knownHostsFile: './known_hosts', path: '/merchants', merchantIdFrom: '/merchants/{merchant_id}/inbox/', schema: 'merchant_inventory',
    });
    assert.deepEqual(c.sources[1].paths, ['./inbox/*.csv', './inbox/*.xlsx']);
    assert.deepEqual(c.lake, { url: 's3://halo-lake/raw', region: 'ap-southeast-3', kmsKeyId: null });
    assert.equal(c.warehouse.engine, 'redshift-data');
    assert.equal(c.warehouse.workgroupName, 'halo');
    assert.equal(c.merchants['APT-001'].locale, 'en-US');
    assert.equal(c.merchants['APT-001'].headerRow, 3);
    assert.deepEqual(c.merchants['APT-001'].aliases, { selling_price: ['harga_net', 'Harga Netto'] });
    assert.equal(c.merchants['00123'].locale, 'auto', 'a quoted numeric merchant id keeps its zeros');
    assert.deepEqual(c.limits, { csvBytes: 1073741824, spreadsheetRows: 2000000 });
    assert.equal(c.baseDir, dir);
    assert.ok(c.file?.endsWith('full.yaml'));
  });

  test('the same config as JSON', () => {
    const c = load('full.json', JSON.stringify({
      sources: [{ name: 'dropbox', type: 'local', path: './inbox' }],
      lake: { url: 's3://halo-lake/raw' },
      warehouse: { engine: 'postgres', url: 'postgres://localhost/halo' },
      merchants: { 'APT-9': { locale: 'id-ID', delimiter: ';' } },
      limits: { csvBytes: 1000 },
    }, null, 2));
    assert.equal(c.sources[0].name, 'dropbox');
    assert.equal(c.warehouse.engine, 'postgres');
    assert.equal(c.warehouse.url, 'postgres://localhost/halo');
    assert.equal(c.warehouse.path, './.halo-data/warehouse', 'defaults fill what the file leaves out');
    assert.equal(c.merchants['APT-9'].delimiter, ';');
  });

  test('defaults: an empty file, and no file at all', () => {
    const c = load('empty.yaml', '');
    assert.deepEqual(c.sources, []);
    assert.equal(c.lake.url, './.halo-data/lake');
    assert.equal(c.warehouse.engine, 'pglite');
    assert.deepEqual(c.merchants, {});
    const none = loadConfig({ env: {}, cwd: dir });
    assert.equal(none.file, null);
    assert.equal(none.baseDir, dir);
    assert.equal(none.warehouse.engine, 'pglite');
  });

  test('null values are accepted where the shape allows them', () => {
    const c = load('nulls.yaml', 'lake:\n  url: s3://x\n  region: ~\n  endpoint: null\n');
    assert.equal(c.lake.region, null);
    assert.equal(c.lake.endpoint, null);
  });

  test('numbers where strings are expected become strings (merchant ids, source names)', () => {
    const c = load('numeric.yaml', 'sources:\n  - name: 42\n    type: local\nmerchants:\n  12345:\n    locale: id-ID\n');
    assert.equal(c.sources[0].name, '42');
    assert.deepEqual(Object.keys(c.merchants), ['12345']);
  });

  test('an unquoted merchant id with leading zeros is kept as written (or refused), never renumbered', () => {
    const path = write('leading-zeros.yaml', 'merchants:\n  00123:\n    locale: en-US\n');
    let config: HaloConfig;
    try {
      config = loadConfig({ configFile: path, env: {}, cwd: dir });
    } catch (e) {
      assert.ok(e instanceof ConfigError, 'refusing it with a ConfigError (asking to quote the id) is also fine');
      return;
    }
    assert.deepEqual(Object.keys(config.merchants), ['00123']);
    assert.equal(profileFor(config, '00123').locale, 'en-US');
  });
});

describe('loadConfig: unknown keys name the key and its line', () => {
  test('top level', () => {
    const e = configError('top.yaml', 'lake:\n  url: s3://x\nbogus: 1\n');
    assert.match(e.message, /'bogus'/);
    assert.match(e.message, /:3\b/);
    assert.equal(e.line, 3);
    assert.match(e.message, /known here: sources, landing, lake, warehouse, merchants, limits/);
  });
  test('nested: lake.bucket', () => {
    const e = configError('nested.yaml', 'lake:\n  url: s3://x\n  bucket: halo-lake\n');
    assert.match(e.message, /'lake\.bucket'/);
    assert.match(e.message, /:3\b/);
    assert.equal(e.line, 3);
  });
  test('nested in JSON: lake.bucket on line 4', () => {
    const e = configError('nested.json', '{\n  "lake": {\n    "url": "s3://x",\n    "bucket": "halo-lake"\n  }\n}\n');
    assert.match(e.message, /'lake\.bucket'/);
    assert.match(e.message, /:4\b/);
  });
  test('deep: merchants.<id>.decimal and sources[0] keys', () => {
    const e = configError('deep.yaml', 'merchants:\n  APT-001:\n    locale: id-ID\n    decimal: ","\n');
    assert.match(e.message, /'merchants\.APT-001\.decimal'/);
    assert.match(e.message, /:4\b/);
    const s = configError('source.yaml', 'sources:\n  - name: a\n    type: local\n    hostname: x\n');
    assert.match(s.message, /hostname/);
    assert.match(s.message, /:4\b/);
  });
  test('the message names the file', () => {
    const e = configError('named.yaml', 'bogus: 1\n');
    assert.ok(e.file?.endsWith('named.yaml'));
    assert.ok(e.message.includes('named.yaml:1'));
  });
});

describe('loadConfig: wrong types and values', () => {
  const cases: Array<[string, string, RegExp, number]> = [
    ['limits.csvBytes is text', 'limits:\n  csvBytes: lots\n', /limits\.csvBytes: must be a number/, 2],
    ['limits.csvBytes is 0', 'limits:\n  csvBytes: 0\n', /limits\.csvBytes: must be >= 1/, 2],
    ['limits.csvBytes is 1.5', 'limits:\n  csvBytes: 1.5\n', /limits\.csvBytes: must be a whole number/, 2],
    ['sources is not a list', 'sources: nope\n', /sources: must be a list/, 1],
    ['lake is a list', 'lake: [1, 2]\n', /lake: must be a mapping/, 1],
    ['warehouse.engine is unknown', 'warehouse:\n  engine: mysql\n', /warehouse\.engine: must be one of pglite, postgres, redshift-data/, 2],
    ['a source without a type', 'sources:\n  - name: a\n', /sources\[0\]: is missing 'type'/, 2],
    ['a source with a bad type', 'sources:\n  - name: a\n    type: ftp\n', /sources\[0\]\.type: must be one of sftp, local/, 3],
    ['a port as text', 'sources:\n  - name: a\n    type: sftp\n    port: twenty-two\n', /sources\[0\]\.port: must be a number/, 4],
    ['a merchant locale that is unknown', 'merchants:\n  A1:\n    locale: fr-FR\n', /merchants\.A1\.locale: must be one of id-ID, en-US, auto/, 3],
    ['a merchant delimiter that is unknown', 'merchants:\n  A1:\n    delimiter: "#"\n', /merchants\.A1\.delimiter/, 3],
    ['a headerRow of 0', 'merchants:\n  A1:\n    headerRow: 0\n', /merchants\.A1\.headerRow: must be >= 1/, 3],
    ['aliases not a list', 'merchants:\n  A1:\n    aliases:\n      stock_qty: qty\n', /merchants\.A1\.aliases\.stock_qty: must be a list/, 4],
    ['lake.url with no value', 'lake:\n  url:\n', /lake\.url: has no value/, 2],
    ['the top level is a list', '- a\n- b\n', /must be a mapping/, 1],
  ];
  for (const [label, text, message, line] of cases) {
    test(label, () => {
      const e = configError('wrong.yaml', text);
      assert.match(e.message, message);
      assert.equal(e.line, line);
      assert.match(e.message, new RegExp(`:${line}:`));
    });
  }
  test('an unknown time zone', () => {
    assert.match(configError('tz.yaml', 'merchants:\n  A1:\n    timezone: Asia/Bandung\n').message, /merchants\.A1\.timezone: unknown time zone 'Asia\/Bandung'/);
  });
  test('valid time zones: IANA and fixed offsets', () => {
    const c = load('tz-ok.yaml', 'merchants:\n  A1:\n    timezone: Asia/Jayapura\n  A2:\n    timezone: "+07:00"\n');
    assert.equal(c.merchants.A2.timezone, '+07:00');
  });
});

describe('loadConfig: cross-field checks', () => {
  test('duplicate source names', () => {
    const e = configError('dup.yaml', 'sources:\n  - name: sftp-main\n    type: sftp\n  - name: sftp-main\n    type: local\n');
    assert.match(e.message, /two sources are named 'sftp-main'/);
  });
  test('a source name that could climb out of a folder or confuse a metric label', () => {
    for (const name of ['../x', '.hidden', 'a/b', 'a b', '"q"']) {
      assert.match(configError('badname.yaml', `sources:\n  - name: ${JSON.stringify(name)}\n    type: local\n`).message, /source name .* must be letters, digits/);
    }
  });
  test('a password in warehouse.url (file or HALO_DATA_WAREHOUSE_URL) is refused, never echoed', () => {
    const e = configError('pw.yaml', 'warehouse:\n  engine: postgres\n  url: postgresql://halo:s3cret-value@db:5432/halo\n');
    assert.match(e.message, /warehouse\.url holds a password/);
    assert.ok(!e.message.includes('s3cret-value'));
    assert.match(e.hint ?? '', /PGPASSWORD/);
    const q = configError('pw2.yaml', 'warehouse:\n  engine: postgres\n  url: "postgresql://halo@db:5432/halo?password=s3cret-value"\n');
    assert.ok(!q.message.includes('s3cret-value'));
    const env = configError('pw3.yaml', 'warehouse:\n  engine: postgres\n', { HALO_DATA_WAREHOUSE_URL: 'postgresql://halo:s3cret-value@db/halo' });
    assert.match(env.message, /holds a password/);
    assert.equal(load('nopw.yaml', 'warehouse:\n  engine: postgres\n  url: postgresql://halo@db:5432/halo\n').warehouse.url, 'postgresql://halo@db:5432/halo');
  });
  test('merchantIdFrom without {merchant_id}', () => {
    const e = configError('mid.yaml', 'sources:\n  - name: a\n    type: local\n    merchantIdFrom: /merchants/inbox/\n');
    assert.match(e.message, /merchantIdFrom must contain \{merchant_id\}/);
    assert.match(e.message, /source 'a'/);
  });
});

describe('loadConfig: sftp sources', () => {
  const sftp = (extra: string) => `sources:\n  - name: m\n    type: sftp\n    host: sftp.example.internal\n    user: halo\n${extra}`;
  test('every sftp key, as written (defaults are filled where the source is opened)', () => {
    const c = load('sftp-all.yaml', sftp([
      'port: 2222', 'privateKeyFile: ~/.ssh/halo_ed25519', 'passphraseFile: ./pass', 'knownHostsFile: ./known_hosts',
      'paths: ["/merchants/*/inbox/*.{csv,xls,xlsx}"]', 'merchantIdFrom: "/merchants/{merchant_id}/inbox/"', 'agent: false', 'archive: true',
      'timeoutSeconds: 20', 'stallSeconds: 0.5', 'minBytesPerSecond: 0', 'retries: 0', 'retryDelaySeconds: 0.05', 'concurrency: 8',
    ].map((l) => `    ${l}\n`).join('')));
    const { name, type, host, port, user, agent, archive, timeoutSeconds, stallSeconds, minBytesPerSecond, retries, retryDelaySeconds, concurrency, paths } = c.sources[0];
    assert.deepEqual({ name, type, host, port, user, agent, archive, timeoutSeconds, stallSeconds, minBytesPerSecond, retries, retryDelaySeconds, concurrency, paths }, {
      name: 'm', type: 'sftp', host: 'sftp.example.internal', port: 2222, user: 'halo', agent: false, archive: true, timeoutSeconds: 20, stallSeconds: 0.5,
      minBytesPerSecond: 0, retries: 0, retryDelaySeconds: 0.05, concurrency: 8, paths: ['/merchants/*/inbox/*.{csv,xls,xlsx}'],
    });
  });
  test('each way to log in is enough on its own', () => {
    assert.equal(load('sftp-key.yaml', sftp('    privateKeyFile: ./k\n')).sources[0].privateKeyFile, './k');
    assert.equal(load('sftp-pw.yaml', sftp('    passwordEnv: HALO_SFTP_PASSWORD\n')).sources[0].passwordEnv, 'HALO_SFTP_PASSWORD');
    assert.equal(load('sftp-agent.yaml', sftp('    agent: true\n'), { SSH_AUTH_SOCK: '/tmp/agent.sock' }).sources[0].agent, true);
    assert.equal(load('sftp-pin.yaml', sftp('    privateKeyFile: ./k\n    hostKeySha256: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"\n')).sources[0].hostKeySha256?.length, 50);
  });
  const refused: Array<[string, string, NodeJS.ProcessEnv, RegExp]> = [
    ['no host', 'sources:\n  - name: m\n    type: sftp\n    user: halo\n    privateKeyFile: ./k\n', {}, /source 'm': an sftp source needs host/],
    ['no user', 'sources:\n  - name: m\n    type: sftp\n    host: h\n    privateKeyFile: ./k\n', {}, /source 'm': an sftp source needs user/],
    ['no way to log in', sftp(''), {}, /no way to log in: set privateKeyFile .*passwordEnv.*agent: true/],
    ['agent: false and nothing else, even with an agent running', sftp('    agent: false\n'), { SSH_AUTH_SOCK: '/tmp/agent.sock' }, /no way to log in/],
    ['nothing configured, even with an agent running (ssh-agent is asked for with agent: true)', sftp(''), { SSH_AUTH_SOCK: '/tmp/agent.sock' }, /no way to log in/],
    ['a passphrase without a key', sftp('    passwordEnv: P\n    passphraseEnv: Q\n'), {}, /passphrase is set but no privateKeyFile/],
    ['two passphrase sources', sftp('    privateKeyFile: ./k\n    passphraseEnv: Q\n    passphraseFile: ./q\n'), {}, /passphraseFile or passphraseEnv, not both/],
    ['a malformed pin', sftp('    privateKeyFile: ./k\n    hostKeySha256: "abc"\n'), {}, /hostKeySha256 must be a SHA-256 fingerprint/],
  ];
  for (const [label, text, env, message] of refused) {
    test(`refused: ${label}`, () => assert.match(configError('sftp-bad.yaml', text, env).message, message));
  }
  test('wrong types: stallSeconds 0, retries -1, archive "yes"', () => {
    assert.match(configError('sftp-t1.yaml', sftp('    privateKeyFile: ./k\n    stallSeconds: 0\n')).message, /stallSeconds: must be >= 0.1/);
    assert.match(configError('sftp-t2.yaml', sftp('    privateKeyFile: ./k\n    retries: -1\n')).message, /retries: must be >= 0/);
    assert.match(configError('sftp-t3.yaml', sftp('    privateKeyFile: ./k\n    archive: "yes"\n')).message, /archive: must be true or false/);
  });
  test('a local source needs none of it', () => {
    assert.equal(load('local-only.yaml', 'sources:\n  - name: drop\n    type: local\n    path: ./drop\n    archive: false\n').sources[0].type, 'local');
  });
  test('the unknown-key message lists the new keys', () => {
    assert.match(configError('sftp-unknown.yaml', sftp('    privateKeyFile: ./k\n    hostname: x\n')).message,
      /known here: .*agent, archive, timeoutSeconds, stallSeconds, minBytesPerSecond, retries, retryDelaySeconds, concurrency/);
  });
});

describe('loadConfig: files that cannot be read', () => {
  test('a missing file', () => {
    assert.throws(() => loadConfig({ configFile: join(dir, 'nope.yaml'), env: {}, cwd: dir }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /config file not found/);
      assert.match(e.hint ?? '', /--config/);
      return true;
    });
  });
  test('HALO_DATA_CONFIG names a missing file', () => {
    assert.throws(() => loadConfig({ env: { HALO_DATA_CONFIG: 'missing.yaml' }, cwd: dir }), ConfigError);
  });
  test('a YAML syntax error is a ConfigError', () => {
    const e = configError('syntax.yaml', 'lake:\n  url: [a\n');
    assert.ok(e.message.includes('syntax.yaml'));
  });
  test('a duplicate key is a ConfigError', () => {
    assert.match(configError('dupkey.yaml', 'lake:\n  url: a\n  url: b\n').message, /unique/);
  });
  test('YAML syntax errors carry their line too', () => {
    const e = configError('dupkey-line.yaml', 'lake:\n  url: a\n  url: b\n');
    assert.equal(e.line, 3);
    assert.match(e.message, /:3\b/);
  });
});

describe('loadConfig: environment overrides', () => {
  test('HALO_DATA_LAKE_URL and HALO_DATA_WAREHOUSE_* override the file', () => {
    const c = load('env.yaml', 'lake:\n  url: s3://from-file\nwarehouse:\n  engine: pglite\n', {
      HALO_DATA_LAKE_URL: 's3://from-env', HALO_DATA_LAKE_REGION: 'ap-southeast-1', HALO_DATA_WAREHOUSE_ENGINE: 'postgres',
      HALO_DATA_WAREHOUSE_URL: 'postgres://db/halo', HALO_DATA_WAREHOUSE_PATH: '/var/halo',
    });
    assert.equal(c.lake.url, 's3://from-env');
    assert.equal(c.lake.region, 'ap-southeast-1');
    assert.equal(c.warehouse.engine, 'postgres');
    assert.equal(c.warehouse.url, 'postgres://db/halo');
    assert.equal(c.warehouse.path, '/var/halo');
  });
  test('overrides apply without a file too', () => {
    const c = loadConfig({ env: { HALO_DATA_LAKE_URL: 's3://only-env' }, cwd: dir });
    assert.equal(c.lake.url, 's3://only-env');
  });
  test('an empty variable does not override', () => {
    const c = load('env-empty.yaml', 'lake:\n  url: s3://from-file\n', { HALO_DATA_LAKE_URL: '' });
    assert.equal(c.lake.url, 's3://from-file');
  });
  test('HALO_DATA_WAREHOUSE_ENGINE with a bad value', () => {
    const e = configError('env-bad.yaml', 'lake:\n  url: s3://x\n', { HALO_DATA_WAREHOUSE_ENGINE: 'mysql' });
    assert.match(e.message, /HALO_DATA_WAREHOUSE_ENGINE/);
    assert.match(e.message, /'mysql'/);
  });
});

describe('findConfigFile', () => {
  test('--config, then HALO_DATA_CONFIG, then the default names, else null', () => {
    const sub = mkdtempSync(join(dir, 'find-'));
    assert.equal(findConfigFile(undefined, {}, sub), null);
    writeFileSync(join(sub, 'halo-data.config.json'), '{}');
    assert.equal(findConfigFile(undefined, {}, sub), join(sub, 'halo-data.config.json'));
    writeFileSync(join(sub, 'halo-data.config.yaml'), '');
    assert.equal(findConfigFile(undefined, {}, sub), join(sub, 'halo-data.config.yaml'), 'yaml before json');
    writeFileSync(join(sub, 'other.yaml'), '');
    assert.equal(findConfigFile(undefined, { HALO_DATA_CONFIG: 'other.yaml' }, sub), join(sub, 'other.yaml'));
    writeFileSync(join(sub, 'flag.yaml'), '');
    assert.equal(findConfigFile('flag.yaml', { HALO_DATA_CONFIG: 'other.yaml' }, sub), join(sub, 'flag.yaml'));
  });
});

describe('profiles', () => {
  let config: HaloConfig;
  before(() => { config = load('profiles.yaml', FULL_YAML); });

  test('profileFor lays a merchant profile over the defaults', () => {
    assert.deepEqual(profileFor(config, 'APT-001'), {
      locale: 'en-US', dateOrder: 'MDY', delimiter: '\t', encoding: 'windows-1252', timezone: 'Asia/Makassar', headerRow: 3,
      aliases: { selling_price: ['harga_net', 'Harga Netto'] },
    });
  });
  test('profileFor: a partial profile keeps the defaults for the rest', () => {
    const p = profileFor(config, '00123');
    assert.equal(p.locale, 'auto');
    assert.equal(p.timezone, 'Asia/Jakarta');
    assert.equal(p.delimiter, undefined);
  });
  test('profileFor: unknown or no merchant gives the default profile (id-ID, Asia/Jakarta), a fresh copy', () => {
    const a = profileFor(config, 'APT-404');
    assert.deepEqual(a, { locale: 'id-ID', timezone: 'Asia/Jakarta' });
    assert.deepEqual(profileFor(config, undefined), { locale: 'id-ID', timezone: 'Asia/Jakarta' });
    a.locale = 'en-US';
    assert.equal(profileFor(config, 'APT-404').locale, 'id-ID', 'changing one result does not change the defaults');
  });
  test('merchantFromPath: the configured pattern finds the id', () => {
    assert.equal(merchantFromPath(config, '/merchants/APT-001/inbox/stok-2026-11-21.csv'), 'APT-001');
    assert.equal(merchantFromPath(config, '/data/merchants/APT-003/inbox/sub/x.csv'), 'APT-003');
    assert.equal(merchantFromPath(config, 'C:\\merchants\\APT-002\\inbox\\stok.csv'), 'APT-002', 'Windows separators');
  });
  test('merchantFromPath: no match', () => {
    assert.equal(merchantFromPath(config, '/merchants/inbox/x.csv'), undefined);
    assert.equal(merchantFromPath(config, '/other/APT-001/x.csv'), undefined);
    assert.equal(merchantFromPath(load('nosrc.yaml', ''), '/merchants/APT-001/inbox/x.csv'), undefined);
  });
  test('merchantFromPath: regex characters in the pattern are literal', () => {
    const c = load('regex.yaml', 'sources:\n  - name: a\n    type: local\n    merchantIdFrom: "/drop (v2)/{merchant_id}.d/"\n');
    assert.equal(merchantFromPath(c, '/drop (v2)/APT-7.d/file.csv'), 'APT-7');
    assert.equal(merchantFromPath(c, '/drop v2/APT-7.d/file.csv'), undefined);
    assert.equal(merchantFromPath(c, '/drop (v2)/APT-7xd/file.csv'), undefined);
  });
});

describe('speaksFor: the merchants a folder may send rows for (issue 14 item 9)', () => {
  const SRC = (extra: string) => `sources:
  - name: chain
    type: local
    path: ./drop
    merchantIdFrom: /merchants/{merchant_id}/
${extra}
  - name: other
    type: local
    path: ./other
    merchantIdFrom: /shops/{merchant_id}/
    speaksFor: { M0401: [M9999] }
`;
  test('read as a map of lists; an id written as a number keeps its zeros', () => {
    const c = load('speaks.yaml', SRC('    speaksFor:\n      M0401: [M0101, M0102]\n      "00123": [00124]'));
    assert.deepEqual(c.sources[0].speaksFor, { M0401: ['M0101', 'M0102'], '00123': ['00124'] });
  });
  test("merchantScope: the path's merchant and the speaksFor of the source that matched it", () => {
    const c = load('speaks-scope.yaml', SRC('    speaksFor:\n      M0401: [M0101, M0102]'));
    assert.deepEqual(merchantScope(c, '/land/chain/X/merchants/M0401/stok.csv', undefined), { merchantId: 'M0401', speaksFor: ['M0101', 'M0102'] });
    assert.deepEqual(merchantScope(c, '/land/merchants/M0101/stok.csv', undefined), { merchantId: 'M0101' });
    // The other source's pattern: its own speaksFor, not the chain's.
    assert.deepEqual(merchantScope(c, '/shops/M0401/stok.csv', undefined), { merchantId: 'M0401', speaksFor: ['M9999'] });
    assert.deepEqual(merchantScope(c, '/tmp/stok.csv', undefined), {});
    // --merchant: the flag names the merchant; with no source matching the path, every source's list for it counts.
    assert.deepEqual(merchantScope(c, '/tmp/stok.csv', 'M0401'), { merchantId: 'M0401', speaksFor: ['M0101', 'M0102', 'M9999'] });
    assert.deepEqual(merchantScope(c, '/land/merchants/M0401/x.csv', 'M0401'), { merchantId: 'M0401', speaksFor: ['M0101', 'M0102'] });
  });
  test('the named source is matched first (run and stage --source)', () => {
    const c = load('speaks-named.yaml', `sources:
  - name: a
    type: local
    merchantIdFrom: /in/{merchant_id}/
    speaksFor: { M1: [M2] }
  - name: b
    type: local
    merchantIdFrom: /in/{merchant_id}/
    speaksFor: { M1: [M3] }
`);
    assert.deepEqual(merchantScope(c, '/in/M1/x.csv', undefined), { merchantId: 'M1', speaksFor: ['M2'] });
    assert.deepEqual(merchantScope(c, '/in/M1/x.csv', undefined, 'b'), { merchantId: 'M1', speaksFor: ['M3'] });
  });
  const refused: Array<[string, string, RegExp]> = [
    ['without merchantIdFrom', 'sources:\n  - name: a\n    type: local\n    speaksFor:\n      M1: [M2]\n', /:4: sources\[0\]\.speaksFor: source 'a' has no merchantIdFrom/],
    ['an empty list', 'sources:\n  - name: a\n    type: local\n    merchantIdFrom: /m/{merchant_id}/\n    speaksFor:\n      M1: []\n', /:6: sources\[0\]\.speaksFor\.M1: lists no merchant/],
    ['the head itself', 'sources:\n  - name: a\n    type: local\n    merchantIdFrom: /m/{merchant_id}/\n    speaksFor:\n      M1:\n        - M2\n        - M1\n', /:8: sources\[0\]\.speaksFor\.M1\[1\]: names M1 itself/],
    ['a duplicate', 'sources:\n  - name: a\n    type: local\n    merchantIdFrom: /m/{merchant_id}/\n    speaksFor: { M1: [M2, M2] }\n', /:5: sources\[0\]\.speaksFor\.M1\[1\]: names M2 twice/],
    ['an id with a slash', 'sources:\n  - name: a\n    type: local\n    merchantIdFrom: /m/{merchant_id}/\n    speaksFor: { M1: [a/b] }\n', /:5: sources\[0\]\.speaksFor\.M1\[0\]: 'a\/b' is not a merchant id/],
    ['an id over 64 bytes', `sources:\n  - name: a\n    type: local\n    merchantIdFrom: /m/{merchant_id}/\n    speaksFor: { M1: [${'é'.repeat(33)}] }\n`, /is not a merchant id/],
    ['not a map of lists', 'sources:\n  - name: a\n    type: local\n    merchantIdFrom: /m/{merchant_id}/\n    speaksFor: [M1, M2]\n', /:5: sources\[0\]\.speaksFor: must be a mapping/],
    ['a list of non-strings', 'sources:\n  - name: a\n    type: local\n    merchantIdFrom: /m/{merchant_id}/\n    speaksFor: { M1: M2 }\n', /:5: sources\[0\]\.speaksFor\.M1: must be a list/],
  ];
  for (const [label, text, message] of refused) {
    test(`refused with its line: ${label}`, () => {
      const e = configError('speaks-bad.yaml', text);
      assert.match(e.message, message);
      assert.ok(e.line! > 0);
    });
  }
});

describe('claims.icd10CodesFile (issue 14 item 13)', () => {
  test("resolved from the config file's folder", () => {
    writeFileSync(join(dir, 'icd10.txt'), 'J18.9\n');
    const c = load('claims.yaml', 'claims:\n  icd10CodesFile: ./icd10.txt\n');
    assert.equal(c.claims?.icd10CodesFile, join(dir, 'icd10.txt'));
  });
  test("a missing file is refused with the key's line", () => {
    const e = configError('claims-missing.yaml', 'lake:\n  url: ./lake\nclaims:\n  icd10CodesFile: ./nope.txt\n');
    assert.match(e.message, /:4: claims\.icd10CodesFile: no such file: \.\/nope\.txt/);
    assert.equal(e.line, 4);
  });
  test('unknown keys under claims are refused', () => {
    assert.match(configError('claims-unknown.yaml', 'claims:\n  icd10: x\n').message, /:2: unknown key 'claims\.icd10'/);
  });
});

describe('loadConfig: retries of a batch that met another loader (issue 16 item 4)', () => {
  test('warehouse.conflictRetries and conflictBackoffSeconds are read; a negative count or a text is refused', () => {
    const c = load('conflicts.yaml', 'warehouse: { engine: postgres, url: postgresql://h/db, conflictRetries: 2, conflictBackoffSeconds: 0.5 }\n');
    assert.equal(c.warehouse.conflictRetries, 2);
    assert.equal(c.warehouse.conflictBackoffSeconds, 0.5);
    assert.match(configError('conflicts-neg.yaml', 'warehouse: { engine: pglite, conflictRetries: -1 }\n').message, /warehouse\.conflictRetries: must be >= 0/);
    assert.match(configError('conflicts-text.yaml', 'warehouse: { engine: pglite, conflictBackoffSeconds: soon }\n').message, /warehouse\.conflictBackoffSeconds/);
    assert.equal(load('conflicts-env.yaml', 'warehouse: { engine: pglite }\n', { HALO_DATA_WAREHOUSE_CONFLICT_RETRIES: '0' }).warehouse.conflictRetries, 0);
    assert.match(configError('conflicts-env-bad.yaml', '{}\n', { HALO_DATA_WAREHOUSE_CONFLICT_RETRIES: 'many' }).message, /HALO_DATA_WAREHOUSE_CONFLICT_RETRIES must be a whole number >= 0 \(got 'many'\)/);
  });
});

describe('loadConfig: lock settings', () => {
  test('locks.staleSeconds and warehouse.lockWaitSeconds, and their HALO_DATA_ overrides', () => {
    const c = load('locks.yaml', 'locks: { staleSeconds: 600 }\nwarehouse: { engine: pglite, lockWaitSeconds: 0 }\n');
    assert.equal(c.locks?.staleSeconds, 600);
    assert.equal(c.warehouse.lockWaitSeconds, 0);
    const e = load('locks-env.yaml', 'locks: { staleSeconds: 600 }\n', { HALO_DATA_LOCK_STALE_SECONDS: '90', HALO_DATA_WAREHOUSE_LOCK_WAIT_SECONDS: '5' });
    assert.equal(e.locks?.staleSeconds, 90);
    assert.equal(e.warehouse.lockWaitSeconds, 5);
  });
  test('refused: a stale age of 0, a negative wait, a wait that is not a number', () => {
    assert.match(configError('locks-0.yaml', 'locks: { staleSeconds: 0 }\n').message, /locks\.staleSeconds: must be >= 1/);
    assert.match(configError('wait-neg.yaml', 'warehouse: { engine: pglite, lockWaitSeconds: -1 }\n').message, /warehouse\.lockWaitSeconds: must be >= 0/);
    assert.match(configError('wait-env.yaml', '{}\n', { HALO_DATA_WAREHOUSE_LOCK_WAIT_SECONDS: 'soon' }).message, /HALO_DATA_WAREHOUSE_LOCK_WAIT_SECONDS must be a whole number of seconds >= 0 \(got 'soon'\)/);
  });
});

describe('sources[].inventory and warehouse.shrinkGuardPercent (issue 17 item 5)', () => {
  const source = (extra: string, schema = 'merchant_inventory') => `sources:\n  - name: pharmacies\n    type: local\n    path: ./drop\n    schema: ${schema}\n${extra}`;
  test('full or delta; unset means full where it is read (inventoryMode, the stage)', () => {
    assert.equal(load('inv-full.yaml', source('    inventory: full\n')).sources[0].inventory, 'full');
    assert.equal(load('inv-delta.yaml', source('    inventory: delta\n')).sources[0].inventory, 'delta');
    assert.equal(load('inv-none.yaml', source('')).sources[0].inventory, undefined);
    // A source with no schema (each file's guessed) may hold inventory files: its inventory batches take the mode.
    assert.equal(load('inv-noschema.yaml', 'sources:\n  - name: any\n    type: local\n    inventory: delta\n').sources[0].inventory, 'delta');
  });
  test('an unknown mode is a config error naming the key and its line', () => {
    const e = configError('inv-bad.yaml', source('    inventory: partial\n'));
    assert.match(e.message, /:6: sources\[0\]\.inventory: must be one of full, delta/);
    assert.equal(e.line, 6);
  });
  test('on a source of another schema it is refused, saying so, with its line', () => {
    for (const schema of ['insurance_claim', 'claim_pdf']) {
      const e = configError('inv-claims.yaml', source('    inventory: full\n', schema));
      assert.match(e.message, new RegExp(`:6: sources\\[0\\]\\.inventory: source 'pharmacies' has schema ${schema}: inventory \\(full \\| delta\\) is only for merchant_inventory sources`));
      assert.equal(e.line, 6);
    }
  });
  test('shrinkGuardPercent: a whole number 0..100 (0 turns the guard off), else a config error with its line', () => {
    assert.equal(load('shrink.yaml', 'warehouse: { engine: pglite, shrinkGuardPercent: 30 }\n').warehouse.shrinkGuardPercent, 30);
    assert.equal(load('shrink-0.yaml', 'warehouse: { engine: pglite, shrinkGuardPercent: 0 }\n').warehouse.shrinkGuardPercent, 0);
    assert.equal(load('shrink-none.yaml', 'warehouse: { engine: pglite }\n').warehouse.shrinkGuardPercent, undefined);
    for (const [v, why] of [['101', /must be <= 100/], ['-1', /must be >= 0/], ['12.5', /must be a whole number/], ['half', /must be a number/]] as const) {
      const e = configError('shrink-bad.yaml', `warehouse:\n  engine: pglite\n  shrinkGuardPercent: ${v}\n`);
      assert.match(e.message, /:3: warehouse\.shrinkGuardPercent: /);
      assert.match(e.message, why);
    }
  });
  test('the unknown-key message lists inventory among a source\'s keys', () => {
    assert.match(configError('inv-typo.yaml', source('    inventry: full\n')).message, /unknown key 'sources\[0\]\.inventry' \(known here: .*inventory/);
  });
});

describe('claims.ocr (issue 19)', () => {
  test('languages and resolution reach the claim reader; defaults ind+eng at 250 dpi', async () => {
    const { claimReaderFor } = await import('../../src/documents/setup.js');
    assert.deepEqual(claimReaderFor(load('ocr-none.yaml', 'claims: {}\n')).ocr, { dpi: 250, languages: ['ind', 'eng'] });
    assert.deepEqual(claimReaderFor(load('ocr.yaml', 'claims:\n  ocr:\n    languages: [eng]\n    dpi: 200\n')).ocr, { dpi: 200, languages: ['eng'] });
  });
  test('a language with no installed model, or a resolution out of range, is refused with its line', () => {
    assert.match(configError('ocr-lang.yaml', 'claims:\n  ocr:\n    languages: [fra]\n').message, /:3: claims\.ocr\.languages\[0\]: must be one of ind, eng/);
    assert.match(configError('ocr-dpi.yaml', 'claims:\n  ocr:\n    dpi: 2000\n').message, /:3: claims\.ocr\.dpi/);
  });
});
