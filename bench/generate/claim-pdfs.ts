/**
 * Claim PDFs for the PDF benchmark: every hospital layout the fixture generators know, in
 * turn, each claim with its own id, named `<layout>-<nnnnnn>.pdf` so that figures can be
 * given per layout. The three built-in hospitals come from fixtures/generate-pdf.ts; the new
 * layouts of issue 18 from fixtures/generate-layouts.ts when that file exists (it arrives with
 * the fixtures branch; without it the set is the three old layouts, and the benchmark says so).
 * Cached in bench/.data/claims-pdf-<layouts>-n<N>/ (written to a temporary folder, renamed
 * when complete); the folder name carries a hash of the layout names and of the generators'
 * source, so a new or changed layout never reuses a stale set.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { DATA_DIR } from './cache.js';
import { harapanSehat, klinikMedika, bundaMulia, HS1, KM1, BM2 } from '../../fixtures/generate-pdf.js';

const GENERATORS = ['generate-pdf.ts', 'generate-layouts.ts'].map((f) => new URL(`../../fixtures/${f}`, import.meta.url));

/** One layout: how to render a claim whose id ends in `n`. */
export interface BenchLayout { name: string; render: (n: number) => Promise<Buffer> }

export interface ClaimPdfSet { dir: string; count: number; bytes: number; layouts: string[]; cached: boolean; seconds: number }

/** The claim id with its trailing digits replaced by `n` (at least as wide), or `-n` appended. */
export function numberedId(id: string, n: number): string {
  const m = /\d+$/.exec(id);
  return m ? id.slice(0, m.index) + String(n).padStart(Math.max(m[0].length, 6), '0') : `${id}-${String(n).padStart(6, '0')}`;
}

const OLD_LAYOUTS: BenchLayout[] = [
  { name: 'rs-harapan-sehat', render: (n) => harapanSehat({ ...HS1, claimId: numberedId(HS1.claimId, n) }) },
  { name: 'klinik-medika', render: (n) => klinikMedika({ ...KM1, claimId: numberedId(KM1.claimId, n) }) },
  { name: 'bunda-mulia', render: (n) => bundaMulia({ ...BM2, claimId: numberedId(BM2.claimId, n) }) },
];

/** What the benchmark needs of fixtures/generate-layouts.ts (see that file). */
interface LayoutsModule {
  LAYOUTS: Array<{ name: string; render: (c: { claimId: string }) => Promise<Buffer> }>;
  CASES: Array<{ name: string; layout: { name: string }; claim: { claimId: string }; render?: (c: { claimId: string }) => Promise<Buffer>; verdict: string }>;
}

/**
 * The new layouts: for each, its first case expected to be valid (a claim that should pass,
 * so "all claims valid" is the right expectation), rendered with its own renderer.
 */
async function newLayouts(): Promise<{ layouts: BenchLayout[]; note: string }> {
  const file = new URL('../../fixtures/generate-layouts.ts', import.meta.url);
  if (!fs.existsSync(file)) return { layouts: [], note: 'fixtures/generate-layouts.ts not on this branch: the three built-in layouts only' };
  const mod = (await import('../../fixtures/generate-layouts.js' as string)) as LayoutsModule;
  const layouts: BenchLayout[] = [];
  for (const l of mod.LAYOUTS) {
    const k = mod.CASES.find((c) => c.layout.name === l.name && c.verdict === 'valid');
    if (!k) continue;
    const render = k.render ?? l.render;
    layouts.push({ name: l.name, render: (n) => render({ ...k.claim, claimId: numberedId(k.claim.claimId, n) }) });
  }
  return { layouts, note: `the three built-in layouts and ${layouts.length} from fixtures/generate-layouts.ts` };
}

/** Every layout the benchmark generates, and a sentence saying which. */
export async function benchLayouts(): Promise<{ layouts: BenchLayout[]; note: string }> {
  const extra = await newLayouts();
  return { layouts: [...OLD_LAYOUTS, ...extra.layouts], note: extra.note };
}

/** The layout a generated file belongs to: its name without the `-<n>.pdf` tail. */
export function layoutOfFile(file: string): string {
  return path.basename(file).replace(/-\d+\.pdf$/i, '');
}

export async function claimPdfs(count: number, layouts: BenchLayout[]): Promise<ClaimPdfSet> {
  const names = layouts.map((l) => l.name);
  const hash = createHash('sha256').update(names.join(','));
  for (const f of GENERATORS) if (fs.existsSync(f)) hash.update(fs.readFileSync(f));
  const tag = hash.digest('hex').slice(0, 8);
  const dir = path.join(DATA_DIR, `claims-pdf-${tag}-n${count}`);
  const size = () => fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
  if (fs.existsSync(dir)) return { dir, count, bytes: size(), layouts: names, cached: true, seconds: 0 };
  const started = performance.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  for (let n = 0; n < count; n++) {
    const layout = layouts[n % layouts.length];
    fs.writeFileSync(path.join(tmp, `${layout.name}-${String(n).padStart(6, '0')}.pdf`), await layout.render(n));
  }
  fs.renameSync(tmp, dir);
  return { dir, count, bytes: size(), layouts: names, cached: false, seconds: (performance.now() - started) / 1000 };
}
