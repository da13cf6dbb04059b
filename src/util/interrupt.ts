/**
 * Work that must be undone elsewhere before the process exits on Ctrl-C or SIGTERM (a
 * warehouse statement still running on the server is cancelled). The bin's signal handler
 * runs these, bounded in time, then exits 130 (SIGINT) or 143 (SIGTERM); locks go with the
 * process's 'exit' event.
 */
const hooks = new Set<() => Promise<void>>();

export function onInterrupt(fn: () => Promise<void>): () => void {
  hooks.add(fn);
  return () => { hooks.delete(fn); };
}

export function hasInterruptHooks(): boolean {
  return hooks.size > 0;
}

export async function runInterruptHooks(timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...hooks].map((f) => f())),
    new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); }),
  ]);
  clearTimeout(timer);
}

/**
 * What must be said before the process exits on a signal (run --json: a document saying it
 * was interrupted, with what it had finished). Called by the bin's handler, synchronously,
 * before the hooks above; a report that throws is skipped.
 */
const reports = new Set<(signal: NodeJS.Signals, exitCode: number) => void>();

export function onInterruptReport(fn: (signal: NodeJS.Signals, exitCode: number) => void): () => void {
  reports.add(fn);
  return () => { reports.delete(fn); };
}

export function reportInterrupt(signal: NodeJS.Signals, exitCode: number): void {
  for (const f of reports) {
    try { f(signal, exitCode); } catch { /* the exit goes on */ }
  }
}
