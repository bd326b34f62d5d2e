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
})();
