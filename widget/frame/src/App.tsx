import { useEffect, useRef, useState } from 'preact/hooks';
import type { WidgetConfig } from '../../../protocol/http.js';
import type { WidgetAvailability } from '../../../protocol/contactCentre.js';
import type { ChatClient, ChatState } from './chat.js';
import { ChatWindow } from './chatWindow.js';
import { FileOpener } from './messageLog.js';
import { isFullscreen } from './embed.js';
import type { HostChannel } from './hostChannel.js';
import type { ProactiveClient, ProactiveMessage } from './proactive.js';
import { setLanguage, t } from './i18n.js';
import { ChatIcon } from './icons.js';
import { applyBrand, safeColor } from './theme.js';

interface AppProps {
  widgetKey: string;
  /** The loader's port (protocol/embed.ts); null when the frame is opened on its own, not embedded. */
  link: HostChannel | null;
  client: ChatClient;
  /** Proactive messages (issue 20): null when the frame has no widget key. */
  proactive?: ProactiveClient | null;
  loadConfig: () => Promise<WidgetConfig>;
}

function useChatState(client: ChatClient): ChatState {
  const [state, setState] = useState(client.getState());
  useEffect(() => client.subscribe(setState), [client]);
  return state;
}

function openFlag(key: string): { get(): boolean; set(open: boolean): void } {
  const name = `parley:${key}:open`;
  return {
    get: () => {
      try {
        return sessionStorage.getItem(name) === '1';
      } catch {
        return false;
      }
    },
    set: (open) => {
      try {
        sessionStorage.setItem(name, open ? '1' : '0');
      } catch {
        /* storage blocked */
      }
    },
  };
}

function useProactive(proactive: ProactiveClient | null | undefined): ProactiveMessage | null {
  const [shown, setShown] = useState(proactive?.shown ?? null);
  useEffect(() => proactive?.subscribe(setShown), [proactive]);
  return shown;
}

export function App({ widgetKey, link, client, proactive, loadConfig }: AppProps) {
  const [config, setConfig] = useState<WidgetConfig | null>(null);
  const [availability, setAvailability] = useState<WidgetAvailability | null>(null);
  const [open, setOpen] = useState(false);
  const [fullscreen, setFullscreen] = useState(false);
  const chat = useChatState(client);
  const pm = useProactive(proactive);
  const launcherRef = useRef<HTMLButtonElement>(null);
  const focusLauncher = useRef(false);
  const flag = useRef(openFlag(widgetKey)).current;

  useEffect(() => {
    let live = true;
    loadConfig()
      .then((c) => {
        if (!live) return;
        applyBrand(safeColor(c.brandColor));
        // The tenant's language and redaction patterns, before anything is shown or sent.
        setLanguage(c.language);
        client.setRedactionPatterns(c.redactionPatterns);
        setConfig(c);
        void client.availability().then((a) => live && setAvailability(a));
        // Embedded, only the loader opens the chat (on the shopper's own gesture), never the frame.
        if (link ? link.open : flag.get()) setOpen(true);
      })
      .catch(() => {
        /* unknown key or server down: show nothing */
      });
    void client.resume();
    return () => {
      live = false;
    };
  }, []);

  const position: 'left' | 'right' = config?.position === 'left' ? 'left' : 'right';

  useEffect(() => link?.subscribe(setOpen), [link]);
  useEffect(() => link?.reportUnread(chat.unread), [chat.unread]);
  // A proactive message: in the launcher's bubble while the chat is closed and it was never opened.
  useEffect(() => link?.showBubble(pm && !pm.opened && !open ? pm.text : ''), [pm, open]);
  useEffect(() => proactive?.setOpen(open), [open]);
  useEffect(() => proactive?.seeMessages(chat.messages), [chat.messages]);

  useEffect(() => {
    if (!config) return;
    client.setOpen(open);
    flag.set(open);
    if (!open && focusLauncher.current) {
      focusLauncher.current = false;
      launcherRef.current?.focus();
    }
  }, [config, open, position]);

  // A chat left open in a background tab: what arrived meanwhile is seen when the tab is shown again
  // (read receipts, the list's unread dot).
  useEffect(() => {
    if (!config || !open) return;
    const onVisible = () => document.visibilityState === 'visible' && client.setOpen(true);
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [config, open]);

  useEffect(() => {
    const update = () => setFullscreen(open && isFullscreen());
    update();
    window.addEventListener('resize', update);
    return () => window.removeEventListener('resize', update);
  }, [open]);

  if (!config) return null;
  // Attachments open through the loader (the frame's sandbox has no downloads): docs/SECURITY.md.
  const opener = link ? (path: string) => link.openFile(path) : null;

  const close = () => {
    focusLauncher.current = true;
    setOpen(false);
    link?.requestClose();
  };

  return (
    <FileOpener.Provider value={opener}>
      <div class={`widget pos-${position}${fullscreen ? ' fullscreen' : ''}`}>
        {open ? (
          <ChatWindow config={config} availability={availability} chat={chat} client={client} proactive={pm?.text ?? null} onClose={close} />
        ) : link ? null : (
          <Launcher buttonRef={launcherRef} unread={chat.unread} onOpen={() => setOpen(true)} />
        )}
      </div>
    </FileOpener.Provider>
  );
}

function Launcher({ unread, onOpen, buttonRef }: { unread: number; onOpen: () => void; buttonRef: { current: HTMLButtonElement | null } }) {
  return (
    <button
      ref={buttonRef}
      type="button"
      class="launcher"
      aria-label={t.openChat}
      aria-expanded="false"
      aria-controls="parley-chat"
      aria-describedby={unread ? 'parley-unread' : undefined}
      onClick={onOpen}
    >
      <ChatIcon />
      {unread > 0 && (
        <span class="badge" id="parley-unread">
          <span aria-hidden="true">{unread > 9 ? '9+' : String(unread)}</span>
          <span class="sr-only">{t.unread(unread)}</span>
        </span>
      )}
    </button>
  );
}
