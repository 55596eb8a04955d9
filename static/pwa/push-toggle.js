// The "notifications on my phone" toggle (templates/contactbook/_push_toggle.html): asks the
// browser's permission, subscribes with the site's VAPID public key and posts the subscription
// to the server (contactbook/views/push.py), or unsubscribes. Shown only where the browser can.
(function () {
  "use strict";
  var box = document.querySelector("[data-push-toggle]");
  if (!box) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
  var input = box.querySelector("[data-push-input]");
  var status = box.querySelector("[data-push-status]");
  var ready = navigator.serviceWorker.register(box.dataset.worker, { scope: "/" }).then(function () {
    return navigator.serviceWorker.ready;
  });
  box.hidden = false;

  ready.then(function (registration) {
    return registration.pushManager.getSubscription();
  }).then(function (subscription) {
    input.checked = Boolean(subscription) && Notification.permission === "granted";
    input.disabled = false;
  }).catch(function () {
    box.hidden = true;
  });

  input.addEventListener("change", function () {
    var wanted = input.checked;
    input.disabled = true;
    (wanted ? turnOn() : turnOff()).then(function (message) {
      say(message);
    }).catch(function () {
      input.checked = !wanted;
      say("msgError");
    }).then(function () {
      input.disabled = false;
    });
  });

  function turnOn() {
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        input.checked = false;
        return "msgDenied";
      }
      return ready.then(function (registration) {
        return registration.pushManager.getSubscription().then(function (existing) {
          return existing || registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(box.dataset.publicKey),
          });
        });
      }).then(function (subscription) {
        return post(box.dataset.subscribeUrl, subscription.toJSON(), false);
      }).then(function () {
        return "msgOn";
      });
    });
  }

  function turnOff() {
    return ready.then(function (registration) {
      return registration.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) return null;
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return post(box.dataset.unsubscribeUrl, { endpoint: endpoint }, true);
      });
    }).then(function () {
      return "msgOff";
    });
  }

  function post(url, body, missingIsFine) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok && !(missingIsFine && response.status === 404)) throw new Error(String(response.status));
    });
  }

  function say(key) {
    status.textContent = box.dataset[key] || "";
  }

  function keyBytes(base64url) {
    var text = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
})();
