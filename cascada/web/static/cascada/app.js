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

  // The place search: Enter picks the first result instead of sending the whole form.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.matches && target.matches("input[name='place_q']")) {
      event.preventDefault();
      var first = document.querySelector("#place-results button");
      if (first) first.click();
    }
  });

  // A form that creates something (it carries a form token, docs/decisions/idempotency.md)
  // shows it is working and is sent only once: its button reads "Saving…" (the label is in
  // <body data-saving>) with aria-busy, and a second submit (a double tap) is dropped.
  // Without JavaScript the server recognises the second copy by its token.
  var SENDING = "data-sending";

  function protectedForm(node) {
    return node && node.matches && node.matches("form") &&
      node.querySelector("input[name='form_token']") ? node : null;
  }

  function busy(form, submitter) {
    form.setAttribute(SENDING, "");
    form.setAttribute("aria-busy", "true");
    var button = submitter || form.querySelector("button[type='submit'], button:not([type]), input[type='submit']");
    if (!button || button.form !== form) return;
    var label = document.body.getAttribute("data-saving");
    var isInput = button.tagName === "INPUT";
    button.setAttribute("data-label", isInput ? button.value : button.textContent);
    if (label) {
      if (isInput) button.value = label; else button.textContent = label;
    }
    button.setAttribute("aria-busy", "true");
    button.setAttribute("aria-disabled", "true");
    // Disabled once the browser has read the form, so a named button is still sent.
    window.setTimeout(function () { button.disabled = true; }, 0);
  }

  function idle(form) {
    form.removeAttribute(SENDING);
    form.removeAttribute("aria-busy");
    var buttons = form.querySelectorAll("[data-label]");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      if (button.tagName === "INPUT") button.value = button.getAttribute("data-label");
      else button.textContent = button.getAttribute("data-label");
      button.removeAttribute("data-label");
      button.removeAttribute("aria-busy");
      button.removeAttribute("aria-disabled");
      button.disabled = false;
    }
  }

  // Capture: before htmx or the browser act, drop the second submit of a form being sent.
  document.addEventListener("submit", function (event) {
    var form = protectedForm(event.target);
    if (form && form.hasAttribute(SENDING)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Bubble: an ordinary form whose submit nobody cancelled is now being sent.
  document.addEventListener("submit", function (event) {
    var form = protectedForm(event.target);
    if (form && !event.defaultPrevented) busy(form, event.submitter);
  });

  // htmx sends the form itself (it cancels the browser's submit): busy until it answers.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = protectedForm(event.detail && event.detail.elt);
    if (form) busy(form, event.detail.requestConfig && event.detail.requestConfig.triggeringEvent &&
      event.detail.requestConfig.triggeringEvent.submitter);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = protectedForm(event.detail && event.detail.elt);
    if (form) idle(form);
  });

  // Back to a page kept in the browser's memory: its forms can be used again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    var forms = document.querySelectorAll("form[" + SENDING + "]");
    for (var i = 0; i < forms.length; i++) idle(forms[i]);
  });

  // Close the phone menu after a link in it is followed or Escape is pressed.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var menu = document.getElementById("nav-menu");
      if (menu) menu.removeAttribute("open");
    }
  });
})();
