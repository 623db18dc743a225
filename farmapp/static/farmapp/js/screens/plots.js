// Plots: the list and the map; a new plot drawn by walking its boundary with the phone's
// GPS, or by tapping the map. The server checks overlaps and validity; its refusals show
// on the form.
import * as api from "app/api";
import { formatNumber, gettext, interpolate } from "app/i18n";
import { distanceMetres, makeMap, ringArea } from "app/map";
import * as queue from "app/queue";
import { button, empty, field, form, h, input, screen, select, sendAndGo, showErrors } from "app/ui";

const QUERY = `query($producer:ID){myPlots(producerId:$producer){id uuid name areaM2 locationCode geometry crop{id name} certifications{scheme validTo}
  soilSamples{sampledOn laboratory ph organicMatter nitrogen phosphorus potassium salinity advice}} crops{id name}}`;
const GOOD_ACCURACY_M = 25;
const STEP_M = 3;

export async function plotsData() {
  const producer = await api.currentProducer();
  return (await api.cached(`plots:${producer?.producer.id}`, QUERY, { producer: producer?.producer.id })).data;
}

function hectares(m2) {
  return interpolate(gettext("%(area)s ha"), { area: formatNumber(m2 / 10000, 2) });
}

export async function plotsScreen() {
  const data = await plotsData();
  const pending = (await queue.items()).filter((item) => item.operation === "savePlot");
  const mapBox = h("div", { class: "map", role: "region", "aria-label": gettext("Map of your plots") });
  screen(
    gettext("Plots"),
    h("p", {}, h("a", { href: "#/plots/new", class: "button act" }, gettext("Draw a new plot"))),
    mapBox,
    data.myPlots.length || pending.length ? h("ul", { class: "cards" },
      pending.map((item) => h("li", { class: "pending" }, h("strong", {}, item.input.name), " ", h("span", { class: "pill" }, gettext("waiting to be sent")))),
      data.myPlots.map((plot) => h("li", {}, h("strong", {}, plot.name), h("span", { class: "muted" }, ` · ${hectares(plot.areaM2)} · ${plot.crop?.name || ""}`)))) : empty(gettext("No plots yet. Draw your first one."))
  );
  const { L, map } = await makeMap(mapBox);
  const shapes = [...data.myPlots.map((plot) => plot.geometry), ...pending.map((item) => item.input.geometry)];
  if (shapes.length) {
    const layer = L.geoJSON({ type: "GeometryCollection", geometries: shapes }, { style: { color: "#1b5e20", weight: 2 } }).addTo(map);
    map.fitBounds(layer.getBounds(), { maxZoom: 17 });
  }
}

// The boundary being drawn: points as [lng, lat], from the GPS or from taps.
function drawing(map, L, onChange) {
  const points = [];
  const outline = L.polygon([], { color: "#e65100" }).addTo(map);
  const redraw = () => {
    outline.setLatLngs(points.map(([lng, lat]) => [lat, lng]));
    onChange(points);
  };
  return {
    points,
    add(point) {
      points.push(point);
      redraw();
    },
    undo() {
      points.pop();
      redraw();
    },
  };
}

export async function newPlotScreen() {
  const data = await plotsData();
  const producer = await api.currentProducer();
  const mapBox = h("div", { class: "map tall", role: "region", "aria-label": gettext("Tap the map to add a corner") });
  const gpsLine = h("p", { class: "gps", role: "status" }, gettext("GPS is off."));
  const areaLine = h("p", { class: "area", role: "status" }, gettext("Add at least three corners."));
  const name = input({ type: "text", maxlength: 120, required: true });
  const crop = select([["", gettext("— no crop yet —")], ...data.crops.map((c) => [c.id, c.name])]);
  let watch = null;
  let shape = null;
  const walk = button(gettext("Start walking the boundary"), {
    onclick: () => (watch === null ? startWalking() : stopWalking()),
  });

  const plotForm = form(
    async (element) => {
      if (shape.points.length < 3) return showErrors(element, [{ field: "geometry", message: gettext("Add at least three corners.") }]);
      stopWalking();
      const ring = [...shape.points, shape.points[0]];
      const payload = { producerId: producer.producer.id, name: name.value, geometry: { type: "Polygon", coordinates: [ring] } };
      if (crop.value) payload.cropId = crop.value;
      await sendAndGo(element, "savePlot", payload, { summary: name.value, done: gettext("Plot saved."), next: "#/plots" });
    },
    field(gettext("Name of the plot"), "name", name),
    field(gettext("Crop"), "cropId", crop),
    h("div", { class: "field", "data-field": "geometry" }, gpsLine, areaLine, h("span", { class: "error", role: "alert" })),
    h("div", { class: "row" }, walk, button(gettext("Remove the last corner"), { class: "quiet", onclick: () => shape.undo() })),
    button(gettext("Close the boundary and save"), { type: "submit" })
  );
  screen(gettext("New plot"), mapBox, plotForm);

  const { L, map } = await makeMap(mapBox, undefined, 17);
  shape = drawing(map, L, (points) => {
    areaLine.textContent = points.length < 3
      ? interpolate(gettext("%(count)s corners: add at least three."), { count: points.length })
      : interpolate(gettext("%(count)s corners · area about %(area)s m² (%(ha)s)"), { count: points.length, area: formatNumber(ringArea(points), 0), ha: hectares(ringArea(points)) });
  });
  map.on("click", (event) => shape.add([event.latlng.lng, event.latlng.lat]));
  const here = L.circle([0, 0], { radius: 1, color: "#0d47a1" });

  function startWalking() {
    if (!navigator.geolocation) return (gpsLine.textContent = gettext("This phone has no GPS: tap the map instead."));
    walk.textContent = gettext("Stop walking");
    gpsLine.textContent = gettext("Waiting for the GPS…");
    watch = navigator.geolocation.watchPosition(onPosition, (error) => {
      gpsLine.textContent = error.code === 1 ? gettext("The GPS was not allowed: allow it in the phone's settings, or tap the map.") : gettext("No GPS signal yet: stay outside, away from buildings.");
    }, { enableHighAccuracy: true, maximumAge: 0, timeout: 30000 });
  }

  function stopWalking() {
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    watch = null;
    walk.textContent = gettext("Start walking the boundary");
  }

  function onPosition({ coords }) {
    const point = [coords.longitude, coords.latitude];
    here.setLatLng([coords.latitude, coords.longitude]).setRadius(coords.accuracy).addTo(map);
    map.panTo([coords.latitude, coords.longitude]);
    const accuracy = formatNumber(coords.accuracy, 0);
    if (coords.accuracy > GOOD_ACCURACY_M) {
      gpsLine.textContent = interpolate(gettext("GPS accuracy %(accuracy)s m: too rough, wait a moment."), { accuracy });
      return;
    }
    gpsLine.textContent = interpolate(gettext("GPS accuracy %(accuracy)s m."), { accuracy });
    const last = shape.points.at(-1);
    if (!last || distanceMetres(last, point) >= STEP_M) shape.add(point);
  }
  addEventListener("hashchange", stopWalking, { once: true });
}
