// Loa admin: small progressive enhancements. Every page works without this file.
(function () {
  'use strict';
  var csrf = function () {
    var el = document.querySelector('input[name=_csrf]');
    return el ? el.value : '';
  };

  // Confirm dangerous actions: <button data-confirm="…">.
  document.addEventListener('submit', function (e) {
    var btn = e.submitter || (e.target && e.target.querySelector('[data-confirm]'));
    var msg = btn && btn.getAttribute && btn.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) e.preventDefault();
  });

  // A progress bar's width as rendered (<span data-percent>): set here, since the admin's CSP
  // (style-src 'self') drops a style="width: …" attribute, and the bar showed empty until the
  // page's first poll.
  document.querySelectorAll('[data-progress] > span[data-percent]').forEach(function (bar) {
    bar.style.width = Math.min(100, Number(bar.getAttribute('data-percent')) || 0) + '%';
  });

  // "Select all" for a list of tick boxes: <button type="button" data-check-all="name"> ticks every
  // box of that name in its form (none starts ticked where each must be read first).
  document.addEventListener('click', function (e) {
    var t = e.target && e.target.closest && e.target.closest('[data-check-all]');
    if (!t || !t.form) return;
    t.form.querySelectorAll('input[type=checkbox][name="' + t.getAttribute('data-check-all') + '"]').forEach(function (box) {
      box.checked = true;
    });
  });

  // A print button on a printable page (the A4 poster): <button data-print>.
  document.addEventListener('click', function (e) {
    var t = e.target && e.target.closest && e.target.closest('[data-print]');
    if (t) window.print();
  });

  // Live values: <div data-poll="/admin/…/live.json" data-every="2">; children with
  // data-field="name" get the value, [data-progress] gets width = done/total.
  function poll(el) {
    var url = el.getAttribute('data-poll');
    var every = Number(el.getAttribute('data-every') || '3') * 1000;
    var stopWhen = el.getAttribute('data-stop-when');
    var tick = function () {
      fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) {
          // Signed out or gone: polling again cannot help. Anything else (a 502 from the proxy,
          // a busy server) is passing: the catch below tries again, so the page stays live.
          if (r.status === 401 || r.status === 403 || r.status === 404) return null;
          if (!r.ok) throw new Error('HTTP ' + r.status);
          return r.json();
        })
        .then(function (data) {
          if (!data) return;
          el.querySelectorAll('[data-field]').forEach(function (f) {
            var v = data[f.getAttribute('data-field')];
            if (v !== undefined && v !== null) f.textContent = typeof v === 'number' ? v.toLocaleString('vi-VN') : String(v);
          });
          var bar = el.querySelector('[data-progress] > span');
          if (bar && data.total > 0) {
            var pct = Math.min(100, Math.round((100 * data.done) / data.total));
            bar.style.width = pct + '%';
            bar.parentNode.setAttribute('aria-valuenow', String(pct));
          }
          if (stopWhen && String(data.status) && stopWhen.split(',').indexOf(String(data.status)) >= 0) return;
          setTimeout(tick, every);
        })
        .catch(function () { setTimeout(tick, every * 2); });
    };
    tick();
  }
  document.querySelectorAll('[data-poll]').forEach(poll);

  // Live preview: <form data-preview="/admin/…/preview" data-target="#id"> posts its fields
  // (debounced) and puts the returned HTML into the target.
  document.querySelectorAll('form[data-preview]').forEach(function (form) {
    var target = document.querySelector(form.getAttribute('data-target'));
    var timer;
    var run = function () {
      var body = new URLSearchParams(new FormData(form));
      fetch(form.getAttribute('data-preview'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrf() },
        credentials: 'same-origin',
        body: body.toString(),
      })
        .then(function (r) { return r.text(); })
        .then(function (html) { if (target) target.innerHTML = html; });
    };
    form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(run, 300); });
    form.addEventListener('change', function () { clearTimeout(timer); timer = setTimeout(run, 100); });
    run();
  });

  // Raw file editor: clicking an error with data-line="N" selects line N in the text.
  var raw = document.querySelector('textarea[data-raw]');
  if (raw) {
    document.querySelectorAll('li[data-line]').forEach(function (li) {
      li.style.cursor = 'pointer';
      li.title = 'Bấm để tới dòng này';
      li.addEventListener('click', function () {
        var n = Number(li.getAttribute('data-line'));
        var lines = raw.value.split('\n');
        var start = 0;
        for (var i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;
        raw.focus();
        raw.setSelectionRange(start, start + (lines[n - 1] || '').length);
        var lh = raw.scrollHeight / Math.max(1, lines.length);
        raw.scrollTop = Math.max(0, (n - 3) * lh);
      });
    });
  }
})();
