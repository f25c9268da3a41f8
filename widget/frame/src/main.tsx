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

const client = new ChatClient({
  key,
  wsUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/visitor`,
  page: document.referrer,
  language: () => i18n.lang,
  identity: parseIdentity(location.hash),
  storage: browserStorage(),
  fetch: (input, init) => fetch(input, init),
  socket: (opts) => new ReconnectingSocket<VisitorServerFrame>(opts),
});

// What the tenant's page says about itself (Parley.push(['page', ...])) goes to the server with the chat.
link?.watchContext((context) => client.setPageContext(context));

const root = document.getElementById('app');
if (key && root) render(<App widgetKey={key} link={link} client={client} loadConfig={loadConfig} />, root);
