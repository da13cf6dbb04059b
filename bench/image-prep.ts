/**
 * Image-prep speed: each prep step on a 300 dpi A4 page (2480 × 3508), the size a scanned
 * claim page arrives at. These run before every OCR'd page, beside an engine that takes
 * 2-3.5 s a page, so each should stay well under 0.2 s.
 *
 *   node --import tsx bench/image-prep.ts [--runs N]
 *
 * Prints the median wall time and the mean CPU time (user + system) per call: on a shared
 * machine the CPU time is the steadier figure.
 */
import { pathToFileURL } from 'node:url';
import type { GrayImage } from '../src/documents/images/image.js';
import {
  estimateSkew,
  inkRatio,
  otsuThreshold,
  quarterTurn,
  removeRules,
  rotate,
  scaleBy,
  scaleTo,
  textDirection,
  textHeight,
} from '../src/documents/images/prep/index.js';
import { drawForm, renderPdfPage } from '../test/support/page-images.js';

export async function run(argv: string[]): Promise<number> {
  const runsAt = argv.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 7;
  const pages: Array<[string, GrayImage]> = [
    ['drawn form + ruled table, skewed 2.5°', drawForm({ dpi: 300, table: true, lines: 30, angle: 2.5 })],
    ['bordered-1.pdf rendered', await renderPdfPage('fixtures/claims-layouts/bordered-1.pdf', 300)],
  ];
  for (const [name, page] of pages) {
    process.stdout.write(`\n${name}: ${page.width} × ${page.height} px at ${page.dpi} dpi\n`);
    const at150 = scaleBy(page, 0.5);
    const steps: Array<[string, () => unknown]> = [
      ['otsuThreshold', () => otsuThreshold(page)],
      ['inkRatio', () => inkRatio(page)],
      ['scaleTo(150 dpi)', () => scaleTo(page, 150)],
      ['scaleBy(2) of the 150 dpi copy', () => scaleBy(at150, 2)],
      ['quarterTurn(90)', () => quarterTurn(page, 90)],
      ['quarterTurn(180)', () => quarterTurn(page, 180)],
      ['textDirection', () => textDirection(page)],
      ['estimateSkew', () => estimateSkew(page)],
      ['rotate(-2.5°)', () => rotate(page, -2.5)],
      ['removeRules', () => removeRules(page)],
      ['textHeight', () => textHeight(page)],
      ['all: direction, skew, rotate, rules, height', () => prepare(page)],
    ];
    for (const [step, fn] of steps) {
      fn(); // warm-up: JIT
      const walls: number[] = [];
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        fn();
        walls.push(performance.now() - t);
      }
      const cpu = process.cpuUsage(cpu0);
      walls.sort((a, b) => a - b);
      const wall = walls[Math.floor(walls.length / 2)];
      process.stdout.write(`  ${step.padEnd(46)} ${wall.toFixed(0).padStart(5)} ms wall  ${((cpu.user + cpu.system) / 1000 / runs).toFixed(0).padStart(5)} ms cpu\n`);
    }
  }
  return 0;
}

/** The steps in the order the OCR page reader uses them (a page found vertical is turned first). */
function prepare(page: GrayImage): number | null {
  const upright = textDirection(page).horizontal ? page : quarterTurn(page, 90);
  const straight = rotate(upright, -estimateSkew(upright));
  return textHeight(removeRules(straight));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await run(process.argv.slice(2));
