/*
 * Parley loader: the only Parley code that runs in a tenant's page.
 *
 * It reads nothing of the page: only its own <script> element (data-parley-* attributes and its
 * src, which gives Parley's origin), location.origin (so the frame knows which origin hosts it),
 * the commands the page itself pushes to window.Parley, and whether its own iframe is the focused
 * element. It never reads the URL, the DOM, keys or input. Plain ES2017, no dependencies.
 *
 * What it draws: the launcher, a <button> in a closed shadow root (the loader's own element), whose
 * text (set as a string, never parsed as HTML) also shows what the frame reports: an unread count, or a proactive message (text, cut to
 * TIP characters; the launcher then wraps it in a bubble at most 240 px wide). The
 * chat frame does not exist until the shopper opens the chat with a trusted click or key on that
 * button (event.isTrusted); the frame cannot open, grow or go full-screen by itself (it has no way
 * to ask). When focus comes back to the host page the chat closes and, unless the page opted into
 * data-parley-keep, the frame is removed: no Parley frame exists while the shopper types on the
 * page, so none can take focus (Chromium lets any frame, even an inert or hidden one, call focus()).
 * With data-parley-keep the frame lives hidden to count unread messages; if the page loses focus
 * while the chat is closed, that frame is removed at once. Focus events are never read: the loader
 * only learns that its own iframe lost focus, or that the window did.
 *
 * One way out of the page, for the frame: it may name one of Parley's attachments, which the loader
 * opens in a new tab (window.open, no opener, no referrer) only while the chat is open and only on the
 * shopper's own click or key inside the frame (the browser's popup blocker); the server answers a
 * download. The frame's sandbox has no downloads and no popups of its own (docs/SECURITY.md).
 *
 * Frame <-> loader talk over one MessageChannel whose port is handed to the frame once, to Parley's
 * exact origin; the loader has no window 'message' listener at all. Forbidden APIs are enforced by
 * widget/loader/loader.test.ts; keep it that way.
 */
(function () {
  // Duplicated from protocol/embed.ts (plain JS, no imports); loader.test.ts asserts they are equal.
  var MARK = 'parley/1';
  var OPEN_W = 400;
  var OPEN_H = 640;
  var FULLSCREEN_BELOW = 480;
  var LAUNCHER = 48;
  var TIP = 140;
  // Exactly what the widget needs: its own origin (storage, API) and forms (submit events; the frame's
  // CSP form-action 'none' still blocks any real submission). No downloads (a frame allowed them could
  // drop files on the shopper's disk without a click: the loader opens attachments instead, below), no
  // popups, no top navigation of any kind, no modals.
  var SANDBOX = 'allow-scripts allow-same-origin allow-forms';
  // The one address the frame may ask the loader to open: an attachment on Parley's own origin, the shape
  // of the server's route (GET /files/:id/:key, server/routes/attachments/attachments.ts, which checks
  // each part): a path from the root, two segments of letters, digits, _ and -, nothing else.
  var FILE = /^\/files(\/[\w-]+){2}$/;
  // Permissions Policy. Parley's server denies the frame every powerful feature, and everything else a
  // chat does not use, in the Permissions-Policy header of every frame answer (protocol/embed.ts
  // FRAME_DENIED_FEATURES): no loader, old or altered, can widen that. This list only matters for a
  // document that is not Parley's (the frame navigated itself elsewhere): there, features whose default
  // is 'self' (camera, microphone, geolocation, payment, usb, fullscreen, clipboard, ...) are off in a
  // cross-origin frame that is granted nothing; of the default-'*' ones, picture-in-picture is the one
  // that could draw outside the frame. (Named until the frame red-team pass, dropped then for the
  // loader's byte budget: storage-access, browsing-topics and sync-xhr give such a document nothing of
  // the page.)
  var DENY = "picture-in-picture 'none'";

  var me = document.currentScript;
  if (!me || (window.Parley && window.Parley.loaded)) return;
  var attr = (name) => me.getAttribute('data-parley-' + name);
  var encoded = (name) => encodeURIComponent(attr(name) || '');
  var key = attr('key');
  if (!key) return;

  // Its own URL, as it is now (the page may change the element's src later). Parley's origin is its
  // origin: the frame's URL is resolved against it, and postMessage sends only to the origin of the URL
  // it is given (HTML: the target origin is parsed as a URL and only its origin kept). Not parsed here:
  // with the chat closed the loader does as little as it can (docs/BENCHMARKS.md, issue 14).
  var parley = me.src;
  var keep = attr('keep') != null;
  var hidden = attr('hide') != null;
  var color = /^#\w+$/.test(attr('color')) ? attr('color') : '#2f5d50';
  // Hide on these pages: page names, space-separated; the page names itself with ['page', name].
  var hideOn = attr('hide-on');
  var left = attr('position') === 'left';
  var offset = (n) => ((n = parseInt(n)) >= 0 ? n : 16);
  var dx = offset(attr('offset-x'));
  var dy = offset(attr('offset-y'));
  var context, frame, port;
  // open: when the shopper opened the chat (Date.now()), false while it is closed.
  var open;

  // Every declaration !important, set through the CSSOM (allowed under a CSP without 'unsafe-inline'):
  // inline !important wins over any host-page stylesheet rule.
  function css(el, text) {
    el.style.cssText = text.replace(/;/g, '!important;');
  }
  function place(w, h, x, y) {
    return 'position:fixed;z-index:2147483000;bottom:' + y + 'px;' + (left ? 'left:' : 'right:') + x + 'px;width:' + w + ';height:' + h + ';';
  }

  var box = document.createElement('parley-chat');
  var shadow = box.attachShadow({ mode: 'closed' });
  var button = document.createElement('button');
  // The launcher's visible text is its accessible name; the frame's note is appended to it: its unread
  // count, or a proactive message (issue 20) as text, never HTML (layout() below).
  // The page's language (data-parley-lang): the launcher's default label, and the frame's language.
  var label = attr('label') || (/^fr/i.test(attr('lang')) ? 'Discuter' : 'Chat');
  var unread = 0;
  css(button, 'height:100%;max-width:240px;padding:0 22px;border:0;border-radius:2em;color:#fff;font:700 1pc sans-serif;background:' + color + ';');
  shadow.appendChild(button);

  function layout() {
    // A string argument becomes a text node: never parsed as HTML.
    button.replaceChildren(unread ? label + ' ' + unread : label);
    // A message wraps: the launcher then grows upwards as a bubble (at most 240 px wide, TIP characters).
    css(box, 'all:initial;' + place('auto', unread.trim ? 'auto' : LAUNCHER + 'px', dx, dy) + 'display:' + (hidden || open ? 'none;' : 'block;'));
    if (frame)
      css(
        frame,
        // Opaque white under whatever the frame draws (all:initial also makes its color-scheme normal,
        // whatever the page's): a transparent frame document cannot show the page through itself while
        // taking its taps. So the card has no see-through margin around it: on desktop the iframe itself is
        // the card's shape, docked on the window's bottom edge at the launcher's horizontal offset with its
        // top corners rounded like the card's, and at most the window's height (whatever the launcher's
        // vertical offset, its header and close button stay on screen); on a phone it fills the viewport.
        'all:initial;background:#fff;max-width:100%;max-height:100%;visibility:' +
          (open
            ? 'visible;' +
              (window.innerWidth < FULLSCREEN_BELOW
                ? place('100%', '100%', 0, 0)
                : 'border-radius:1pc 1pc 0 0;' + place(OPEN_W + 'px', OPEN_H + 'px', dx, 0))
            : 'hidden;' + place(0, 0, 0, 0)),
      );
  }

  function send(message) {
    if (port) port.postMessage(message);
  }

  function make() {
    var channel = new MessageChannel();
    frame = document.createElement('iframe');
    frame.title = label;
    frame.sandbox = SANDBOX;
    frame.allow = DENY;
    // The frame learns the page's origin only (it is given it as host=, unescaped: an origin's scheme, host
    // and port hold no character that ends or changes a query value), never its path or query
    // (order ids, tokens): neither in document.referrer nor in its first request's Referer.
    frame.referrerPolicy = 'origin';
    // A logged-in shopper's identity, signed by the tenant's backend, goes in the fragment (never
    // sent to a server); empty when absent (widget/frame/src/identity.ts).
    // A path from the root, resolved against the loader's own URL: always on Parley's origin.
    frame.src = new URL(
      '/widget/frame/?key=' + encoded('key') + '&host=' + location.origin + '&lang=' + encoded('lang') +
        '#jwt=' + encoded('identity-jwt') + '&uid=' + encoded('user-id') + '&uh=' + encoded('user-hash'),
      parley,
    );
    port = channel.port1;
    // Anything the frame says goes through this port: 'close'; an attachment's path, to open it for the
    // shopper; or its note for the launcher: its unread count, or [a proactive
    // message], cut to TIP characters. Anything else clears the note.
    port.onmessage = (event) => {
      var data = event.data;
      if (data === 'close') shut(true);
      else if (FILE.test(data)) {
        // Only while the chat is open (a click on the page closes it first), not in the first 10 s after
        // the launcher click (that activation is the page's, not the shopper's click in the frame; it
        // lasts 5 s in Chromium and Firefox, and the wait is twice that: measured, an open exactly 5 s
        // after the click can still find it alive), and only Parley's attachment route, in a new
        // top-level context ('' is _blank) with no referrer and so no opener. window.open needs the page's transient
        // activation, which a click or key inside the frame gives its ancestors: no click, no
        // window; the server sends the file as a download (Content-Disposition: attachment, nosniff,
        // CSP sandbox), so nothing renders there.
        if (open && Date.now() - open > 1e4) window.open(new URL(data, parley), '', 'noreferrer');
      } else {
        unread = data.pop ? data[0].slice(0, TIP) : data > 0 && data;
        layout();
      }
    };
    // The port goes once, to Parley's exact origin (the origin of the loader's URL), after the frame's
    // first load.
    var mine = frame;
    mine.addEventListener(
      'load',
      () => mine.contentWindow.postMessage(MARK, parley, [channel.port2]),
      { once: true },
    );
    // Focus left the frame for something else on this page (the shopper clicked or tabbed there, or
    // into another frame): the chat closes, so no open frame is around while the shopper types on the
    // page. A switch to another window or tab (the page itself lost focus) leaves it open.
    frame.addEventListener('blur', () => document.hasFocus() && shut(false));
    send(context);
    document.body.appendChild(frame);
    layout();
  }

  function drop() {
    if (!frame) return;
    frame.remove();
    frame = port = null;
    unread = 0;
  }

  function shut(refocus) {
    if (!open) return;
    open = false;
    send('closed');
    if (!keep) drop();
    layout();
    if (refocus) button.focus();
  }

  button.addEventListener('click', (event) => {
    // Only the shopper opens the chat: a script's synthetic click is not trusted.
    if (!event.isTrusted) return;
    if (!frame) make();
    open = Date.now();
    send('open');
    layout();
    frame.focus();
  });
  window.addEventListener('resize', layout);
  // The page lost focus while the chat is closed: if a kept, hidden frame exists, it may be what took
  // it (Chromium lets even a hidden frame focus itself), so it is removed at once. (Also on a switch
  // to another tab: the unread count then waits for the next open.) The event is not read.
  window.addEventListener('blur', () => open || drop());

  // The page's own commands (window.Parley = [...] before the snippet, or Parley.push after):
  // ['show'], ['hide'], ['position', 'left'|'right', x, y], ['page', name, {attributes}].
  function command(args) {
    var name = args && args[0];
    if (name === 'page') {
      // The page says where it is: a page name and its own attributes, passed on as given (structured
      // clone) to the frame, which checks and trims them. The loader never looks them up itself.
      send((context = args.slice(1)));
      // With data-parley-hide-on, a page on that list hides the launcher and any other shows it.
      if (hideOn) name = hideOn.split(' ').includes(args[1]) ? 'hide' : 'show';
    }
    if (name === 'show' || name === 'hide') {
      hidden = name === 'hide';
      if (hidden) shut(false);
    } else if (name === 'position') {
      left = args[1] === 'left';
      dx = offset(args[2]);
      dy = offset(args[3]);
    }
    layout();
  }
  var queued = window.Parley;
  window.Parley = { loaded: 1, push: command };
  [].forEach.call(queued || [], command);

  function mount() {
    document.body.appendChild(box);
    layout();
    if (keep) setTimeout(make, 500);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
