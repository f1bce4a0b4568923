// Coding a transcript (issue 12): the passage selected with the mouse or a finger becomes
// the start and end of the coding form. Positions count Unicode code points of the
// transcript's text, as Python does (a string's UTF-16 units would shift every position
// after an emoji). The transcript element's text content is exactly the stored text, so
// the text before a selection's end points, read with a Range, gives the positions.
// Without JavaScript the form codes a whole turn instead. No inline script (CSP).
(function () {
  "use strict";

  var PREVIEW = 140;

  function codePoints(text) {
    var n = 0;
    for (var i = 0; i < text.length; i++) {
      var unit = text.charCodeAt(i);
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
        var next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  // The text of `container` from its start up to (node, offset).
  function textBefore(container, node, offset) {
    var range = document.createRange();
    range.setStart(container, 0);
    range.setEnd(node, offset);
    return range.toString();
  }

  function init() {
    var container = document.getElementById("transcript-text");
    var form = document.getElementById("coding-form");
    if (!container || !form || !form.elements.start || !form.elements.end) return;
    // The page's promise: the element holds the transcript's text, nothing more. If a
    // browser changed it (it should not), the whole-turn form alone is safe to use.
    var expected = parseInt(container.getAttribute("data-length"), 10);
    if (codePoints(container.textContent) !== expected) return;

    var bar = document.getElementById("selection-bar");
    var preview = document.getElementById("selection-preview");
    var state = document.getElementById("selection-state");
    var clear = document.getElementById("selection-clear");
    var turn = form.elements.turn;
    var shows = document.querySelectorAll("[data-js-show]");
    for (var i = 0; i < shows.length; i++) shows[i].hidden = false;
    var stateText = state ? state.textContent : "";

    function show(quote) {
      var short = quote.length > PREVIEW ? quote.slice(0, PREVIEW - 1) + "…" : quote;
      if (preview) preview.textContent = short;
      if (bar) bar.hidden = false;
      if (state) state.textContent = "«" + short + "»";
    }

    function reset() {
      form.elements.start.value = "";
      form.elements.end.value = "";
      if (form.elements.quote) form.elements.quote.value = "";
      if (bar) bar.hidden = true;
      if (state) state.textContent = stateText;
    }

    function read() {
      var selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
      var range = selection.getRangeAt(0);
      // Only the part of the selection inside the transcript counts.
      var inside = document.createRange();
      inside.selectNodeContents(container);
      if (range.compareBoundaryPoints(Range.END_TO_START, inside) >= 0) return; // after it
      if (range.compareBoundaryPoints(Range.START_TO_END, inside) <= 0) return; // before it
      if (range.compareBoundaryPoints(Range.START_TO_START, inside) > 0) {
        inside.setStart(range.startContainer, range.startOffset);
      }
      if (range.compareBoundaryPoints(Range.END_TO_END, inside) < 0) {
        inside.setEnd(range.endContainer, range.endOffset);
      }
      var before = textBefore(container, inside.startContainer, inside.startOffset);
      var quote = inside.toString();
      // Spaces and line ends at either edge of the selection are left out.
      var lead = quote.length - quote.replace(/^\s+/, "").length;
      var trimmed = quote.replace(/^\s+/, "").replace(/\s+$/, "");
      if (!trimmed) return;
      var start = codePoints(before) + codePoints(quote.slice(0, lead));
      var end = start + codePoints(trimmed);
      form.elements.start.value = String(start);
      form.elements.end.value = String(end);
      if (form.elements.quote) form.elements.quote.value = trimmed;
      if (turn) turn.value = "";
      show(trimmed);
    }

    var timer = null;
    document.addEventListener("selectionchange", function () {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(read, 120);
    });
    // A selection made and released at once (a double click) is read without waiting.
    container.addEventListener("mouseup", read);
    container.addEventListener("touchend", function () { window.setTimeout(read, 50); });
    if (clear) clear.addEventListener("click", reset);
    // Choosing a whole turn drops the selection.
    if (turn) turn.addEventListener("change", function () { if (turn.value) reset(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
