/*
 * Loa web chat widget. Embed on any page with one tag:
 *   <script src="https://loa.example.gov.vn/widget.js" defer></script>
 * Options (attributes on the script tag): data-loa-url (server base URL, default: the script's
 * origin), data-loa-title (and data-loa-title-en, the title English visitors see),
 * data-loa-open="true" (start opened), data-loa-inline="#selector" (render inside an element
 * instead of a floating button), data-loa-start="thi_<contest>" (what the chat opens on, as a
 * Telegram deep link's payload: a contest's page opens the chat at that contest, once per tab),
 * data-loa-region="<slug of regions.yaml>" (a commune's portal: the visitor's questions go to that
 * commune's staff; it routes questions only, the visitor sees nothing of the commune's data).
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
  // The tag twice on one page (a portal's header and footer templates both have it): one chat.
  // Two drew two "Hỏi đáp" buttons, one on top of the other, each with its own conversation.
  if (window.__loaWidget) return;
  window.__loaWidget = true;
  var script = document.currentScript;
  var base = (script && script.getAttribute('data-loa-url')) || (script ? new URL(script.src).origin : '');
  var titles = {
    vi: (script && script.getAttribute('data-loa-title')) || 'Hỏi đáp – Loa',
    en: (script && script.getAttribute('data-loa-title-en')) || 'Questions and answers'
  };
  var inlineSel = script && script.getAttribute('data-loa-inline');
  var startOpen = script && script.getAttribute('data-loa-open') === 'true';
  var startWith = script && script.getAttribute('data-loa-start');
  if (startWith && !/^[A-Za-z0-9_-]{1,64}$/.test(startWith)) startWith = null;
  // The commune whose portal this is (the server checks it against regions.yaml).
  var region = script && script.getAttribute('data-loa-region');
  if (region && !/^[a-z0-9][a-z0-9-]{0,63}$/.test(region)) region = null;

  /** `bytes` random bytes from the browser's cryptographic generator, as hex. */
  function randomId(bytes) {
    var a = new Uint8Array(bytes);
    (window.crypto || window.msCrypto).getRandomValues(a);
    var out = '';
    for (var i = 0; i < a.length; i++) out += (a[i] < 16 ? '0' : '') + a[i].toString(16);
    return out;
  }
  // One session per commune: two communes' portals on one site (`tinh.gov.vn/xa-a`,
  // `tinh.gov.vn/xa-b`) share the browser's storage, and a visitor of both is a visitor of each.
  var key = region ? 'loa-session:' + region : 'loa-session';
  var session = null;
  try { session = localStorage.getItem(key); } catch (e) { /* private mode */ }
  if (session && !/^[A-Za-z0-9_-]{8,100}$/.test(session)) session = null;
  /**
   * The visitor's session id, made when they first write: a portal visitor who never uses the
   * chat is given none and costs Loa no request (each page view of the portal asked Loa for
   * held messages). A session id is what lets a visitor read their conversation: unguessable
   * (128 random bits).
   */
  function ensureSession() {
    if (!session) {
      session = 'w' + randomId(16);
      try { localStorage.setItem(key, session); } catch (e) { /* ignore */ }
    }
    return session;
  }

  var LABELS = {
    vi: {
      placeholder: 'Nhập câu hỏi của bạn…', input: 'Câu hỏi', send: 'Gửi', close: 'Đóng', open: 'Hỏi đáp',
      offline: 'Chưa gửi được vì thiết bị đang mất mạng. Tin nhắn sẽ tự gửi lại khi có mạng, hoặc bạn bấm “Gửi lại”.',
      unreachable: 'Chưa gửi được vì không kết nối được máy chủ. Bạn vui lòng kiểm tra kết nối mạng, đợi một lát rồi bấm “Gửi lại”.',
      server: 'Máy chủ đang bận hoặc đang khởi động lại nên chưa trả lời được. Bạn vui lòng đợi một lát rồi bấm “Gửi lại”.',
      typing: 'Đang trả lời…', conversation: 'Cuộc trò chuyện',
      limit: function (n) { return 'Tin nhắn dài tối đa ' + n + ' ký tự: phần vượt quá không được nhập. Bạn hãy viết ngắn gọn hơn.'; },
      clock: function (n) { return '⏱ Còn ' + n + ' giây'; }, timeUp: '⏱ Hết giờ',
      retry: 'Gửi lại', retryIn: function (s) { return 'Gửi lại (sau ' + (s >= 120 ? 'khoảng ' + Math.ceil(s / 60) + ' phút' : s + ' giây') + ')'; }
    },
    en: {
      placeholder: 'Type your question…', input: 'Question', send: 'Send', close: 'Close', open: 'Ask us',
      offline: 'Not sent: your device is offline. It is sent again by itself when you are back online, or press “Send again”.',
      unreachable: 'Not sent: cannot reach the server. Please check your connection, wait a moment, then press “Send again”.',
      server: 'The server is busy or restarting and did not answer. Please wait a moment, then press “Send again”.',
      typing: 'Answering…', conversation: 'Conversation',
      limit: function (n) { return 'A message is at most ' + n + ' characters: the rest was not taken. Please write a shorter one.'; },
      clock: function (n) { return '⏱ ' + n + ' s left'; }, timeUp: '⏱ Time is up',
      retry: 'Send again', retryIn: function (s) { return 'Send again (in ' + (s >= 120 ? 'about ' + Math.ceil(s / 60) + ' min' : s + ' s') + ')'; }
    }
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
    // contain: scrolling past the end of the log does not scroll the portal's page behind it
    // (on a phone the chat covers the page, and closing it showed another part of the page).
    '.loa-log{position:relative;flex:1;overflow-y:auto;overscroll-behavior:contain;padding:12px;background:#f5f7fa}',
    '.loa-msg{max-width:88%;margin:6px 0;padding:8px 11px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere}',
    '.loa-bot{background:#fff;border:1px solid #dde3ea}',
    '.loa-me{background:#dcecff;margin-left:auto}',
    '.loa-error{background:#fff4e5;border-color:#f0c36d}',
    '.loa-title{font-weight:700;display:block;margin-bottom:4px}',
    '.loa-msg a{color:#1a5fb4;text-decoration:underline;word-break:break-all}',
    '.loa-clock{display:block;margin-top:6px;font-weight:700;color:#1a5fb4}',
    '.loa-clock-end{color:#b3171e}',
    '.loa-btns{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0 8px}',
    '.loa-btns button,.loa-btns a{display:inline-block;width:auto;border:1px solid #b3171e;color:#b3171e;background:#fff;border-radius:16px;padding:5px 11px;min-height:36px;font:inherit;font-size:14px;cursor:pointer;text-decoration:none;text-align:left}',
    '.loa-btns button:hover{background:#fbeaea}',
    '.loa-form{display:flex;border-top:1px solid #dde3ea;margin:0}',
    // 16px: a smaller font in a text field makes Safari on iPhone zoom the page on focus.
    '.loa-form textarea{flex:1;min-width:0;width:auto;border:0;padding:10px;margin:0;font:inherit;font-size:16px;resize:none;height:44px;max-height:132px;overflow-y:auto;background:#fff;color:#1b1b1b}',
    '.loa-limit{padding:4px 12px;font-size:13px;color:#8a4b00;background:#fff4e5;border-top:1px solid #f0c36d}',
    '.loa-form button{display:block;width:auto;border:0;border-radius:0;background:#b3171e;color:#fff;padding:0 16px;margin:0;font:inherit;cursor:pointer}',
    '.loa-form button[aria-disabled=true],.loa-btns button:disabled{opacity:.6;cursor:default}',
    '.loa-typing{margin:6px 0;color:#555;font-style:italic}',
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
  // A chat log for screen readers: what is added is read out (politely), the rest is not.
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  box.id = 'loa-chat-box';
  var form = el('form', 'loa-form');
  var input = el('textarea');
  input.maxLength = {{MAX_LENGTH}}; // the server's limit (web.ts)
  var send = el('button', null, '');
  send.type = 'submit';
  form.appendChild(input);
  form.appendChild(send);
  box.appendChild(head);
  box.appendChild(log);
  // Said when the text reaches the limit: the field takes no more, and a pasted text longer
  // than that was cut without a word (1,560 characters pasted, 1,000 kept).
  var limitNote = el('div', 'loa-limit');
  limitNote.setAttribute('role', 'status');
  limitNote.style.display = 'none';
  box.appendChild(limitNote);
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
    log.setAttribute('aria-label', L.conversation);
    if (close) close.setAttribute('aria-label', L.close);
    if (opener) { opener.textContent = L.open; opener.setAttribute('lang', l); }
  }

  /** A phone-sized screen, where the open floating chat covers it (the CSS's 480 px). */
  function isPhone() {
    try { return !!(window.matchMedia && window.matchMedia('(max-width: 480px)').matches); } catch (e) { return false; }
  }
  /**
   * On a phone the open chat fits the part of the screen the on-screen keyboard leaves (the
   * visual viewport): the keyboard only shrinks that part, so a chat the height of the screen
   * had its text field under the keyboard, or the browser pushed its title and × off the top
   * to show the field. Not when pinch-zoomed (the visitor is looking closer at something).
   */
  function fitScreen() {
    var vv = window.visualViewport;
    var fit = vv && !inlineHost && box.style.display !== 'none' && isPhone() && vv.scale < 1.01;
    var h = fit ? vv.height + 'px' : '';
    box.style.top = fit ? vv.offsetTop + 'px' : '';
    if (box.style.height === h) return;
    box.style.height = h;
    // Smaller: what was at the bottom of the log (the latest message) stays in view.
    if (fit) log.scrollTop = log.scrollHeight;
  }
  if (window.visualViewport && window.visualViewport.addEventListener) {
    window.visualViewport.addEventListener('resize', fitScreen);
    window.visualViewport.addEventListener('scroll', fitScreen);
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
    // data-loa-open on a phone would cover the portal's page with the chat as it loads: there
    // the chat opens when the visitor taps its button.
    if (isPhone()) startOpen = false;
    box.style.display = startOpen ? 'flex' : 'none';
    opener.setAttribute('aria-expanded', startOpen ? 'true' : 'false');
    opener.setAttribute('aria-controls', box.id);
    opener.onclick = function () { setOpen(box.style.display === 'none'); if (box.style.display === 'flex') { input.focus(); greet(); } };
    close.onclick = function () { setOpen(false); opener.focus(); };
    // Escape closes the floating chat and gives the focus back to its button.
    box.onkeydown = function (ev) { if (ev.key === 'Escape') { setOpen(false); opener.focus(); } };
  }
  setLang(lang);

  // The conversation so far, kept for this tab (sessionStorage: gone when the tab is closed, so
  // the next person at a shared computer does not read it): a reload mid-conversation showed
  // an empty chat and greeted again (a new /start each time).
  var histKey = 'loa-history';
  var openKey = 'loa-open';
  var kept = [];
  function tabStore() { try { return window.sessionStorage || null; } catch (e) { return null; } }
  function keep(entry) {
    kept.push(entry);
    if (kept.length > 80) kept.splice(0, kept.length - 80);
    var st = tabStore();
    try { if (st) st.setItem(histKey, JSON.stringify({ session: ensureSession(), entries: kept })); } catch (e) { /* full or private mode */ }
  }
  /** Opens or closes the floating chat, remembered for a reload. */
  function setOpen(open) {
    box.style.display = open ? 'flex' : 'none';
    if (opener) opener.setAttribute('aria-expanded', open ? 'true' : 'false');
    fitScreen();
    var st = tabStore();
    try { if (st) st.setItem(openKey, open ? '1' : '0'); } catch (e) { /* ignore */ }
  }

  /**
   * `text` with its web addresses, e-mail addresses and phone numbers as links a finger can
   * follow (answers end with the office's contact, '0221 000 0000, thongtin@example.gov.vn';
   * staff's answers and corrections cite web pages: as plain text a phone user had to select
   * and copy them). Web addresses only http(s), opened in a new tab without access to this page;
   * phone numbers are Vietnamese ones (0 and 9-10 more digits, or an 1800/1900 line), in groups
   * or not, never part of a longer number or of '60/2014/QH13'. The rest stays text nodes.
   */
  var LINKABLE = /https?:\/\/[^\s<>"'“”]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|(?:\b0\d{2,3}|\b1[89]00)(?:[ .]?\d{2,4}){1,3}(?![\d\/])/g;
  function appendLinked(m, text) {
    var re = new RegExp(LINKABLE.source, 'g');
    var at = 0;
    var found;
    while ((found = re.exec(text))) {
      var part = found[0];
      var href = null;
      var newTab = false;
      if (/^https?:/.test(part)) {
        // A sentence's full stop or closing bracket after an address is not part of it.
        part = part.replace(/[.,;:!?)\]]+$/, '');
        href = part; newTab = true;
      } else if (part.indexOf('@') > 0) {
        part = part.replace(/\.+$/, '');
        href = 'mailto:' + part;
      } else {
        var digits = part.replace(/\D/g, '');
        var before = found.index > 0 ? text.charAt(found.index - 1) : '';
        var ok = /[\d\/.,]/.test(before) ? false : digits.charAt(0) === '0' ? digits.length === 10 || digits.length === 11 : digits.length >= 8 && digits.length <= 10;
        if (ok) href = 'tel:' + digits;
      }
      if (!href) { re.lastIndex = found.index + 1; continue; }
      if (found.index > at) m.appendChild(document.createTextNode(text.slice(at, found.index)));
      var a = el('a', null, part);
      a.href = href;
      if (newTab) { a.target = '_blank'; a.rel = 'noopener noreferrer'; }
      m.appendChild(a);
      at = found.index + part.length;
      re.lastIndex = at;
    }
    if (at < text.length) m.appendChild(document.createTextNode(text.slice(at)));
  }

  /** Adds to the log, above the "answering" line while there is one, and scrolls down. */
  function append(node) {
    if (typing && typing.parentNode === log) log.insertBefore(node, typing);
    else log.appendChild(node);
    log.scrollTop = log.scrollHeight;
  }

  function addMsg(who, text, titleText) {
    var m = el('div', 'loa-msg ' + (who === 'me' ? 'loa-me' : 'loa-bot'));
    if (titleText) {
      m.appendChild(el('span', 'loa-title', titleText));
      text = text.indexOf(titleText + '\n\n') === 0 ? text.slice(titleText.length + 2) : text;
    }
    if (who === 'me') m.appendChild(document.createTextNode(text));
    else appendLinked(m, text);
    append(m);
    log.scrollTop = log.scrollHeight;
    return m;
  }

  /**
   * A timed quiz question's clock, running down under it (the text says only how long there was:
   * '⏱ Thời gian: 20 giây.'). Only for a reply just answered (`countdown` is as of then): not for
   * one kept across a reload or held. Stops when the visitor answers or writes. Hidden from
   * screen readers, which would read it out every second; they have the question's text.
   */
  var clock = null;
  function startClock(m, seconds) {
    stopClock();
    var c = { el: el('span', 'loa-clock'), end: Date.now() + seconds * 1000, timer: 0 };
    c.el.setAttribute('aria-hidden', 'true');
    m.appendChild(c.el);
    var tick = function () {
      var left = Math.max(0, Math.ceil((c.end - Date.now()) / 1000));
      c.el.textContent = left > 0 ? LABELS[lang].clock(left) : LABELS[lang].timeUp;
      if (left <= 5) c.el.classList.add('loa-clock-end');
      // The next change: when the time left crosses the next whole second.
      if (left > 0) c.timer = setTimeout(tick, ((c.end - Date.now()) % 1000) || 1000);
    };
    tick();
    clock = c;
  }
  function stopClock() {
    if (!clock) return;
    clearTimeout(clock.timer);
    if (clock.el.parentNode) clock.el.parentNode.removeChild(clock.el);
    clock = null;
  }

  /** Shows a reply and its buttons; returns the reply's message. */
  function addReply(r, restoring, live) {
    if (!restoring) keep({ reply: r });
    var m = addMsg('bot', r.text, r.title);
    if (live && typeof r.countdown === 'number' && r.countdown > 0) startClock(m, r.countdown);
    var btns = (r.buttons || []);
    var links = (r.links || []);
    if (btns.length || links.length) {
      var row = el('div', 'loa-btns');
      btns.forEach(function (b, i) {
        var bt = el('button', null, (i + 1) + '. ' + b.label);
        bt.type = 'button';
        // A second tap while the first is being answered is dropped, as a second Enter is (a
        // double tap on a topic posted it twice and the visitor read the answer twice).
        bt.onclick = function () { if (busy) return; addMine(b.label); post({ action: b.action }); };
        row.appendChild(bt);
      });
      links.forEach(function (l) {
        if (!/^https?:\/\//.test(l.url)) return;
        var a = el('a', null, l.label + ' ↗');
        a.href = l.url; a.target = '_blank'; a.rel = 'noopener noreferrer';
        row.appendChild(a);
      });
      append(row);
    }
    return m;
  }

  /**
   * Shows the replies to one message. An answer taller than the log is shown from its start:
   * scrolled to the bottom, a phone showed the end of a 760 px answer (its buttons) and the
   * visitor had to scroll back up to find where it began.
   */
  function addReplies(replies, live) {
    var first = null;
    replies.forEach(function (r) { var m = addReply(r, false, live); if (!first) first = m; });
    if (first && log.scrollHeight - first.offsetTop > log.clientHeight) log.scrollTop = Math.max(0, first.offsetTop - 8);
  }

  var busy = false;
  var typing = null;
  /**
   * While a message is being answered: a line saying so (the answer can take a few seconds on a
   * phone's network), the log marked busy (a screen reader reads the replies once, together)
   * and Send marked unavailable. Not `disabled`: a disabled button loses the focus, and a
   * keyboard user who pressed Enter on Send was left at the top of the page (focus on <body>).
   */
  function setBusy(b) {
    busy = b;
    send.setAttribute('aria-disabled', b ? 'true' : 'false');
    log.setAttribute('aria-busy', b ? 'true' : 'false');
    if (b && !typing) {
      typing = el('div', 'loa-typing', LABELS[lang].typing);
      log.appendChild(typing);
      log.scrollTop = log.scrollHeight;
    } else if (!b && typing) {
      if (typing.parentNode) typing.parentNode.removeChild(typing);
      typing = null;
    }
  }
  /** Messages not sent (no connection, server down, refused): each with its "Gửi lại" button. */
  var unsent = [];
  /**
   * Posts `body`. A retry posts the same body with the same id: the server answers an id once
   * (a first try that got through is answered `duplicate`, and its answer, if the server kept
   * it, comes with what was held for the visitor).
   */
  function post(body) {
    setBusy(true);
    stopClock();
    body.session = ensureSession();
    if (region) body.region = region;
    if (!body.id) body.id = 'm' + Date.now().toString(36) + randomId(4);
    fetch(base + '/api/chat?lang=' + lang, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) {
        return r.json().then(function (data) { return { r: r, data: data }; }, function () { return { r: r, data: null }; });
      }, function () { return null; })
      .then(function (res) {
        // No answer at all: no connection, or the server is not there (restarting).
        // The device knows it is offline: sent again when it is back ('online'). Otherwise the
        // server may be restarting: the visitor sends again.
        if (!res) return navigator.onLine === false ? notSent(body, LABELS[lang].offline, 'offline', 0) : notSent(body, LABELS[lang].unreachable, 'unreachable', 0);
        var data = res.data;
        // Only Loa's own answers say ok:false with a sentence for the visitor; a proxy's 502 page
        // or a server error ('Internal Server Error') is not for the visitor to read.
        if (!data || (!res.r.ok && data.ok !== false)) return notSent(body, LABELS[lang].server, 'server', 0);
        setLang(data.lang);
        addReplies(data.replies || [], true);
        if (data.duplicate) askHeld();
        if (data.error) {
          // A refusal for now (too fast, too busy, disk low): the same message can go again after the wait.
          if (res.r.status === 429 || res.r.status === 503) notSent(body, data.error, 'refused', Number(res.r.headers.get('retry-after')) || 0);
          else addMsg('bot', data.error);
        }
        if (res.r.ok) sendPendingSoon();
      })
      .then(function () { setBusy(false); }, function () { setBusy(false); });
  }

  /** Says why `body` was not sent, with a button that sends it again (after `wait` seconds). */
  function notSent(body, why, kind, wait) {
    var note = addMsg('bot', why);
    note.classList.add('loa-error');
    var row = el('div', 'loa-btns');
    var again = el('button', 'loa-retry', LABELS[lang].retry);
    again.type = 'button';
    row.appendChild(again);
    append(row);
    var item = { body: body, kind: kind, note: note, row: row };
    unsent.push(item);
    again.onclick = function () { if (!busy && !again.disabled) retry(item); };
    var until = Date.now() + wait * 1000;
    if (wait > 0) {
      again.disabled = true;
      var tick = function () {
        var left = Math.ceil((until - Date.now()) / 1000);
        if (left <= 0) { again.disabled = false; again.textContent = LABELS[lang].retry; return; }
        again.textContent = LABELS[lang].retryIn(left);
        setTimeout(tick, 1000);
      };
      tick();
    }
  }

  function retry(item) {
    var i = unsent.indexOf(item);
    if (i < 0) return;
    unsent.splice(i, 1);
    if (item.row.parentNode) item.row.parentNode.removeChild(item.row);
    if (item.note.parentNode) item.note.parentNode.removeChild(item.note);
    post(item.body);
  }

  /** After a message got through, what failed for want of a connection goes too, in order. */
  function sendPendingSoon() {
    setTimeout(function () {
      if (busy) return;
      for (var i = 0; i < unsent.length; i++) if (unsent[i].kind === 'offline') return retry(unsent[i]);
    }, 0);
  }
  if (window.addEventListener) window.addEventListener('online', sendPendingSoon);

  /** What the visitor wrote or chose, shown and kept. */
  function addMine(text) { keep({ me: text }); return addMsg('me', text); }

  var greeted = false;
  /**
   * The first opening greets (/start); on a page whose tag names what to start with
   * (data-loa-start), the first opening in this tab runs that instead, even in a conversation
   * that came back from an earlier page.
   */
  function greet() {
    var linkKey = startWith ? 'loa-started:' + startWith : null;
    var st = tabStore();
    var started = false;
    try { started = !!(linkKey && st && st.getItem(linkKey)); } catch (e) { started = false; }
    if (linkKey && !started) {
      try { if (st) st.setItem(linkKey, '1'); } catch (e) { /* private mode: once per page view */ }
      greeted = true;
      post({ text: '/start ' + startWith });
      return;
    }
    if (greeted) return;
    greeted = true;
    post({ text: '/start' });
  }

  form.onsubmit = function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text || busy) return;
    addMine(text);
    input.value = '';
    fitInput();
    post({ text: text });
  };
  // Vietnamese is typed through an input method (Telex, VNI, a phone's keyboard): an Enter that
  // ends a composition picks the word, it does not send (it sent 'Đăng ký khai si'). Safari
  // reports that Enter after compositionend, with keyCode 229; others with isComposing.
  /** The field grows with what is typed, up to five lines (it stayed one line high). */
  function fitInput() {
    input.style.height = '';
    if (input.value && input.scrollHeight > 44) input.style.height = Math.min(input.scrollHeight, 132) + 'px';
    var full = input.value.length >= input.maxLength;
    limitNote.textContent = full ? LABELS[lang].limit(input.maxLength) : '';
    limitNote.style.display = full ? 'block' : 'none';
  }
  input.oninput = fitInput;
  var composing = false;
  input.oncompositionstart = function () { composing = true; };
  input.oncompositionend = function () { composing = false; };
  input.onkeydown = function (ev) {
    if (ev.key !== 'Enter' || ev.shiftKey) return;
    if (composing || ev.isComposing || ev.keyCode === 229) return;
    ev.preventDefault();
    form.onsubmit(ev);
  };
  // A reload: the conversation so far comes back, with no second greeting.
  (function restore() {
    var st = tabStore();
    var saved = null;
    try { saved = st && JSON.parse(st.getItem(histKey) || 'null'); } catch (e) { saved = null; }
    if (!saved || saved.session !== session || !saved.entries || !saved.entries.length) return;
    saved.entries.forEach(function (e) {
      if (typeof e.me === 'string') { kept.push(e); addMsg('me', e.me); }
      else if (e.reply && typeof e.reply.text === 'string') { kept.push(e); addReply(e.reply, true); }
    });
    greeted = true;
    var wasOpen = null;
    try { wasOpen = st.getItem(openKey); } catch (e) { /* ignore */ }
    if (!inlineHost && wasOpen === '1') setOpen(true);
  })();
  if (inlineHost || startOpen) greet();

  // What the office kept for this visitor while they were away (e.g. staff's answer to their
  // question): shown at once, opening the chat. Asked again when a retried message turns out to
  // have reached the server before (its answer may have been kept).
  function askHeld(id) {
    fetch(base + '/api/chat/held?session=' + encodeURIComponent(id || session) + '&lang=' + lang)
      .then(function (r) { return r.json(); })
      .then(function (data) {
        setLang(data.lang);
        var held = data.replies || [];
        if (!held.length) return;
        if (box.style.display === 'none') setOpen(true);
        addReplies(held);
      })
      .catch(function () { /* offline: asked again on the next load */ });
  }
  // Only a visitor who has written before can have something kept.
  if (session) askHeld();
  // A visitor who wrote on this site before its tag named the commune wrote under the site's
  // session without a region: staff's answer to that question is still shown to them here.
  var earlier = null;
  if (region) try { earlier = localStorage.getItem('loa-session'); } catch (e) { /* private mode */ }
  if (earlier && earlier !== session && /^[A-Za-z0-9_-]{8,100}$/.test(earlier)) askHeld(earlier);
})();
