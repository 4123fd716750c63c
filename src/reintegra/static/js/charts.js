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
 *   a point {x, y, ..., tooltip, tag}       its tooltip line (written by the server); a short text drawn on it
 * Numbers follow the page's language (<html lang>): "0,5" on a Spanish page.
 */
(function () {
  "use strict";

  // A point's own tooltip line when the server wrote one; undefined lets Chart.js write its default.
  function pointTooltip(context) {
    var raw = context.raw;
    return raw && typeof raw === "object" && raw.tooltip ? raw.tooltip : undefined;
  }

  // Each point's `tag` drawn on it, so a point can be found in the table beside the chart.
  var pointTags = {
    id: "reintegraPointTags",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = "600 11px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(17, 24, 39, 0.85)";
      ctx.fillStyle = "#ffffff";
      chart.data.datasets.forEach(function (dataset, index) {
        if (!chart.isDatasetVisible(index)) {
          return;
        }
        chart.getDatasetMeta(index).data.forEach(function (element, at) {
          var raw = dataset.data[at];
          if (raw && typeof raw === "object" && raw.tag) {
            ctx.strokeText(raw.tag, element.x, element.y);
            ctx.fillText(raw.tag, element.x, element.y);
          }
        });
      });
      ctx.restore();
    },
  };

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
    config.options.locale = config.options.locale || document.documentElement.lang || undefined;
    config.options.plugins = config.options.plugins || {};
    var tooltip = (config.options.plugins.tooltip = config.options.plugins.tooltip || {});
    tooltip.callbacks = tooltip.callbacks || {};
    tooltip.callbacks.label = pointTooltip;
    config.plugins = (config.plugins || []).concat([pointTags]);
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
