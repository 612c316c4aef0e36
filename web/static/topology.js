/* Topology map, plain JS, no library:
   - pan (drag), zoom (wheel, buttons); dots and labels keep their size on screen at any zoom,
     and a label that would overlap a more important one gives way (core, districts, root causes
     and the selected element first), so every label shown can be read, on a phone too;
   - filters by district and role; the view fits what the filter leaves (the selected area);
   - click a device or a link: its state, since when, the cause in plain words and its open
     outage, and what-if (the sites its failure would cut off or leave on a single path, from
     /api/v1/topology/impact), the sites cut off marked on the map; close with x or Escape;
   - single points of failure highlighted on demand;
   - states, root causes and outages refresh in place every 30 s (no reload);
   - two levels: districts (one circle each, a link to its devices) and devices. Zooming out
     past the point where dots would sit closer than ~16 px apart shows districts, zooming in
     on the districts shows the devices of the one nearest the centre; a click on a district
     (or Enter on it) shows its devices, fitted; the Districts/Devices control switches, and
     the URL keeps the level (?level=district|device&district=NAME). A province's page carries
     only the level asked for: going to its devices then loads that page. */
(function () {
  "use strict";
  var svg = document.getElementById("topo");
  if (!svg) { return; }
  var panel = document.getElementById("details");
  var stateLabels = JSON.parse(panel.dataset.labels || "{}");
  var kindLabels = JSON.parse(document.getElementById("whatif").dataset.kinds || "{}");
  var base = svg.viewBox.baseVal, view = {x: base.x, y: base.y, w: base.width, h: base.height};
  var canvas = (svg.dataset.canvas || "").split(" ").map(Number);
  var initial = canvas.length === 4 ? {x: canvas[0], y: canvas[1], w: canvas[2], h: canvas[3]} : Object.assign({}, view);
  var page = document.getElementById("topo-page"), level = svg.dataset.level || "device";
  var boxed = (svg.dataset.districtFit || "").split(" ").map(Number);
  var districtView = boxed.length === 4 ? {x: boxed[0], y: boxed[1], w: boxed[2], h: boxed[3]} : Object.assign({}, initial);
  function home() { return Object.assign({}, level === "district" ? districtView : initial); }
  // Every district with its name and counts in view: they keep their size on screen, so how
  // much room they take in SVG units depends on the screen (a phone needs more); measured.
  function fitDistricts() {
    view = Object.assign({}, districtView); apply();
    for (var pass = 0; pass < 3; pass++) {
      var r = svg.getBoundingClientRect(), box = null;
      if (!r.width) { return; }
      districts().forEach(function (d) {
        var b = d.getBoundingClientRect();
        if (!b.width) { return; }
        box = box ? {l: Math.min(box.l, b.left), t: Math.min(box.t, b.top), r: Math.max(box.r, b.right), b: Math.max(box.b, b.bottom)}
                  : {l: b.left, t: b.top, r: b.right, b: b.bottom};
      });
      if (!box) { return; }
      var k = view.w / r.width, h = view.h / r.height;
      fitTo([{x: view.x + (box.l - r.left) * k, y: view.y + (box.t - r.top) * h},
             {x: view.x + (box.r - r.left) * k, y: view.y + (box.b - r.top) * h}], 0.03);
    }
  }
  var hasDevices = !!document.getElementById("devices");
  var overlay = null, selected = null, lastWhatIf = 0;
  // Times as the server writes them (yyyy-MM-dd HH:mm) in the service's time zone.
  var clock = (function () {
    var options = {year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"};
    try { return new Intl.DateTimeFormat("en-GB", Object.assign({timeZone: svg.dataset.timezone}, options)); }
    catch (e) { return new Intl.DateTimeFormat("en-GB", options); }
  })();
  function when(iso) {
    var p = {};
    clock.formatToParts(new Date(iso)).forEach(function (part) { p[part.type] = part.value; });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
  }

  function nodes() { return svg.querySelectorAll(".node"); }
  function districts() { return svg.querySelectorAll(".district"); }
  function links() { return svg.querySelectorAll(".link"); }
  function nodeByName(name) {
    var found = null;
    nodes().forEach(function (n) { if (n.dataset.name === name) { found = n; } });
    return found;
  }

  // -- size on screen and labels ---------------------------------------------------------
  var pending = 0, scale = "";
  function relabel() { if (!pending) { pending = window.requestAnimationFrame(declutter); } }
  // Scale marks to the SVG units per screen pixel; a pan keeps the scale and changes nothing.
  function fitMarks() {
    var r = svg.getBoundingClientRect();
    if (!r.width || !r.height) { return; }
    var k = Math.max(view.w / r.width, view.h / r.height).toFixed(3);
    if (k === scale) { return; }
    scale = k;
    svg.querySelectorAll(".mark").forEach(function (m) { m.setAttribute("transform", "scale(" + k + ")"); });
    relabel();
  }
  function priority(node) {
    if (node === selected) { return 0; }
    if (node.hasAttribute("data-cause")) { return 1; }
    if (node.dataset.role === "core") { return 2; }
    if (node.dataset.role === "distribution") { return 3; }
    if (node.classList.contains("wi-lost")) { return 4; }
    return 5;
  }
  // Hide every label that would overlap one of higher priority (screen space, 48 px buckets).
  function declutter() {
    pending = 0;
    var shown = [];
    nodes().forEach(function (n) {
      n.classList.remove("crowded");
      if (!n.classList.contains("hidden")) { shown.push(n); }
    });
    var items = shown.map(function (n, i) {
      return {n: n, i: i, p: priority(n), r: n.querySelector("text").getBoundingClientRect()};
    });
    items.sort(function (a, b) { return a.p - b.p || a.i - b.i; });
    var grid = {}, size = 48;
    items.forEach(function (it) {
      var r = it.r;
      if (!r.width) { return; }
      var box = {l: r.left - 2, t: r.top - 1, r: r.right + 2, b: r.bottom + 1}, keys = [];
      for (var gx = Math.floor(box.l / size); gx <= Math.floor(box.r / size); gx++) {
        for (var gy = Math.floor(box.t / size); gy <= Math.floor(box.b / size); gy++) { keys.push(gx + "," + gy); }
      }
      var hit = keys.some(function (key) {
        return (grid[key] || []).some(function (o) { return o.l < box.r && box.l < o.r && o.t < box.b && box.t < o.b; });
      });
      if (hit) { it.n.classList.add("crowded"); return; }
      keys.forEach(function (key) { (grid[key] = grid[key] || []).push(box); });
    });
  }
  function apply() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); fitMarks(); }
  window.addEventListener("resize", fitMarks);

  // -- pan and zoom ----------------------------------------------------------------------
  function toSvg(evt) {
    var r = svg.getBoundingClientRect();
    return {x: view.x + (evt.clientX - r.left) / r.width * view.w, y: view.y + (evt.clientY - r.top) / r.height * view.h};
  }
  svg.addEventListener("wheel", function (evt) {
    evt.preventDefault();
    var p = toSvg(evt), k = evt.deltaY < 0 ? 0.85 : 1 / 0.85;
    var before = view.w;
    view.x = p.x - (p.x - view.x) * k; view.y = p.y - (p.y - view.y) * k; view.w *= k; view.h *= k; apply();
    zoomed(before);
  }, {passive: false});
  var drag = null, dragged = false;
  svg.addEventListener("pointerdown", function (evt) {
    dragged = false;
    if (evt.target.closest(".node, .district")) { return; }
    drag = {x: evt.clientX, y: evt.clientY, vx: view.x, vy: view.y}; svg.setPointerCapture(evt.pointerId);
  });
  svg.addEventListener("pointermove", function (evt) {
    if (!drag) { return; }
    if (Math.abs(evt.clientX - drag.x) + Math.abs(evt.clientY - drag.y) > 4) { dragged = true; }
    var r = svg.getBoundingClientRect();
    view.x = drag.vx - (evt.clientX - drag.x) / r.width * view.w;
    view.y = drag.vy - (evt.clientY - drag.y) / r.height * view.h; apply();
  });
  svg.addEventListener("pointerup", function () { drag = null; });
  function zoom(k) {
    var cx = view.x + view.w / 2, cy = view.y + view.h / 2, before = view.w;
    view.w *= k; view.h *= k; view.x = cx - view.w / 2; view.y = cy - view.h / 2; apply();
    zoomed(before);
  }
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(0.7); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 0.7); });
  document.getElementById("zoom-reset").addEventListener("click", function () {
    if (level === "district") { fitDistricts(); } else { view = home(); apply(); }
  });

  // -- filters: show the selected area ---------------------------------------------------
  document.getElementById("topo-filter").addEventListener("submit", function (evt) { evt.preventDefault(); });
  var fDistrict = document.getElementById("f-district"), fRole = document.getElementById("f-role");
  function position(node) {
    var t = node.transform.baseVal.consolidate();
    return t ? {x: t.matrix.e, y: t.matrix.f} : {x: 0, y: 0};
  }
  function fitTo(list, padding) {
    if (!list.length) { return; }
    var xs = list.map(function (p) { return p.x; }), ys = list.map(function (p) { return p.y; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var r = svg.getBoundingClientRect(), aspect = r.width && r.height ? r.width / r.height : 1;
    var w = Math.max(x1 - x0, 120), h = Math.max(y1 - y0, 120), pad = padding === undefined ? 0.12 : padding;
    w *= 1 + 2 * pad; h *= 1 + 2 * pad;
    if (w / h < aspect) { w = h * aspect; } else { h = w / aspect; }
    view = {x: (x0 + x1) / 2 - w / 2, y: (y0 + y1) / 2 - h / 2, w: w, h: h};
    apply();
  }
  function filter(keepView) {
    var shown = {}, points = [];
    nodes().forEach(function (node) {
      var ok = (!fDistrict.value || node.dataset.district === fDistrict.value) && (!fRole.value || node.dataset.role === fRole.value);
      node.classList.toggle("hidden", !ok);
      if (ok) { shown[node.dataset.name] = true; points.push(position(node)); }
    });
    links().forEach(function (link) {
      link.classList.toggle("hidden", !(shown[link.dataset.a] && shown[link.dataset.b]));
    });
    if (keepView === true) { relabel(); return; }
    if (fDistrict.value || fRole.value) { fitTo(points); } else { view = Object.assign({}, initial); apply(); }
    relabel();
  }
  fDistrict.addEventListener("change", function () {
    if (level === "district" && fDistrict.value) { showDistrict(fDistrict.value); } else { filter(); }
  });
  fRole.addEventListener("change", filter);

  // -- levels: districts and devices -----------------------------------------------------
  var levelLinks = document.querySelectorAll("#level-switch a[data-level]");
  // The view width (SVG units) above which dots would sit closer than ~16 px on screen on
  // average: districts are shown past it (at most 2.5 canvases out, so a small network too).
  function threshold() {
    var r = svg.getBoundingClientRect(), total = Math.max(1, +svg.dataset.devices || 1);
    var spacing = Math.sqrt(initial.w * initial.h / total);
    return Math.min(spacing * (r.width || 1000) / 16, 2.5 * initial.w);
  }
  function pageUrl(lv, district) {
    var url = new URL(window.location.href);
    url.searchParams.set("level", lv);
    url.searchParams.delete("focus");
    if (district) { url.searchParams.set("district", district); } else { url.searchParams.delete("district"); }
    return url.pathname + url.search;
  }
  function setLevel(lv) {
    if (lv === level) { return; }
    level = lv;
    svg.dataset.level = lv;
    page.classList.toggle("level-district", lv === "district");
    page.classList.toggle("level-device", lv === "device");
    levelLinks.forEach(function (a) {
      var on = a.dataset.level === lv;
      a.classList.toggle("current", on);
      if (on) { a.setAttribute("aria-current", "page"); } else { a.removeAttribute("aria-current"); }
    });
    document.getElementById("level-note").hidden = lv !== "district";
    if (lv === "district") {
      close();
      if (Date.now() - districtsAt > 30000) { refreshDistricts(); }
    }
    window.history.replaceState(null, "", pageUrl(lv, lv === "device" ? fDistrict.value : ""));
    relabel();
  }
  // A district's devices, fitted: here when the page carries them, else its device page.
  function showDistrict(name) {
    if (!hasDevices) { window.location.href = pageUrl("device", name); return; }
    fDistrict.value = name;
    setLevel("device");
    filter();
    window.history.replaceState(null, "", pageUrl("device", name));
  }
  function nearestDistrict() {
    var cx = view.x + view.w / 2, cy = view.y + view.h / 2, best = null, bestD = Infinity;
    districts().forEach(function (d) {
      var p = position(d), dist = Math.hypot(p.x - cx, p.y - cy);
      if (dist < bestD) { bestD = dist; best = d; }
    });
    return best;
  }
  // Crossing a threshold by zooming switches the level (a level chosen stays until then); the
  // one back to devices is lower, so a level does not flicker at the edge.
  function zoomed(before) {
    var t = threshold();
    if (level === "device" && before <= t && view.w > t) { setLevel("district"); return; }
    var t2 = Math.min(t / 2, districtView.w * 0.75);  // zooming in on districts: closer than all of them
    if (level === "district" && before >= t2 && view.w < t2) {
      var d = nearestDistrict();
      if (!d) { return; }
      if (!hasDevices) { window.location.href = pageUrl("device", d.dataset.district); return; }
      fDistrict.value = "";  // zoomed in on a place: keep the view, show every device there
      filter(true);
      setLevel("device");
      window.history.replaceState(null, "", pageUrl("device", ""));
    }
  }
  levelLinks.forEach(function (a) {
    a.addEventListener("click", function (evt) {
      var lv = a.dataset.level;
      if (lv === "device" && !hasDevices) { return; }  // the page with the devices
      evt.preventDefault();
      if (lv === level) { return; }
      if (lv === "district") { setLevel("district"); fitDistricts(); return; }
      setLevel("device");
      filter();
    });
  });

  // -- single points of failure ----------------------------------------------------------
  var fSpof = document.getElementById("f-spof");
  function showSpof() { svg.classList.toggle("show-spof", fSpof.checked); }
  fSpof.addEventListener("change", showSpof);
  showSpof();

  // -- the panel: state, since, cause, outage, what-if -----------------------------------
  function text(id, value) { document.getElementById(id).textContent = value; }
  function show(id, on) { document.getElementById(id).hidden = !on; }
  function elementInfo(el) {
    if (!overlay) { return {}; }
    var table = el.classList.contains("node") ? overlay.devices : overlay.links;
    return table[el.classList.contains("node") ? el.dataset.name : el.dataset.key] || {};
  }
  function fillFacts() {
    if (!selected) { return; }
    var info = elementInfo(selected), state = selected.dataset.state, isNode = selected.classList.contains("node");
    var badge = document.getElementById("d-state");
    badge.textContent = stateLabels[state] || state;
    badge.className = "badge s-" + state;
    text("d-since", info.since ? when(info.since) : "–");
    var outage = null;
    ((overlay && overlay.outages) || []).forEach(function (o) { if (o.id === info.outage_id) { outage = o; } });
    text("d-cause", outage ? outage.cause : "–");
    var a = document.getElementById("d-outage");
    a.hidden = !outage; show("d-no-outage", !outage);
    if (outage) { a.href = outage.url; a.textContent = "#" + outage.id + " · " + when(outage.started_at); }
    panel.querySelectorAll(".d-site").forEach(function (el) { el.hidden = !isNode; });
    panel.querySelectorAll(".d-device").forEach(function (el) { el.hidden = !isNode; });
    if (isNode) {
      text("d-site", (selected.dataset.site || "–") + (selected.dataset.district ? " · " + selected.dataset.district : ""));
      document.getElementById("d-link").href = svg.dataset.deviceUrl.replace("__name__", encodeURIComponent(selected.dataset.name));
    }
  }
  function clearWhatIf() {
    svg.querySelectorAll(".wi-lost").forEach(function (n) { n.classList.remove("wi-lost"); });
    svg.classList.remove("whatif");
  }
  function fillList(id, byKind, names) {
    var ul = document.getElementById(id);
    ul.textContent = "";
    var groups = byKind ? Object.keys(byKind).map(function (k) { return [kindLabels[k] || k, byKind[k]]; }) : [["", names]];
    groups.forEach(function (g) {
      var li = document.createElement("li");
      if (g[0]) { var b = document.createElement("strong"); b.textContent = g[0] + " (" + g[1].length + "): "; li.appendChild(b); }
      li.appendChild(document.createTextNode(g[1].join(", ")));
      ul.appendChild(li);
    });
  }
  function whatIf(el) {
    var ticket = ++lastWhatIf, isNode = el.classList.contains("node");
    var q = isNode ? "device=" + encodeURIComponent(el.dataset.name) : "link=" + encodeURIComponent(el.dataset.key);
    ["w-error", "w-none", "w-gone", "w-lost-box", "w-deg-box"].forEach(function (id) { show(id, false); });
    show("w-wait", true);
    panel.dataset.whatif = "loading";
    fetch(svg.dataset.impactApi + "?" + q, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (res) {
        if (ticket !== lastWhatIf) { return; }
        show("w-wait", false);
        if (!res.ok) { text("w-error", res.body.message || res.body.error); show("w-error", true); panel.dataset.whatif = "error"; return; }
        var w = res.body, gone = el.dataset.state === "down" || el.dataset.state === "unreachable";
        show("w-none", !w.lost_sites.length && !gone);
        show("w-gone", !w.lost_sites.length && gone);
        show("w-lost-box", w.lost_sites.length > 0);
        text("w-lost-n", String(w.lost_sites.length));
        fillList("w-lost", w.lost_by_kind, w.lost_sites);
        show("w-deg-box", w.degraded_sites.length > 0);
        text("w-deg-n", String(w.degraded_sites.length));
        fillList("w-deg", null, w.degraded_sites);
        clearWhatIf();
        w.lost_devices.forEach(function (name) { var n = nodeByName(name); if (n) { n.classList.add("wi-lost"); } });
        svg.classList.toggle("whatif", w.lost_devices.length > 0);
        panel.dataset.whatif = "ready";
        relabel();
      })
      .catch(function () { if (ticket === lastWhatIf) { show("w-wait", false); panel.dataset.whatif = "error"; } });
  }
  function select(el) {
    if (selected) { selected.classList.remove("selected"); }
    selected = el;
    el.classList.add("selected");
    var isNode = el.classList.contains("node");
    text("d-name", isNode ? el.dataset.name : el.dataset.key.replace("--", " – "));
    panel.dataset.kind = isNode ? "device" : "link";
    fillFacts();
    panel.hidden = false;
    document.body.classList.add("sheet-open");
    if (window.matchMedia("(max-width: 640px)").matches) { svg.scrollIntoView({block: "start"}); }  // above the sheet
    whatIf(el);
    relabel();
  }
  function close() {
    if (selected) { selected.classList.remove("selected"); }
    selected = null; lastWhatIf++;
    clearWhatIf();
    panel.hidden = true;
    document.body.classList.remove("sheet-open");
    relabel();
  }
  document.getElementById("d-close").addEventListener("click", close);
  document.addEventListener("keydown", function (evt) { if (evt.key === "Escape" && !panel.hidden) { close(); } });
  // The link nearest to a click, within 10 screen pixels (lines are thin: no target to hit).
  function nearestLink(evt) {
    var r = svg.getBoundingClientRect(), p = toSvg(evt), k = view.w / r.width, best = null, bestD = 10 * k;
    links().forEach(function (el) {
      if (el.classList.contains("hidden")) { return; }
      var x1 = +el.getAttribute("x1"), y1 = +el.getAttribute("y1"), x2 = +el.getAttribute("x2"), y2 = +el.getAttribute("y2");
      var dx = x2 - x1, dy = y2 - y1, len = dx * dx + dy * dy;
      var t = len ? Math.max(0, Math.min(1, ((p.x - x1) * dx + (p.y - y1) * dy) / len)) : 0;
      var d = Math.hypot(p.x - (x1 + t * dx), p.y - (y1 + t * dy));
      if (d < bestD) { bestD = d; best = el; }
    });
    return best;
  }
  svg.addEventListener("click", function (evt) {
    var district = evt.target.closest(".district");
    if (district) { evt.preventDefault(); }
    if (dragged) { return; }
    if (level === "district") { if (district) { showDistrict(district.dataset.district); } return; }
    var el = evt.target.closest(".node") || nearestLink(evt);
    if (el) { select(el); } else { close(); }
  });

  // -- refresh in place ------------------------------------------------------------------
  function setState(el, prefix, state) {
    el.classList.forEach(function (c) { if (c.indexOf(prefix) === 0) { el.classList.remove(c); } });
    el.classList.add(prefix + state); el.dataset.state = state;
  }
  function flag(el, name, on) { if (on) { el.setAttribute(name, ""); } else { el.removeAttribute(name); } }
  function applyOverlay(data) {
    overlay = data;
    var causes = {}, spofs = {};
    data.root_causes.forEach(function (c) { causes[c.type + "|" + c.name] = true; });
    data.spofs.forEach(function (s) { spofs[s.type + "|" + s.name] = true; });
    var cut = {};
    nodes().forEach(function (n) {
      flag(n, "data-cause", causes["device|" + n.dataset.name]);
      flag(n, "data-spof", spofs["device|" + n.dataset.name]);
      if (n.dataset.state === "down" || n.dataset.state === "unreachable") { cut[n.dataset.name] = true; }
    });
    links().forEach(function (l) {
      var cause = causes["link|" + l.dataset.key];
      flag(l, "data-cause", cause);
      flag(l, "data-spof", spofs["link|" + l.dataset.key]);
      flag(l, "data-behind", !cause && (cut[l.dataset.a] || cut[l.dataset.b]));
    });
    document.getElementById("spof-count").textContent = String(data.spofs.length);
    svg.dataset.overlay = "ready";
    fillFacts();
  }
  function getJson(url) {
    return fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }
  // The district level as the server draws it (tens of elements), swapped in place.
  var districtsAt = Date.now();
  function districtsPage() {
    districtsAt = Date.now();
    return fetch(svg.dataset.districtUrl, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); });
  }
  function swapDistricts(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("districts");
    if (fresh) { document.getElementById("districts").innerHTML = fresh.innerHTML; scale = ""; fitMarks(); }
  }
  function refreshDistricts() { return districtsPage().then(swapDistricts); }
  function refresh() {
    if (level === "district") {
      return refreshDistricts()
        .then(function () { document.getElementById("refreshed").textContent = new Date().toLocaleTimeString(); })
        .catch(function () { document.getElementById("refreshed").textContent = "!"; });
    }
    // the district level too (hidden): the same moment's states on both levels
    return Promise.all([getJson(svg.dataset.api), getJson(svg.dataset.overlayApi), districtsPage()])
      .then(function (both) {
        swapDistricts(both[2]);
        var data = both[0], byName = {}, byKey = {};
        nodes().forEach(function (n) { byName[n.dataset.name] = n; });
        data.nodes.forEach(function (n) { if (byName[n.id]) { setState(byName[n.id], "n-", n.state); } });
        links().forEach(function (el) { byKey[el.dataset.key] = el; });
        data.links.forEach(function (l) {
          var el = byKey[l.key];
          if (el) { setState(el, "l-", l.state); el.setAttribute("stroke-width", (1.5 + (l.utilization_pct || 0) / 20).toFixed(1)); }
        });
        applyOverlay(both[1]);
        if (selected && !panel.hidden) { whatIf(selected); }
        document.getElementById("refreshed").textContent = new Date().toLocaleTimeString();
      })
      .catch(function () { document.getElementById("refreshed").textContent = "!"; });
  }
  window.netopsRefreshTopology = refresh;
  getJson(svg.dataset.overlayApi).then(applyOverlay).catch(function () { svg.dataset.overlay = "error"; });
  setInterval(refresh, 30000);
  fitMarks();
  // ?focus=NAME (links from device, site and outage pages): open on that device, panel shown
  var focusName = svg.dataset.focus, target = focusName ? nodeByName(focusName) : null;
  if (target) { fitTo([position(target)]); select(target); } else if (fDistrict.value && level === "device") { filter(); }
  else if (level === "district") { fitDistricts(); }
})();
