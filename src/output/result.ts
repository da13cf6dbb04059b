import type { CommandContext } from '../commands/context.js';

/**
 * A command's result on stdout, the one way: `--json` prints it as one JSON document;
 * `--log-format json` as one JSON event line (`{"time","level","msg", ...the same facts}`), so
 * every line the command writes on either stream is a JSON object (a cron job's
 * `>> halo-data.jsonl 2>&1`); otherwise the human text. Facts only, as --json has them.
 */
export function writeResult(ctx: CommandContext, msg: string, result: Record<string, unknown>, human: () => void): void {
  if (ctx.json) ctx.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else if (ctx.jsonLines) ctx.stdout.write(resultEvent(msg, result) + '\n');
  else human();
}

/** The result as one log event: level from its exit code (0 info, else error). */
export function resultEvent(msg: string, result: Record<string, unknown>): string {
  const code = typeof result.exitCode === 'number' ? result.exitCode : 0;
  return JSON.stringify({ time: new Date().toISOString(), level: code === 0 ? 'info' : 'error', msg, ...result });
}
