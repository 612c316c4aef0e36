/* netops fiber card: a small Leaflet map of one fiber (its route from site A to site B and its
   named points), tiles optional; the print button prints the card (print stylesheet). */
(function () {
  "use strict";
  var printButton = document.getElementById("print-card");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
  var box = document.getElementById("fiber-map");
  if (!box || typeof L === "undefined") { return; }
  var line = JSON.parse(box.dataset.line || "[]");
  var stops = JSON.parse(box.dataset.stops || "[]");
  var colours = { up: "#1a7f37", down: "#cf222e", degraded: "#bf8700" };
  var map = L.map(box, { zoomControl: true, attributionControl: true });
  if (box.dataset.tiles) {
    var tiles = L.tileLayer(box.dataset.tiles, { maxZoom: 19 });
    var loaded = 0;
    tiles.on("tileload", function () { loaded += 1; box.classList.remove("no-tiles"); });
    tiles.on("tileerror", function () { if (!loaded) { box.classList.add("no-tiles"); } });
    tiles.addTo(map);
    if (box.dataset.attribution) {
      var span = document.createElement("span");
      span.textContent = box.dataset.attribution;
      map.attributionControl.addAttribution(span.innerHTML);
    }
  } else {
    box.classList.add("no-tiles");
  }
  var state = box.dataset.state;
  var poly = L.polyline(line, { color: colours[state] || "#8c959f", weight: 6, opacity: 0.9,
                                dashArray: state === "down" ? "10 6" : null,
                                className: "fiber l-" + String(state).replace(/[^a-z_]/gi, "") });
  poly.addTo(map);
  [line[0], line[line.length - 1]].forEach(function (ll, i) {
    var end = L.circleMarker(ll, { radius: 7, color: "#24292f", weight: 2, fillColor: "#fff", fillOpacity: 1 });
    var tip = document.createElement("span");
    tip.textContent = i === 0 ? "A" : "B";
    end.bindTooltip(tip, { permanent: true, direction: "top" });
    end.addTo(map);
  });
  stops.forEach(function (s) {
    var dot = L.circleMarker([s.lat, s.lon], { radius: 4, color: "#24292f", weight: 1, fillColor: "#fff",
                                               fillOpacity: 1, className: "route-point" });
    var tip = document.createElement("span");
    tip.textContent = s.name + (s.kind ? " (" + s.kind + ")" : "");
    dot.bindTooltip(tip, { direction: "right" });
    dot.addTo(map);
  });
  map.fitBounds(poly.getBounds().pad(0.15));
  window.netopsFiberMap = { points: line.length, drawn: true };
})();
