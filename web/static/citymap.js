/* netops city map: the GeoJSON of /api/v1/topology.geojson on Leaflet (vendored, no CDN).
   Sites are markers coloured by their stored state (schools square), fibers are lines along
   their routes coloured by link state and thicker with utilisation; named route points show
   from zoom 16. Tiles are optional: when none load, the map draws on a plain background.
   Every name is put in the page as text (textContent), never as HTML. Refreshes every 30 s. */
(function () {
  "use strict";
  var box = document.getElementById("citymap");
  if (!box || typeof L === "undefined") { return; }
  var labels = JSON.parse(box.dataset.labels || "{}");
  var words = JSON.parse(box.dataset.words || "{}");
  var LINK_COLOURS = { up: "#1a7f37", down: "#cf222e", degraded: "#bf8700" };
  var POINT_ZOOM = 16;
  var map = L.map(box, { zoomControl: true, preferCanvas: false, minZoom: 3, maxZoom: 19 });
  map.setView([-7.48, 110.2177], 14);
  var state = { sites: 0, links: 0, points: 0, tileErrors: 0, tilesLoaded: 0, drawn: false, byLink: {} };
  window.netopsCityMap = state;

  if (box.dataset.tiles) {
    var tiles = L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: "" });
    tiles.on("tileerror", function () {
      state.tileErrors += 1;
      if (state.tilesLoaded === 0) { box.classList.add("no-tiles"); showNote(words.no_tiles); }
    });
    tiles.on("tileload", function () { state.tilesLoaded += 1; box.classList.remove("no-tiles"); hideNote(); });
    tiles.addTo(map);
    if (box.dataset.attribution) { map.attributionControl.addAttribution(escapeText(box.dataset.attribution)); }
  } else {
    box.classList.add("no-tiles");
  }

  function escapeText(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }
  function showNote(text) {
    var note = document.getElementById("tile-note");
    if (note && text) { note.textContent = text; note.hidden = false; }
  }
  function hideNote() { var note = document.getElementById("tile-note"); if (note) { note.hidden = true; } }
  function label(s) { return labels[s] || s || ""; }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }
  function link(href, text) { var a = el("a", text); a.href = href; return a; }
  function facts(rows) {
    var dl = el("dl", null, "facts");
    rows.forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === "") { return; }
      dl.appendChild(el("dt", r[0]));
      dl.appendChild(el("dd", String(r[1])));
    });
    return dl;
  }
  function metres(m) {
    if (m === null || m === undefined) { return ""; }
    return m >= 1000 ? (m / 1000).toFixed(2) + " km" : Math.round(m) + " m";
  }
  function cls(text) { return String(text || "unknown").replace(/[^a-z_]/gi, ""); }

  var clusters = L.markerClusterGroup({ disableClusteringAtZoom: 15, maxClusterRadius: 40,
                                        showCoverageOnHover: false });
  var fibers = L.layerGroup();
  var points = L.layerGroup();
  map.addLayer(fibers);
  map.addLayer(clusters);
  var bounds = null;

  function filters() {
    return { district: document.getElementById("f-district").value,
             kind: document.getElementById("f-kind").value,
             down: document.getElementById("f-down").checked };
  }

  function sitePopup(p) {
    var div = el("div", null, "popup");
    div.appendChild(el("strong", p.name));
    div.appendChild(facts([[words.state, label(p.state)], [words.kind, p.kind], [words.district, p.district]]));
    div.appendChild(link(box.dataset.siteUrl.replace("__name__", encodeURIComponent(p.name)), words.site));
    return div;
  }

  function fiberPopup(p) {
    var div = el("div", null, "popup");
    div.appendChild(el("strong", p.a + " – " + p.b));
    div.appendChild(facts([[words.state, label(p.state)], [words.length, metres(p.length_m)],
                           [words.since, p.since ? p.since.replace("T", " ").slice(0, 16) : ""]]));
    div.appendChild(link(box.dataset.fiberUrl.replace("__id__", encodeURIComponent(p.id)), words.fiber));
    return div;
  }

  function draw(doc) {
    var f = filters();
    clusters.clearLayers();
    fibers.clearLayers();
    points.clearLayers();
    state.sites = 0; state.links = 0; state.points = 0; state.byLink = {};
    var siteOf = {};
    var latlngs = [];
    doc.features.forEach(function (feat) {
      if (feat.properties.feature === "site") { siteOf[feat.properties.name] = feat.properties; }
    });
    function siteShown(name) {
      var s = siteOf[name];
      if (!s) { return false; }
      if (f.district && s.district !== f.district) { return false; }
      if (f.kind && s.kind !== f.kind) { return false; }
      return true;
    }
    doc.features.forEach(function (feat) {
      var p = feat.properties;
      var g = feat.geometry;
      if (p.feature === "site") {
        if (!siteShown(p.name) || (f.down && p.state === "connected")) { return; }
        var ll = [g.coordinates[1], g.coordinates[0]];
        var shape = p.kind === "school" ? "school" : "round";
        var icon = L.divIcon({ className: "site-marker " + shape + " s-" + cls(p.state),
                               iconSize: shape === "school" ? [14, 14] : [14, 14], html: "" });
        var marker = L.marker(ll, { icon: icon, title: p.name, keyboard: true, alt: p.name });
        marker.bindPopup(sitePopup(p));
        clusters.addLayer(marker);
        latlngs.push(ll);
        state.sites += 1;
      } else if (p.feature === "link") {
        if (!(siteShown(p.a_site) || siteShown(p.b_site)) || (f.down && p.state === "up")) { return; }
        var line = g.coordinates.map(function (c) { return [c[1], c[0]]; });
        var weight = 3 + Math.min(5, Math.round((p.utilization_pct || 0) / 20));
        var poly = L.polyline(line, {
          color: LINK_COLOURS[p.state] || "#8c959f", weight: p.state === "down" ? weight + 2 : weight,
          opacity: 0.9, dashArray: p.state === "down" ? "8 6" : null,
          className: "fiber l-" + cls(p.state) + (p.routed ? " routed" : " straight")
        });
        poly.bindPopup(fiberPopup(p));
        poly.bindTooltip(el("span", p.a + " – " + p.b + " (" + label(p.state) + ")"), { sticky: true });
        poly.addTo(fibers);
        var path = poly.getElement && poly.getElement();
        if (path) { path.setAttribute("data-id", p.id); path.setAttribute("data-state", p.state); }
        state.byLink[p.id] = p.state;
        line.forEach(function (x) { latlngs.push(x); });
        state.links += 1;
      } else if (p.feature === "point") {
        var pll = [g.coordinates[1], g.coordinates[0]];
        var dot = L.circleMarker(pll, { radius: 4, weight: 1, color: "#24292f", fillColor: "#fff",
                                        fillOpacity: 1, className: "route-point k-" + cls(p.kind) });
        var kind = (words.point_kinds || {})[p.kind] || p.kind;
        dot.bindTooltip(el("span", p.name + " (" + kind + ")"), { direction: "top" });
        dot.addTo(points);
        state.points += 1;
      }
    });
    if (!bounds && latlngs.length) {
      bounds = L.latLngBounds(latlngs);
      var focus = box.dataset.focus && siteOf[box.dataset.focus];
      if (focus) {
        var fc = doc.features.filter(function (x) { return x.id === "site:" + box.dataset.focus; })[0];
        map.setView([fc.geometry.coordinates[1], fc.geometry.coordinates[0]], 17);
      } else {
        map.fitBounds(bounds.pad(0.05));
      }
    }
    togglePoints();
    state.drawn = true;
    box.dataset.sites = String(state.sites);
    box.dataset.links = String(state.links);
  }

  function togglePoints() {
    state.zoom = map.getZoom();
    box.dataset.zoom = String(state.zoom);
    if (map.getZoom() >= POINT_ZOOM) { map.addLayer(points); } else { map.removeLayer(points); }
  }
  map.on("zoomend", togglePoints);

  var last = null;
  function load() {
    return fetch(box.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (doc) {
        last = doc;
        draw(doc);
        var stamp = document.getElementById("refreshed");
        if (stamp) { stamp.textContent = new Date().toLocaleTimeString(); }
      })
      .catch(function () { /* keep what is drawn; the next refresh tries again */ });
  }
  ["f-district", "f-kind", "f-down"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", function () { if (last) { draw(last); } });
  });
  // placing a site without coordinates: a draggable marker in the middle, saved where it is dropped
  function save(name, latlng, note) {
    var body = new URLSearchParams({ lat: latlng.lat.toFixed(6), lon: latlng.lng.toFixed(6) });
    return fetch(box.dataset.placeUrl.replace("__name__", encodeURIComponent(name)), {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRFToken": box.dataset.csrf, Accept: "application/json" }
    }).then(function (r) {
      note.textContent = r.ok ? words.saved + " (" + latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5) + ")"
                              : words.not_saved + " (" + r.status + ")";
      if (r.ok) { note.parentNode.classList.add("done"); load(); }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.place"), function (button) {
    button.addEventListener("click", function () {
      var name = button.dataset.name;
      var note = button.parentNode.querySelector(".placed");
      var pin = L.marker(map.getCenter(), {
        draggable: true, title: name, alt: name,
        icon: L.divIcon({ className: "site-marker round placing", iconSize: [18, 18], html: "" })
      }).addTo(map);
      pin.bindTooltip(el("span", name + ": " + words.drag), { permanent: true, direction: "top" });
      pin.on("dragend", function () { save(name, pin.getLatLng(), note); });
      button.disabled = true;
      state.placing = name;
    });
  });

  window.netopsRefreshCityMap = load;
  load();
  setInterval(load, 30000);  // well within one status cycle (60 s by default)
})();
