/** A batch's inventory mode: recorded in its manifest when staged, read from there on every load (issue 17 item 5). */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { inventoryMode, parseManifest, MANIFEST_FORMAT } from '../../src/batch/manifest.js';
import { stagedInventoryMode } from '../../src/pipeline/stage.js';
import { inventoryOf } from '../../src/commands/stage.js';
import { shrinkGuard, DEFAULT_SHRINK_GUARD_PERCENT } from '../../src/pipeline/shrink-guard.js';
import { UsageError } from '../../src/errors.js';
import type { HaloConfig, InventoryMode } from '../../src/config/types.js';

const manifestText = (extra: Record<string, unknown>) => JSON.stringify({ format: MANIFEST_FORMAT, version: 2, batchId: '01JD3Q7W0Y5R4M8Z2K6F9X1B3C', ...extra });
const config = (sources: HaloConfig['sources'], warehouse: Partial<HaloConfig['warehouse']> = {}) =>
  ({ file: '/etc/halo/c.yaml', sources, warehouse: { engine: 'pglite', ...warehouse } }) as unknown as HaloConfig;

describe('inventoryMode', () => {
  test('a manifest without the field (staged before modes existed) is full; otherwise its own', () => {
    assert.equal(inventoryMode({}), 'full');
    assert.equal(inventoryMode({ inventory: undefined }), 'full');
    assert.equal(inventoryMode({ inventory: 'full' }), 'full');
    assert.equal(inventoryMode({ inventory: 'delta' }), 'delta');
  });
  test('parseManifest keeps the mode and refuses one it does not know (never read as full)', () => {
    assert.equal(parseManifest(manifestText({ inventory: 'delta' }), 'x').inventory, 'delta');
    assert.equal(inventoryMode(parseManifest(manifestText({}), 'x')), 'full');
    assert.throws(() => parseManifest(manifestText({ inventory: 'partial' }), 'p/manifest.json'), /p\/manifest\.json: inventory mode "partial" is not known to this halo-data \(knows full, delta\)/);
  });
});

describe('the mode a stage writes', () => {
  test('every merchant_inventory batch records one (full unless told); other schemas none, whatever they are given', () => {
    fc.assert(fc.property(fc.constantFrom('merchant_inventory', 'insurance_claim', 'claim_pdf'), fc.constantFrom<InventoryMode | undefined>('full', 'delta', undefined), (schema, mode) => {
      const got = stagedInventoryMode(schema, mode);
      assert.equal(got, schema === 'merchant_inventory' ? mode ?? 'full' : undefined);
    }));
  });
  test("stage --inventory: a configured source's own mode decides; else the flag; else full", () => {
    const c = config([{ name: 'pharmacies', type: 'local', schema: 'merchant_inventory', inventory: 'delta' }, { name: 'plain', type: 'local', schema: 'merchant_inventory' }]);
    const inv = { schema: 'merchant_inventory' };
    assert.equal(inventoryOf({ ...inv, source: 'pharmacies' }, c), 'delta');
    assert.equal(inventoryOf({ ...inv, source: 'pharmacies', inventory: 'delta' }, c), 'delta');
    assert.equal(inventoryOf({ ...inv, source: 'plain' }, c), 'full');
    assert.equal(inventoryOf({ ...inv, source: 'elsewhere', inventory: 'delta' }, c), 'delta');
    assert.equal(inventoryOf({ ...inv, inventory: 'delta' }, c), 'delta');
    assert.equal(inventoryOf(inv, c), 'full');
    assert.equal(inventoryOf({ schema: 'claim_pdf', source: 'pharmacies' }, c), undefined);
  });
  test('refused (usage, exit 2): a flag contradicting the source, or given for another schema', () => {
    const c = config([{ name: 'plain', type: 'local', schema: 'merchant_inventory' }]);
    assert.throws(() => inventoryOf({ schema: 'merchant_inventory', source: 'plain', inventory: 'delta' }, c),
      (e: Error) => e instanceof UsageError && /--inventory delta contradicts source 'plain', whose config says inventory: full \(the default\)/.test(e.message));
    assert.throws(() => inventoryOf({ schema: 'insurance_claim', inventory: 'full' }, c),
      (e: Error) => e instanceof UsageError && /--inventory is only for merchant_inventory batches \(this one is insurance_claim\)/.test(e.message));
  });
});

describe('shrinkGuard: the options load, merge, replay and run hand to loadBatch / mergeBatch', () => {
  test('the config percentage (default 50), and allowShrink only when asked', () => {
    assert.equal(DEFAULT_SHRINK_GUARD_PERCENT, 50);
    assert.deepEqual(shrinkGuard(config([]), false), { shrinkGuardPercent: 50 });
    assert.deepEqual(shrinkGuard(config([], { shrinkGuardPercent: 0 }), true), { shrinkGuardPercent: 0, allowShrink: true });
    assert.deepEqual(shrinkGuard(config([], { shrinkGuardPercent: 80 }), false), { shrinkGuardPercent: 80 });
  });
});
