import { describe, expect, it } from 'vitest';
import { RecordedOnce } from './recordedOnce.js';

describe('conversations recorded once per socket, durably', () => {
  it('an entry counts once written, not while it is being written; a failed one is written again', async () => {
    const s = new RecordedOnce();
    let finish!: () => void;
    const first = s.entry('c1', () => new Promise<void>((r) => (finish = r)));
    expect(first).not.toBeNull();
    expect(s.has('c1')).toBe(false);
    let writes = 0;
    expect(s.entry('c1', async () => void writes++)).toBe(first); // shared, not written twice
    finish();
    await first;
    expect(writes).toBe(0);
    expect(s.has('c1')).toBe(true);
    expect(s.entry('c1', async () => void writes++)).toBeNull();

    const failed = s.entry('c2', () => Promise.reject(new Error('audit down')));
    await expect(failed).rejects.toThrow('audit down');
    expect(s.has('c2')).toBe(false);
    await s.entry('c2', async () => void writes++);
    expect(writes).toBe(1);
  });

  it('all: writes the fresh ids together and waits for those in flight', async () => {
    const s = new RecordedOnce();
    let finish!: () => void;
    const inFlight = s.entry('a', () => new Promise<void>((r) => (finish = r)));
    const written: string[][] = [];
    let done = false;
    const all = s.all(['a', 'b', 'b', 'c'], async (fresh) => void written.push(fresh)).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([['b', 'c']]);
    expect(done).toBe(false); // 'a' is not durable yet
    finish();
    await inFlight;
    await all;
    expect(['a', 'b', 'c'].every((id) => s.has(id))).toBe(true);
  });

  it('past its bound starts over: deliveries are recorded again, never silently dropped', async () => {
    const s = new RecordedOnce(3);
    for (const id of ['a', 'b', 'c', 'd']) await s.entry(id, async () => {});
    expect(s.has('d')).toBe(true);
    expect(s.has('a')).toBe(false); // recorded again rather than never
  });
});
