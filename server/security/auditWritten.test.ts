import { afterEach, describe, expect, it } from 'vitest';
import { fstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WrittenRecord } from './auditWritten.js';

const leaf = (n: number) => Buffer.alloc(32, n);
const log = { error: () => {} };

describe('the audit written record on disk', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'parley-written-'));
    dirs.push(d);
    return d;
  };

  it('syncs each committed group before record() returns, after writing it (a machine crash keeps what was told)', () => {
    const syncs: Array<{ size: number }> = [];
    const record = new WrittenRecord(dir(), log, (fd) => syncs.push({ size: fstatSync(fd).size }));
    record.record([{ seq: 1, leaf: leaf(1), tenantId: 'ten_a' }]);
    expect(syncs).toHaveLength(1);
    // The sync saw the group's line already written: the line is durable when record() returns.
    expect(syncs[0]!.size).toBe(readFileSync(record.file).length);
    record.record([
      { seq: 2, leaf: leaf(2), tenantId: null },
      { seq: 3, leaf: leaf(3), tenantId: 'ten_a' },
    ]);
    expect(syncs).toHaveLength(2);
    expect(syncs[1]!.size).toBe(readFileSync(record.file).length);
    // A group with nothing new (a seq told twice with the same bytes) writes and syncs nothing.
    record.record([{ seq: 3, leaf: leaf(3), tenantId: 'ten_a' }]);
    expect(syncs).toHaveLength(2);
    record.close();
  });

  it('syncs the compacted record before it replaces the old one', () => {
    const syncs: number[] = [];
    const record = new WrittenRecord(dir(), log, (fd) => syncs.push(fstatSync(fd).size));
    record.record([
      { seq: 1, leaf: leaf(1), tenantId: 'ten_a' },
      { seq: 2, leaf: leaf(2), tenantId: 'ten_a' },
    ]);
    record.forget(1, record.own());
    expect(syncs).toHaveLength(2);
    // The second sync was of the compacted file (seq 2 only), which is now the record.
    expect(syncs[1]).toBe(readFileSync(record.file).length);
    expect(readFileSync(record.file, 'utf8')).toMatch(/^2 [0-9a-f]{64} ten_a\n$/);
    record.close();
  });

  it('uses fdatasync by default, and a record reopened reads what was synced', () => {
    const d = dir();
    const record = new WrittenRecord(d, log);
    record.record([{ seq: 7, leaf: leaf(7), tenantId: null }]);
    record.close();
    expect([...WrittenRecord.readAll(d).keys()]).toEqual([7]);
  });
});
