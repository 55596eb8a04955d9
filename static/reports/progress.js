// A report run's page: ask the server for the run's state every 2 s and show it; once the run
// has finished, reload so the server draws the download links. Without this script the page
// shows the state at load time (and a hint to reload).
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || box.getAttribute("data-finished") === "yes") return;
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("progress");
  var INTERVAL_MS = 2000;
  var failures = 0;

  function show(state) {
    box.querySelectorAll("[data-field]").forEach(function (el) {
      var key = el.getAttribute("data-field");
      if (key in state && key !== "error") el.textContent = state[key];
    });
    if (bar) bar.value = state.percent;
    box.setAttribute("data-status", state.status);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        show(state);
        if (state.finished) {
          box.setAttribute("data-finished", "yes");
          window.location.reload();
        } else {
          window.setTimeout(poll, INTERVAL_MS);
        }
      })
      .catch(function () {
        // A network hiccup (a phone between cells): keep trying, more slowly.
        failures += 1;
        window.setTimeout(poll, INTERVAL_MS * Math.min(failures + 1, 15));
      });
  }

  window.setTimeout(poll, INTERVAL_MS);
})();
