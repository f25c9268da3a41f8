/**
 * Group commit: on SQLite every commit is an fsync (synchronous=FULL), which caps one node at about
 * one commit per fsync. Write units (storage/writeUnit.ts) go to the writer thread
 * (storage/sqliteWriter.ts, started on commands/writerThread.ts), which writes the ones that arrived while it was busy together, in ONE
 * transaction with one commit — and one fsync. Every caller's promise settles only after that
 * commit, so "ack only after commit" still holds. No delay is added: a lone unit is written at the
 * end of the event loop's turn; batches form from what arrives while the disk is busy.
 *
 * PostgreSQL already merges concurrent commits' WAL flushes across connections, so there each unit
 * runs in its own transaction on the event loop.
 */
import { writeUnits, type UnitInput, type UnitOutput, type WriteUnitName } from './writeUnits.js';
import type { Storage } from '../storage/db.js';
import { runAlone, type WriteUnit } from '../storage/writeUnit.js';

export function groupCommit<K extends WriteUnitName>(storage: Storage, unit: K, input: UnitInput<K>): Promise<UnitOutput<K>> {
  if (storage.writer) return storage.writer.submit(unit, input) as Promise<UnitOutput<K>>;
  return runAlone(storage.db, writeUnits[unit] as WriteUnit<UnitInput<K>, UnitOutput<K>>, input, storage);
}
