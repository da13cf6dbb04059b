/**
 * One error hierarchy for the whole tool. Only src/cli.ts turns these into exit codes
 * and text; everything below it throws (or returns problems) and never prints.
 */
export type Fault = 'data' | 'config' | 'usage' | 'service' | 'interrupted' | 'internal' | 'resource';

export class HaloError extends Error {
  readonly code: string;
  readonly fault: Fault;
  /** A hint for the person at the terminal: what to do about it. */
  readonly hint?: string;
  constructor(code: string, fault: Fault, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.fault = fault;
    this.hint = options?.hint;
  }
}

/** The command was called wrongly: unknown schema, missing file, bad flag value. Exit 2. */
export class UsageError extends HaloError {
  constructor(code: string, message: string, options?: { hint?: string; cause?: unknown }) {
    super(code, 'usage', message, options);
  }
}

/** The configuration file or environment is wrong. Exit 2. */
export class ConfigError extends HaloError {
  readonly file?: string;
  readonly line?: number;
  constructor(message: string, options?: { file?: string; line?: number; hint?: string; cause?: unknown }) {
    super('config-error', 'config', message, options);
    this.file = options?.file;
    this.line = options?.line;
  }
}

/** The data was invalid in a way that stops the whole command. Exit 1. */
export class DataError extends HaloError {
  constructor(code: string, message: string, options?: { hint?: string; cause?: unknown }) {
    super(code, 'data', message, options);
  }
}

/** A service (SFTP, S3, warehouse) could not be reached after retries. Exit 3. */
export class ServiceError extends HaloError {
  constructor(code: string, message: string, options?: { hint?: string; cause?: unknown }) {
    super(code, 'service', message, options);
  }
}

export class InterruptedError extends HaloError {
  constructor(message = 'interrupted') {
    super('interrupted', 'interrupted', message);
  }
}

/**
 * The disk (or the user's quota) is full where halo-data writes: ENOSPC or EDQUOT, turned
 * into this at each boundary that writes (landing, local lake, batch build folder) by
 * asDiskFull, with the folder and what was kept. Exit 1: free space and run again. Its fault
 * is `resource`, not `data`: the files are fine, so `run` never sets them aside as refused.
 */
export class DiskFullError extends HaloError {
  constructor(readonly folder: string, readonly kept: string, readonly errno: NodeJS.ErrnoException) {
    super('disk-full', 'resource', `no space left on the disk of ${folder} (${errno.code === 'EDQUOT' ? 'EDQUOT: over the disk quota' : 'ENOSPC'}): ${kept}`,
      { hint: 'free space there (or raise the quota) and run again: nothing half-written was kept, and what is missing is written again', cause: errno });
  }
}

export function isDiskFull(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** A full disk's error as a DiskFullError naming `folder` and what was `kept`; any other error unchanged. */
export function asDiskFull(e: unknown, folder: string, kept: string): unknown {
  return isDiskFull(e) && !(e instanceof HaloError) ? new DiskFullError(folder, kept, e) : e;
}

export const EXIT = { ok: 0, data: 1, usage: 2, service: 3, interrupted: 130 } as const;

export function exitCodeFor(err: unknown): number {
  if (err instanceof HaloError) {
    switch (err.fault) {
      case 'data':
      case 'resource': return EXIT.data;
      case 'config':
      case 'usage': return EXIT.usage;
      case 'service': return EXIT.service;
      case 'interrupted': return EXIT.interrupted;
      default: return EXIT.data;
    }
  }
  return EXIT.data;
}
