/**
 * The floor: bare csv-parse over the same file, counting records and nothing else — no
 * header mapping, no normalisation, no output. No CSV-based tool built on csv-parse can beat
 * this, so it shows how much of halo-data's time is parsing and how much is its own work.
 *
 * Records are consumed with the 'data' event, the cheapest way out of the stream (async
 * iteration adds a promise per record).
 */
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';

export interface FloorResult {
  seconds: number;
  records: number;
  bytesRead: number;
}

export async function countCsvRecords(file: string): Promise<FloorResult> {
  const started = performance.now();
  const parser = parse({ delimiter: ';', from_line: 2 }); // from_line 2: skip the header
  let records = 0;
  parser.on('data', () => {
    records++;
  });
  await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), parser);
  return { seconds: (performance.now() - started) / 1000, records, bytesRead: fs.statSync(file).size };
}
