// Leaflet, loaded only when a screen shows a map; tiles when there is a network, the
// plots' outlines always.
let loading = null;

function loadLeaflet() {
  loading ??= new Promise((resolve, reject) => {
    const { leaflet, leafletCss } = document.body.dataset;
    document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href: leafletCss }));
    const script = Object.assign(document.createElement("script"), { src: leaflet });
    script.onload = () => resolve(window.L);
    script.onerror = reject;
    document.head.append(script);
  });
  return loading;
}

export async function makeMap(element, center = [21.03, 105.85], zoom = 13) {
  const L = await loadLeaflet();
  const map = L.map(element, { zoomControl: true }).setView(center, zoom);
  const { tiles, tilesAttribution } = document.body.dataset;
  if (tiles && navigator.onLine) L.tileLayer(tiles, { attribution: tilesAttribution, maxZoom: 19 }).addTo(map);
  return { L, map };
}

// The area of a ring of [lng, lat] points on the Earth, in m² (the server computes the
// stored area; this is the estimate shown while drawing).
export function ringArea(points) {
  const radius = 6378137;
  const rad = (degrees) => (degrees * Math.PI) / 180;
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    const [lng1, lat1] = points[i];
    const [lng2, lat2] = points[(i + 1) % points.length];
    total += rad(lng2 - lng1) * (2 + Math.sin(rad(lat1)) + Math.sin(rad(lat2)));
  }
  return Math.abs((total * radius * radius) / 2);
}

export function distanceMetres([lng1, lat1], [lng2, lat2]) {
  const rad = (degrees) => (degrees * Math.PI) / 180;
  const x = rad(lng2 - lng1) * Math.cos(rad((lat1 + lat2) / 2));
  return Math.hypot(x, rad(lat2 - lat1)) * 6371000;
}
