import { render } from 'preact';
import type { WidgetConfig } from '../../../protocol/http.js';
import type { VisitorServerFrame } from '../../../protocol/realtime.js';
import { ReconnectingSocket } from '../../../clients/js/src/reconnectingSocket.js';
import { App } from './App.js';
import { browserStorage, ChatClient } from './chat.js';
import { parseHostOrigin } from './embed.js';
import { connectHost } from './hostChannel.js';
import { lang, setPageLanguage } from './i18n.js';
import * as i18n from './i18n.js';
import { parseIdentity } from './identity.js';
import { ProactiveClient } from './proactive.js';
import './styles.css';

const params = new URLSearchParams(location.search);
const key = (params.get('key') ?? '').slice(0, 64);
// The loader's port is accepted from this exact origin only (widget/frame/src/hostChannel.ts).
const link = connectHost(parseHostOrigin(params.get('host')));
// The page's language, when it said so (data-parley-lang on the snippet), before anything is shown.
setPageLanguage(params.get('lang'));
document.documentElement.lang = lang;

async function loadConfig(): Promise<WidgetConfig> {
  const res = await fetch(`/api/widget/config?key=${encodeURIComponent(key)}`, { credentials: 'omit' });
  if (!res.ok) throw new Error(`config ${res.status}`);
  return (await res.json()) as WidgetConfig;
}

const storage = browserStorage();
const identity = parseIdentity(location.hash);
const client = new ChatClient({
  key,
  wsUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/visitor`,
  page: document.referrer,
  language: () => i18n.lang,
  identity,
  storage,
  fetch: (input, init) => fetch(input, init),
  socket: (opts) => new ReconnectingSocket<VisitorServerFrame>(opts),
});

// Proactive messages (issue 20): asked of the server with what the page declared, the time on the page
// and the identity; shown in the chat window, or in the loader's launcher bubble while the chat is closed.
const proactive = key
  ? new ProactiveClient({ key, storage, fetch: (input, init) => fetch(input, init), token: () => storage.get(client.storageKey), identity, redact: (s) => client.redactField(s) })
  : null;

// What the tenant's page says about itself (Parley.push(['page', ...])) goes to the server with the chat.
link?.watchContext((context) => {
  client.setPageContext(context);
  proactive?.setContext(context);
});

const root = document.getElementById('app');
if (key && root) render(<App widgetKey={key} link={link} client={client} proactive={proactive} loadConfig={loadConfig} />, root);
