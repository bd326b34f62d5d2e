// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Submitting the language form on change saves a click; the button stays for keyboard users.
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "language-select") {
      event.target.form.requestSubmit();
    }
  });
  // Buttons that need a confirmation carry data-confirm (no inline handlers: CSP forbids them).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var text = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (text && !window.confirm(text)) {
      event.preventDefault();
    }
  });
})();
