/*
 * Charts: Chart.js (vendored) drawn from JSON the server writes with json_script (no inline script).
 *
 * Template usage (include "includes/charts_head.html" in {% block extra_head %}):
 *
 *   {{ chart_config|json_script:"rss-chart-data" }}
 *   <canvas data-chart="rss-chart-data" role="img" aria-label="..."></canvas>
 *   <table>...the same figures as text, for screen readers and without JavaScript...</table>
 *
 * The config is a plain Chart.js config ({type, data, options}). Extras understood here:
 *   config.links: [[url, ...] per dataset]  clicking a point/bar opens its url (drill-down)
 *   config.percentAxis: "y" | "x"           ticks shown as percentages of 1 (0.25 -> 25 %)
 */
(function () {
  "use strict";

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var config;
    try {
      config = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    var links = config.links;
    delete config.links;
    var percentAxis = config.percentAxis;
    delete config.percentAxis;
    config.options = config.options || {};
    config.options.responsive = true;
    config.options.maintainAspectRatio = false;
    if (percentAxis) {
      config.options.scales = config.options.scales || {};
      var axis = (config.options.scales[percentAxis] = config.options.scales[percentAxis] || {});
      axis.ticks = axis.ticks || {};
      axis.ticks.callback = function (value) {
        return Math.round(value * 100) + " %";
      };
    }
    if (links) {
      config.options.onClick = function (event, elements) {
        if (!elements.length) {
          return;
        }
        var hit = elements[0];
        var url = links[hit.datasetIndex] && links[hit.datasetIndex][hit.index];
        if (url) {
          window.location.assign(url);
        }
      };
      config.options.onHover = function (event, elements) {
        event.native.target.style.cursor = elements.length ? "pointer" : "default";
      };
    }
    new window.Chart(canvas, config);
    canvas.setAttribute("data-chart-ready", "true");
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]:not([data-chart-ready])").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    drawAll(event.target);
  });
})();
