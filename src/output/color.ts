import chalk, { Chalk, type ChalkInstance } from 'chalk';

/**
 * chalk does not honour NO_COLOR by itself: colour only on a terminal, and never with
 * NO_COLOR (any non-empty value), --no-color or a dumb terminal.
 */
export function makeColor(stream: NodeJS.WriteStream, noColorFlag: boolean, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  const off = noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb' || !stream.isTTY;
  return off ? new Chalk({ level: 0 }) : new Chalk({ level: chalk.level || 1 });
}
