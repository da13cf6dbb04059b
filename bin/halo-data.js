#!/usr/bin/env node
import { main } from '../dist/cli.js';
import { hasInterruptHooks, runInterruptHooks } from '../dist/util/interrupt.js';

// Landing files, the local lake and the embedded warehouse hold claims in clear: nothing
// halo-data creates is readable by other local users (the metrics file is made 0644 on purpose).
process.umask(0o077);

// SIGTERM (systemd, Kubernetes, `timeout`) ends it as Ctrl-C does: the warehouse statement is
// cancelled, then process.exit() releases the locks (their 'exit' hooks); 128 + the signal.
const SIGNALS = { SIGINT: { code: 130, said: 'interrupted' }, SIGTERM: { code: 143, said: 'terminated' } };
let stopping = false;
for (const [signal, { code, said }] of Object.entries(SIGNALS)) {
  process.on(signal, () => {
    // A second signal does not wait for the clean-up.
    if (stopping) process.exit(code);
    stopping = true;
    process.stderr.write(`\nhalo-data: ${said}\n`);
    if (!hasInterruptHooks()) process.exit(code);
    process.stderr.write(`halo-data: cancelling the running warehouse statement${signal === 'SIGINT' ? ' (Ctrl-C again to leave now)' : ''}\n`);
    runInterruptHooks().finally(() => process.exit(code));
  });
}
// A reader that stops early (`halo-data schemas list | head -1`) closes the pipe: that is not
// a failure of the command, whose work (a run, a load) must still finish whole. What it would
// still print goes nowhere; the exit code is the command's own.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e && (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED')) return;
    throw e;
  });
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
