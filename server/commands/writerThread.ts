/**
 * Entry file of the SQLite writer thread (storage/sqliteWriter.ts starts it): hands every write
 * unit to the thread's loop. It lives with the commands because the units are commands; storage
 * only runs them by name.
 */
import { serveWriteUnits } from '../storage/sqliteWriterThread.js';
import { writeUnits } from './writeUnits.js';

serveWriteUnits(writeUnits);
