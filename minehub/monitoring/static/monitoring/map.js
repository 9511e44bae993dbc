// The monitoring map: the shipped admin-1 outlines, then sites and stations coloured by
// their status. The page lists everything without this script; it only draws. Colours
// live in map.css (classes map-status-N); words come translated in each feature.
(function () {
  "use strict";
  var figure = document.querySelector("[data-map]");
  if (!figure || !window.L || !window.fetch) return;
  var data = figure.dataset;
  var STATUS_CLASSES = ["none", "ok", "unknown", "exceeds", "alert"];
  // Worse is bigger, so the status reads without telling colours apart.
  var STATION_RADIUS = [5, 5, 7, 9, 11];

  function escapeHtml(text) {
    var box = document.createElement("div");
    box.textContent = text || "";
    return box.innerHTML;
  }

  function line(text, className) {
    var element = document.createElement("div");
    element.textContent = text;
    if (className) element.className = className;
    return element;
  }

  function popup(properties) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = properties.name;
    var title = document.createElement("strong");
    title.appendChild(link);
    box.appendChild(title);
    box.appendChild(line(properties.code + " · " + properties.detail, "muted"));
    if (properties.site) box.appendChild(line(properties.site, "muted"));
    var status = document.createElement("span");
    status.className = "status status-" + STATUS_CLASSES[properties.status];
    status.textContent = properties.status_word;
    box.appendChild(status);
    return box;
  }

  function statusClass(feature, kind) {
    return kind + " map-status-" + feature.properties.status;
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.json();
    });
  }

  figure.hidden = false;
  var map = L.map(figure.querySelector(".map-canvas"), {
    minZoom: 3,
    maxZoom: data.tiles ? 18 : 13,
    zoomSnap: 0.5,
  });
  map.fitBounds([[39.1, 69.2], [52.2, 119.9]]); // Kyrgyzstan to eastern Mongolia
  map.attributionControl.addAttribution(escapeHtml(data.outlinesAttribution));
  if (data.tiles) {
    L.tileLayer(data.tiles, {
      maxZoom: 18,
      attribution: escapeHtml(data.tilesAttribution),
    }).addTo(map);
  }
  map.createPane("outlines").style.zIndex = 350; // above tiles, below sites and stations

  var outlines = L.geoJSON(null, {
    pane: "outlines",
    style: { className: "map-outline", weight: 1, fillOpacity: data.tiles ? 0 : 1 },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(escapeHtml(feature.properties.name), { sticky: true });
    },
  }).addTo(map);
  var sites = L.geoJSON(null, {
    filter: function (feature) { return feature.properties.kind === "site"; },
    style: function (feature) {
      return { className: statusClass(feature, "map-site"), weight: 3, fillOpacity: 0.15 };
    },
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, {
        className: statusClass(feature, "map-site map-site-ring"), radius: 18, weight: 3,
      });
    },
    onEachFeature: function (feature, layer) { layer.bindPopup(popup(feature.properties)); },
  }).addTo(map);
  var stations = L.geoJSON(null, {
    filter: function (feature) { return feature.properties.kind === "station"; },
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, {
        className: statusClass(feature, "map-station"),
        radius: STATION_RADIUS[feature.properties.status] || 5,
        weight: 2,
        fillOpacity: 0.9,
      });
    },
    onEachFeature: function (feature, layer) {
      layer.bindPopup(popup(feature.properties));
      layer.bindTooltip(escapeHtml(feature.properties.code + " · " + feature.properties.status_word));
    },
  }).addTo(map);

  var overlays = {};
  overlays[escapeHtml(data.labelRegions)] = outlines;
  overlays[escapeHtml(data.labelSites)] = sites;
  overlays[escapeHtml(data.labelStations)] = stations;
  L.control.layers(null, overlays).addTo(map);

  getJson(data.outlines).then(function (collection) { outlines.addData(collection); });
  getJson(data.features)
    .then(function (collection) {
      sites.addData(collection);
      stations.addData(collection);
      var bounds = sites.getBounds().extend(stations.getBounds());
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 10 });
    })
    .catch(function () {
      figure.querySelector("figcaption").prepend(line(data.failed, "notice"));
    });
})();
