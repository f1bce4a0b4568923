{% load static %}// Cascada's service worker for promoter networks: the action form and its assets open
// without signal (network first, the last copy when there is none). Nothing else is kept.
"use strict";
var CACHE = "cascada-networks-v1";
var ASSETS = ["{% static 'cascada/app.css' %}", "{% static 'cascada/app.js' %}", "{% static 'cascada/htmx.min.js' %}", "{% static 'cascada/networks.js' %}", "{% static 'cascada/networks.css' %}"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function isForm(url) { return /\/networks\/\d+\/actions\/new\/$/.test(url.pathname); }

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isForm(url)) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) { return hit || Response.error(); });
    }));
  } else if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  }
});
