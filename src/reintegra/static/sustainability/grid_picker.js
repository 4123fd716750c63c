/*
 * Feasibility grid picker on the plan form: "Use" fills the approach and dimension of the last plan item
 * row whose approach is still empty (or the last row). No inline script (strict CSP).
 */
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("input[name$='-approach']")).filter(function (input) {
      return !/__prefix__/.test(input.name);
    });
  }

  function connect() {
    rows().forEach(function (input) {
      input.setAttribute("list", "feasibility-approaches");
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-use-approach]") : null;
    if (!button) {
      return;
    }
    var inputs = rows();
    if (!inputs.length) {
      return;
    }
    var target = inputs.filter(function (input) { return !input.value; })[0] || inputs[inputs.length - 1];
    target.value = button.getAttribute("data-use-approach");
    var dimension = document.querySelector("select[name='" + target.name.replace(/approach$/, "dimension") + "']");
    if (dimension) {
      dimension.value = button.getAttribute("data-dimension");
    }
    target.focus();
  });

  document.addEventListener("DOMContentLoaded", connect);
  document.addEventListener("htmx:afterSwap", connect);
  document.addEventListener("formset:added", connect);
})();
