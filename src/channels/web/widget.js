/*
 * Loa web chat widget. Embed on any page with one tag:
 *   <script src="https://loa.example.gov.vn/widget.js" defer></script>
 * Options (attributes on the script tag): data-loa-url (server base URL, default: the script's
 * origin), data-loa-title (and data-loa-title-en, the title English visitors see),
 * data-loa-open="true" (start opened), data-loa-inline="#selector" (render inside an element
 * instead of a floating button).
 * Plain DOM, no dependencies, every text set with textContent (no HTML injection).
 *
 * Language: the widget's own words (button, placeholder, errors) follow the visitor's language.
 * On a first visit that is the browser's (English when the browser prefers English and lists no
 * Vietnamese); it is sent as ?lang= and the server greets a new visitor in it. From then on it is
 * the language the server says it answers the visitor in (`lang` in each response, remembered),
 * so /en, /vi and a question in the other language switch the widget too.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  var base = (script && script.getAttribute('data-loa-url')) || (script ? new URL(script.src).origin : '');
  var titles = {
    vi: (script && script.getAttribute('data-loa-title')) || 'Hỏi đáp – Loa',
    en: (script && script.getAttribute('data-loa-title-en')) || 'Questions and answers'
  };
  var inlineSel = script && script.getAttribute('data-loa-inline');
  var startOpen = script && script.getAttribute('data-loa-open') === 'true';

  /** `bytes` random bytes from the browser's cryptographic generator, as hex. */
  function randomId(bytes) {
    var a = new Uint8Array(bytes);
    (window.crypto || window.msCrypto).getRandomValues(a);
    var out = '';
    for (var i = 0; i < a.length; i++) out += (a[i] < 16 ? '0' : '') + a[i].toString(16);
    return out;
  }
  var key = 'loa-session';
  var session = null;
  try { session = localStorage.getItem(key); } catch (e) { /* private mode */ }
  if (!session || !/^[A-Za-z0-9_-]{8,100}$/.test(session)) {
    // A session id is what lets a visitor read their conversation: unguessable (128 random bits).
    session = 'w' + randomId(16);
    try { localStorage.setItem(key, session); } catch (e) { /* ignore */ }
  }

  var LABELS = {
    vi: { placeholder: 'Nhập câu hỏi của bạn…', input: 'Câu hỏi', send: 'Gửi', close: 'Đóng', open: 'Hỏi đáp', offline: 'Không kết nối được máy chủ. Vui lòng thử lại sau.' },
    en: { placeholder: 'Type your question…', input: 'Question', send: 'Send', close: 'Close', open: 'Ask us', offline: 'Cannot reach the server. Please try again later.' }
  };
  var langKey = 'loa-lang';
  /** The browser's language: English when it prefers English and lists no Vietnamese. */
  function browserLang() {
    var list = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || '']).map(function (l) { return String(l).toLowerCase(); });
    if (list.some(function (l) { return l.indexOf('vi') === 0; })) return 'vi';
    return list[0] && list[0].indexOf('en') === 0 ? 'en' : 'vi';
  }
  var lang = null;
  try { lang = localStorage.getItem(langKey); } catch (e) { /* private mode */ }
  if (lang !== 'vi' && lang !== 'en') lang = browserLang();

  // The widget lives in a shadow root (where the browser has them): the portal's CSS does not
  // reach it (a portal's `button { width: 100% }` or `div { padding: 10px }` broke its layout)
  // and its CSS does not reach the portal. `:host` resets what the page would pass down
  // (font, colour, line height, text-transform); `!important` because a `:host` rule otherwise
  // loses to the page's own rules for the host element.
  var css = [
    ':host{all:initial!important;display:block!important}',
    // Inline: the host fills the portal's element, as the box did before it had a host.
    ':host(.loa-host-inline){width:100%!important;height:100%!important}',
    '.loa-box,.loa-box *,.loa-open{box-sizing:border-box}',
    '.loa-box{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#fff;border:1px solid #c9d3de;border-radius:10px;display:flex;flex-direction:column;overflow:hidden;box-shadow:0 6px 24px rgba(0,0,0,.15);text-align:left;letter-spacing:normal;text-transform:none}',
    '.loa-float{position:fixed;right:16px;bottom:80px;width:min(380px,calc(100vw - 32px));height:min(560px,calc(100vh - 120px));z-index:2147483000}',
    // A phone: the open chat takes the whole screen (a 328×560 box left the portal's page
    // showing around it and the log a few lines high).
    '@media (max-width:480px){.loa-float{left:0;right:0;top:0;bottom:auto;width:100%;height:100%;border-radius:0;border:0}}',
    '.loa-inline{width:100%;height:100%;min-height:420px;box-shadow:none}',
    '.loa-head{background:#b3171e;color:#fff;padding:10px 14px;font-weight:600;display:flex;justify-content:space-between;align-items:center}',
    '.loa-head button{background:none;border:0;color:#fff;font-size:24px;line-height:1;cursor:pointer;min-width:44px;min-height:44px;margin:-10px -14px -10px 0}',
    '.loa-log{flex:1;overflow-y:auto;padding:12px;background:#f5f7fa}',
    '.loa-msg{max-width:88%;margin:6px 0;padding:8px 11px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere}',
    '.loa-bot{background:#fff;border:1px solid #dde3ea}',
    '.loa-me{background:#dcecff;margin-left:auto}',
    '.loa-title{font-weight:700;display:block;margin-bottom:4px}',
    '.loa-btns{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0 8px}',
    '.loa-btns button,.loa-btns a{display:inline-block;width:auto;border:1px solid #b3171e;color:#b3171e;background:#fff;border-radius:16px;padding:5px 11px;min-height:36px;font:inherit;font-size:14px;cursor:pointer;text-decoration:none;text-align:left}',
    '.loa-btns button:hover{background:#fbeaea}',
    '.loa-form{display:flex;border-top:1px solid #dde3ea;margin:0}',
    // 16px: a smaller font in a text field makes Safari on iPhone zoom the page on focus.
    '.loa-form textarea{flex:1;min-width:0;width:auto;border:0;padding:10px;margin:0;font:inherit;font-size:16px;resize:none;height:44px;background:#fff;color:#1b1b1b}',
    '.loa-form button{display:block;width:auto;border:0;border-radius:0;background:#b3171e;color:#fff;padding:0 16px;margin:0;font:inherit;cursor:pointer}',
    '.loa-form button:disabled{opacity:.6;cursor:default}',
    '.loa-box button:focus-visible,.loa-box a:focus-visible,.loa-box textarea:focus-visible,.loa-open:focus-visible{outline:3px solid #1a5fb4;outline-offset:1px}',
    '.loa-open{position:fixed;right:16px;bottom:16px;z-index:2147483000;display:block;width:auto;margin:0;background:#b3171e;color:#fff;border:0;border-radius:28px;padding:12px 18px;font:600 15px/1.2 system-ui,sans-serif;text-transform:none;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}'
  ].join('\n');

  // The host: an element no portal rule names (`loa-chat`), its shadow root holding the widget.
  var hostEl = document.createElement('loa-chat');
  var root = hostEl;
  try { if (hostEl.attachShadow) root = hostEl.attachShadow({ mode: 'open' }); } catch (e) { /* old browser: in the page */ }
  // A constructed style sheet is not an inline <style>: a portal's Content-Security-Policy
  // without 'unsafe-inline' in style-src blocks a <style> element (the widget then showed
  // unstyled, its opener at the end of the page) but not this.
  var styled = false;
  try {
    if (root !== hostEl && 'adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function') {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
      styled = true;
    }
  } catch (e) { /* older browser: a <style> element below */ }
  if (!styled) {
    var style = document.createElement('style');
    style.textContent = css;
    (root !== hostEl ? root : document.head).appendChild(style);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  var box = el('div', 'loa-box');
  box.setAttribute('role', 'region');
  var head = el('div', 'loa-head');
  var headTitle = el('span', null, '');
  head.appendChild(headTitle);
  var log = el('div', 'loa-log');
  log.setAttribute('aria-live', 'polite');
  var form = el('form', 'loa-form');
  var input = el('textarea');
  input.maxLength = {{MAX_LENGTH}}; // the server's limit (web.ts)
  var send = el('button', null, '');
  send.type = 'submit';
  form.appendChild(input);
  form.appendChild(send);
  box.appendChild(head);
  box.appendChild(log);
  box.appendChild(form);

  var close = null;
  var opener = null;
  /** Writes the widget's own words in `l` ('vi' or 'en') and remembers it. */
  function setLang(l) {
    if (l !== 'vi' && l !== 'en') return;
    lang = l;
    try { localStorage.setItem(langKey, l); } catch (e) { /* ignore */ }
    var L = LABELS[l];
    box.setAttribute('aria-label', titles[l]);
    box.setAttribute('lang', l);
    headTitle.textContent = titles[l];
    input.placeholder = L.placeholder;
    input.setAttribute('aria-label', L.input);
    send.textContent = L.send;
    if (close) close.setAttribute('aria-label', L.close);
    if (opener) { opener.textContent = L.open; opener.setAttribute('lang', l); }
  }

  var inlineHost = inlineSel ? document.querySelector(inlineSel) : null;
  if (inlineHost) {
    box.classList.add('loa-inline');
    hostEl.className = 'loa-host-inline';
    root.appendChild(box);
    inlineHost.appendChild(hostEl);
  } else {
    box.classList.add('loa-float');
    close = el('button', null, '×');
    close.type = 'button';
    head.appendChild(close);
    opener = el('button', 'loa-open', '');
    opener.type = 'button';
    root.appendChild(opener);
    root.appendChild(box);
    document.body.appendChild(hostEl);
    box.style.display = startOpen ? 'flex' : 'none';
    opener.onclick = function () { box.style.display = box.style.display === 'none' ? 'flex' : 'none'; if (box.style.display === 'flex') { input.focus(); greet(); } };
    close.onclick = function () { box.style.display = 'none'; };
  }
  setLang(lang);

  function addMsg(who, text, titleText) {
    var m = el('div', 'loa-msg ' + (who === 'me' ? 'loa-me' : 'loa-bot'));
    if (titleText) {
      m.appendChild(el('span', 'loa-title', titleText));
      text = text.indexOf(titleText + '\n\n') === 0 ? text.slice(titleText.length + 2) : text;
    }
    m.appendChild(document.createTextNode(text));
    log.appendChild(m);
    log.scrollTop = log.scrollHeight;
  }

  function addReply(r) {
    addMsg('bot', r.text, r.title);
    var btns = (r.buttons || []);
    var links = (r.links || []);
    if (btns.length || links.length) {
      var row = el('div', 'loa-btns');
      btns.forEach(function (b, i) {
        var bt = el('button', null, (i + 1) + '. ' + b.label);
        bt.type = 'button';
        // A second tap while the first is being answered is dropped, as a second Enter is (a
        // double tap on a topic posted it twice and the visitor read the answer twice).
        bt.onclick = function () { if (busy) return; addMsg('me', b.label); post({ action: b.action }); };
        row.appendChild(bt);
      });
      links.forEach(function (l) {
        if (!/^https?:\/\//.test(l.url)) return;
        var a = el('a', null, l.label + ' ↗');
        a.href = l.url; a.target = '_blank'; a.rel = 'noopener noreferrer';
        row.appendChild(a);
      });
      log.appendChild(row);
      log.scrollTop = log.scrollHeight;
    }
  }

  var busy = false;
  function post(body) {
    busy = true; send.disabled = true;
    body.session = session;
    body.id = 'm' + Date.now().toString(36) + randomId(4);
    fetch(base + '/api/chat?lang=' + lang, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); })
      .then(function (data) { setLang(data.lang); (data.replies || []).forEach(addReply); if (data.error) addMsg('bot', data.error); })
      .catch(function () { addMsg('bot', LABELS[lang].offline); })
      .then(function () { busy = false; send.disabled = false; });
  }

  var greeted = false;
  function greet() { if (greeted) return; greeted = true; post({ text: '/start' }); }

  form.onsubmit = function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text || busy) return;
    addMsg('me', text);
    input.value = '';
    post({ text: text });
  };
  // Vietnamese is typed through an input method (Telex, VNI, a phone's keyboard): an Enter that
  // ends a composition picks the word, it does not send (it sent 'Đăng ký khai si'). Safari
  // reports that Enter after compositionend, with keyCode 229; others with isComposing.
  var composing = false;
  input.oncompositionstart = function () { composing = true; };
  input.oncompositionend = function () { composing = false; };
  input.onkeydown = function (ev) {
    if (ev.key !== 'Enter' || ev.shiftKey) return;
    if (composing || ev.isComposing || ev.keyCode === 229) return;
    ev.preventDefault();
    form.onsubmit(ev);
  };
  if (inlineHost || startOpen) greet();

  // What the office kept for this visitor while they were away (e.g. staff's answer to their
  // question): shown at once, opening the chat.
  fetch(base + '/api/chat/held?session=' + encodeURIComponent(session) + '&lang=' + lang)
    .then(function (r) { return r.json(); })
    .then(function (data) {
      setLang(data.lang);
      var held = data.replies || [];
      if (!held.length) return;
      if (box.style.display === 'none') box.style.display = 'flex';
      held.forEach(addReply);
    })
    .catch(function () { /* offline: asked again on the next load */ });
})();
