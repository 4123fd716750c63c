// Structured editor of a computed indicator's rule: fills the JSON textarea, which stays the form's value
// (without JavaScript the textarea is edited by hand). Populations, fields and choices come from the
// registry (the page's #definition-catalogue).
(function () {
  "use strict";
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.append(c); });
    return node;
  }
  function select(options, value, label, blank) {
    var s = el("select", { "aria-label": label });
    if (blank !== undefined) s.append(new Option(blank, ""));
    Object.keys(options).forEach(function (k) { s.append(new Option(options[k], k, false, k === value)); });
    if (value && options[value] !== undefined) s.value = value;
    return s;
  }
  function init(box) {
    var text = document.getElementById(box.dataset.definitionEditor);
    var catalogue = JSON.parse(document.getElementById("definition-catalogue").textContent);
    var L = box.dataset;
    var state;
    try { state = JSON.parse(text.value || "{}"); } catch (e) { return; } // hand-written JSON: leave it
    state.filters = state.filters || [];
    state.numerator = state.numerator || [];
    function write() {
      if (!state.population) { text.value = ""; return; }
      var out = { population: state.population, unit: state.unit, date: state.date };
      if (state.filters.length) out.filters = state.filters;
      if (state.numerator.length) out.numerator = state.numerator;
      if (state.value) out.value = state.value;
      text.value = JSON.stringify(out, null, 2);
    }
    function conditions(key, population) {
      var list = el("div", { "class": "conditions" });
      var fields = {};
      Object.keys(population.fields).forEach(function (f) { fields[f] = population.fields[f].label; });
      state[key].forEach(function (cond, i) {
        var spec = population.fields[cond.field];
        var field = select(fields, cond.field, L.labelFilters, L.labelNone);
        field.addEventListener("change", function () { state[key][i] = { field: field.value, op: "", value: null }; render(); });
        var row = el("div", { "class": "condition" }, [field]);
        if (spec) {
          var ops = {}; spec.ops.forEach(function (o) { ops[o] = o; });
          var op = select(ops, cond.op, "op");
          if (!cond.op) { cond.op = spec.ops[0]; }
          op.addEventListener("change", function () { cond.op = op.value; write(); });
          row.append(op);
          var input;
          if (spec.kind === "choice") {
            input = el("select", { multiple: "multiple", "aria-label": spec.label });
            spec.choices.forEach(function (c) {
              input.append(new Option(c[1], c[0], false, (cond.value || []).indexOf(c[0]) >= 0));
            });
            input.addEventListener("change", function () {
              cond.value = Array.from(input.selectedOptions).map(function (o) { return o.value; }); write();
            });
          } else if (spec.kind === "flag") {
            input = select({ "true": "✓", "false": "✗" }, String(cond.value === true), spec.label);
            cond.value = cond.value === true;
            input.addEventListener("change", function () { cond.value = input.value === "true"; write(); });
          } else {
            input = el("input", { type: "number", step: "any", "aria-label": spec.label });
            input.value = cond.value === null || cond.value === undefined ? "" : cond.value;
            input.addEventListener("input", function () { cond.value = input.value === "" ? null : Number(input.value); write(); });
          }
          row.append(input);
        }
        var remove = el("button", { type: "button", "class": "button button--secondary" }, [L.labelRemove]);
        remove.addEventListener("click", function () { state[key].splice(i, 1); render(); });
        row.append(remove);
        list.append(row);
      });
      var add = el("button", { type: "button", "class": "button button--secondary" }, [L.labelAdd]);
      add.addEventListener("click", function () { state[key].push({ field: "", op: "", value: null }); render(); });
      list.append(add);
      return list;
    }
    function labelled(text, control) { return el("label", { "class": "field" }, [text, " ", control]); }
    function render() {
      box.replaceChildren();
      var populations = {};
      Object.keys(catalogue).forEach(function (k) { populations[k] = catalogue[k].label; });
      var pop = select(populations, state.population, L.labelPopulation, L.labelNone);
      pop.addEventListener("change", function () {
        state = { population: pop.value, filters: [], numerator: [] }; render();
      });
      box.append(labelled(L.labelPopulation, pop));
      var population = catalogue[state.population];
      if (population) {
        [["unit", "units", L.labelUnit], ["date", "dates", L.labelDate], ["value", "values", L.labelValue]].forEach(function (p) {
          var s = select(population[p[1]], state[p[0]], p[2], L.labelNone);
          s.addEventListener("change", function () { state[p[0]] = s.value; write(); });
          box.append(labelled(p[2], s));
        });
        box.append(el("p", {}, [L.labelFilters]), conditions("filters", population));
        box.append(el("p", {}, [L.labelNumerator]), conditions("numerator", population));
      }
      write();
    }
    box.hidden = false;
    render();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-definition-editor]").forEach(init);
  });
})();
