// Preloaded into every benchmark child (`node --import <this file> ...`): when the process
// exits, write its peak resident set size (and CPU time) to the file named by
// HALO_BENCH_RSS_FILE.
//
// process.resourceUsage().maxRSS is the kernel's ru_maxrss for this process, in kilobytes: it
// covers every thread (worker_threads, DuckDB's and libuv's threads) but not child processes.
// CPU time (user + system, all threads) is reported too: on a shared machine wall time swings
// with other load, CPU time much less. Plain JavaScript on purpose, so measuring does not need a TypeScript loader.
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const target = process.env.HALO_BENCH_RSS_FILE;
if (isMainThread && target) {
  // Grandchildren inherit the environment: do not let one overwrite this process's figure.
  delete process.env.HALO_BENCH_RSS_FILE;
  process.on('exit', () => {
    try {
      const usage = process.resourceUsage();
      writeFileSync(
        target,
        JSON.stringify({
          maxRssKb: usage.maxRSS,
          cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
        }),
      );
    } catch {
      // Nothing useful to do while exiting; the parent reports the figure as missing.
    }
  });
}
