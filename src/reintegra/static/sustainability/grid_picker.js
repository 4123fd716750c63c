/*
 * Feasibility grid picker on the plan form: "Use" fills a plan item with the grid row's approach and
 * dimension: the first kept row whose approach is still empty, or a new row (the formset's own "add"
 * button) when every row is taken, so that a filled item is never overwritten. The row is brought into
 * view and the form of assistance, the next choice to make, gets the focus. No inline script (strict CSP).
 */
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("input[name$='-approach']")).filter(function (input) {
      if (/__prefix__/.test(input.name)) {
        return false;
      }
      var row = input.closest("[data-formset-row]");
      return !(row && row.classList.contains("is-removed"));
    });
  }

  function connect() {
    rows().forEach(function (input) {
      input.setAttribute("list", "feasibility-approaches");
    });
  }

  function field(approach, name) {
    return document.querySelector("[name='" + approach.name.replace(/approach$/, name) + "']");
  }

  function emptyRow() {
    var empty = rows().filter(function (input) { return !input.value.trim(); });
    if (empty.length) {
      return empty[0];
    }
    var add = document.querySelector("[data-formset-prefix='items'] [data-formset-add]");
    if (!add || add.hidden) {
      return null;
    }
    var before = rows().length;
    add.click();
    var after = rows();
    return after.length > before ? after[after.length - 1] : null;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-use-approach]") : null;
    if (!button) {
      return;
    }
    var target = emptyRow();
    if (!target) {
      return;
    }
    target.value = button.getAttribute("data-use-approach");
    var dimension = field(target, "dimension");
    if (dimension) {
      dimension.value = button.getAttribute("data-dimension");
    }
    [target, dimension].forEach(function (input) {
      if (input) {
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    var row = target.closest("[data-formset-row]");
    if (row) {
      row.scrollIntoView({ block: "center" });
    }
    var next = field(target, "assistance_form");
    (next && !next.value ? next : target).focus();
  });

  document.addEventListener("DOMContentLoaded", connect);
  document.addEventListener("htmx:afterSwap", connect);
})();
