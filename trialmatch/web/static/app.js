/* TrialMatch progressive enhancement. Everything works without this file.
 * Notes: select text inside a trial section, press "Add a note" to quote it in the note form. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var form = document.getElementById("note-form");
    if (!form) { return; }
    var quote = document.getElementById("n-quote");
    var text = document.getElementById("n-text");
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "button note-pop";
    btn.textContent = "Add a note";
    btn.hidden = true;
    document.body.appendChild(btn);
    var picked = "";
    document.addEventListener("selectionchange", function () {
      var sel = window.getSelection();
      var s = sel ? sel.toString().trim() : "";
      if (!s || !sel.rangeCount) { if (!btn.matches(":focus")) { btn.hidden = true; } return; }
      var node = sel.getRangeAt(0).commonAncestorContainer;
      var el = node.nodeType === 1 ? node : node.parentElement;
      if (!el || !el.closest(".selectable")) { btn.hidden = true; return; }
      picked = s.slice(0, 2000);
      var r = sel.getRangeAt(0).getBoundingClientRect();
      btn.style.top = String(window.scrollY + r.bottom + 6) + "px";
      btn.style.left = String(Math.max(8, window.scrollX + r.left)) + "px";
      btn.hidden = false;
    });
    btn.addEventListener("click", function () {
      quote.value = picked;
      btn.hidden = true;
      form.scrollIntoView({ behavior: "smooth", block: "center" });
      text.focus();
    });
  });
})();
