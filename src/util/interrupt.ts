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
