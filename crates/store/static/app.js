// Madd Store: small enhancements. Every page works without this file; it only adds the live
// nickname check, instant search, operator lookup, live invoice updates, copy buttons and a
// double-submit guard. Text from the server is only ever set with textContent or moved as nodes
// the server rendered (and escaped).
'use strict';
(function () {
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // Fetches one of our own pages and returns the element `sel` of it.
  function fetchPart(url, sel) {
    return fetch(url, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (r) { return r.text(); })
      .then(function (html) { return $(sel, new DOMParser().parseFromString(html, 'text/html')); });
  }

  // Double-submit guard: a form is sent once; its button says it is working.
  function guardForms(root) {
    $$('form[data-once]', root).forEach(function (form) {
      form.addEventListener('submit', function (e) {
        if (form.dataset.sent) { e.preventDefault(); return; }
        form.dataset.sent = '1';
        var b = $('button[type=submit]', form);
        if (b) { b.disabled = true; if (b.dataset.working) { b.textContent = b.dataset.working; } }
      });
    });
  }
  window.addEventListener('pageshow', function (e) {
    if (!e.persisted) { return; }
    $$('form[data-once]').forEach(function (f) {
      // Only undo the guard: a button the server disabled (store closed) stays disabled.
      if (!f.dataset.sent) { return; }
      delete f.dataset.sent;
      var b = $('button[type=submit]', f);
      if (b) { b.disabled = false; }
    });
  });

  // Copy buttons (hidden without JavaScript).
  function copyButtons(root) {
    $$('button.copy', root).forEach(function (b) {
      b.hidden = false;
      b.addEventListener('click', function () {
        var text = b.dataset.copy.replace(/\s/g, '');
        var done = function () { var old = b.textContent; b.textContent = b.dataset.done; setTimeout(function () { b.textContent = old; }, 1500); };
        if (navigator.clipboard) { navigator.clipboard.writeText(text).then(done, function () {}); }
      });
    });
  }

  // Home: instant filtering of the tiles.
  var q = $('input[data-filter]');
  if (q) {
    q.addEventListener('input', function () {
      var v = q.value.trim().toLowerCase(), shown = 0;
      $$('.tile').forEach(function (t) {
        var hit = !v || t.dataset.search.indexOf(v) >= 0;
        t.hidden = !hit;
        if (hit) { shown++; }
      });
      $$('section.group').forEach(function (s) {
        var tiles = $$('.tile', s);
        if (tiles.length) { s.hidden = tiles.every(function (t) { return t.hidden; }); }
      });
      var none = $('#no-results');
      if (none) { none.hidden = shown > 0; }
    });
  }

  // Game page: the nickname is checked as soon as the ID (and zone) is complete.
  var form = $('form[data-nickname="true"]');
  if (form) {
    var target = $('#target', form), zone = $('#zone', form), out = $('#nick');
    var timer = null, last = '';
    var complete = function () {
      if (target.value.replace(/\s/g, '').length < +target.dataset.min) { return false; }
      if (zone && zone.tagName === 'INPUT' && zone.value.replace(/\D/g, '').length < +zone.dataset.min) { return false; }
      return true;
    };
    var check = function () {
      if (!complete()) { last = ''; out.textContent = ''; out.className = 'nickline'; return; }
      var picked = $('input[name=product]:checked', form);
      var body = { product: picked ? picked.value : form.dataset.probe, target: target.value, zone: zone ? zone.value : null };
      var key = JSON.stringify([body.target, body.zone]);
      if (key === last) { return; }
      last = key;
      out.textContent = out.dataset.checking;
      out.className = 'nickline';
      fetch('/api/v1/nickname', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (res) {
          if (key !== last) { return; }
          if (res.ok) {
            out.textContent = out.dataset.label + ': ' + res.j.nickname;
            out.className = 'nickline ok';
          } else {
            out.textContent = (res.j && res.j.error && res.j.error.message) || '';
            out.className = 'nickline bad';
          }
        })
        .catch(function () { last = ''; out.textContent = ''; });
    };
    var soon = function () { clearTimeout(timer); timer = setTimeout(check, 400); };
    target.addEventListener('input', soon);
    if (zone) { zone.addEventListener('input', soon); zone.addEventListener('change', soon); }
    if (target.value) { soon(); }
  }

  // Pulsa: the operator's products appear as the number is typed.
  var nomor = $('#nomor');
  if (nomor) {
    var ptimer = null, shown = nomor.value.replace(/\D/g, '');
    $$('.js-hide').forEach(function (b) { b.hidden = true; });
    nomor.addEventListener('input', function () {
      clearTimeout(ptimer);
      ptimer = setTimeout(function () {
        var digits = nomor.value.replace(/\D/g, '');
        if (digits.length < 10 || digits === shown) { return; }
        shown = digits;
        fetchPart('/pulsa?nomor=' + encodeURIComponent(nomor.value), nomor.dataset.swap).then(function (part) {
          var here = $(nomor.dataset.swap);
          if (part && here && shown === digits) { here.replaceWith(part); guardForms(part); }
        });
      }, 400);
    });
  }

  // Invoice: countdown, and live status through the JSON API.
  var inv = $('#invoice');
  function countdown() {
    $$('.countdown').forEach(function (el) {
      // A page built once for everyone (a flash sale's) has no server time: the phone's clock.
      var offset = el.dataset.now ? +el.dataset.now - Date.now() : 0;
      var two = function (n) { return (n < 10 ? '0' : '') + n; };
      var tick = function () {
        var left = Math.max(0, +el.dataset.expires - (Date.now() + offset));
        var h = Math.floor(left / 3600000), m = Math.floor(left % 3600000 / 60000), s = Math.floor(left % 60000 / 1000);
        el.textContent = h > 0 ? h + ':' + two(m) + ':' + two(s) : m + ':' + two(s);
        if (left > 0 && document.body.contains(el)) { setTimeout(tick, 1000); }
      };
      tick();
    });
  }
  if (!inv && $('.flash .countdown')) { countdown(); }
  if (inv) {
    countdown();
    var poll = function () {
      var cur = $('#invoice');
      if (!cur || cur.dataset.live !== 'true') { return; }
      fetch('/api/v1/orders/' + encodeURIComponent(cur.dataset.code), { headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (o) {
          var payment = o && o.payment ? o.payment.ref : '';
          if (o && (o.status !== cur.dataset.status || String(o.amount_paid) !== cur.dataset.paid ||
                    payment !== cur.dataset.payment)) {
            return fetchPart(location.pathname, '#invoice').then(function (part) {
              if (part) { cur.replaceWith(part); copyButtons(part); countdown(); }
            });
          }
        })
        .catch(function () {})
        .then(function () { setTimeout(poll, $('#invoice[data-preparing]') ? 400 : 2000); });
    };
    setTimeout(poll, inv.dataset.preparing ? 400 : 2000);
  }

  // Order forms: an error is shown beside its field, and the page opens at the first one.
  function showFirstError() {
    var err = $('.field-error');
    if (!err) { return; }
    var field = $('[autofocus]') || $('#nominal input:not([disabled])');
    if (field) { field.focus({ preventScroll: true }); }
    err.scrollIntoView({ block: 'center' });
  }
  function fieldError(form, id, text, anchor) {
    var p = document.getElementById('err-' + id);
    if (!text) { if (p) { p.remove(); } return; }
    if (!p) {
      p = document.createElement('p');
      p.className = 'field-error';
      p.id = 'err-' + id;
      anchor.parentNode.insertBefore(p, anchor.nextSibling);
    }
    p.textContent = text;
  }
  var order = $('form[data-missing-product]');
  if (order) {
    order.addEventListener('submit', function (e) {
      var target = $('#target', order), wa = $('#whatsapp', order), nominal = $('#nominal', order);
      var missing = {
        target: !target.value.trim() && order.dataset.missingTarget,
        product: !$('input[name=product]:checked', order) && order.dataset.missingProduct,
        whatsapp: !wa.value.trim() && order.dataset.missingWhatsapp
      };
      fieldError(order, 'target', missing.target, target.closest('.row'));
      fieldError(order, 'product', missing.product, $('legend', nominal));
      fieldError(order, 'whatsapp', missing.whatsapp, wa.closest('label'));
      [[target, 'target'], [nominal, 'product'], [wa, 'whatsapp']].forEach(function (p) {
        if (missing[p[1]]) {
          p[0].setAttribute('aria-invalid', 'true');
          p[0].setAttribute('aria-describedby', 'err-' + p[1]);
        } else if (p[0].getAttribute('aria-describedby') === 'err-' + p[1]) {
          p[0].removeAttribute('aria-invalid');
          p[0].removeAttribute('aria-describedby');
        }
      });
      if (missing.target || missing.product || missing.whatsapp) {
        e.preventDefault();
        e.stopImmediatePropagation();
        $$('[autofocus]', order).forEach(function (f) { f.removeAttribute('autofocus'); });
        var first = missing.target ? target : missing.product ? $('#nominal input:not([disabled])', order) : wa;
        if (first) { first.setAttribute('autofocus', ''); }
        showFirstError();
      }
    });
    // "123456780 (2345)" pasted into the ID: the zone goes to its own field.
    var id = $('#target', order), zoneField = $('#zone', order);
    if (id && zoneField && zoneField.tagName === 'INPUT') {
      id.addEventListener('input', function () {
        var m = /^\s*([\d\s]+?)\s*\(\s*(\d+)\s*\)?\s*$/.exec(id.value);
        if (m) {
          id.value = m[1].replace(/\s/g, '');
          zoneField.value = m[2];
          zoneField.dispatchEvent(new Event('input'));
        }
      });
    }
  }

  // Game page: the buyers' reviews, from their own page (kept out of this page's cache).
  var reviews = $('[data-reviews]');
  if (reviews) {
    fetchPart(reviews.dataset.reviews, '#ulasan-list')
      .then(function (part) { if (part) { reviews.appendChild(document.importNode(part, true)); } })
      .catch(function () {});
  }

  showFirstError();
  guardForms(document);
  copyButtons(document);
})();
