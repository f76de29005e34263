/* Wide tables reachable from the keyboard (loaded on every page, after Material's bundle).
   Material wraps each plain table in a .md-typeset__scrollwrap that scrolls sideways when the table is wider
   than the page (every table with several columns on a phone), but it gives the wrapper no tab stop, so a
   keyboard user cannot scroll it (axe: scrollable-region-focusable). While a wrapper overflows it becomes a
   focusable region named by the heading above the table; when it fits again it is a plain block again, so a
   table that fits never adds a tab stop. Widths change with the window and when the fonts arrive, so each
   wrapper and its table are watched. No request leaves the page; no inline style is set (the CSP allows none). */
(function () {
  "use strict";
  var watcher = typeof ResizeObserver === "function" ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { mark(entry.target.closest(".md-typeset__scrollwrap")); });
  }) : null;

  // The id of the last heading before the table (a page that falls back to another language holds its text
  // in a block of its own, so the heading is not always a sibling).
  function heading(wrap) {
    var found = null;
    Array.prototype.forEach.call(document.querySelectorAll(".md-typeset :is(h1, h2, h3, h4, h5, h6)[id]"),
      function (h) {
        if (h.compareDocumentPosition(wrap) & Node.DOCUMENT_POSITION_FOLLOWING) found = h.id;
      });
    return found;
  }

  function mark(wrap) {
    if (!wrap) return;
    if (wrap.scrollWidth > wrap.clientWidth) {
      if (wrap.getAttribute("tabindex") === "0") return;
      wrap.setAttribute("tabindex", "0");
      var named = heading(wrap);
      if (named) {
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-labelledby", named);
      }
    } else if (wrap.hasAttribute("tabindex")) {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-labelledby");
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".md-typeset__scrollwrap"), function (wrap) {
      mark(wrap);
      if (watcher) {
        watcher.observe(wrap);
        if (wrap.querySelector("table")) watcher.observe(wrap.querySelector("table"));
      }
    });
  }

  // Material's document$ emits once the page's content is mounted (its tables wrapped), and again after
  // each instant navigation; without it (a page outside the theme) the parsed document is enough.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
