// The phone's copy of the data, in IndexedDB: "kv" holds the session and what screens
// fetched (to open offline); "queue" holds writes waiting to be sent.
const NAME = "nongsan-app";
let opening = null;

export class StorageFull extends Error {}

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("kv");
      db.createObjectStore("queue", { keyPath: "clientId" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

async function run(store, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    // A full phone refuses a write now or when the transaction ends: either way the caller
    // learns it as StorageFull, and the transaction writes nothing.
    const fail = (error) => reject(error?.name === "QuotaExceededError" ? new StorageFull(error.message) : error);
    try {
      const tx = db.transaction(store, mode);
      const request = work(tx.objectStore(store));
      tx.oncomplete = () => resolve(request?.result);
      tx.onabort = tx.onerror = () => fail(tx.error || request?.error);
    } catch (error) {
      fail(error);
    }
  });
}

export const get = (key) => run("kv", "readonly", (s) => s.get(key));
export const set = (key, value) => run("kv", "readwrite", (s) => s.put(value, key));
export const remove = (key) => run("kv", "readwrite", (s) => s.delete(key));

export const queued = () => run("queue", "readonly", (s) => s.getAll());
export const putQueued = (item) => run("queue", "readwrite", (s) => s.put(item));
export const removeQueued = (clientId) => run("queue", "readwrite", (s) => s.delete(clientId));

export async function wipe() {
  // Sign-out and "clear this phone's data": nothing of the farm stays on the phone.
  await run("kv", "readwrite", (s) => s.clear());
  await run("queue", "readwrite", (s) => s.clear());
}
