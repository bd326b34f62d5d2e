// Bridgeway outreach outbox (hand-written, no library). Field records filled with no connection
// wait in IndexedDB, each sealed with AES-GCM under a key that cannot be read out of the
// browser (non-extractable) and that signing out deletes. When the connection is back they go
// to the sync API in one batch; each entry has a client id, so sending it twice is harmless.
(function () {
  "use strict";
  var DB = "bridgeway-outreach", OUTBOX = "outbox", KEYS = "keys";
  var root = document.querySelector("[data-outbox-user]");
  if (!root || !window.indexedDB || !window.crypto || !crypto.subtle) { return; }
  var user = root.getAttribute("data-outbox-user");
  var syncUrl = root.getAttribute("data-sync-url");
  var t = JSON.parse(document.getElementById("outbox-text").textContent);

  if ("serviceWorker" in navigator && root.hasAttribute("data-sw")) {
    navigator.serviceWorker.register(root.getAttribute("data-sw"), { scope: "/" })
      .catch(function () { /* the forms still work online */ });
  }

  function req(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }
  function openDb() {
    var r = indexedDB.open(DB, 1);
    r.onupgradeneeded = function () {
      r.result.createObjectStore(OUTBOX, { keyPath: "id" });
      r.result.createObjectStore(KEYS);
    };
    return req(r).then(function (db) {
      db.onversionchange = function () { db.close(); };  // sign-out deletes the database
      return db;
    });
  }
  function store(db, name, mode) { return db.transaction(name, mode).objectStore(name); }

  // The key belongs to the person signed in: another person's drafts are neither opened nor sent.
  function key(db) {
    return req(store(db, KEYS, "readonly").get("draft")).then(function (found) {
      if (found && found.user === user) { return found.key; }
      if (found) { return null; }
      return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false,
                                       ["encrypt", "decrypt"]).then(function (k) {
        return req(store(db, KEYS, "readwrite").put({ user: user, key: k }, "draft"))
          .then(function () { return k; });
      });
    });
  }
  function seal(k, entry) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var plain = new TextEncoder().encode(JSON.stringify(entry));
    return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, k, plain).then(function (data) {
      return { iv: iv, data: data };
    });
  }
  function unseal(k, row) {
    return crypto.subtle.decrypt({ name: "AES-GCM", iv: row.iv }, k, row.data).then(function (p) {
      return JSON.parse(new TextDecoder().decode(p));
    });
  }
  function put(db, k, entry) {
    return seal(k, entry).then(function (sealed) {
      return req(store(db, OUTBOX, "readwrite").put({
        id: entry.client_id, state: entry.state || "pending", kind: entry.kind,
        saved: entry.saved, iv: sealed.iv, data: sealed.data }));
    });
  }
  function all(db, k) {
    return req(store(db, OUTBOX, "readonly").getAll()).then(function (rows) {
      return Promise.all(rows.map(function (row) {
        return unseal(k, row).then(function (e) { e.state = row.state; return e; });
      }));
    });
  }
  function drop(db, id) { return req(store(db, OUTBOX, "readwrite").delete(id)); }

  // --- a form's values as the sync API takes them -------------------------------------------
  var META = ["csrfmiddlewaretoken", "organisation", "version", "original"];
  function entryFrom(form) {
    var values = {}, data = new FormData(form);
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || META.indexOf(el.name) !== -1 || el.type === "submit") { return; }
      var many = el.multiple || el.type === "checkbox";
      var dot = el.name.indexOf(".");
      if (dot !== -1) {  // "participant_institutions.police": one count of a group
        var group = el.name.slice(0, dot);
        values[group] = values[group] || {};
        values[group][el.name.slice(dot + 1)] = data.get(el.name);
        return;
      }
      if (many) { values[el.name] = data.getAll(el.name); } else { values[el.name] = data.get(el.name); }
    });
    var entry = { client_id: crypto.randomUUID(), kind: form.getAttribute("data-kind"),
                  values: values, saved: new Date().toISOString() };
    var record = form.getAttribute("data-record");
    if (record) {
      var original = JSON.parse(form.elements.original.value || "{}"), changed = {}, orig = {};
      Object.keys(values).forEach(function (name) {
        var was = original[name];
        var now = values[name];
        if (JSON.stringify(normal(was)) !== JSON.stringify(normal(now))) {
          changed[name] = now; orig[name] = was;
        }
      });
      entry.record_id = record;
      entry.version = parseInt(form.elements.version.value, 10);
      entry.values = changed; entry.original = orig;
    } else {
      entry.organisation = parseInt(form.elements.organisation.value, 10);
    }
    return entry;
  }
  function normal(v) {
    if (v === null || v === undefined) { return ""; }
    if (Array.isArray(v)) { return v.map(String).sort(); }
    if (typeof v === "object") {  // counts by code: the non-zero ones, in a fixed order
      return Object.keys(v).sort().filter(function (k) { return Number(v[k]) > 0; })
        .map(function (k) { return k + "=" + Number(v[k]); });
    }
    return String(v);
  }

  // --- sending ------------------------------------------------------------------------------
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  var sending = false;
  function flush() {
    if (sending) { return Promise.resolve(); }
    if (!navigator.onLine) { return render(); }
    sending = true;
    var db;
    return openDb().then(function (d) { db = d; return key(db); }).then(function (k) {
      if (!k) { return null; }
      return all(db, k).then(function (entries) {
        var pending = entries.filter(function (e) { return e.state === "pending"; });
        if (!pending.length) { return null; }
        var body = pending.map(function (e) {
          var out = {};
          ["client_id", "kind", "organisation", "record_id", "version", "original", "values"]
            .forEach(function (name) { if (e[name] !== undefined) { out[name] = e[name]; } });
          return out;
        });
        return fetch(syncUrl, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify({ entries: body })
        }).then(function (response) {
          return response.json().then(function (answer) {
            return settle(db, k, pending, response.status, answer);
          });
        });
      });
    }).catch(function () { /* still offline, or signed out: try again later */ })
      .then(function () { sending = false; return render(); });
  }
  function settle(db, k, pending, status, answer) {
    var byId = {};
    pending.forEach(function (e) { byId[e.client_id] = e; });
    if (status === 200) {
      return Promise.all(answer.results.map(function (r) {
        var e = byId[r.client_id];
        if (r.status === "conflict") {
          e.state = "conflict"; e.conflicts = r.conflicts; e.server_version = r.version;
          return put(db, k, e);
        }
        return drop(db, r.client_id);
      }));
    }
    if (answer && answer.entry && byId[answer.entry]) {
      var e = byId[answer.entry];
      e.state = "refused"; e.errors = answer.errors || { detail: [answer.detail] };
      // The batch was rolled back: the others go again without the refused one.
      return put(db, k, e).then(function () { sending = false; return flush(); });
    }
    return null;
  }

  // --- what waits on this device, and conflicts ---------------------------------------------
  function render() {
    var panel = document.querySelector("[data-outbox]");
    if (!panel) { return Promise.resolve(); }
    return openDb().then(function (db) {
      return key(db).then(function (k) { return k ? all(db, k) : []; }).then(function (entries) {
        var count = panel.querySelector("[data-outbox-count]");
        count.textContent = entries.length ? t.waiting.replace("%s", entries.length) : t.none;
        var list = panel.querySelector("[data-outbox-list]");
        list.textContent = "";
        entries.forEach(function (e) { list.appendChild(item(db, k, e)); });
      });
    });
  }
  function item(db, k, e) {
    var li = document.createElement("li");
    li.appendChild(document.createTextNode(t.kinds[e.kind] + " · " + e.saved.slice(0, 16)
                                           .replace("T", " ") + " · " + t.states[e.state]));
    if (e.state === "refused") {
      var p = document.createElement("p");
      p.textContent = Object.keys(e.errors).map(function (f) {
        return f + ": " + [].concat(e.errors[f]).join(" ");
      }).join("; ");
      li.appendChild(p);
      li.appendChild(button(t.discard, function () { return drop(db, e.client_id); }));
    }
    if (e.state === "conflict") {
      var table = document.createElement("table");
      var head = table.insertRow();
      [t.field, t.mine, t.theirs, ""].forEach(function (h) {
        var th = document.createElement("th"); th.scope = "col"; th.textContent = h;
        head.appendChild(th);
      });
      Object.keys(e.conflicts).forEach(function (name) {
        var c = e.conflicts[name], row = table.insertRow();
        row.setAttribute("data-conflict-field", name);
        [name, shown(c.mine), shown(c.theirs)].forEach(function (v) {
          row.insertCell().textContent = v;
        });
        var cell = row.insertCell();
        cell.appendChild(button(t.keepMine, function () {
          e.original[name] = c.theirs; delete e.conflicts[name]; return resolved(db, k, e);
        }));
        cell.appendChild(button(t.keepTheirs, function () {
          delete e.values[name]; delete e.original[name]; delete e.conflicts[name];
          return resolved(db, k, e);
        }));
      });
      li.appendChild(table);
    }
    return li;
  }
  function resolved(db, k, e) {
    if (Object.keys(e.conflicts).length) { return put(db, k, e); }
    if (!Object.keys(e.values).length) { return drop(db, e.client_id); }
    // Every conflict decided: sent again from the version the server holds now.
    var old = e.client_id;
    e.version = e.server_version; e.state = "pending"; e.client_id = crypto.randomUUID();
    return drop(db, old).then(function () { return put(db, k, e); });
  }
  function shown(v) { return Array.isArray(v) ? v.join(", ") : (v === null ? "—" : String(v)); }
  function button(label, action) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "secondary"; b.textContent = label;
    b.addEventListener("click", function () {
      Promise.resolve(action()).then(flush).then(render);
    });
    return b;
  }

  // --- the forms ----------------------------------------------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-outbox-form") || navigator.onLine) { return; }
    event.preventDefault();
    var entry = entryFrom(form), db;
    openDb().then(function (d) { db = d; return key(db); }).then(function (k) {
      if (!k) { throw new Error("key"); }
      return put(db, k, entry);
    }).then(function () {
      var note = document.querySelector("[data-outbox-saved]");
      if (note) { note.hidden = false; note.focus(); }
      if (!entry.record_id) { form.reset(); }
    }).catch(function () { window.alert(t.failed); });
  });
  function showOffline() {
    document.querySelectorAll("[data-offline-note]").forEach(function (n) {
      n.hidden = navigator.onLine;
    });
  }
  window.addEventListener("online", function () { showOffline(); flush(); });
  window.addEventListener("offline", showOffline);
  showOffline();
  flush();
})();
