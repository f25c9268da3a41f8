/**
 * Items submitted while a batch is being written wait and are written together as the next batch:
 * for writes that serialise anyway, such as the audit chain's single head row (security/auditLog.ts).
 * (SQLite's message batches form the same way, on the writer thread: storage/sqliteWriter.worker.ts.) A lone item is written at once (after
 * `beforeBatch`, if given); items keep their submission order, at most `max` per batch.
 *
 * `write` settles every item of its batch itself and never throws: the queue knows nothing of
 * results, and an item left unsettled would wait forever.
 */
export function batchWhileBusy<T>(write: (batch: T[]) => Promise<void>, opts: { max: number; beforeBatch?: () => Promise<void> }): (item: T) => void {
  const pending: T[] = [];
  let writing = false;
  const drain = async () => {
    writing = true;
    try {
      while (pending.length > 0) {
        await opts.beforeBatch?.();
        await write(pending.splice(0, opts.max));
      }
    } finally {
      writing = false;
    }
  };
  return (item) => {
    pending.push(item);
    if (!writing) void drain();
  };
}
