/* 走访 field app service worker, served at /m/sw.js (scope /m/). The view prepends ZF_VERSION, ZF_PRECACHE
   (the shell page, the manifest, the catalog of the app's texts and the static files the shell loads) and
   ZF_CATALOG (the catalog's path).
   - the shell and its files: cache first (the shell and the catalog are refreshed in the background when online);
   - /api/ passes straight through, never cached: answers hold personal data and depend on who is signed in,
     and the page keeps what it needs offline (places, categories, the outbox, photos) in IndexedDB;
   - anything not GET passes straight through too. */
/* global ZF_VERSION, ZF_PRECACHE, ZF_CATALOG */
"use strict";

var SHELL_CACHE = "zoufang-field-shell-" + ZF_VERSION;
// Earlier releases kept API answers here; they are removed on activation.
var OLD_API_CACHE = "zoufang-field-api";
var SCOPE = new URL(self.registration.scope).pathname;
// What depends on the session: the shell carries the cadre's name and CSRF token, and both it and the catalog are in
// the language the cadre chose (a cookie). Fetched with the session's cookies, unlike the static files.
var PERSONAL = [SCOPE, ZF_CATALOG];

// A shell answer is usable only if it is the page itself, not the login page a lapsed session redirects to.
function usableShell(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE).then(function (cache) {
      // One request at a time, and only what depends on the session with its cookies: a phone on a weak network
      // and the embedded SQLite deployment both do better without a burst of parallel requests.
      return ZF_PRECACHE.reduce(function (previous, url) {
        return previous.then(function () {
          var credentials = PERSONAL.indexOf(url) !== -1 ? "same-origin" : "omit";
          return fetch(new Request(url, { credentials: credentials, cache: "reload" }))
            .then(function (response) {
              if (usableShell(response)) {
                return cache.put(url, response);
              }
              return undefined;
            })
            .catch(function () {
              return undefined;
            });
        });
      }, Promise.resolve());
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(
        names
          .filter(function (name) {
            return (name.indexOf("zoufang-field-shell-") === 0 && name !== SHELL_CACHE) || name === OLD_API_CACHE;
          })
          .map(function (name) {
            return caches.delete(name);
          })
      );
    }).then(function () {
      return self.clients.claim();
    })
  );
});

function refresh(cache, request, key) {
  return fetch(request).then(function (response) {
    if (usableShell(response)) {
      cache.put(key, response.clone());
    }
    return response;
  });
}

function shellFirst(event, key) {
  event.respondWith(
    caches.open(SHELL_CACHE).then(function (cache) {
      return cache.match(key, { ignoreSearch: true }).then(function (cached) {
        if (cached) {
          // Keep the stored copy current (a new CSRF token, a new release, another language) without waiting.
          event.waitUntil(refresh(cache, new Request(key, { credentials: "same-origin" }), key).catch(function () {}));
          return cached;
        }
        return refresh(cache, event.request, key);
      });
    })
  );
}

function staticFirst(event) {
  event.respondWith(
    caches.open(SHELL_CACHE).then(function (cache) {
      return cache.match(event.request).then(function (cached) {
        return cached || refresh(cache, event.request, event.request);
      });
    })
  );
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.indexOf("/api/") === 0) {
    return;
  }
  if (request.mode === "navigate" && url.pathname === SCOPE) {
    shellFirst(event, SCOPE);
  } else if (url.pathname === ZF_CATALOG) {
    shellFirst(event, ZF_CATALOG);
  } else if (ZF_PRECACHE.indexOf(url.pathname) !== -1 || url.pathname.indexOf("/static/") === 0) {
    staticFirst(event);
  }
});
