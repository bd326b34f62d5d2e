// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Submitting the language form on change saves a click; the button stays for keyboard users.
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "language-select") {
      event.target.form.requestSubmit();
    }
  });
  // On small screens the main menu folds behind a button.
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("main-nav");
  if (toggle && nav) {
    toggle.hidden = false;
    nav.classList.add("collapsible");
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Buttons that need a confirmation carry data-confirm (no inline handlers: CSP forbids them).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var text = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (text && !window.confirm(text)) {
      event.preventDefault();
    }
  });
  // Offline: say so on every page instead of failing silently.
  var banner = document.querySelector("[data-offline-banner]");
  function connection() { if (banner) { banner.hidden = navigator.onLine; } }
  window.addEventListener("online", connection);
  window.addEventListener("offline", connection);
  connection();
  // Signing out deletes what the site keeps in this browser (databases and caches named
  // "bridgeway-…", such as the outreach outbox and its key), then signs out.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-sign-out") || form.dataset.cleared) { return; }
    event.preventDefault();
    var mine = function (name) { return name && name.indexOf("bridgeway-") === 0; };
    var dbs = (window.indexedDB && indexedDB.databases) ? indexedDB.databases() : Promise.resolve([]);
    var work = [dbs.then(function (list) {
      return Promise.all(list.filter(function (d) { return mine(d.name); }).map(function (d) {
        return new Promise(function (done) {
          var r = indexedDB.deleteDatabase(d.name);
          r.onsuccess = r.onerror = r.onblocked = function () { done(); };
        });
      }));
    })];
    if (window.caches) {
      work.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(mine).map(function (n) { return caches.delete(n); }));
      }));
    }
    Promise.all(work).catch(function () {}).then(function () {
      form.dataset.cleared = "1";
      form.submit();
    });
  });
})();
