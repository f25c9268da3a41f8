/**
 * The shopper's unsent message, kept while the chat is closed. Closing the chat removes the whole
 * frame (widget/loader/loader.js: no frame exists while the shopper types on the host page), so the
 * draft lives in the frame origin's sessionStorage (partitioned by the top-level site, gone with
 * the tab) and is put back in the message box when the chat is opened again.
 *
 * It is stored redacted, exactly as it would be sent (card numbers and the tenant's patterns
 * masked): a card number typed into the chat box never rests in the browser's storage either.
 */
export interface DraftStore {
  load(): string;
  save(text: string): void;
}

type SessionLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function session(): SessionLike | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage blocked in third-party frames: no draft is kept
  }
}

/** Drafts longer than this are not kept (the composer's own limit is larger; a draft is a note). */
export const DRAFT_MAX = 4000;

export function draftStore(name: string, redact: (text: string) => string, storage: SessionLike | null = session()): DraftStore {
  return {
    load: () => {
      try {
        return storage?.getItem(name) ?? '';
      } catch {
        return '';
      }
    },
    save: (text) => {
      try {
        if (!text.trim() || text.length > DRAFT_MAX) storage?.removeItem(name);
        else storage?.setItem(name, redact(text));
      } catch {
        /* storage full or blocked: the draft is simply not kept */
      }
    },
  };
}
