/* Live skip logic, constraint messages, calculated labels and choice filters for a survey form.
   The server decides everything: after each change the form's answers are posted to the form's
   "live" address (nothing is saved there) and the answer says which questions are relevant,
   which choices are allowed, the labels that show calculated values and the messages for the
   answers touched so far. Without this script the form still works: the same checks run when
   the person saves or submits. Hand-written, no library. */
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form || !form.dataset.live) { return; }
  var touched = {};
  var timer = null;
  var pending = null;

  function keyOf(el) { return el.name || ""; }

  function apply(state) {
    form.querySelectorAll("[data-key]").forEach(function (box) {
      var key = box.dataset.key;
      if (Object.prototype.hasOwnProperty.call(state.relevant, key)) {
        box.hidden = !state.relevant[key];
      }
    });
    Object.keys(state.choices).forEach(function (key) {
      var allowed = state.choices[key];
      var box = form.querySelector('[data-key="' + CSS.escape(key) + '"]');
      if (!box) { return; }
      box.querySelectorAll("[data-choice]").forEach(function (li) {
        var ok = allowed.indexOf(li.dataset.choice) !== -1;
        li.hidden = !ok;
        if (!ok) { var input = li.querySelector("input"); if (input) { input.checked = false; } }
      });
    });
    Object.keys(state.labels).forEach(function (key) {
      var label = form.querySelector('[data-label="' + CSS.escape(key) + '"]');
      if (label) { label.textContent = state.labels[key]; }
    });
    form.querySelectorAll("[data-error]").forEach(function (p) {
      var key = p.dataset.error;
      var message = state.errors[key] || "";
      if (!touched[key] && !message) { return; }
      p.textContent = message;
      p.hidden = !message;
      var field = document.getElementById("f-" + key);
      if (field) {
        if (message) { field.setAttribute("aria-invalid", "true"); }
        else { field.removeAttribute("aria-invalid"); }
      }
    });
  }

  function ask() {
    var data = new FormData(form);
    Object.keys(touched).forEach(function (key) { data.append("_touched", key); });
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.dataset.live, {
      method: "POST", body: data, credentials: "same-origin", signal: pending.signal,
      headers: {"X-Requested-With": "fetch"}
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (state) {
      if (state) { apply(state); }
    }).catch(function () { /* offline or superseded: the server checks on save */ });
  }

  function changed(event) {
    var key = keyOf(event.target);
    if (!key || key === "csrfmiddlewaretoken") { return; }
    touched[key] = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, event.type === "change" ? 0 : 300);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
})();
