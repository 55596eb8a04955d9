// Trường Số's service worker, served at /sw.js (contactbook/views/push.py) so it controls the
// whole site. What it keeps, in its own Cache Storage (never the browser's HTTP cache, which our
// pages forbid with Cache-Control: no-store):
//   - the parent portal's pages (GET /phu-huynh/…, HTML only), network first: online a parent
//     always gets the fresh page; offline the copy last seen, marked so static/pwa/pwa.js shows
//     "you are viewing the copy saved at …";
//   - static files: by name when the name carries a hash (production), else network first;
//   - the offline page (/ngoai-tuyen/), fetched without cookies, for pages never seen.
// Nothing else: not the API, the administrations, /cms/, the sign-in pages, materials, attachments
// or any download (a response that is not HTML or is an attachment is never stored).
// Saved pages are personal, so they are dropped when the page says its person signs out, when
// the sign-in page is opened (a session that ended without signing out), and by the logout
// answer's Clear-Site-Data header. It also shows Web Push notifications (contactbook/push.py).
"use strict";

var VERSION = "1";
var SHELL = "truongso-shell-" + VERSION;
var PAGES = "truongso-pages-" + VERSION;
var STATIC = "truongso-static-" + VERSION;
var OFFLINE_URL = "/ngoai-tuyen/";
var PORTAL = "/phu-huynh/";
var STATIC_PREFIX = "/static/";
var SIGN_IN = "/tai-khoan/dang-nhap/";
var MAX_PAGES = 40;
var HASHED = /\.[0-9a-f]{12}\.[A-Za-z0-9]+$/; // ManifestStaticFilesStorage's names

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL)
      .then(function (cache) {
        return cache.add(new Request(OFFLINE_URL, { credentials: "omit" }));
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  var keep = [SHELL, PAGES, STATIC];
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return keep.indexOf(name) < 0;
        }).map(function (name) {
          return caches.delete(name);
        }));
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(staticFile(request, url));
  } else if (request.mode === "navigate" && url.pathname.indexOf(SIGN_IN) === 0) {
    event.waitUntil(forgetPages()); // whoever's pages were saved, nobody is signed in now
  } else if (request.mode === "navigate" && url.pathname.indexOf(PORTAL) === 0) {
    event.respondWith(portalPage(event, request));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "sign-out") {
    event.waitUntil(forgetPages());
  } else if (data.type === "save-page" && typeof data.url === "string") {
    // The first page, which the worker did not yet control when it loaded.
    event.waitUntil(savePage(data.url, Array.isArray(data.assets) ? data.assets : []));
  }
});

function portalPage(event, request) {
  return fetch(request)
    .then(function (response) {
      if (savable(response)) event.waitUntil(keep(request.url, response.clone()));
      return response;
    })
    .catch(function () {
      return caches.open(PAGES)
        .then(function (cache) {
          return cache.match(request.url, { ignoreVary: true });
        })
        .then(function (saved) {
          if (saved) return markedOffline(saved);
          return caches.match(OFFLINE_URL, { ignoreVary: true }).then(function (page) {
            return page || Response.error();
          });
        });
    });
}

function savable(response) {
  var type = response.headers.get("Content-Type") || "";
  return response.ok && response.type === "basic" && type.indexOf("text/html") === 0 &&
    !response.headers.get("Content-Disposition");
}

function keep(url, response) {
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set("X-Saved-At", new Date().toISOString());
    headers.delete("Vary");
    var copy = new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
    return caches.open(PAGES).then(function (cache) {
      return cache.delete(url).then(function () {
        return cache.put(url, copy); // deleted first, so the keys stay oldest first
      }).then(function () {
        return trim(cache);
      });
    });
  });
}

function trim(cache) {
  return cache.keys().then(function (keys) {
    return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map(function (key) {
      return cache.delete(key);
    }));
  });
}

// The saved page, with the time it was saved on its <html> element for pwa.js's banner.
function markedOffline(saved) {
  var at = (saved.headers.get("X-Saved-At") || "").replace(/[^0-9TZ:.\-]/g, "");
  return saved.text().then(function (html) {
    var headers = new Headers(saved.headers);
    headers.delete("Content-Length");
    return new Response(html.replace(/<html\b/i, '<html data-offline-saved-at="' + at + '"'), {
      status: 200,
      headers: headers,
    });
  });
}

function savePage(href, assets) {
  var url = new URL(href, self.location.origin);
  if (url.origin !== self.location.origin || url.pathname.indexOf(PORTAL) !== 0) return Promise.resolve();
  var pages = fetch(url.href, { credentials: "same-origin" }).then(function (response) {
    if (savable(response)) return keep(url.href, response);
  });
  var files = assets.map(function (asset) {
    var file = new URL(asset, self.location.origin);
    if (file.origin !== self.location.origin || file.pathname.indexOf(STATIC_PREFIX) !== 0) return null;
    return staticFile(new Request(file.href), file);
  });
  return Promise.all([pages].concat(files)).catch(function () {});
}

function staticFile(request, url) {
  return caches.open(STATIC).then(function (cache) {
    function fetchAndKeep() {
      return fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") cache.put(request, response.clone());
        return response;
      });
    }
    if (HASHED.test(url.pathname)) {
      return cache.match(request).then(function (hit) {
        return hit || fetchAndKeep();
      });
    }
    return fetchAndKeep().catch(function () {
      return cache.match(request).then(function (hit) {
        return hit || Response.error();
      });
    });
  });
}

function forgetPages() {
  return caches.delete(PAGES);
}

self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  event.waitUntil(self.registration.showNotification(data.title || "Trường Số", {
    body: data.body || "",
    icon: STATIC_PREFIX + "pwa/icon-192.png",
    badge: STATIC_PREFIX + "pwa/icon-192.png",
    lang: "vi",
    data: { url: typeof data.url === "string" ? data.url : PORTAL },
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  // Always our own origin: a notification opens one of our pages, whatever its link says.
  var target = new URL((event.notification.data || {}).url || PORTAL, self.location.origin);
  var path = target.pathname + target.search;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if (new URL(windows[i].url).pathname === target.pathname && "focus" in windows[i]) {
          return windows[i].focus();
        }
      }
      return self.clients.openWindow(path);
    })
  );
});
