import type { CommandContext } from '../commands/context.js';

/** One line of a line-per-check command (doctor, warehouse selftest). */
export interface Check { check: string; ok: boolean; detail: string; fix?: string; exitCode?: number; /** Passed, with advice. */ warn?: boolean }

/** ✓ / ! / ✗, the check's name, its detail, and what to fix under a failed or warned line; then the tally. */
export function printChecks(ctx: CommandContext, checks: readonly Check[], exitCode: number): void {
  const c = ctx.color;
  const width = Math.max(...checks.map((k) => k.check.length));
  for (const k of checks) {
    ctx.stdout.write(`${!k.ok ? c.red('✗') : k.warn ? c.yellow('!') : c.green('✓')} ${k.check.padEnd(width)}  ${k.detail}\n`);
    if ((!k.ok || k.warn) && k.fix) ctx.stdout.write(`  ${' '.repeat(width)}  ${c.yellow('fix:')} ${k.fix}\n`);
  }
  ctx.stdout.write(exitCode === 0 ? 'all checks passed\n' : `${checks.filter((k) => !k.ok).length} of ${checks.length} checks failed\n`);
}

/** The checks as --json prints them (their exit codes are the command's, not shown). */
export function checksJson(checks: readonly Check[]): Array<Omit<Check, 'exitCode'>> {
  return checks.map(({ exitCode: _e, ...k }) => k);
}
