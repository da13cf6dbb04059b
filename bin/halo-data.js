#!/usr/bin/env node
import { main } from '../dist/cli.js';

process.on('SIGINT', () => {
  process.stderr.write('\nhalo-data: interrupted\n');
  process.exit(130);
});
main(process.argv).then((code) => {
  process.exitCode = code;
});
