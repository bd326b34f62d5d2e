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
  // Phones: a table that does not fit becomes a stack of cards. Each cell gets its column's
  // heading as data-label (shown by app.css) and explicit ARIA roles, so screen readers keep the
  // table's structure when the CSS stops displaying it as a table. Without JavaScript the table
  // scrolls inside its .table-wrap instead.
  var narrow = window.matchMedia("(max-width: 47.99rem)");
  function label(table) {
    if (table.dataset.labelled) { return; }
    var heads = table.tHead ? table.tHead.rows : [];
    if (!heads.length) { return; }
    var names = [];
    Array.prototype.forEach.call(heads[heads.length - 1].cells, function (cell) {
      for (var i = 0; i < (cell.colSpan || 1); i++) { names.push(cell.textContent.trim()); }
    });
    table.setAttribute("role", "table");
    Array.prototype.forEach.call(table.querySelectorAll("thead, tbody, tfoot"), function (group) {
      group.setAttribute("role", "rowgroup");
    });
    Array.prototype.forEach.call(table.rows, function (row) {
      row.setAttribute("role", "row");
      var col = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        var head = cell.tagName === "TH";
        var inHead = row.parentNode.tagName === "THEAD";
        cell.setAttribute("role", inHead ? "columnheader" : (head ? "rowheader" : "cell"));
        if (!inHead && names[col]) { cell.setAttribute("data-label", names[col]); }
        col += cell.colSpan || 1;
      });
    });
    table.dataset.labelled = "1";
  }
  function stack(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("main table"), function (table) {
      if (table.classList.contains("keep-table")) { return; }
      label(table);
      if (!table.dataset.labelled) { return; }
      table.classList.remove("stacked");
      var box = table.parentElement;
      if (narrow.matches && table.scrollWidth > Math.ceil(box.clientWidth) + 1) {
        table.classList.add("stacked");
      }
    });
    // A table that still scrolls can be reached with the keyboard.
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
          var table = wrap.querySelector("table");
          var caption = table && table.caption ? table.caption.textContent.trim() : "";
          wrap.setAttribute("role", "region");
          wrap.setAttribute("aria-label", caption || document.title);
        }
      }
    });
  }
  stack();
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { stack(); }, 150);
  });
  document.addEventListener("htmx:load", function (event) { stack(event.target); });

  // A print button (caseworkers print case summaries and referrals); app.css lays the page out.
  Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

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
