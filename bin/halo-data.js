#!/usr/bin/env node
import { main } from '../dist/cli.js';
import { hasInterruptHooks, runInterruptHooks } from '../dist/util/interrupt.js';

// Landing files, the local lake and the embedded warehouse hold claims in clear: nothing
// halo-data creates is readable by other local users (the metrics file is made 0644 on purpose).
process.umask(0o077);

let interrupted = false;
process.on('SIGINT', () => {
  // A second Ctrl-C does not wait for the clean-up.
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write('\nhalo-data: interrupted\n');
  if (!hasInterruptHooks()) process.exit(130);
  process.stderr.write('halo-data: cancelling the running warehouse statement (Ctrl-C again to leave now)\n');
  runInterruptHooks().finally(() => process.exit(130));
});
main(process.argv).then((code) => {
  process.exitCode = code;
});
