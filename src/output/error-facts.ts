import { HaloError, ConfigError } from '../errors.js';
import { redactDbMessage } from '../warehouse/redact.js';

/**
 * An error as the tool reports it, on a terminal or as a JSON event: its label, code, message
 * and hint. An unexpected error may come from a library quoting a value (a database, a
 * parser): quoted values go. Node's own system errors (ENOENT … open '/x/y') quote only a
 * path, which is not a value from the data: they are shown whole, so the user sees which
 * file or folder it is.
 */
export interface ErrorFacts { label: string; code: string; message: string; hint?: string }

export function errorFacts(err: unknown): ErrorFacts {
  if (err instanceof HaloError) {
    return { label: err instanceof ConfigError ? 'configuration error' : 'error', code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  }
  const message = (err as Error | null)?.message ?? String(err);
  return { label: 'internal error', code: 'internal', message: isSystemError(err) ? message : redactDbMessage(message) };
}

/** An error of Node's own file or network calls: errno code and syscall, its message quoting at most a path. */
function isSystemError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | null;
  return typeof e?.syscall === 'string' && typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code);
}
