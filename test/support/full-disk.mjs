/**
 * A full disk without filling one: write streams opened under a path prefix write their first
 * `afterBytes` bytes, then fail as the kernel does when the disk is full (ENOSPC, or EDQUOT
 * over a quota). In-process: failWritesUnder(prefix) (returns the undo). For a CLI: start it
 * with NODE_OPTIONS="--import <this file's URL>" and HALO_TEST_FULL_DISK=<prefix>
 * (HALO_TEST_FULL_DISK_AFTER=<bytes>, HALO_TEST_FULL_DISK_CODE=EDQUOT).
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

/** @param {string} prefix @param {number} [afterBytes] @param {'ENOSPC' | 'EDQUOT'} [code] @returns {() => void} */
export function failWritesUnder(prefix, afterBytes = 0, code = 'ENOSPC') {
  const real = fs.createWriteStream;
  fs.createWriteStream = function (path, options) {
    const stream = real.call(this, path, options);
    if (typeof path !== 'string' || !path.startsWith(prefix)) return stream;
    let budget = afterBytes;
    const write = stream._write;
    const full = () => Object.assign(new Error(`${code}: ${code === 'ENOSPC' ? 'no space left on device' : 'disk quota exceeded'}, write`),
      { errno: code === 'ENOSPC' ? -28 : -122, code, syscall: 'write' });
    stream._write = function (chunk, encoding, callback) {
      if (chunk.length > budget) return callback(full());
      budget -= chunk.length;
      return write.call(this, chunk, encoding, callback);
    };
    stream._writev = null; // every chunk through _write
    return stream;
  };
  syncBuiltinESMExports();
  return () => {
    fs.createWriteStream = real;
    syncBuiltinESMExports();
  };
}

if (process.env.HALO_TEST_FULL_DISK) {
  failWritesUnder(process.env.HALO_TEST_FULL_DISK, Number(process.env.HALO_TEST_FULL_DISK_AFTER ?? 0),
    process.env.HALO_TEST_FULL_DISK_CODE === 'EDQUOT' ? 'EDQUOT' : 'ENOSPC');
}
