/* Zoufang dashboards: draws the charts of /insights/ pages with ECharts from the JSON the page embeds
   (#dashboard-data, written by json_script). Every bar, slice and point opens the list behind it.
   The numbers and their links are also in the page itself, so nothing is lost without this file. */
(function () {
  "use strict";

  var RISK_COLOURS = { red: "#c62828", orange: "#ef6c00", yellow: "#f9a825", blue: "#1565c0", "": "#90a4ae" };
  var PALETTE = ["#b71c1c", "#1c5fb7", "#2e7d32", "#e65100", "#6a1b9a", "#00838f", "#5d4037", "#c2185b",
    "#455a64", "#827717", "#90a4ae"];

  function figures(items) {
    return (items || []).map(function (f) {
      return { name: f.label, value: f.value, url: f.url, key: f.key };
    });
  }

  function pie(items, colours) {
    var data = figures(items).filter(function (d) { return d.value > 0; });
    if (colours) {
      data.forEach(function (d) { d.itemStyle = { color: colours[d.key] || "#90a4ae" }; });
    }
    return {
      color: PALETTE,
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { bottom: 0, type: "scroll" },
      series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: data,
        label: { formatter: "{b} {c}" } }]
    };
  }

  function bars(items, horizontal) {
    var data = figures(items);
    var names = data.map(function (d) { return d.name; });
    var category = { type: "category", data: names, axisLabel: { interval: 0 } };
    var value = { type: "value", minInterval: 1 };
    if (horizontal) {
      category.inverse = true;
      category.axisLabel.width = 110;
      category.axisLabel.overflow = "truncate";
    } else {
      category.axisLabel.rotate = names.length > 4 ? 30 : 0;
    }
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: horizontal ? 120 : 40, right: 24, top: 16, bottom: horizontal ? 24 : 56 },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{ type: "bar", data: data, label: { show: true, position: horizontal ? "right" : "top" } }]
    };
  }

  function weeks(data) {
    var series = data.series || {};
    var rows = data.weeks || [];
    var lines = [];
    ["registered", "assigned", "resolved", "visits"].forEach(function (key) {
      if (!rows.length || rows[0][key] === null || rows[0][key] === undefined) {
        return;
      }
      lines.push({
        name: series[key] || key,
        type: key === "visits" ? "bar" : "line",
        yAxisIndex: key === "visits" ? 1 : 0,
        data: rows.map(function (w) { return { value: w[key], url: w[key + "_url"] || null }; })
      });
    });
    var hasVisits = lines.some(function (l) { return l.yAxisIndex === 1; });
    return {
      color: ["#b71c1c", "#1c5fb7", "#2e7d32", "#90caf9"],
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 48, right: hasVisits ? 56 : 24, top: 24, bottom: 48 },
      xAxis: { type: "category", data: rows.map(function (w) { return w.iso; }) },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1, show: hasVisits,
        splitLine: { show: false } }],
      series: lines
    };
  }

  var BUILDERS = {
    by_kind: function (data) { return pie(data.by_kind); },
    by_status: function (data) { return bars(data.by_status, false); },
    by_category: function (data) { return bars(data.by_category, true); },
    by_risk: function (data) { return pie(data.by_risk, RISK_COLOURS); },
    weeks: weeks
  };

  function init() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var build = BUILDERS[node.getAttribute("data-chart")];
      if (!build) {
        return;
      }
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(build(data));
      chart.on("click", function (params) {
        var url = params.data && params.data.url;
        if (url) {
          window.location.href = url;
        }
      });
      node.setAttribute("data-drawn", "1");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
