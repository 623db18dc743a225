// Starts GeoDjango's MapWidget for every map in the page, with locally configured tiles.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-map-options]").forEach(function (wrapper) {
    var options = JSON.parse(wrapper.dataset.mapOptions);
    options.base_layer = new ol.layer.Tile({
      source: new ol.source.XYZ({url: options.tile_url, attributions: options.attribution})
    });
    window["geodjango_" + options.name] = new MapWidget(options);
  });
});
