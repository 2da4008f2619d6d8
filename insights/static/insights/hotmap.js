/* Zoufang: the hot issues on a map of townships (the leader's dashboard), drawn with Leaflet from the JSON the
   page embeds (#hot-map-data, insights.selectors.hotmap). Tiles only when the deployment configures a tile URL
   (e.g. 天地图); without them the points and their names stand on a plain ground. The list below the map holds
   the same issues and links, so nothing is lost without this file. */
(function () {
  "use strict";

  function colour(index) {
    if (index >= 70) { return "#b71c1c"; }
    if (index >= 50) { return "#e65100"; }
    if (index >= 30) { return "#f9a825"; }
    return "#1565c0";
  }

  function escape(text) {
    var div = document.createElement("div");
    div.textContent = String(text);
    return div.innerHTML;
  }

  function popup(point) {
    var lines = point.issues.map(function (i) {
      return "<li><a href=\"" + escape(i.url) + "\">" + escape(i.description) + "</a>（" + escape(i.index) + "）</li>";
    });
    return "<strong>" + escape(point.name) + "</strong><ol>" + lines.join("") + "</ol>";
  }

  function draw() {
    var holder = document.getElementById("hot-map");
    var source = document.getElementById("hot-map-data");
    if (!holder || !source || typeof L === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var map = L.map(holder, { zoomControl: true, zoomSnap: 0.25, attributionControl: Boolean(data.tiles) });
    if (data.tiles) {
      L.tileLayer(data.tiles, { subdomains: data.subdomains || "abc", attribution: data.attribution || "", maxZoom: 18 })
        .addTo(map);
    } else {
      holder.classList.add("hot-map-plain");
    }
    var bounds = [];
    data.points.forEach(function (point) {
      var marker = L.circleMarker([point.lat, point.lng], {
        radius: 6 + point.index / 8, color: colour(point.index), weight: point.approximate ? 1 : 2,
        dashArray: point.approximate ? "3 3" : null, fillOpacity: 0.55
      }).addTo(map);
      var labelled = !data.tiles && data.points.length <= 12;
      marker.bindTooltip(point.name + " " + point.index, { permanent: labelled, direction: "top", offset: [0, -6] });
      marker.bindPopup(popup(point));
      bounds.push([point.lat, point.lng]);
    });
    map.invalidateSize();
    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 12, animate: false });
    } else {
      map.setView(data.centre, data.zoom, { animate: false });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
