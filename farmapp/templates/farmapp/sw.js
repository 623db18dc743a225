// The farmers' app's service worker, release {{ version }}.
// The shell is kept for offline use; /graphql is never cached here (the app keeps its data
// in IndexedDB and queues its writes).
const RELEASE = "shell-{{ version }}";
const SHELL = "{{ shell_url }}";
const FILES = {{ files|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(RELEASE).then((cache) => cache.addAll([SHELL, ...FILES])).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== RELEASE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

async function shellFirst(request) {
  // The page opens at once from the cache; a fresh copy is kept for next time.
  const cache = await caches.open(RELEASE);
  const cached = await cache.match(SHELL, { ignoreVary: true });
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(SHELL, response.clone());
    return response;
  });
  if (cached) {
    fresh.catch(() => null);
    return cached;
  }
  return fresh;
}

async function cacheFirst(request) {
  // The catalogues vary on the language headers; the app names the language in the URL.
  const cached = await caches.match(request, { ignoreVary: true });
  return cached || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SHELL) {
    event.respondWith(shellFirst(request));
  } else if (FILES.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});
