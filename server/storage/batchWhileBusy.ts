/**
 * Items submitted while a batch is being written wait and are written together as the next batch:
 * for writes that serialise anyway, such as the audit chain's single head row (security/auditLog.ts).
 * A lone item is written at once; items keep their submission order, at most `max` per batch.
 * (SQLite's message batches form the same way, on its writer thread: storage/sqliteWriterThread.ts.)
 *
 * `write` settles every item of its batch itself and never throws: the queue knows nothing of
 * results, and an item left unsettled would wait forever.
 */
export function batchWhileBusy<T>(write: (batch: T[]) => Promise<void>, opts: { max: number }): (item: T) => void {
  const pending: T[] = [];
  let writing = false;
  const drain = async () => {
    writing = true;
    try {
      while (pending.length > 0) await write(pending.splice(0, opts.max));
    } finally {
      writing = false;
    }
  };
  return (item) => {
    pending.push(item);
    if (!writing) void drain();
  };
}
