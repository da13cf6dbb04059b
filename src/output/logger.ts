import type { ChalkInstance } from 'chalk';
import { writeBesideProgress } from './progress.js';

/**
 * Logs go to stderr only: human lines on a terminal, one JSON object per line otherwise
 * (cron, CI, log shippers) or with --log-format json. Callers pass facts, never row
 * values: personal data has no way in here.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  readonly json: boolean;
}

export interface LoggerOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  format: 'auto' | 'text' | 'json';
  level: LogLevel;
  color: ChalkInstance;
}

export function createLogger(opts: LoggerOptions): Logger {
  const json = opts.format === 'json' || (opts.format === 'auto' && !opts.stream.isTTY);
  const min = ORDER[opts.level];
  const paint: Record<LogLevel, (s: string) => string> = {
    debug: opts.color.gray, info: opts.color.cyan, warn: opts.color.yellow, error: opts.color.red,
  };
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    if (json) {
      writeBesideProgress(opts.stream, JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
    } else {
      const extra = fields && Object.keys(fields).length
        ? ' ' + opts.color.gray(Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' '))
        : '';
      writeBesideProgress(opts.stream, `${paint[level](level.padEnd(5))} ${msg}${extra}\n`);
    }
  };
  return {
    json,
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
