import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EMBED_MARK, EMBED_SIZES } from '../../protocol/embed.js';
// @ts-expect-error plain .mjs build script without type declarations
import { LOADER_SRC, minifyLoader } from './build.mjs';

const source: string = readFileSync(LOADER_SRC, 'utf8');

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
    } else if (c === '/' && code[i + 1] === '/') {
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
    ['getElementById', /getElementById/],
    ['getElementsByTagName / ByClassName / ByName', /getElementsBy/],
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
    ['MutationObserver', /MutationObserver/],
    ['fetch', /\bfetch\b/],
    ['XMLHttpRequest', /XMLHttpRequest/],
    ['sendBeacon', /sendBeacon/],
    ['WebSocket', /WebSocket/],
    ['EventSource', /EventSource/],
    ['input listener', /['"`](input|change|beforeinput|paste|copy|cut|submit|focus|focusin|blur)['"`]/],
    ['keyboard listener', /['"`]key(down|up|press)['"`]/],
    ['onkey*/oninput handler', /\.on(key\w*|input|change|submit)\b/],
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
    ['location.href / pathname / search / hash', /location\.(href|pathname|search|hash)/],
    ['postMessage (the loader never sends)', /postMessage/],
    ['allow-same-origin / sandbox games', /sandbox|allow-same-origin/],
    ['iframe allow attribute', /\.allow\b|['"`]allow['"`]/],
  ];

  it.each(forbidden)('does not use %s', (_name, pattern) => {
    expect(code).not.toMatch(pattern);
  });

  it('creates exactly one element, an iframe', () => {
    const created = [...code.matchAll(/createElement\s*\(\s*(['"`])(\w+)\1\s*\)/g)].map((m) => m[2]);
    expect(created).toEqual(['iframe']);
  });

  it('is an IIFE with no imports or exports', () => {
    expect(code.trim().startsWith('(function')).toBe(true);
    expect(code.trim().endsWith('})();')).toBe(true);
    expect(code).not.toMatch(/^\s*(import|export)\b/m);
  });

  it('checks origin, source and mark before acting on a message', () => {
    expect(code).toMatch(/event\.origin !== parley/);
    expect(code).toMatch(/event\.source !== frame\.contentWindow/);
    expect(code).toMatch(/data\.m !== MARK/);
    expect(code).toMatch(/data\.type !== 'layout'/);
  });
});

describe('loader.js size', () => {
  it('is at most 1.5 KB gzipped after minification', () => {
    const min: string = minifyLoader(source);
    const gz = gzipSync(min, { level: 9 }).length;
    expect(gz).toBeLessThanOrEqual(1536);
    // The aim is under a kilobyte; fail loudly if it creeps past it.
    expect(gz).toBeLessThan(1024);
  });

  it('minified output parses as a classic ES2017 script', () => {
    const min: string = minifyLoader(source);
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
    expect(num('CLOSED_W')).toBe(EMBED_SIZES.closed.width);
    expect(num('CLOSED_H')).toBe(EMBED_SIZES.closed.height);
    expect(num('OPEN_W')).toBe(EMBED_SIZES.open.width);
    expect(num('OPEN_H')).toBe(EMBED_SIZES.open.height);
    expect(num('FULLSCREEN_BELOW')).toBe(EMBED_SIZES.fullscreenBelowWidth);
  });
});

// ---------- behaviour, in a fake browser ----------

interface FakeFrame {
  tagName: string;
  title: string;
  src: string;
  contentWindow: object;
  css: Record<string, string>;
  style: { setProperty(name: string, value: string, priority: string): void };
}

function boot(options: { src?: string; key?: string | null; innerWidth?: number; code?: string } = {}) {
  const listeners: Record<string, Array<(event: unknown) => void>> = {};
  const appended: FakeFrame[] = [];
  const created: string[] = [];
  const frameWindow = {};
  const window: Record<string, unknown> = {
    innerWidth: options.innerWidth ?? 1280,
    addEventListener(type: string, fn: (event: unknown) => void) {
      (listeners[type] ??= []).push(fn);
    },
  };
  const document = {
    currentScript: {
      src: options.src ?? 'https://chat.parley.example/widget/loader.abc.js',
      getAttribute: (name: string) => (name === 'data-parley-key' ? (options.key === undefined ? 'pk_demo' : options.key) : null),
    },
    body: { appendChild: (el: FakeFrame) => appended.push(el) },
    createElement(tag: string): FakeFrame {
      created.push(tag);
      const css: Record<string, string> = {};
      return {
        tagName: tag,
        title: '',
        src: '',
        contentWindow: frameWindow,
        css,
        style: {
          setProperty(name, value, priority) {
            expect(priority).toBe('important');
            css[name] = value;
          },
        },
      };
    },
    addEventListener() {},
  };
  runInNewContext(options.code ?? source, {
    window,
    document,
    location: { origin: 'https://shop.example' },
    URL,
    encodeURIComponent,
  });
  const post = (data: unknown, origin = 'https://chat.parley.example', source: unknown = frameWindow) =>
    listeners.message?.forEach((fn) => fn({ data, origin, source }));
  const resize = (width: number) => {
    window.innerWidth = width;
    listeners.resize?.forEach((fn) => fn({}));
  };
  return { frame: appended[0], appended, created, post, resize, frameWindow };
}

describe('loader.js behaviour', () => {
  const layout = (open: boolean, position: 'left' | 'right' = 'right') => ({ m: EMBED_MARK, type: 'layout', open, position });

  for (const variant of ['source', 'minified'] as const) {
    describe(variant, () => {
      const code = variant === 'source' ? source : (minifyLoader(source) as string);

      it('creates one closed cross-origin iframe at the bottom right', () => {
        const { frame, created, appended } = boot({ code, key: 'pk demo&x' });
        expect(created).toEqual(['iframe']);
        expect(appended).toHaveLength(1);
        expect(frame!.title).toBe('Chat');
        expect(frame!.src).toBe(
          'https://chat.parley.example/widget/frame/?key=pk%20demo%26x&host=https%3A%2F%2Fshop.example',
        );
        expect(frame!.css).toMatchObject({
          position: 'fixed',
          bottom: '0',
          right: '0',
          left: 'auto',
          width: `${EMBED_SIZES.closed.width}px`,
          height: `${EMBED_SIZES.closed.height}px`,
          border: '0',
          background: 'transparent',
        });
        expect(Number(frame!.css['z-index'])).toBeGreaterThan(1e9);
      });

      it('does nothing without a key', () => {
        expect(boot({ code, key: null }).appended).toHaveLength(0);
      });

      it('opens, moves left and closes on layout messages from its own frame', () => {
        const { frame, post } = boot({ code });
        post(layout(true));
        expect(frame!.css).toMatchObject({ width: '400px', height: '640px', right: '0' });
        post(layout(true, 'left'));
        expect(frame!.css).toMatchObject({ left: '0', right: 'auto' });
        post(layout(false, 'left'));
        expect(frame!.css).toMatchObject({ width: '96px', height: '96px', left: '0' });
      });

      it('fills the viewport when open on a narrow screen, and follows resizes', () => {
        const { frame, post, resize } = boot({ code, innerWidth: 375 });
        post(layout(false));
        expect(frame!.css).toMatchObject({ width: '96px', height: '96px' });
        post(layout(true));
        expect(frame!.css).toMatchObject({ width: '100%', height: '100%' });
        resize(1024);
        expect(frame!.css).toMatchObject({ width: '400px', height: '640px' });
        resize(479);
        expect(frame!.css).toMatchObject({ width: '100%', height: '100%' });
      });

      it('ignores messages from other origins, other windows or without the mark', () => {
        const { frame, post } = boot({ code });
        post(layout(true), 'https://evil.example');
        post(layout(true), 'https://chat.parley.example', {});
        post({ ...layout(true), m: 'parley/2' });
        post({ ...layout(true), type: 'other' });
        post(null);
        post('parley/1');
        expect(frame!.css).toMatchObject({ width: '96px', height: '96px' });
      });
    });
  }
});
