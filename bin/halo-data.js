#!/usr/bin/env node
import { main } from '../dist/cli.js';
import { hasInterruptHooks, runInterruptHooks } from '../dist/util/interrupt.js';

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
