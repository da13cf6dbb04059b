#!/usr/bin/env node
import { main } from '../dist/cli.js';
import { hasInterruptHooks, runInterruptHooks, reportInterrupt } from '../dist/util/interrupt.js';
import { wantsJsonLog } from '../dist/cli.js';

// Landing files, the local lake and the embedded warehouse hold claims in clear: nothing
// halo-data creates is readable by other local users (the metrics file is made 0644 on purpose).
process.umask(0o077);

// SIGTERM (systemd, Kubernetes, `timeout`) ends it as Ctrl-C does: the warehouse statement is
// cancelled, then process.exit() releases the locks (their 'exit' hooks); 128 + the signal.
const SIGNALS = { SIGINT: { code: 130, said: 'interrupted' }, SIGTERM: { code: 143, said: 'terminated' } };
let stopping = false;
// --log-format json: these lines are JSON events too (every line on either stream is one).
const jsonLog = wantsJsonLog(process.argv);
const say = (text, fields, first = false) => process.stderr.write(jsonLog
  ? JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: text, ...fields }) + '\n'
  : `${first ? '\n' : ''}halo-data: ${text}\n`);
for (const [signal, { code, said }] of Object.entries(SIGNALS)) {
  process.on(signal, () => {
    // A second signal does not wait for the clean-up.
    if (stopping) process.exit(code);
    stopping = true;
    // The command's own word on it first (the progress line stops; run --json: a document
    // saying it was interrupted, with what it had finished).
    reportInterrupt(signal, code);
    say(said, { code: 'interrupted', signal, exitCode: code }, true);
    if (!hasInterruptHooks()) process.exit(code);
    say(`cancelling the running warehouse statement${signal === 'SIGINT' ? ' (Ctrl-C again to leave now)' : ''}`, { code: 'cancelling', signal });
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
