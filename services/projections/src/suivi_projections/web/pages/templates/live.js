(function () {
  "use strict";
  // A status page (#order) or the shopper's dashboard (#orders: its filter in data-query, its
  // session cookie sent with the fragment's request: data-credentials).
  var root = document.getElementById("order") || document.getElementById("orders");
  var badge = document.getElementById("live");
  var share = document.getElementById("share-url");
  if (share) { share.value = location.origin + share.value; }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(location.origin + button.getAttribute("data-copy")).then(function () {
      button.textContent = button.getAttribute("data-done");
    });
  });
  if (!root || !window.EventSource || !window.fetch) { return; }
  var base = root.getAttribute("data-live");
  var lang = new URLSearchParams(location.search).get("lang");
  var query = (root.getAttribute("data-query") || "") + (lang ? "&lang=" + encodeURIComponent(lang) : "");
  query = query ? "?" + query.replace(/^&/, "") : "";
  var credentials = root.getAttribute("data-credentials") || "omit";
  var busy = false, again = false, opened = false, updates = 0;
  function show(state, text) {
    if (!badge) { return; }
    badge.setAttribute("data-state", state);
    badge.lastChild.textContent = badge.getAttribute(text);
  }
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(base + "/fragment" + query, { cache: "no-store", credentials: credentials }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    }).then(function (html) {
      var open = {};
      root.querySelectorAll("details[data-k]").forEach(function (d) { open[d.getAttribute("data-k")] = d.open; });
      root.innerHTML = html;
      root.querySelectorAll("details[data-k]").forEach(function (d) {
        var key = d.getAttribute("data-k");
        if (Object.prototype.hasOwnProperty.call(open, key)) { d.open = open[key]; }
      });
      root.classList.remove("flash");
      void root.offsetWidth;
      root.classList.add("flash");
      updates += 1;
      document.documentElement.setAttribute("data-updates", String(updates));
      show("on", "data-done");
    }).catch(function () { /* the next event or reconnection tries again */ }).then(function () {
      busy = false;
      if (again) { again = false; refresh(); }
    });
  }
  var source = new EventSource(base + "/events");
  source.addEventListener("open", function () {
    show("on", "data-on");
    if (opened) { refresh(); }  // reconnected: changes may have been missed meanwhile
    opened = true;
  });
  source.addEventListener("error", function () { show("off", "data-off"); });
  source.addEventListener("changed", refresh);
})();
