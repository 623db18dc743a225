// The public agricultural map. Everything it shows comes from /map/layers/<name>.geojson
// (by bounding box, page after page) and /map/tiles/plots/{z}/{x}/{y}.mvt; popups are
// built with textContent, so no text from the data is ever read as HTML.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var options = JSON.parse(element.dataset.options);
  var labels = options.labels;
  var MAX_PAGES = 10;
  // Explicit zoom limits: otherwise Leaflet takes them from the layers (plot tiles start at 13).
  var map = L.map(element, {preferCanvas: true, minZoom: 5, maxZoom: 19}).setView([21.08, 105.82], 11);
  if (options.tileUrl) {
    L.tileLayer(options.tileUrl, {attribution: options.attribution, maxZoom: 19}).addTo(map);
  }
  var cropColour = {}, schemeColour = {}, purposeColour = {};
  options.crops.forEach(function (c) { cropColour[c.code] = c.colour; });
  options.schemes.forEach(function (s) { schemeColour[s.code] = s.colour; });
  options.purposes.forEach(function (p) { purposeColour[p.code] = p.colour; });
  var colourBy = "crop";

  function plotColour(crop, certification) {
    if (colourBy === "crop") { return cropColour[crop] || "#9e9e9e"; }
    return schemeColour[certification] || "#bdbdbd";
  }

  function node(tag, text, href) {
    var made = document.createElement(tag);
    if (text) { made.textContent = text; }
    if (href) { made.href = href; }
    return made;
  }

  function popup(title, lines, links) {
    var box = node("div");
    box.appendChild(node("strong", title));
    lines.filter(Boolean).forEach(function (line) { box.appendChild(node("div", line)); });
    links.forEach(function (link) {
      var row = node("div");
      row.appendChild(node("a", link[0], link[1]));
      box.appendChild(row);
    });
    return box;
  }

  // Fetch every page of a layer inside the current view; drop answers to older views.
  var generation = {};
  function load(name, group, toLayer) {
    var mine = generation[name] = (generation[name] || 0) + 1;
    var b = map.getBounds();
    var url = options.layerUrl.replace("LAYER", name) + "?bbox=" +
      [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (n) { return n.toFixed(5); }).join(",");
    var pages = 0;
    var fresh = [];
    function next(pageUrl) {
      fetch(pageUrl).then(function (r) { return r.json(); }).then(function (collection) {
        if (generation[name] !== mine) { return; }
        (collection.features || []).forEach(function (f) { fresh.push(toLayer(f)); });
        var more = (collection.links || []).filter(function (l) { return l.rel === "next"; })[0];
        pages += 1;
        if (more && pages < MAX_PAGES) { next(more.href); return; }
        group.clearLayers();
        fresh.forEach(function (layer) { group.addLayer(layer); });
      });
    }
    next(url);
  }

  var producers = L.markerClusterGroup({showCoverageOnHover: false});
  function producerLayer(f) {
    var p = f.properties;
    var links = [[labels.producerPage, p.url]].concat(p.offers.map(function (href) { return [labels.offer, href]; }));
    var c = f.geometry.coordinates;
    return L.marker([c[1], c[0]], {title: p.name}).bindPopup(popup(p.name, [p.kind, p.area], links));
  }

  var plotDetails = L.featureGroup();
  function plotLayer(f) {
    var p = f.properties;
    return L.geoJSON(f, {style: {color: "#333", weight: 1, fillOpacity: 0.6,
      fillColor: plotColour(p.crop_code, (p.certification_codes || [])[0])}})
      .bindPopup(popup(p.crop || labels.plots, [p.area_m2 + " m²", p.certifications.join(", ") || labels.uncertified, p.producer],
        [[labels.placePage, p.url], [labels.producerPage, p.producer_url]].concat(
          (p.lots || []).map(function (lot) { return [labels.lot + " " + lot.code, lot.url]; }))));
  }
  var plotTiles = L.vectorGrid.protobuf(options.tileLayerUrl.replace("LAYER", "plots"), {
    interactive: false, maxNativeZoom: 18, minZoom: options.plotTileMinZoom,
    vectorTileLayerStyles: {plots: function (p) {
      return {fill: true, fillOpacity: 0.6, weight: 0.5, color: "#333", fillColor: plotColour(p.crop, p.certification)};
    }}
  });
  var plots = L.layerGroup([plotTiles, plotDetails]);

  var cooperatives = L.featureGroup();
  function cooperativeLayer(f) {
    return L.geoJSON(f, {style: {color: "#4e342e", weight: 2, dashArray: "6 4", fill: false}})
      .bindPopup(popup(f.properties.name, [], [[labels.producerPage, f.properties.url]]));
  }

  var places = L.featureGroup();
  function placeLayer(f) {
    var p = f.properties, c = f.geometry.coordinates;
    var state = p.open_now === null ? "" : (p.open_now ? labels.openNow : labels.closedNow);
    return L.circleMarker([c[1], c[0]], {radius: 7, color: "#fff", weight: 2, fillColor: "#0277bd", fillOpacity: 1})
      .bindPopup(popup(p.name, [p.kind, p.address, p.opening_hours, state], []));
  }

  var zones = L.featureGroup();
  function zoneLayer(f) {
    var p = f.properties;
    return L.geoJSON(f, {style: {color: purposeColour[p.purpose_code], weight: 2, fillOpacity: 0.15}})
      .bindPopup(popup(p.name, [p.purpose, p.crops.join(", "), p.decision,
        p.valid_to ? labels.validUntil + " " + p.valid_to : ""], []));
  }

  var communes = L.featureGroup();
  function communeLayer(f) {
    return L.geoJSON(f, {style: {color: "#78909c", weight: 1, fill: false}, interactive: false});
  }

  var overlays = {};
  overlays[labels.zones] = zones;
  overlays[labels.cooperatives] = cooperatives;
  overlays[labels.plots] = plots;
  overlays[labels.producers] = producers;
  overlays[labels.places] = places;
  overlays[labels.communes] = communes;
  [communes, zones, cooperatives, plots, producers, places].forEach(function (g) { g.addTo(map); });
  L.control.layers(null, overlays, {collapsed: window.innerWidth < 640}).addTo(map);

  var sources = [["producers", producers, producerLayer], ["cooperatives", cooperatives, cooperativeLayer],
    ["places", places, placeLayer], ["zones", zones, zoneLayer], ["communes", communes, communeLayer]];
  function refresh() {
    sources.forEach(function (s) { if (map.hasLayer(s[1])) { load(s[0], s[1], s[2]); } });
    if (map.hasLayer(plots) && map.getZoom() >= options.plotDetailZoom) {
      load("plots", plotDetails, plotLayer);
    } else {
      plotDetails.clearLayers();
    }
  }
  map.on("moveend overlayadd", refresh);

  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    // A fold of its own: on a phone the open legend would cover most of the map.
    var box = node("details"), title = node("summary", labels.legend);
    box.className = "legend";
    box.open = !window.matchMedia("(max-width: 600px)").matches;
    box.appendChild(title);
    [["crop", labels.byCrop], ["certification", labels.byCertification]].forEach(function (choice) {
      var label = node("label"), radio = node("input");
      radio.type = "radio"; radio.name = "colour-by"; radio.checked = choice[0] === colourBy;
      radio.addEventListener("change", function () {
        colourBy = choice[0]; plotTiles.redraw(); refresh(); draw();
      });
      label.appendChild(radio); label.appendChild(document.createTextNode(" " + choice[1]));
      box.appendChild(label);
    });
    var keys = node("div");
    box.appendChild(keys);
    function row(colour, text) {
      var line = node("div"), swatch = node("i");
      swatch.style.background = colour;
      line.appendChild(swatch); line.appendChild(document.createTextNode(text));
      keys.appendChild(line);
    }
    function draw() {
      keys.textContent = "";
      keys.appendChild(node("h3", labels.plots));
      (colourBy === "crop" ? options.crops : options.schemes).forEach(function (k) { row(k.colour, k.name); });
      if (colourBy !== "crop") { row("#bdbdbd", labels.uncertified); }
      keys.appendChild(node("h3", labels.zones));
      options.purposes.forEach(function (k) { row(k.colour, k.name); });
      keys.appendChild(node("p", labels.zoomIn));
    }
    draw();
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  legend.addTo(map);
  refresh();
  window.agriculturalMap = map;  // for the page test
})();
