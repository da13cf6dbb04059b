/**
 * The crash matrix (test/support/crash-matrix.ts) on a real PostgreSQL server: every point. A
 * file of its own so that the test runner runs it beside the embedded warehouse's.
 */
import { POINTS, postgresCrashMatrix } from '../support/crash-matrix.js';

postgresCrashMatrix(POINTS);
