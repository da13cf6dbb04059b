import { mkdir, rm, writeFile } from 'node:fs/promises';
import { undoingNewFolders } from '../util/scratch-folders.js';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CommandContext } from './context.js';
import type { HaloConfig, SourceConfig } from '../config/types.js';
import { resolvePath } from '../config/load.js';
import { chosenSources, openSource } from '../sources/open.js';
import { openLake } from '../lake/open.js';
import { PROBE_PREFIX } from '../lake/lake.js';
import { openExistingWarehouse, noWarehouseYet } from '../warehouse/open.js';
import type { Logger } from '../output/logger.js';
import { currentVersion } from '../warehouse/schema.js';
import { SCHEMA, SCHEMA_VERSION } from '../warehouse/sql/ddl.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { inLoadOrder, listSourceBatches, recentDates } from '../batch/catalog.js';
import { HaloError, UsageError, exitCodeFor } from '../errors.js';
import { worse } from '../pipeline/run.js';
import { sftpChecks, trustHostReport } from './doctor-sftp.js';
import { INVENTORY_SCHEMA } from '../config/types.js';
import { printChecks, checksJson, type Check } from '../output/checks.js';
import { ocrAvailability } from '../documents/words/ocr/availability.js';

/**
 * Checks what a run needs, one line each, with what to fix: the config, each source (an SFTP
 * source's host key, login and listing), the landing folder, the lake (a probe object
 * written, read back and deleted) and the warehouse (connection, schema version). It changes
 * nothing but the probe, which it removes.
 */
export type { Check };

export async function doctorCommand(opts: { trustHost?: string }, ctx: CommandContext): Promise<number> {
  if (opts.trustHost !== undefined) return trustHost(opts.trustHost, ctx);
  const checks: Check[] = [];
  let config: HaloConfig | null = null;
  try {
    config = ctx.config();
    checks.push({ check: 'config', ok: true, detail: config.file ? `read ${config.file}` : 'no config file: the embedded defaults apply' });
  } catch (e) {
    if (!(e instanceof HaloError)) throw e;
    checks.push({ check: 'config', ok: false, detail: e.message, fix: e.hint ?? 'fix the file (halo-data init writes a new one)', exitCode: exitCodeFor(e) });
  }
  if (config) {
    for (const s of chosenSources(config, [])) checks.push(...await sourceChecks(config, s));
    checks.push(await landingCheck(config));
    const lake = await lakeCheck(config);
    checks.push(lake);
    // One open of the warehouse for its checks and the ledger's (an embedded one takes seconds to start).
    const wh = await warehouseChecks(config, ctx.log);
    try {
      checks.push(...wh.checks);
      if (lake.ok && wh.checks.every((k) => k.ok)) checks.push(...await ledgerChecks(config, wh.warehouse));
    } finally {
      await wh.warehouse?.close();
    }
    checks.push(memberKeyCheck(config, ctx.env));
    checks.push(await ocrCheck());
  }
  const exitCode = checks.reduce((c, k) => (k.ok ? c : worse(c, k.exitCode ?? 1)), 0);
  if (ctx.json) ctx.stdout.write(JSON.stringify({ ok: exitCode === 0, checks: checksJson(checks) }, null, 2) + '\n');
  else printChecks(ctx, checks, exitCode);
  return exitCode;
}

/** A HaloError as a failed check (its exit code kept); anything else is a bug and propagates. */
function failed(check: string, e: unknown, fix: string): Check {
  if (!(e instanceof HaloError)) throw e;
  return { check, ok: false, detail: e.message, fix: e.hint ?? fix, exitCode: exitCodeFor(e) };
}

async function sourceChecks(config: HaloConfig, s: SourceConfig): Promise<Check[]> {
  if (s.type === 'sftp') return withInventoryMode(s, await sftpChecks(config, s));
  const name = `source ${s.name}`;
  // The default inbox is made when listed: doctor removes it again if it made it.
  return withInventoryMode(s, await undoingNewFolders(resolvePath(config, s.path ?? '.'), () => listLocal(config, s, name)));
}

/**
 * An inventory source's last line (a local source's only one, an SFTP source's listing) says
 * how its files are read, default included: whether a product missing from a file is
 * delisted is the first thing to know of a source when a pharmacy's products vanish.
 */
function withInventoryMode(s: SourceConfig, checks: Check[]): Check[] {
  if (!checks.length || (s.schema !== INVENTORY_SCHEMA && s.inventory === undefined)) return checks;
  const mode = s.inventory ?? 'full';
  const said = mode === 'full' ? "full (each file is a merchant's whole catalogue: a product missing from it is delisted)" : 'delta (each file holds only what changed: a product missing from it is kept)';
  const last = checks[checks.length - 1];
  return [...checks.slice(0, -1), { ...last, detail: `${last.detail}; inventory: ${said}${s.inventory === undefined ? ', the default' : ''}` }];
}

async function listLocal(config: HaloConfig, s: SourceConfig, name: string): Promise<Check[]> {
  try {
    const src = await openSource(config, s);
    try {
      const files = await src.list();
      return [{ check: name, ok: true, detail: `${src.describe}: ${files.length} file${files.length === 1 ? '' : 's'} match its paths` }];
    } finally {
      await src.close();
    }
  } catch (e) {
    return [failed(name, e, "check the source's path and paths in the config")];
  }
}

/** Writes and removes a probe file; a landing folder that did not exist is made for it and removed again. */
async function landingCheck(config: HaloConfig): Promise<Check> {
  const dir = resolvePath(config, config.landing ?? './.halo-data/landing');
  return undoingNewFolders(dir, () => probeLanding(dir));
}

async function probeLanding(dir: string): Promise<Check> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = join(dir, `.probe-${randomBytes(4).toString('hex')}`);
    await writeFile(probe, 'probe');
    await rm(probe);
    return { check: 'landing', ok: true, detail: `${dir} is writable` };
  } catch (e) {
    return { check: 'landing', ok: false, detail: `${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, fix: 'make the landing folder writable for this user, or set landing: in the config', exitCode: 2 };
  }
}

/** A local lake's folders made only for the probe are removed with it. */
async function lakeCheck(config: HaloConfig): Promise<Check> {
  const url = config.lake.url;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? probeLake(config) : undoingNewFolders(resolvePath(config, url), () => probeLake(config));
}

async function probeLake(config: HaloConfig): Promise<Check> {
  try {
    const lake = await openLake(config);
    const key = `${PROBE_PREFIX}${new Date().toISOString().replace(/[:.]/g, '')}-${randomBytes(4).toString('hex')}`;
    const body = randomBytes(64);
    await lake.put(key, body, 'application/octet-stream');
    const chunks: Buffer[] = [];
    for await (const chunk of await lake.get(key)) chunks.push(chunk as Buffer);
    if (!Buffer.concat(chunks).equals(body)) {
      return { check: 'lake', ok: false, detail: `${lake.url}: the probe object read back differs from what was written`, fix: 'check the endpoint (a proxy or cache in the way?)', exitCode: 3 };
    }
    await lake.removeProbe(key);
    return { check: 'lake', ok: true, detail: `${lake.url}: wrote, read back and deleted a probe object under ${PROBE_PREFIX}` };
  } catch (e) {
    return failed('lake', e, 'check lake.url, the region/endpoint and the credentials (AWS_PROFILE or the instance role): it needs put, get, list and delete under the probe prefix');
  }
}

/**
 * The warehouse's checks, and the warehouse left open for the ledger checks (null when there
 * is none yet: doctor never creates one, embedded or a star schema).
 */
async function warehouseChecks(config: HaloConfig, log: Logger): Promise<{ checks: Check[]; warehouse: Warehouse | null }> {
  let wh: Warehouse | null;
  try {
    wh = await openExistingWarehouse(config, { log });
  } catch (e) {
    return { checks: [failed('warehouse', e, 'check the warehouse settings and that it is reachable from here')], warehouse: null };
  }
  if (!wh) {
    const none = noWarehouseYet(config);
    const detail = none.what === 'database' ? `${none.where}: not created yet` : `${none.where}: connected; no star schema yet`;
    return { checks: [{ check: 'warehouse', ok: true, detail: `${detail} (the first load or halo-data warehouse init creates it)` }], warehouse: null };
  }
  try {
    const v = await currentVersion(wh);
    const out: Check[] = [{ check: 'warehouse', ok: true, detail: `${wh.describe}: connected` }];
    if (v === SCHEMA_VERSION) out.push({ check: 'star schema', ok: true, detail: `version ${v} (current)` });
    else if (v < SCHEMA_VERSION) out.push({ check: 'star schema', ok: true, detail: `version ${v}; this halo-data upgrades it to ${SCHEMA_VERSION} at the next load (or halo-data warehouse init)` });
    else out.push({ check: 'star schema', ok: false, detail: `version ${v} is newer than this halo-data knows (${SCHEMA_VERSION})`, fix: 'upgrade halo-data on this machine', exitCode: 2 });
    return { checks: out, warehouse: wh };
  } catch (e) {
    await wh.close();
    return { checks: [failed('warehouse', e, 'check the warehouse settings and that it is reachable from here')], warehouse: null };
  }
}

/** How many batch ids a failed ledger check names in its fix (the rest: batches list). */
const IDS_SHOWN = 10;

/**
 * Per source: complete batches in the lake that the warehouse ledger does not have (a
 * deleted, dropped or restored warehouse). Lists each source's whole lake prefix, keys only
 * (on S3 one LIST request per 1,000 objects; no manifest is read), and one ledger query
 * per source. No warehouse yet (`wh` null) is an empty ledger (none is created here).
 */
async function ledgerChecks(config: HaloConfig, wh: Warehouse | null): Promise<Check[]> {
  const out: Check[] = [];
  try {
    const lake = await openLake(config);
    const days = config.run?.reconcileDays ?? 7;
    const recent = new Set(days > 0 ? recentDates(new Date(), days) : []);
    for (const s of chosenSources(config, [])) {
      const name = `ledger ${s.name}`;
      const complete = (await listSourceBatches(lake, s.name)).filter((e) => e.status === 'complete');
      const inLedger = wh ? await ledgerIds(wh, s.name) : new Set<string>();
      const missing = inLoadOrder(complete.filter((e) => !inLedger.has(e.batchId)));
      if (!missing.length) {
        out.push({ check: name, ok: true, detail: `the warehouse ledger has all ${complete.length} complete batch${complete.length === 1 ? '' : 'es'} of the lake` });
        continue;
      }
      const soon = missing.filter((e) => recent.has(e.date)).length;
      const ids = missing.slice(0, IDS_SHOWN).map((e) => e.batchId);
      out.push({
        check: name, ok: false, exitCode: 1,
        detail: `${missing.length} complete batch${missing.length === 1 ? '' : 'es'} in the lake (dated ${missing[0].date}${missing.length > 1 ? ` to ${missing[missing.length - 1].date}` : ''}) ${missing.length === 1 ? 'is' : 'are'} not in the warehouse ledger`
          + (soon ? `; the next run loads the ${soon} dated within run.reconcileDays (${days})` : ''),
        fix: `halo-data load ${ids.join(' ')}${missing.length > IDS_SHOWN ? ` (and ${missing.length - IDS_SHOWN} more: halo-data batches list --source ${s.name} --status not-loaded)` : ''}`,
      });
    }
  } catch (e) {
    out.push(failed('ledger', e, 'check that the lake and the warehouse are reachable'));
  }
  return out;
}

/** Which OCR engine and languages read scanned claims here. */
async function ocrCheck(): Promise<Check> {
  const a = await ocrAvailability();
  return { check: 'ocr', ok: a.ok, detail: a.detail, ...(a.fix ? { fix: a.fix, exitCode: 1 } : {}) };
}

/** The batch ids the ledger has for a source, whatever their status (the warehouse has its star schema). */
async function ledgerIds(wh: Warehouse, source: string): Promise<Set<string>> {
  const r = await wh.query<{ batch_id: string }>(`SELECT batch_id FROM ${SCHEMA}.etl_batch WHERE source = $1`, [source]);
  return new Set(r.rows.map((x) => x.batch_id));
}

/**
 * Claims are stored with members as a keyed hash, computed while a batch is staged (`stage`,
 * `run`): without the key claim files cannot be staged, nor claim batches staged by versions
 * before that (format version 1, hashed in SQL) merged. Loading newer batches needs no key.
 */
function memberKeyCheck(config: HaloConfig, env: NodeJS.ProcessEnv): Check {
  const claims = config.sources.length === 0 || config.sources.some((s) => !s.schema || s.schema === 'insurance_claim' || s.schema === 'claim_pdf');
  const key = env.HALO_DATA_MEMBER_KEY;
  if (key && Buffer.byteLength(key) < 32) {
    return { check: 'member key', ok: true, warn: true, detail: `HALO_DATA_MEMBER_KEY is set but short (${Buffer.byteLength(key)} bytes): a short key makes member hashes guessable`,
      fix: 'use at least 32 random bytes (e.g. openssl rand -base64 48) from your secrets store; changing it re-keys every member' };
  }
  if (key) return { check: 'member key', ok: true, detail: 'HALO_DATA_MEMBER_KEY is set (its value is never shown)' };
  if (!claims) return { check: 'member key', ok: true, detail: 'not needed: no source holds claims' };
  return { check: 'member key', ok: false, detail: 'HALO_DATA_MEMBER_KEY is not set: claim files cannot be staged (members are hashed as a batch is written)', fix: 'export HALO_DATA_MEMBER_KEY from your secrets store in the job that runs halo-data', exitCode: 2 };
}

async function trustHost(name: string, ctx: CommandContext): Promise<number> {
  const config = ctx.config();
  const [s] = chosenSources(config, [name]);
  if (s.type !== 'sftp') throw new UsageError('not-sftp', `source '${name}' is a ${s.type} source: it has no host key`);
  const r = await trustHostReport(config, s);
  if (ctx.json) {
    const { text: _text, ...rest } = r;
    ctx.stdout.write(JSON.stringify(rest, null, 2) + '\n');
  } else ctx.stdout.write(r.text);
  return 0;
}
