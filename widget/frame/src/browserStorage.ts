import type { KeyValue } from './chatTypes.js';

/** localStorage, or memory when the browser blocks storage in third-party frames. */
export function browserStorage(): KeyValue {
  const memory = new Map<string, string>();
  const ls = (): Storage | null => {
    try {
      return window.localStorage;
    } catch {
      return null;
    }
  };
  return {
    get(key) {
      try {
        return ls()?.getItem(key) ?? memory.get(key) ?? null;
      } catch {
        return memory.get(key) ?? null;
      }
    },
    set(key, value) {
      memory.set(key, value);
      try {
        ls()?.setItem(key, value);
      } catch {
        /* storage blocked: memory only */
      }
    },
    remove(key) {
      memory.delete(key);
      try {
        ls()?.removeItem(key);
      } catch {
        /* ignore */
      }
    },
  };
}
