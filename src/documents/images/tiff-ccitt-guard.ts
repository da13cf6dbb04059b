/**
 * utif2's CCITT (fax) decoders build each line as a JavaScript array and add runs to it
 * through one helper, `UTIF.decode._addNtimes`; on a damaged or hostile stream a line never
 * reaches the page width and grows without bound (a 1 MB strip of make-up codes is gigabytes
 * of array). The helper is wrapped once so that a line longer than the piece being decoded
 * throws, and `withLineLimit` sets that width around one synchronous decode.
 */
import UTIF from 'utif2';

type AddNTimes = (line: number[], n: number, value: number) => void;
const internals = (UTIF as unknown as { decode: { _addNtimes: AddNTimes } }).decode;
const original = internals._addNtimes;
let limit = Infinity;
internals._addNtimes = (line, n, value) => {
  if (line.length + n > limit) throw new Error('a coded line runs past the page width');
  original(line, n, value);
};

export function withLineLimit<T>(width: number, decode: () => T): T {
  limit = width;
  try {
    return decode();
  } finally {
    limit = Infinity;
  }
}
