import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EMBED_FILE_PATH, EMBED_MARK, EMBED_SANDBOX, EMBED_SIZES, FRAME_DENIED_FEATURES } from '../../protocol/embed.js';
import { PROACTIVE_LIMITS } from '../../protocol/proactive.js';
// @ts-expect-error plain .mjs build script without type declarations
import { LOADER_SRC, minifyLoader } from './build.mjs';

const source: string = readFileSync(LOADER_SRC, 'utf8');
// The open frame on desktop: EMBED_SIZES.open, shaped like the card it holds (the iframe is opaque: a
// see-through margin around the card would show as a white square), docked on the window's bottom edge
// at the launcher's horizontal offset (so it always fits the window's height), top corners rounded.
const DESKTOP_OPEN = {
  width: `${EMBED_SIZES.open.width}px`,
  height: `${EMBED_SIZES.open.height}px`,
  'max-height': '100%',
  bottom: '0px',
  right: '16px', // the launcher's default offset
  'border-radius': '1pc 1pc 0 0',
};

/** Removes comments (block and line) while leaving string literals alone. */
function stripComments(code: string): string {
  let out = '';
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const start = i;
      for (i++; i < code.length && code[i] !== c; i++) if (code[i] === '\\') i++;
      out += code.slice(start, i + 1);
    } else if (c === '/' && code[i + 1] === '*') {
      i = code.indexOf('*/', i + 2) + 1;
      if (i === 0) break;
    } else if (c === '/' && code[i + 1] === '/' && code[i - 1] !== '\\') {
      while (i < code.length && code[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  return out;
}

describe('loader.js static checks', () => {
  const code = stripComments(source);

  // Every API the loader must never touch: reading the host page, storage, network, script loading,
  // input listeners. Each is listed on its own so a failure names exactly what crept in.
  const forbidden: Array<[string, RegExp]> = [
    ['querySelector / querySelectorAll', /querySelector/],
    ['any getElement*', /getElement/],
    ['document.forms', /\.forms\b/],
    ['document.cookie', /cookie/i],
    ['localStorage', /localStorage/],
    ['sessionStorage', /sessionStorage/],
    ['indexedDB', /indexedDB/i],
    ['caches (Cache Storage)', /\bcaches\b/],
    ['innerHTML', /innerHTML/],
    ['outerHTML', /outerHTML/],
    ['innerText / outerText', /(inner|outer)Text/],
    ['textContent', /textContent/],
    ['HTML parsing (insertAdjacentHTML, createContextualFragment, DOMParser, setHTML, srcdoc)', /insertAdjacentHTML|createContextualFragment|DOMParser|setHTML|srcdoc/],
    ['activeElement (which page element has focus)', /activeElement/],
    ['MutationObserver', /MutationObserver/],
    ['fetch', /\bfetch\b/],
    ['XMLHttpRequest', /XMLHttpRequest/],
    ['sendBeacon', /sendBeacon/],
    ['WebSocket', /WebSocket/],
    ['EventSource', /EventSource/],
    ['input listener', /['"`](input|change|beforeinput|paste|copy|cut|submit|focusin|focusout|selectionchange)['"`]/],
    ['keyboard listener', /['"`]key(down|up|press)['"`]/],
    ['pointer listener', /['"`](mouse|pointer|touch)\w*['"`]/],
    ['window message listener (only the port is listened to)', /['"`]message['"`]/],
    ['on* handler other than the port\'s onmessage', /\.on(?!message\b)\w+\s*=/],
    ['creating a script element', /createElement\s*\(\s*['"`]script/i],
    ['document.write', /document\.write/],
    ['eval', /\beval\s*\(/],
    ['Function constructor', /\bnew\s+Function\b|\bFunction\s*\(/],
    ['import()', /\bimport\s*\(/],
    ['importScripts', /importScripts/],
    ['document.body reads beyond appending', /document\.body\.(?!appendChild\b)/],
    ['document.documentElement', /documentElement/],
    ['document.all / images / links / scripts', /document\.(all|images|links|scripts|anchors|embeds)\b/],
    ['getSelection', /getSelection/],
    ['location beyond its origin', /location\.(?!origin\b)/],
    ['history', /\bhistory\b/],
    ['document.referrer / title / URL', /document\.(referrer|title|URL|domain)\b/],
    ['popups, downloads or top navigation in the sandbox', /allow-(top-navigation|popups|modals|pointer-lock|presentation|orientation-lock|storage-access|downloads)/],
    ['open shadow root', /mode:\s*['"`]open/],
  ];

  it.each(forbidden)('does not use %s', (_name, pattern) => {
    expect(code).not.toMatch(pattern);
  });

  it('reads only these properties of document, window and location', () => {
    const used = (obj: string) => [...new Set([...code.matchAll(new RegExp(`\\b${obj}\\.(\\w+)`, 'g'))].map((m) => m[1]))].sort();
    expect(used('document')).toEqual(['addEventListener', 'body', 'createElement', 'currentScript', 'hasFocus']);
    expect(used('window')).toEqual(['Parley', 'addEventListener', 'innerWidth', 'open']);
    expect(used('location')).toEqual(['origin']);
    // Its own script element: only its data-parley-* attributes and its src.
    expect(used('me')).toEqual(['getAttribute', 'src']);
    expect(code).toMatch(/me\.getAttribute\('data-parley-' \+ name\)/);
  });

  it('creates only its own elements: a custom host, a button, an iframe', () => {
    const created = [...code.matchAll(/createElement\s*\(\s*(['"`])([\w-]+)\1\s*\)/g)].map((m) => m[2]);
    expect(created).toEqual(['parley-chat', 'button', 'iframe']);
    // What it shows (its label, the frame's unread count or proactive message) goes into its button as
    // one string (a text node, never parsed), by replaceChildren, and nowhere else.
    expect([...code.matchAll(/(\w+)\.replaceChildren\(/g)].map((m) => m[1])).toEqual(['button']);
    expect(code).not.toMatch(/\.data = |\.(append|prepend|before|after|replaceWith)\(/);
    expect(code).toMatch(/attachShadow\(\{ mode: 'closed' \}\)/);
  });

  it('listens only to the shopper on its own button, focus on its own iframe, resize and the port', () => {
    const listeners = [...code.matchAll(/(\w+)\.addEventListener\(\s*'(\w+)'/g)].map((m) => `${m[1]}:${m[2]}`).sort();
    expect(listeners).toEqual(['button:click', 'document:DOMContentLoaded', 'frame:blur', 'mine:load', 'window:blur', 'window:resize']);
    // Blur listeners read nothing of their event; the click listener only whether it is trusted.
    expect(code).toMatch(/frame\.addEventListener\('blur', \(\) =>/);
    expect(code).toMatch(/window\.addEventListener\('blur', \(\) =>/);
    expect(code).toMatch(/if \(!event\.isTrusted\) return;/);
    expect(code).toMatch(/port\.onmessage = /);
  });

  it('sends to one place only: the port, handed once to Parley\'s exact origin', () => {
    const sends = [...code.matchAll(/([\w.]+)\.postMessage\(([^)]*)\)/g)].map((m) => `${m[1]}(${m[2]})`);
    expect(sends.sort()).toEqual(['mine.contentWindow(MARK, parley, [channel.port2])', 'port(message)']);
    expect(code).toMatch(/\{ once: true \}/);
  });

  it('opens one thing only: Parley\'s attachment route, while open, not on the launcher\'s own click, with no opener or referrer', () => {
    // window.open is the one way out of the page the loader has; the frame may only name an attachment.
    const opens = [...code.matchAll(/window\.open\(([^;]*)\);/g)].map((m) => m[1]);
    expect(opens).toEqual(["new URL(data, parley), '', 'noreferrer'"]);
    expect(code).toMatch(/else if \(FILE\.test\(data\)\) \{\s*if \(open && Date\.now\(\) - open > 1e4\) window\.open\(/);
    const FILE = new RegExp(/var FILE = \/(.+)\/;/.exec(code)![1]!);
    // Paths only (a leading single slash, no dot, no backslash, no scheme): always Parley's origin once resolved.
    for (const bad of ['//evil.example/files/att_a/0123456789', 'https://evil.example/files/att_a/0123456789', 'javascript:alert(1)//', 'data:text/html,x', '/files/att_a/0123456789/../../api/x', '/files/att_a/0123456789\n', '/files/att_a/..%2f0123456789', '/api/files/att_a/0123456789', '/files/att_a/0123456789?x', '/files/att_a/0123456789#x', '\\evil.example/files/att_a/0123456789'])
      expect(FILE.test(bad) || EMBED_FILE_PATH.test(bad), bad).toBe(false);
    // Every path the server makes (the frame's own check is the exact route) passes the loader's.
    expect(FILE.test('/files/att_01a2506ca6c71c4e497da8119040/Ofw3q9ZGZlWmf9Rgg_WXF9BO')).toBe(true);
    expect(EMBED_FILE_PATH.test('/files/att_01a2506ca6c71c4e497da8119040/Ofw3q9ZGZlWmf9Rgg_WXF9BO')).toBe(true);
    expect(new URL('/files/att_Ab1/Zz_-0123456789', 'https://chat.parley.example/widget/v/1/loader.js').href).toBe('https://chat.parley.example/files/att_Ab1/Zz_-0123456789');
  });

  it('sandboxes the frame with exactly EMBED_SANDBOX and denies every listed permission', () => {
    expect(/var SANDBOX = '([^']+)';/.exec(code)?.[1]).toBe(EMBED_SANDBOX);
    const deny = /var DENY =\s*"([^"]+)";/.exec(code)?.[1];
    expect(deny).toBeTruthy();
    const entries = deny!.split('; ');
    expect(entries.every((e) => /^[a-z-]+ 'none'$/.test(e))).toBe(true);
    expect(entries).toContain("picture-in-picture 'none'");
    // Nothing is granted: every entry denies. The powerful features are denied by the server's header on
    // every frame answer (server/routes/widget/widget.test.ts), which includes each of these.
    for (const e of entries) expect(FRAME_DENIED_FEATURES).toContain(e.split(' ')[0]);
    for (const f of ['camera', 'microphone', 'geolocation', 'payment', 'usb', 'fullscreen', 'display-capture', 'clipboard-read', 'clipboard-write']) expect(FRAME_DENIED_FEATURES).toContain(f);
    expect(EMBED_SANDBOX).not.toMatch(/downloads|popups|top-navigation/);
  });

  it('is an IIFE with no imports or exports', () => {
    expect(code.trim().startsWith('(function')).toBe(true);
    expect(code.trim().endsWith('})();')).toBe(true);
    expect(code).not.toMatch(/^\s*(import|export)\b/m);
  });
});

describe('loader.js size', () => {
  it('is at most 1.5 KB gzipped after minification', () => {
    const min: string = minifyLoader(source);
    const gz = gzipSync(min, { level: 9 }).length;
    expect(gz).toBeLessThanOrEqual(1536);
  });

  it('minified output parses as a classic ES2017 script', () => {
    const min: string = minifyLoader(source);
    // V8's compile hint is the first line (the size above includes it).
    expect(min.startsWith('//# allFunctionsCalledOnLoad\n(function')).toBe(true);
    expect(() => new Function(min)).not.toThrow();
    expect(min).not.toMatch(/\?\?|\?\.|\|\|=|&&=/); // no ES2020+ operators
  });
});

describe('loader.js constants', () => {
  const num = (name: string) => {
    const m = new RegExp(`var ${name} = (\\d+);`).exec(source);
    if (!m) throw new Error(`constant ${name} not found in loader.js`);
    return Number(m[1]);
  };

  it('match protocol/embed.ts', () => {
    expect(/var MARK = '([^']+)';/.exec(source)?.[1]).toBe(EMBED_MARK);
    expect(num('LAUNCHER')).toBe(EMBED_SIZES.launcherHeight);
    expect(num('OPEN_W')).toBe(EMBED_SIZES.open.width);
    expect(num('OPEN_H')).toBe(EMBED_SIZES.open.height);
    expect(num('FULLSCREEN_BELOW')).toBe(EMBED_SIZES.fullscreenBelowWidth);
    expect(num('TIP')).toBe(PROACTIVE_LIMITS.text);
  });
});

// ---------- behaviour, in a recording fake browser ----------
// Every property the loader reads of the page's objects (document, window, location, its script
// element, the body) is recorded: the run proves, not only the source text, that it reads nothing else.

type Listener = (event: unknown) => void;

class FakeNode {
  attrs: Record<string, string> = {};
  listeners: Record<string, Listener[]> = {};
  style = { cssText: '' };
  children: FakeNode[] = [];
  parentNode: FakeNode | null = null;
  title = '';
  sandbox = '';
  allow = '';
  referrerPolicy = '';
  // As in the DOM: a URL set as src is kept as its string.
  srcText = '';
  get src(): string {
    return this.srcText;
  }
  set src(value: unknown) {
    this.srcText = String(value);
  }
  data = '';
  posted: Array<{ data: unknown; origin: string; ports: unknown[] }> = [];
  contentWindow = { postMessage: (data: unknown, origin: string, ports: unknown[]) => this.posted.push({ data, origin, ports }) };
  focused = 0;
  constructor(readonly tagName: string) {}
  setAttribute(name: string, value: string) {
    this.attrs[name] = value;
  }
  getAttribute(name: string) {
    return this.attrs[name] ?? null;
  }
  replaceChildren(...items: Array<FakeNode | string>) {
    for (const c of this.children) c.parentNode = null;
    this.children = [];
    for (const item of items) this.appendChild(typeof item === 'string' ? Object.assign(new FakeNode('#text'), { data: item }) : item);
  }
  appendChild(child: FakeNode) {
    this.children.push(child);
    child.parentNode = this;
    return child;
  }
  attachShadow() {
    return new FakeNode('#shadow');
  }
  addEventListener(type: string, fn: Listener, options?: { once?: boolean }) {
    const list = (this.listeners[type] ??= []);
    const once: Listener = (event) => {
      list.splice(list.indexOf(once), 1);
      fn(event);
    };
    list.push(options?.once ? once : fn);
  }
  removeEventListener() {}
  remove() {
    if (this.parentNode) this.parentNode.children = this.parentNode.children.filter((c) => c !== this);
    this.parentNode = null;
  }
  focus() {
    this.focused++;
  }
  fire(type: string, event: unknown = {}) {
    for (const fn of [...(this.listeners[type] ?? [])]) fn(event);
  }
  css(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.style.cssText.split(';')) {
      const [k, ...v] = d.split(':');
      if (k) out[k.trim()] = v.join(':').replace('!important', '').trim();
    }
    return out;
  }
}

function boot(options: { attrs?: Record<string, string>; innerWidth?: number; code?: string; queued?: unknown[] } = {}) {
  let now = 1_000_000;
  const opened: unknown[][] = [];
  const reads: string[] = [];
  const record = <T extends object>(name: string, target: T): T =>
    new Proxy(target, {
      get(t, prop) {
        if (typeof prop === 'string') reads.push(`${name}.${prop}`);
        const value: unknown = Reflect.get(t, prop, t);
        // Getters and methods run on the real object, so their own internals are not counted as the loader's reads.
        return typeof value === 'function' ? value.bind(t) : value;
      },
    });
  const script = new FakeNode('script');
  script.src = 'https://chat.parley.example/widget/v/abc/loader.js';
  script.attrs = { 'data-parley-key': 'pk_demo', ...options.attrs };
  const body = new FakeNode('body');
  const windowListeners: Record<string, Listener[]> = {};
  const created: FakeNode[] = [];
  let hasFocus = true;
  const timers: Array<() => void> = [];
  const win: Record<string, unknown> = {
    innerWidth: options.innerWidth ?? 1280,
    Parley: options.queued,
    addEventListener: (type: string, fn: Listener) => (windowListeners[type] ??= []).push(fn),
    open: (...args: unknown[]) => opened.push(args.map(String)),
  };
  const doc = {
    currentScript: record('script', script),
    body: record('body', body),
    createElement: (tag: string) => {
      const n = new FakeNode(tag);
      created.push(n);
      return n;
    },
    addEventListener() {},
    hasFocus: () => hasFocus,
  };
  const window = record('window', win);
  runInNewContext(options.code ?? source, {
    window,
    document: record('document', doc),
    location: record('location', { origin: 'https://shop.example', href: 'https://shop.example/checkout?card=4242' }),
    setTimeout: (fn: () => void) => timers.push(fn),
    URL,
    MessageChannel,
    encodeURIComponent,
    parseInt,
    String,
    Date: { now: () => now },
  });
  const launcher = body.children[0]!;
  const button = created.find((n) => n.tagName === 'button')!;
  const frame = () => body.children.find((n) => n.tagName === 'iframe');
  const click = (isTrusted = true) => button.fire('click', { isTrusted });
  const resize = (width: number) => {
    win.innerWidth = width;
    windowListeners.resize?.forEach((fn) => fn({}));
  };
  const windowBlur = () => windowListeners.blur?.forEach((fn) => fn({}));
  /** The frame side of the port, as the frame would get it after its first load. */
  const framePort = async () => {
    const f = frame()!;
    f.fire('load');
    const handover = f.posted[0]!;
    const port = handover.ports[0] as MessagePort;
    const got: unknown[] = [];
    port.onmessage = (e) => got.push(e.data);
    await new Promise((r) => setTimeout(r, 10));
    return { handover, port, got };
  };
  const settle = () => new Promise((r) => setTimeout(r, 10));
  const later = (ms: number) => (now += ms);
  return { script, reads, launcher, button, frame, click, resize, windowBlur, framePort, settle, window: win, timers, windowListeners, opened, later, setHasFocus: (v: boolean) => (hasFocus = v) };
}

const ALLOWED_READS = new Set([
  'script.getAttribute',
  'script.src',
  'document.currentScript',
  'document.createElement',
  'document.body',
  'document.addEventListener',
  'document.hasFocus',
  'body.appendChild',
  'window.Parley',
  'window.addEventListener',
  'window.innerWidth',
  'window.open',
  'location.origin',
]);

describe('loader.js behaviour', () => {
  for (const variant of ['source', 'minified'] as const) {
    describe(variant, () => {
      const code = variant === 'source' ? source : (minifyLoader(source) as string);

      it('shows only its launcher: no frame before the shopper opens the chat', () => {
        const { launcher, frame } = boot({ code });
        expect(launcher.tagName).toBe('parley-chat');
        expect(frame()).toBeUndefined();
        expect(launcher.css()).toMatchObject({ position: 'fixed', display: 'block', height: '48px' });
        expect(launcher.css()).toMatchObject({ bottom: '16px', right: '16px' });
        expect(launcher.css().left).toBeUndefined();
      });

      it('opens only on a trusted click, with the sandbox, the deny-all allow list and a port handed over once', async () => {
        const { click, frame, framePort, button } = boot({ code, attrs: { 'data-parley-user-id': 'u 1' } });
        click(false);
        expect(frame()).toBeUndefined();
        click(true);
        const f = frame()!;
        expect(f.sandbox).toBe(EMBED_SANDBOX);
        expect(f.allow).toBe("picture-in-picture 'none'");
        expect(f.referrerPolicy).toBe('origin');
        // Opaque under the frame: a transparent frame document shows white, not the page.
        expect(f.css()).toMatchObject({ all: 'initial', background: '#fff' });
        expect(f.src).toBe('https://chat.parley.example/widget/frame/?key=pk_demo&host=https://shop.example&lang=#jwt=&uid=u%201&uh=');
        expect(f.css()).toMatchObject({ width: `${EMBED_SIZES.open.width}px`, height: `${EMBED_SIZES.open.height}px`, visibility: 'visible' });
        expect(f.focused).toBe(1);
        expect(button.parentNode!.tagName).toBe('#shadow'); // in its closed shadow root
        const { handover, got } = await framePort();
        expect(handover.data).toBe(EMBED_MARK);
        // The loader's own URL as the target: postMessage keeps only its origin, Parley's.
        expect(handover.origin).toBe('https://chat.parley.example/widget/v/abc/loader.js');
        expect(new URL(handover.origin).origin).toBe('https://chat.parley.example');
        expect(got).toContain('open');
        f.fire('load');
        expect(f.posted).toHaveLength(1); // once
      });

      it('sends the frame and its port to the origin it was loaded from, even if the page changes its src later', async () => {
        const { script, click, frame, framePort } = boot({ code });
        script.src = 'https://attacker.example/loader.js';
        click();
        expect(frame()!.src.startsWith('https://chat.parley.example/widget/frame/?key=pk_demo&')).toBe(true);
        const { handover } = await framePort();
        expect(new URL(handover.origin).origin).toBe('https://chat.parley.example');
      });

      it('fills a phone screen only when opened, and follows resizes', () => {
        const { click, frame, resize } = boot({ code, innerWidth: 390 });
        click();
        expect(frame()!.css()).toMatchObject({ width: '100%', height: '100%' });
        resize(1024);
        expect(frame()!.css()).toMatchObject(DESKTOP_OPEN);
      });

      it('acts on the port only to close or show an unread count; asks to grow are ignored', async () => {
        const { click, frame, framePort, settle, launcher, button } = boot({ code });
        click();
        const { port } = await framePort();
        port.postMessage({ m: EMBED_MARK, type: 'layout', open: true, width: 5000 });
        port.postMessage('open');
        await settle();
        expect(frame()!.css()).toMatchObject(DESKTOP_OPEN);
        port.postMessage('close');
        await settle();
        expect(frame()).toBeUndefined(); // removed: no frame while the chat is closed
        expect(launcher.css().display).toBe('block');
        expect(button.focused).toBe(1);
      });

      it('opens an attachment the frame names, in a new tab without opener or referrer, only while open and not on the launcher\'s click', async () => {
        const { click, framePort, settle, opened, later, timers, frame, launcher } = boot({ code, attrs: { 'data-parley-keep': '' } });
        timers.forEach((t) => t());
        const { port } = await framePort();
        const file = '/files/att_Ab12/AbCdEfGhIjKl_-0123';
        port.postMessage(file); // closed (a kept, hidden frame): nothing
        await settle();
        click();
        port.postMessage(file); // within 10 s of the launcher's click, whose activation is the page's: nothing
        await settle();
        expect(opened).toEqual([]);
        later(10_001);
        for (const other of ['/files/att_Ab12', '/files/a/b/c', '/files/../api/x', '/api/widget/config', 'https://evil.example' + file, '//evil.example' + file, 'javascript:alert(1)', 'data:text/html,<b>', ['x'], { file }])
          port.postMessage(other);
        port.postMessage(file);
        await settle();
        expect(opened).toEqual([['https://chat.parley.example' + file, '', 'noreferrer']]);
        // Nothing else changed: still open, same size, the launcher hidden.
        expect(frame()!.css()).toMatchObject({ width: '400px', visibility: 'visible' });
        expect(launcher.css().display).toBe('none');
        port.postMessage('close');
        await settle();
        port.postMessage(file); // closed again
        await settle();
        expect(opened).toHaveLength(1);
      });

      it('closes and removes the frame when focus goes elsewhere on the page, not on a window switch', async () => {
        const { click, frame, setHasFocus } = boot({ code });
        click();
        setHasFocus(false);
        frame()!.fire('blur');
        expect(frame()).toBeDefined();
        setHasFocus(true);
        frame()!.fire('blur');
        expect(frame()).toBeUndefined();
      });

      it('data-parley-keep: a hidden frame at idle time, unread badge, and removed if the page loses focus while closed', async () => {
        const { frame, timers, framePort, settle, button, click, windowBlur } = boot({ code, attrs: { 'data-parley-keep': '' } });
        expect(frame()).toBeUndefined();
        timers.forEach((t) => t());
        expect(frame()!.css()).toMatchObject({ width: '0', height: '0', visibility: 'hidden' });
        const { port } = await framePort();
        port.postMessage(3);
        await settle();
        expect((button.children[0] as FakeNode).data).toBe('Chat 3');
        windowBlur();
        expect(frame()).toBeUndefined();
        click();
        windowBlur(); // open: the shopper is in the chat
        expect(frame()).toBeDefined();
      });

      it('takes placement from its attributes and the page\'s commands, and hides', () => {
        const queued: unknown[] = [['position', 'left', 20, 90], ['page', 'checkout', { step: 'payment' }]];
        const { launcher, window, click, frame } = boot({ code, queued, attrs: { 'data-parley-offset-y': '70' } });
        expect(launcher.css()).toMatchObject({ bottom: '90px', left: '20px' });
        expect(launcher.css().right).toBeUndefined();
        (window.Parley as { push(c: unknown[]): void }).push(['hide']);
        expect(launcher.css().display).toBe('none');
        (window.Parley as { push(c: unknown[]): void }).push(['show']);
        (window.Parley as { push(c: unknown[]): void }).push(['position', 'right']);
        expect(launcher.css()).toMatchObject({ bottom: '16px', right: '16px' });
        expect(launcher.css().left).toBeUndefined();
        click();
        expect(frame()).toBeDefined();
      });

      it('speaks the page\'s language when the page says so: the launcher\'s label, and the frame\'s', () => {
        const fr = boot({ code, attrs: { 'data-parley-lang': 'fr' } });
        expect((fr.button.children[0] as FakeNode).data).toBe('Discuter');
        fr.click();
        expect(fr.frame()!.src).toContain('&lang=fr#');
        expect(fr.frame()!.title).toBe('Discuter');
        const own = boot({ code, attrs: { 'data-parley-lang': 'fr-CA', 'data-parley-label': 'Aide' } });
        expect((own.button.children[0] as FakeNode).data).toBe('Aide');
        const en = boot({ code });
        expect((en.button.children[0] as FakeNode).data).toBe('Chat');
      });

      it('hides on the pages listed in data-parley-hide-on, as the page names itself, and shows on the others', async () => {
        const b = boot({ code, attrs: { 'data-parley-hide-on': 'checkout payment' }, queued: [['page', 'checkout', { step: 1 }]] });
        expect(b.launcher.css().display).toBe('none');
        const push = (c: unknown[]) => (b.window.Parley as { push(c: unknown[]): void }).push(c);
        push(['page', 'home']);
        expect(b.launcher.css().display).toBe('block');
        // The shopper opens the chat, then the page (a single-page app) goes to the payment step: closed, hidden.
        b.click();
        expect(b.frame()).toBeDefined();
        push(['page', 'payment']);
        expect(b.launcher.css().display).toBe('none');
        expect(b.frame()).toBeUndefined();
        push(['page', 'check']); // not a listed name, only part of one
        expect(b.launcher.css().display).toBe('block');
        // Without the attribute, naming a page changes nothing.
        const plain = boot({ code, queued: [['page', 'checkout']] });
        expect(plain.launcher.css().display).toBe('block');
      });

      it('data-parley-keep: shows a proactive message from the frame as text in its launcher, cut to the limit, and nothing more', async () => {
        const { frame, timers, framePort, settle, button, click, launcher } = boot({ code, attrs: { 'data-parley-keep': '' } });
        timers.forEach((t) => t());
        const { port } = await framePort();
        // Its text: one text node, replaced as the note changes.
        const said = () => button.children[0]!;
        expect(said().tagName).toBe('#text');
        expect(launcher.css().height).toBe('48px');
        port.postMessage(['— Need help choosing a size?']);
        await settle();
        expect(said().data).toBe('Chat — Need help choosing a size?');
        // A message wraps in a bubble at most 240 px wide that grows upwards from the corner.
        expect(launcher.css()).toMatchObject({ height: 'auto', bottom: '16px', right: '16px', display: 'block' });
        expect(button.css()['max-width']).toBe('240px');
        // Markup stays text (a text node's data is never parsed), and a long text is cut by the loader.
        port.postMessage(['<img src=x onerror=alert(1)>']);
        await settle();
        expect(said().data).toBe('Chat <img src=x onerror=alert(1)>');
        expect(button.children).toHaveLength(1);
        port.postMessage(['x'.repeat(5000)]);
        await settle();
        expect(said().data).toBe('Chat ' + 'x'.repeat(PROACTIVE_LIMITS.text));
        // Anything else clears the note and nothing more: the frame stays hidden, unfocused, at zero size.
        port.postMessage({ say: 'ignored', width: 5000 });
        port.postMessage('open');
        await settle();
        expect(said().data).toBe('Chat');
        expect(launcher.css().height).toBe('48px');
        expect(frame()!.css()).toMatchObject({ width: '0', height: '0', visibility: 'hidden' });
        expect(frame()!.focused).toBe(0);
        port.postMessage(['— Still there?']);
        port.postMessage(2); // an unread count replaces it
        await settle();
        expect(said().data).toBe('Chat 2');
        // Opened by the shopper, the launcher is hidden.
        click();
        expect(launcher.css().display).toBe('none');
      });

      it('reads nothing of the page beyond the allowed list, whatever it does', async () => {
        const b = boot({ code, attrs: { 'data-parley-keep': '', 'data-parley-hide-on': 'y', 'data-parley-lang': 'fr' }, queued: [['page', 'x', {}], ['page', 'y']] });
        b.timers.forEach((t) => t());
        b.click();
        const { port } = await b.framePort();
        port.postMessage(2);
        port.postMessage(['Need help?']);
        b.later(11_000);
        port.postMessage('/files/att_a/0123456789');
        port.postMessage('close');
        await b.settle();
        b.resize(300);
        b.click();
        b.frame()!.fire('blur');
        b.windowBlur();
        const unexpected = b.reads.filter((r) => !ALLOWED_READS.has(r));
        expect(unexpected).toEqual([]);
        expect(b.reads).not.toContain('location.href');
      });
    });
  }
});
