// Roster: when a tap cannot reach the server (poor connectivity), say so on the row
// so the facilitator taps again. No inline script anywhere (CSP).
(function () {
  "use strict";
  function failed(event) {
    var source = event.detail && event.detail.elt;
    var row = source && source.closest ? source.closest(".roster-row") : null;
    if (!row) { return; }
    row.classList.add("is-failed");
    var note = row.querySelector("[data-roster-offline]");
    if (note) { note.hidden = false; }
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:timeout", failed);
})();
