// Identification screen: as indicators are ticked, ask the server for the combination rule's
// result and its "why" (the server stays authoritative; nothing is saved), and keep each
// dimension's count up to date. Without JavaScript the page works the same, minus the live result.
(function () {
  "use strict";
  var form = document.getElementById("assess-form");
  var panel = document.getElementById("live-result");
  if (!form || !panel || !window.fetch) { return; }
  var pending = null;

  function counts() {
    form.querySelectorAll("details.dimension").forEach(function (dim) {
      var n = dim.querySelectorAll("input[name=ind]:checked").length;
      var tag = dim.querySelector("[data-dim-count]");
      if (tag) { tag.textContent = tag.textContent.replace(/\d+/, String(n)); }
    });
  }

  function refresh() {
    var body = new URLSearchParams();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    body.append("set", form.querySelector("[name=set]").value);
    form.querySelectorAll("input[name=ind]:checked").forEach(function (box) {
      body.append("ind", box.value);
    });
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.dataset.resultUrl, {method: "POST", body: body, credentials: "same-origin",
                                   headers: {"X-Requested-With": "fetch"}, signal: pending.signal})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var open = panel.querySelector("details.live-why");
        var wasOpen = open && open.open;
        panel.innerHTML = html;
        var why = panel.querySelector("details.live-why");
        if (why && wasOpen) { why.open = true; }
      })
      .catch(function () { /* aborted by a newer tick, or offline: the server decides on save */ });
  }

  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "ind") {
      counts();
      refresh();
    }
  });
})();
