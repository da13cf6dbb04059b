import type { ChalkInstance } from 'chalk';
import type { Logger } from '../output/logger.js';
import type { HaloConfig } from '../config/types.js';
import type { Progress } from '../output/progress.js';

/** What every command gets from the CLI layer; commands never read argv or process.env themselves. */
export interface CommandContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  color: ChalkInstance;
  log: Logger;
  /** --json: one JSON document on stdout, no human text. */
  json: boolean;
  /** --log-format json: stdout's result is a JSON event line too (output/result.ts), so every line is JSON. */
  jsonLines: boolean;
  quiet: boolean;
  verbose: boolean;
  /** Loads the config on first use (so `--help` never fails on a bad config). */
  config: () => HaloConfig;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /**
   * Progress of long work on stderr (output/progress.ts): a live line on a terminal, a
   * `progress` log line every few seconds off one, nothing with --quiet. `step` names it in
   * the log lines.
   */
  progress: (text: string, step: string) => Progress;
}
