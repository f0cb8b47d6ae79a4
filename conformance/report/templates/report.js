(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("#req-table tr.req"));
  var verdict = document.getElementById("filter-verdict");
  var level = document.getElementById("filter-level");
  var operation = document.getElementById("filter-operation");
  var text = document.getElementById("filter-text");
  var shownCount = document.getElementById("shown-count");
  var noMatch = document.getElementById("no-match");

  // The row's verdict on one operation ("op=verdict" pairs), null when it does not list it.
  function verdictOn(row, op) {
    var pairs = row.getAttribute("data-op-verdicts").split(" ");
    for (var i = 0; i < pairs.length; i += 1) {
      var cut = pairs[i].indexOf("=");
      if (pairs[i].slice(0, cut) === op) { return pairs[i].slice(cut + 1); }
    }
    return null;
  }

  function matches(row) {
    var q = text.value.trim().toLowerCase();
    // With an operation chosen, the verdict filter reads the verdict on that operation.
    var shown = operation.value ? verdictOn(row, operation.value) : row.getAttribute("data-verdict");
    return shown !== null &&
      (!verdict.value || shown === verdict.value) &&
      (!level.value || row.getAttribute("data-level") === level.value) &&
      (!q || row.getAttribute("data-search").indexOf(q) >= 0);
  }

  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var ok = matches(row);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    shownCount.textContent = String(shown);
    noMatch.hidden = shown !== 0;
    return shown;
  }

  function setFilters(v, l, o) {
    verdict.value = v || "";
    level.value = l || "";
    operation.value = o || "";
    text.value = "";
    return apply();
  }

  [verdict, level, operation].forEach(function (el) { el.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  document.getElementById("filter-reset").addEventListener("click", function () { setFilters("", "", ""); });

  Array.prototype.forEach.call(document.querySelectorAll("button[data-set-verdict]"), function (b) {
    b.addEventListener("click", function () {
      setFilters(b.getAttribute("data-set-verdict"), b.getAttribute("data-set-level"),
        b.getAttribute("data-set-operation"));
      document.getElementById("requirements").scrollIntoView();
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (b) {
    b.addEventListener("click", function () {
      var pre = b.parentNode.querySelector("pre");
      var done = function () { b.textContent = "Copied"; };
      var fallback = function () {
        var range = document.createRange();
        range.selectNodeContents(pre);
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        b.textContent = "Selected: press Ctrl+C";
      };
      try {
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(pre.textContent).then(done, fallback);
        } else {
          fallback();
        }
      } catch (e) {
        fallback();
      }
    });
  });

  // For scripted use (and the browser test): filter and count without touching the form.
  window.grooveReport = { apply: apply, setFilters: setFilters };
  apply();
}());
