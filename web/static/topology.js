/* Topology map: pan (drag), zoom (wheel, pinch buttons), click for details, filters,
   and in-place state refresh from /api/v1/topology every 30 s. Plain JS, no library. */
(function () {
  var svg = document.getElementById("topo");
  if (!svg) { return; }
  var base = svg.viewBox.baseVal, view = {x: base.x, y: base.y, w: base.width, h: base.height};
  var initial = Object.assign({}, view);
  // Dots and labels keep their size on screen (11 px labels) whatever the zoom and screen width:
  // each g.mark is scaled by the SVG units per screen pixel. Access-switch labels are hidden
  // while the map is too small for them to be read (a phone's whole-network view); zoom in.
  function fitMarks() {
    var r = svg.getBoundingClientRect();
    if (!r.width || !r.height) { return; }
    var perPixel = Math.max(view.w / r.width, view.h / r.height), k = perPixel.toFixed(3);
    svg.querySelectorAll(".mark").forEach(function (m) { m.setAttribute("transform", "scale(" + k + ")"); });
    svg.classList.toggle("dense", perPixel > 2);
  }
  function apply() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); fitMarks(); }
  window.addEventListener("resize", fitMarks);
  fitMarks();
  function toSvg(evt) {
    var r = svg.getBoundingClientRect();
    return {x: view.x + (evt.clientX - r.left) / r.width * view.w, y: view.y + (evt.clientY - r.top) / r.height * view.h};
  }
  svg.addEventListener("wheel", function (evt) {
    evt.preventDefault();
    var p = toSvg(evt), k = evt.deltaY < 0 ? 0.85 : 1 / 0.85;
    view.x = p.x - (p.x - view.x) * k; view.y = p.y - (p.y - view.y) * k; view.w *= k; view.h *= k; apply();
  }, {passive: false});
  var drag = null;
  svg.addEventListener("pointerdown", function (evt) {
    if (evt.target.closest(".node")) { return; }
    drag = {x: evt.clientX, y: evt.clientY, vx: view.x, vy: view.y}; svg.setPointerCapture(evt.pointerId);
  });
  svg.addEventListener("pointermove", function (evt) {
    if (!drag) { return; }
    var r = svg.getBoundingClientRect();
    view.x = drag.vx - (evt.clientX - drag.x) / r.width * view.w;
    view.y = drag.vy - (evt.clientY - drag.y) / r.height * view.h; apply();
  });
  svg.addEventListener("pointerup", function () { drag = null; });
  function zoom(k) {
    var cx = view.x + view.w / 2, cy = view.y + view.h / 2;
    view.w *= k; view.h *= k; view.x = cx - view.w / 2; view.y = cy - view.h / 2; apply();
  }
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(0.7); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 0.7); });
  document.getElementById("zoom-reset").addEventListener("click", function () { view = Object.assign({}, initial); apply(); });

  var details = document.getElementById("details");
  svg.addEventListener("click", function (evt) {
    var node = evt.target.closest(".node");
    if (!node) { details.hidden = true; return; }
    document.getElementById("d-name").textContent = node.dataset.name;
    document.getElementById("d-state").textContent = node.dataset.state;
    document.getElementById("d-role").textContent = node.dataset.role;
    document.getElementById("d-site").textContent = node.dataset.site + (node.dataset.district ? " · " + node.dataset.district : "");
    document.getElementById("d-link").href = svg.dataset.deviceUrl.replace("__name__", encodeURIComponent(node.dataset.name));
    details.hidden = false;
  });

  document.getElementById("topo-filter").addEventListener("submit", function (evt) { evt.preventDefault(); });
  var fDistrict = document.getElementById("f-district"), fRole = document.getElementById("f-role");
  function filter() {
    var shown = {};
    svg.querySelectorAll(".node").forEach(function (node) {
      var ok = (!fDistrict.value || node.dataset.district === fDistrict.value) && (!fRole.value || node.dataset.role === fRole.value);
      node.classList.toggle("hidden", !ok); if (ok) { shown[node.dataset.name] = true; }
    });
    svg.querySelectorAll(".link").forEach(function (link) {
      link.classList.toggle("hidden", !(shown[link.dataset.a] && shown[link.dataset.b]));
    });
  }
  fDistrict.addEventListener("change", filter); fRole.addEventListener("change", filter);

  function setState(el, prefix, state) {
    el.classList.forEach(function (c) { if (c.indexOf(prefix) === 0) { el.classList.remove(c); } });
    el.classList.add(prefix + state); el.dataset.state = state;
  }
  function refresh() {
    fetch(svg.dataset.api, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var nodes = {};
        svg.querySelectorAll(".node").forEach(function (n) { nodes[n.dataset.name] = n; });
        data.nodes.forEach(function (n) { if (nodes[n.id]) { setState(nodes[n.id], "n-", n.state); } });
        var links = {};
        svg.querySelectorAll(".link").forEach(function (el) { links[el.dataset.key] = el; });
        data.links.forEach(function (l) {
          var el = links[l.key];
          if (el) { setState(el, "l-", l.state); el.setAttribute("stroke-width", (1.5 + (l.utilization_pct || 0) / 20).toFixed(1)); }
        });
        document.getElementById("refreshed").textContent = new Date().toLocaleTimeString();
      })
      .catch(function () { document.getElementById("refreshed").textContent = "!"; });
  }
  window.netopsRefreshTopology = refresh;
  setInterval(refresh, 30000);
})();
