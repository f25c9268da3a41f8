/**
 * Every write unit (storage/writeUnit.ts), by name: the name is what crosses to the SQLite writer
 * thread, which runs the same functions (storage/sqliteWriterThread.ts, entered at commands/writerThread.ts).
 */
import { runStatement } from '../storage/writeUnit.js';
import { storeMessage } from './messageStore.js';
import { applyMacroUnit } from './macroUnit.js';

export const writeUnits = { storeMessage, statement: runStatement, applyMacro: applyMacroUnit } as const;

export type WriteUnitName = keyof typeof writeUnits;
export type UnitInput<K extends WriteUnitName> = Parameters<(typeof writeUnits)[K]>[1];
export type UnitOutput<K extends WriteUnitName> = Awaited<ReturnType<(typeof writeUnits)[K]>>;

/** The writer thread's entry file, for openStorage (`.ts` under tests and tsx, `.js` in the build). */
export const writerThreadEntry = new URL(`./writerThread.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
