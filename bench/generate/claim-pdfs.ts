/**
 * N claim PDFs for the PDF benchmark: the fixture generator's three hospital layouts, each
 * claim with its own id, cached in bench/.data/claims-pdf-n<N>/ (written to a temporary
 * folder, renamed when complete).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATA_DIR } from './cache.js';
import { harapanSehat, klinikMedika, bundaMulia, HS1, KM1, BM2, type Claim } from '../../fixtures/generate-pdf.js';

export interface ClaimPdfSet { dir: string; count: number; bytes: number; cached: boolean; seconds: number }

const LAYOUTS: Array<[Claim, (c: Claim) => Promise<Buffer>, (n: number) => string]> = [
  [HS1, harapanSehat, (n) => `HS-2026-${String(n).padStart(6, '0')}`],
  [KM1, klinikMedika, (n) => `MUC-CLM-${String(n).padStart(6, '0')}`],
  [BM2, bundaMulia, (n) => `BM/KLM/2611/${String(n).padStart(6, '0')}`],
];

export async function claimPdfs(count: number): Promise<ClaimPdfSet> {
  const dir = path.join(DATA_DIR, `claims-pdf-n${count}`);
  const size = () => fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
  if (fs.existsSync(dir)) return { dir, count, bytes: size(), cached: true, seconds: 0 };
  const started = performance.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  for (let n = 0; n < count; n++) {
    const [base, render, id] = LAYOUTS[n % LAYOUTS.length];
    fs.writeFileSync(path.join(tmp, `claim-${String(n).padStart(5, '0')}.pdf`), await render({ ...base, claimId: id(n) }));
  }
  fs.renameSync(tmp, dir);
  return { dir, count, bytes: size(), cached: false, seconds: (performance.now() - started) / 1000 };
}
