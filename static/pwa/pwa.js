// Every page: registers the service worker (static/pwa/sw.js, served at /sw.js), tells it to
// drop the saved pages when the person signs out, and shows the "saved copy, no network" banner
// on a page the worker served from its cache. A file, not inline script: our
// Content-Security-Policy runs none.
(function () {
  "use strict";
  var script = document.currentScript;
  var config = script ? script.dataset : {};

  var savedAt = document.documentElement.getAttribute("data-offline-saved-at");
  if (savedAt) showOfflineBanner(savedAt);

  if (!("serviceWorker" in navigator) || !config.worker) return;
  var worker = navigator.serviceWorker;

  // The logout answer's Clear-Site-Data header clears the worker's caches too; this covers a
  // browser that ignores the header.
  document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
    form.addEventListener("submit", function () {
      if (worker.controller) worker.controller.postMessage({ type: "sign-out" });
    });
  });

  worker.register(config.worker, { scope: "/" }).catch(function () {});
  if (!worker.controller && !savedAt) {
    // This page loaded before the worker controlled it, so the worker has not saved it.
    worker.ready.then(function (registration) {
      if (!registration.active) return;
      var assets = [];
      document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (node) {
        assets.push(node.href || node.src);
      });
      registration.active.postMessage({ type: "save-page", url: location.href, assets: assets });
    });
  }

  function showOfflineBanner(at) {
    var when = new Date(at);
    var text = config.offlineText || "Offline copy saved at {time}";
    var shown = isNaN(when.getTime()) ? at : when.toLocaleString(document.documentElement.lang || "vi", {
      hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", year: "numeric",
    });
    var banner = document.createElement("p");
    banner.className = "message error offline-banner";
    banner.setAttribute("role", "status");
    banner.setAttribute("data-offline-banner", "");
    banner.textContent = text.replace("{time}", shown);
    var main = document.querySelector("main") || document.body;
    main.insertBefore(banner, main.firstChild);
  }
})();
