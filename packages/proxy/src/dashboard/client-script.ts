/**
 * The dashboard's own browser code, served as /dashboard/assets/dashboard.js next to htmx: the
 * theme toggle, the CSRF header on every htmx request, live refreshes driven by the server's
 * events (EventSource on /dashboard/events), clocks that tick without a round trip, and the
 * log follower. Kept as a string so that the build needs no asset step.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var root = document.documentElement;
  var saved = null;
  try { saved = localStorage.getItem('mgw-theme'); } catch (e) {}
  if (saved === 'light' || saved === 'dark') root.dataset.theme = saved;
  function currentTheme() {
    if (root.dataset.theme) return root.dataset.theme;
    return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
  document.addEventListener('click', function (e) {
    var t = e.target.closest && e.target.closest('[data-theme-toggle]');
    if (!t) return;
    root.dataset.theme = currentTheme() === 'dark' ? 'light' : 'dark';
    try { localStorage.setItem('mgw-theme', root.dataset.theme); } catch (err) {}
  });
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute('content') : '';
  }
  document.addEventListener('htmx:configRequest', function (e) {
    e.detail.headers['x-csrf-token'] = csrf();
  });
  var body = document.body;
  var offset = Number(body.dataset.serverNow || Date.now()) - Date.now();
  function now() { return Date.now() + offset; }
  function duration(ms) {
    if (!(ms >= 0)) ms = 0;
    var s = Math.floor(ms / 1000);
    if (s < 60) return s + 's';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm ' + (s % 60) + 's';
    var h = Math.floor(m / 60);
    return h + 'h ' + (m % 60) + 'm';
  }
  var pending = new Map();
  function refresh(topic) {
    document.querySelectorAll('[data-refresh~="' + topic + '"]').forEach(function (el) {
      if (pending.has(el)) return;
      pending.set(el, setTimeout(function () {
        pending.delete(el);
        if (document.body.contains(el)) htmx.trigger(el, 'refresh');
      }, 100));
    });
  }
  if (document.querySelector('[data-refresh]')) {
    var events = new EventSource('/dashboard/events');
    events.addEventListener('model', function () { refresh('model'); });
    events.addEventListener('request', function () { refresh('request'); refresh('inflight'); });
    events.addEventListener('open', function () { body.dataset.live = 'on'; });
    events.addEventListener('error', function () { body.dataset.live = 'off'; });
  }
  function tick() {
    var t = now();
    document.querySelectorAll('[data-since]').forEach(function (el) {
      el.textContent = duration(t - Number(el.dataset.since));
    });
    document.querySelectorAll('[data-until]').forEach(function (el) {
      var left = Number(el.dataset.until) - t;
      el.textContent = left > 0 ? duration(left) : 'now';
    });
  }
  setInterval(tick, 1000);
  tick();
  setInterval(function () {
    document.querySelectorAll('[data-poll]').forEach(function (el) { htmx.trigger(el, 'refresh'); });
    // A model loading shows its elapsed time and log tail: refreshed while it loads.
    document.querySelectorAll('[data-starting]').forEach(function (el) {
      var box = el.closest('[hx-get]');
      if (box) htmx.trigger(box, 'refresh');
    });
  }, 1000);
  document.addEventListener('change', function (e) {
    if (e.target.matches && e.target.matches('[data-autosubmit]')) e.target.form.submit();
  });
  var log = document.querySelector('[data-log-source]');
  if (log) {
    var follow = document.querySelector('#log-follow');
    var source = new EventSource('/dashboard/logs/stream?source=' + encodeURIComponent(log.dataset.logSource));
    source.addEventListener('open', function () { log.dataset.following = 'on'; body.dataset.live = 'on'; });
    source.addEventListener('error', function () { body.dataset.live = 'off'; });
    source.addEventListener('log', function (m) {
      log.insertAdjacentHTML('beforeend', m.data);
      if (!follow || follow.checked) log.scrollTop = log.scrollHeight;
    });
  }
})();
`;
