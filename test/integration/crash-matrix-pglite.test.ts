/**
 * The crash matrix (test/support/crash-matrix.ts) on the embedded PGlite warehouse: the points
 * reached once the warehouse is open (crash-matrix-postgres.test.ts runs every point; the
 * earlier ones touch no warehouse).
 */
import { WAREHOUSE_OPEN_POINTS, pgliteCrashMatrix } from '../support/crash-matrix.js';

pgliteCrashMatrix(WAREHOUSE_OPEN_POINTS);
