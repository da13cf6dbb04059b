/** Child: bare csv-parse over <input.csv>, counting records. */
import { countCsvRecords } from '../floor-csv-parse.js';
import { arg, runChild } from './result.js';

runChild(() => countCsvRecords(arg(0, 'input.csv')));
