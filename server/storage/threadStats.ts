/**
 * What each thread of a node costs, so a benchmark (bench/run.mjs) or an operator (/metrics:
 * parley_thread_cpu_seconds_total, parley_sqlite_commits_total) can say where a message's time goes:
 * the event loop, the SQLite writer thread, its checkpointer thread, or the rest (V8's GC helpers,
 * libuv's pool). Every Node.js thread is called "node" in /proc, so a thread says which one it is:
 * it writes its own thread id (read from /proc/thread-self) into a SharedArrayBuffer slot, and counts
 * its commits there too, with no message to the event loop. CPU is read from
 * /proc/self/task/<tid>/stat (Linux); elsewhere only the counters are known.
 */
import { readFileSync } from 'node:fs';

/** Slots of a thread's shared counters. */
export const SLOT = { tid: 0, commits: 1, units: 2 } as const;
const SLOTS = 3;

/** Shared counters of one storage thread; the thread and the event loop both hold them. */
export function threadCounters(buffer: SharedArrayBuffer = new SharedArrayBuffer(SLOTS * 8)): BigInt64Array {
  return new BigInt64Array(buffer);
}

/** This thread's id (Linux); 0 where /proc/thread-self is not there. */
export function ownThreadId(): number {
  try {
    return Number(readFileSync('/proc/thread-self/stat', 'latin1').split(' ', 1)[0]) || 0;
  } catch {
    return 0;
  }
}

/** USER_HZ: /proc reports times in 1/100 s on every Linux architecture Node.js runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) used so far by thread `tid` of this process, or null if unknown. */
export function threadCpuSeconds(tid: number): number | null {
  if (!tid) return null;
  try {
    return cpuOfStat(readFileSync(`/proc/self/task/${tid}/stat`, 'latin1'));
  } catch {
    return null;
  }
}

/** utime + stime of a /proc/…/stat line, in seconds (fields 14 and 15; the name in parentheses may hold spaces). */
export function cpuOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds of this whole process (every thread), from /proc, or from process.cpuUsage elsewhere. */
export function processCpuSeconds(): number {
  try {
    return cpuOfStat(readFileSync('/proc/self/stat', 'latin1'));
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
}

/** A storage thread as /metrics reports it. */
export interface NamedThread {
  name: 'sqlite_writer' | 'sqlite_checkpointer';
  counters: BigInt64Array;
}
