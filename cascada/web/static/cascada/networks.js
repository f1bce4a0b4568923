// The action form of a promoter network, also without signal (docs/decisions/networks.md).
// Sending keeps the action on the phone first (localStorage), then posts it; without
// signal it stays there and is posted when the phone is back online (the "online" event,
// or the next time any network page opens). Each action carries its client key, so a
// retry that reached the server before is stored once. A service worker keeps the form
// and its assets so the page opens without signal too.
(function () {
  "use strict";
  var KEY = "cascada-network-outbox";
  var form = document.getElementById("action-form");
  var status = document.getElementById("outbox-status");
  var list = document.getElementById("outbox-list");

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function store(items) { window.localStorage.setItem(KEY, JSON.stringify(items)); }
  function text(name) { return status ? status.getAttribute("data-" + name) || "" : ""; }

  function show(message, kind) {
    if (!status) return;
    status.textContent = message;
    status.className = "msg msg-" + (kind || "info");
    status.hidden = false;
  }

  function render() {
    if (!list) return;
    var items = load();
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.title + (item.error ? " — " + item.error : "");
      list.appendChild(li);
    });
    var box = document.getElementById("outbox");
    if (box) box.hidden = items.length === 0;
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, "");
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  var flushing = false;
  function flush() {
    if (flushing) return Promise.resolve();
    var items = load();
    if (!items.length) { render(); return Promise.resolve(); }
    flushing = true;
    var sent = 0;
    var chain = Promise.resolve();
    items.forEach(function (item) {
      chain = chain.then(function () {
        return fetch(item.url, {
          method: "POST",
          body: item.body,
          credentials: "same-origin",
          headers: {
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": item.csrf
          }
        }).then(function (response) {
          var signIn = response.redirected && response.url.indexOf("/accounts/") !== -1;
          if (response.ok && !signIn) {
            store(load().filter(function (other) { return other.key !== item.key; }));
            sent += 1;
            return null;
          }
          if (response.status === 400) {
            return response.json().then(function (data) {
              var rest = load();
              rest.forEach(function (other) {
                if (other.key === item.key) other.error = (data.errors || []).join(" ");
              });
              store(rest);
            });
          }
          show(text("signin"), "warning");  // signed out or the page is too old: kept
          return null;
        }, function () { return null; });  // no signal: kept for later
      });
    });
    return chain.then(function () {
      flushing = false;
      render();
      var left = load().length;
      if (sent && !left) show(text("sent"), "success");
      else if (left) show(text("kept").replace("%s", String(left)), "warning");
    });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      if (!form.checkValidity()) return;
      event.preventDefault();
      var data = new FormData(form);
      var key = String(data.get("client_key") || newKey());
      data.set("client_key", key);
      var items = load();
      items.push({
        key: key,
        url: form.getAttribute("action") || window.location.pathname,
        body: new URLSearchParams(data).toString(),
        csrf: String(data.get("csrfmiddlewaretoken") || ""),
        title: String(data.get("title") || "") + " · " + String(data.get("date") || "")
      });
      store(items);
      // The form is ready for the next action, with a new key.
      form.reset();
      var hidden = form.querySelector("input[name='client_key']");
      if (hidden) hidden.value = newKey();
      show(text("kept").replace("%s", String(items.length)), "warning");
      render();
      flush();
    });
    if ("serviceWorker" in navigator && form.getAttribute("data-worker")) {
      navigator.serviceWorker.register(form.getAttribute("data-worker")).catch(function () {});
    }
  }
  window.addEventListener("online", flush);
  render();
  if (navigator.onLine !== false) flush();
})();
