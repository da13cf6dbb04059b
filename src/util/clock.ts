/**
 * The host's time, as the code takes it. TEST SEAM: HALO_DATA_NOW (an ISO time or Unix
 * milliseconds) replaces the host clock for the CLI, so the tests can set the clock back or
 * forward without touching the machine's; never set it in production (it is only read
 * here, and the ids' order never depends on it alone: see batch/sequence.ts).
 */
export function hostNow(env: NodeJS.ProcessEnv = process.env): number {
  const fake = env.HALO_DATA_NOW;
  if (fake === undefined || fake === '') return Date.now();
  const t = /^\d+$/.test(fake) ? Number(fake) : Date.parse(fake);
  if (!Number.isFinite(t)) throw new Error(`HALO_DATA_NOW '${fake}' is not a time (a test seam: ISO time or Unix milliseconds)`);
  return t;
}
