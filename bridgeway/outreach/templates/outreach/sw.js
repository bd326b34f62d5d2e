// Bridgeway outreach service worker (hand-written). It keeps the app shell and the three field
// forms so that a field worker can open them with no connection, and shows an "offline" page
// for any other page instead of the browser's error. It caches nothing else: never a case file,
// never a record, never an API answer.
"use strict";
var CACHE = "bridgeway-outreach-{{ version }}";
var SHELL = {{ shell|safe }};
var OFFLINE = "{{ offline_url }}";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL.concat([OFFLINE]));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("bridgeway-outreach-") === 0 && n !== CACHE;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(url) {
  return SHELL.indexOf(url.pathname) !== -1 || url.pathname === OFFLINE;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (kept(url) && !url.search) {
    // Network first, so the forms are fresh (and carry a fresh CSRF token) whenever online.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) {
        return hit || caches.match(OFFLINE);
      });
    }));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE); }));
  }
});
