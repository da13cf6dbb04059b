/** The crash matrix (test/support/crash-matrix.ts) on the embedded PGlite warehouse: every point. */
import { POINTS, pgliteCrashMatrix } from '../support/crash-matrix.js';

pgliteCrashMatrix(POINTS);
