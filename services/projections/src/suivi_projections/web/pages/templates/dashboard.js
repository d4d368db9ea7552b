(function () {
  "use strict";
  var root = document.getElementById("orders");
  var badge = document.getElementById("live");
  if (!root || !window.EventSource || !window.fetch) { return; }
  var base = root.getAttribute("data-live");
  var params = new URLSearchParams(location.search);
  var query = "?show=" + encodeURIComponent(root.getAttribute("data-show"));
  if (params.get("lang")) { query += "&lang=" + encodeURIComponent(params.get("lang")); }
  var busy = false, again = false, opened = false, updates = 0;
  function show(state, text) {
    if (!badge) { return; }
    badge.setAttribute("data-state", state);
    badge.lastChild.textContent = badge.getAttribute(text);
  }
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    // The session cookie goes along (same origin); a signed-out session answers 401.
    fetch(base + "/fragment" + query, { cache: "no-store", credentials: "same-origin" }).then(function (response) {
      if (response.status === 401) { location.reload(); return null; }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    }).then(function (html) {
      if (html === null) { return; }
      root.innerHTML = html;
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
    if (opened) { refresh(); }
    opened = true;
  });
  source.addEventListener("error", function () { show("off", "data-off"); });
  source.addEventListener("changed", refresh);
})();
