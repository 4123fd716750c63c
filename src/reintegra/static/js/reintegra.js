/*
 * Reintegra: the little JavaScript the pages use. Everything works without it; it only adds comfort.
 * Loaded as a static file (the Content-Security-Policy forbids inline script and inline styles), so
 * behaviour is attached through data-* attributes written by the templates:
 *
 *   meta[name=csrf-token]        CSRF token sent with every htmx request (X-CSRFToken header)
 *   [data-autosubmit]            a select that submits its form on change (language switch)
 *   [data-js-hide]               hidden when JavaScript runs (the no-JS fallback buttons)
 *   [data-formset]               a Django formset: "add row" clones its <template>, remove boxes dim a row
 *   form[data-confirm]           asks the (translated) question before submitting
 *   form[data-once]              disables its submit buttons once sent (no double registrations)
 *   details[data-nav-menu]       a navigation menu: one open at a time, closed by a click elsewhere or Escape
 *   [data-error-summary]         a refused form's error summary: focused on load; its links focus their field
 *   .table-wrap                  a table's box: when the table is wider, the box scrolls and can be focused
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // A failed htmx request must say so instead of silently doing nothing (text translated by the page).
  function showRequestError(event) {
    var target = event.detail.target;
    if (!target || target.tagName === "SELECT") {
      return;
    }
    var message = document.createElement("p");
    message.className = "alert alert--error";
    message.setAttribute("role", "alert");
    message.textContent = document.body.getAttribute("data-error-text") || "Error";
    target.replaceChildren(message);
  }
  document.addEventListener("htmx:responseError", showRequestError);
  document.addEventListener("htmx:sendError", showRequestError);

  function setupFormset(container) {
    var prefix = container.getAttribute("data-formset-prefix");
    var total = container.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var maxInput = container.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    var template = container.querySelector("template[data-formset-template]");
    var rows = container.querySelector("[data-formset-rows]");
    var addButton = container.querySelector("[data-formset-add]");
    if (!total || !template || !rows || !addButton) {
      return;
    }
    addButton.hidden = false;
    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var max = maxInput ? parseInt(maxInput.value, 10) : 1000;
      if (index >= max) {
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      while (holder.firstChild) {
        rows.appendChild(holder.firstChild);
      }
      total.value = String(index + 1);
      if (row && window.htmx) {
        window.htmx.process(row);
      }
      var first = row && row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) {
        first.focus();
      }
    });
  }

  function markRemoved(checkbox) {
    var row = checkbox.closest("[data-formset-row]");
    if (row) {
      row.classList.toggle("is-removed", checkbox.checked);
    }
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("[data-autosubmit]") && el.form) {
      el.form.submit();
    }
    if (el.matches("[data-formset-delete]")) {
      markRemoved(el);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-once")) {
      if (form.getAttribute("data-sent") === "true") {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "true");
      form.querySelectorAll('button[type="submit"]').forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
        button.classList.add("is-busy");
      });
    }
  });

  // Pages restored from the back/forward cache must be usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      form.removeAttribute("data-sent");
      form.querySelectorAll('button[type="submit"]').forEach(function (button) {
        button.removeAttribute("aria-disabled");
        button.classList.remove("is-busy");
      });
    });
  });

  // After a refused submit the reader starts at the list of what to correct (not at the top of the page).
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // A link of the summary focuses its field (following the anchor alone would only scroll to it), with the
  // field's label in view.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-error-summary] a[href^='#']") : null;
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector('label[for="' + field.id + '"]');
    var holder = field.closest(".field") || label || field;
    holder.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });

  // A table wider than its box scrolls inside it (static/css/reintegra.css): the box then takes the keyboard
  // focus (to scroll with the arrow keys) and is named after its table for screen readers. A box the
  // template already made focusable is left as it is.
  function tableName(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    // Not the section's own name: two landmarks with one name cannot be told apart (axe: landmark-unique).
    var section = box.closest("section, .card, details, main");
    var heading = section && section.querySelector("h1, h2, h3, summary");
    var name = heading ? heading.textContent.trim() : document.title;
    return name + " (" + (document.body.getAttribute("data-table-text") || "table") + ")";
  }

  function markScrollableTables(root) {
    (root || document).querySelectorAll(".table-wrap").forEach(function (box) {
      var ours = box.hasAttribute("data-scrollable");
      if (box.hasAttribute("tabindex") && !ours) {
        return;
      }
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!ours) {
          box.setAttribute("data-scrollable", "");
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", tableName(box));
        }
      } else if (ours) {
        ["data-scrollable", "tabindex", "role", "aria-label"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      markScrollableTables(document);
    }, 150);
  });
  document.addEventListener(
    "toggle",
    function (event) {
      if (event.target.tagName === "DETAILS" && event.target.open) {
        markScrollableTables(event.target);
      }
    },
    true
  );
  document.addEventListener("htmx:afterSettle", function (event) {
    markScrollableTables(event.target);
  });

  function init() {
    document.querySelectorAll("[data-js-hide]").forEach(function (el) {
      el.hidden = true;
    });
    markScrollableTables(document);
    focusErrorSummary();
    document.querySelectorAll("[data-formset]").forEach(setupFormset);
    document.querySelectorAll("[data-formset-delete]:checked").forEach(markRemoved);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  // Navigation menus: opening one closes the others; a click outside or Escape closes them.
  function closeMenus(except) {
    document.querySelectorAll("details[data-nav-menu][open]").forEach(function (menu) {
      if (menu !== except) {
        menu.removeAttribute("open");
      }
    });
  }
  document.addEventListener("click", function (event) {
    var menu = event.target.closest ? event.target.closest("details[data-nav-menu]") : null;
    closeMenus(menu);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeMenus(null);
    }
  });
})();
