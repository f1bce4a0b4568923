// Cascada behaviour: no inline script anywhere (CSP). Everything here is optional:
// every page works without JavaScript.
(function () {
  "use strict";

  // A select marked data-autosubmit submits its form on change (the language picker);
  // the form keeps its submit button for browsers without JavaScript.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
    // Chained place pickers: a new department empties the district list.
    if (target.matches && target.matches("select[data-place-level='1']")) {
      var third = document.querySelector("select[data-place-level='3']");
      if (third) {
        third.length = 1;
        third.selectedIndex = 0;
      }
    }
  });

  // Close the phone menu after a link in it is followed or Escape is pressed.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var menu = document.getElementById("nav-menu");
      if (menu) menu.removeAttribute("open");
    }
  });
})();
