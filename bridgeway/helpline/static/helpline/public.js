// "Leave this site quickly": replaces this page in the history (Back does not come back here)
// and answers the Escape key. Without JavaScript the button is an ordinary link.
(function () {
  "use strict";
  var exit = document.getElementById("quick-exit");
  if (!exit) { return; }
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.body.textContent = "";
    window.location.replace(exit.href);
  }
  exit.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { leave(event); }
  });
}());
