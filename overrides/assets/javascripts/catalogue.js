/* The home page's catalogue filters (progressive enhancement; loaded only on pages with the catalogue).
   The form is in the page from the first paint (a stylesheet in <noscript> hides it where scripts do not run),
   so this script moves nothing: each change, or the form's submit button, shows the cards whose
   data-organisation, data-kind and data-years match, and says how many in a live region.
   No request leaves the page; no inline style is set (the Content-Security-Policy allows none). */
(function () {
  "use strict";
  function start() {
    var form = document.querySelector(".almanac-filters");
    if (!form) return;
    var cards = Array.prototype.slice.call(document.querySelectorAll(".almanac-card"));
    var none = document.querySelector(".almanac-catalogue__none");
    var count = form.querySelector(".almanac-filters__count");
    var template = form.getAttribute("data-shown") || "{shown}/{total}";
    function value(name) {
      var field = form.elements[name];
      return field ? field.value : "";
    }
    function apply() {
      var organisation = value("organisation"), kind = value("kind"), year = value("year");
      var shown = 0;
      cards.forEach(function (card) {
        var years = (card.getAttribute("data-years") || "").split(" ");
        var match = (!organisation || card.getAttribute("data-organisation") === organisation) &&
                    (!kind || card.getAttribute("data-kind") === kind) &&
                    (!year || years.indexOf(year) !== -1);
        card.hidden = !match;
        if (match) shown += 1;
      });
      if (none) none.hidden = shown !== 0;
      count.textContent = template.replace("{shown}", String(shown)).replace("{total}", String(cards.length));
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    apply();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
