/**
 * Keyboard shortcuts of the inbox (issue 20) and their help overlay ('?'). Keys act only when focus
 * is not in a text field, so typing a reply never triggers them.
 */
import { useEffect, useRef } from 'preact/hooks';
import { t } from './i18n.js';

export interface ShortcutActions {
  next(): void;
  prev(): void;
  reply(): void;
  note(): void;
  assign(): void;
  resolve(): void;
  snooze(): void;
  macro(): void;
  help(): void;
}

export const SHORTCUTS: Array<[string, keyof ShortcutActions]> = [
  ['j', 'next'],
  ['k', 'prev'],
  ['r', 'reply'],
  ['n', 'note'],
  ['a', 'assign'],
  ['e', 'resolve'],
  ['z', 'snooze'],
  ['m', 'macro'],
  ['?', 'help'],
];

const typingInto = (el: EventTarget | null) => el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

export function useShortcuts(actions: ShortcutActions): void {
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typingInto(e.target)) return;
      const found = SHORTCUTS.find(([key]) => key === e.key);
      if (!found) return;
      e.preventDefault();
      ref.current[found[1]]();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

const TEXT: Record<keyof ShortcutActions, () => string> = {
  next: () => t.shortcutNext,
  prev: () => t.shortcutPrev,
  reply: () => t.shortcutReply,
  note: () => t.shortcutNote,
  assign: () => t.shortcutAssign,
  resolve: () => t.shortcutResolve,
  snooze: () => t.shortcutSnooze,
  macro: () => t.shortcutMacro,
  help: () => t.shortcutHelp,
};

export function ShortcutHelp(props: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    close.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onClose();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div class="modal-backdrop" onClick={props.onClose}>
      <div class="modal shortcut-help" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" onClick={(e) => e.stopPropagation()}>
        <h2 id="shortcuts-title">{t.shortcutsTitle}</h2>
        <dl class="shortcut-list">
          {SHORTCUTS.map(([key, action]) => (
            <div key={key} class="shortcut-row">
              <dt>
                <kbd>{key}</kbd>
              </dt>
              <dd>{TEXT[action]()}</dd>
            </div>
          ))}
        </dl>
        <button ref={close} type="button" class="btn btn-primary" onClick={props.onClose}>
          {t.shortcutsClose}
        </button>
      </div>
    </div>
  );
}
