/*
 * Parley loader: the only Parley code that runs in a tenant's page.
 *
 * It reads nothing of the page: only its own <script> element (data-parley-key, the optional signed
 * identity data-parley-user-id / data-parley-user-hash / data-parley-identity-jwt, and its own src,
 * which gives Parley's origin) and location.origin (so the frame knows which origin hosts it).
 * It creates one cross-origin <iframe> and afterwards only resizes it when that iframe, and only
 * that iframe, asks for it. It sends nothing to the frame. Plain ES2017, no dependencies.
 * Forbidden APIs are enforced by widget/loader/loader.test.ts; keep it that way.
 */
(function () {
  'use strict';
  // Duplicated from protocol/embed.ts (EMBED_MARK and EMBED_SIZES) because this file is plain JS
  // with no imports; widget/loader/loader.test.ts asserts these values equal the protocol ones.
  var MARK = 'parley/1';
  var CLOSED_W = 96;
  var CLOSED_H = 96;
  var OPEN_W = 400;
  var OPEN_H = 640;
  var FULLSCREEN_BELOW = 480;

  var me = document.currentScript;
  if (!me || !me.src || window.__parleyLoaded) return;
  var key = me.getAttribute('data-parley-key');
  if (!key) return;
  window.__parleyLoaded = 1;

  var parley = new URL(me.src).origin;
  var frame = document.createElement('iframe');
  var open = false;
  var left = false;

  function css(name, value) {
    // !important inline declarations win over any host-page stylesheet rule.
    frame.style.setProperty(name, value, 'important');
  }

  function layout() {
    var full = open && window.innerWidth < FULLSCREEN_BELOW;
    css('width', full ? '100%' : (open ? OPEN_W : CLOSED_W) + 'px');
    css('height', full ? '100%' : (open ? OPEN_H : CLOSED_H) + 'px');
    css('max-height', '100%');
    css('max-width', '100%');
    css(left ? 'left' : 'right', '0');
    css(left ? 'right' : 'left', 'auto');
  }

  frame.title = 'Chat';
  // A logged-in shopper's identity, signed by the tenant's backend, goes in the fragment (never sent to a server).
  var uid = me.getAttribute('data-parley-user-id');
  var uh = me.getAttribute('data-parley-user-hash');
  var jwt = me.getAttribute('data-parley-identity-jwt');
  frame.src =
    parley + '/widget/frame/?key=' + encodeURIComponent(key) + '&host=' + encodeURIComponent(location.origin) +
    (jwt ? '#jwt=' + encodeURIComponent(jwt) : uid ? '#uid=' + encodeURIComponent(uid) + (uh ? '&uh=' + encodeURIComponent(uh) : '') : '');
  css('position', 'fixed');
  css('bottom', '0');
  css('top', 'auto');
  css('border', '0');
  css('margin', '0');
  css('padding', '0');
  css('background', 'transparent');
  css('color-scheme', 'normal');
  css('z-index', '2147483000');
  layout();

  window.addEventListener('message', function (event) {
    var data = event.data;
    if (
      event.origin !== parley ||
      event.source !== frame.contentWindow ||
      !data ||
      data.m !== MARK ||
      data.type !== 'layout'
    ) {
      return;
    }
    open = data.open === true;
    left = data.position === 'left';
    layout();
  });
  window.addEventListener('resize', layout);

  function mount() {
    document.body.appendChild(frame);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
