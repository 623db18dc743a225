// Writes go through a queue kept in IndexedDB, online or not: each item carries the
// client UUID that makes sending it twice harmless, and the time it was made. The queue is
// sent through the `sync` mutation on reconnect, on opening the app and after each write.
// A refused item stays, with the server's reasons, until the farmer fixes or discards it;
// items that name a refused item's UUID are held with it, never sent blindly.
import * as db from "app/db";
import { graphql, Offline, SignedOut } from "app/api";
import { gettext } from "app/i18n";

export const changes = new EventTarget();
const BATCH = 50;
let running = null;

const notify = () => changes.dispatchEvent(new Event("change"));

export function newId() {
  return crypto.randomUUID();
}

export async function items() {
  return (await db.queued()).sort((a, b) => a.seq - b.seq);
}

export async function enqueue(operation, input, summary) {
  const clientId = input.clientId || newId();
  const item = { clientId, operation, input: { ...input, clientId }, summary, seq: Date.now() + Math.random(), state: "waiting", errors: [], createdAt: new Date().toISOString() };
  await db.putQueued(item);
  notify();
  return item;
}

// The UUIDs an item's input names (batchId, plotIds, …): its dependencies in the queue.
function namedIds(value, found = new Set()) {
  if (typeof value === "string") found.add(value);
  else if (Array.isArray(value)) value.forEach((v) => namedIds(v, found));
  else if (value && typeof value === "object" && !(value instanceof Blob)) Object.values(value).forEach((v) => namedIds(v, found));
  return found;
}

export function blockers(item, all) {
  const ids = namedIds({ ...item.input, clientId: undefined });
  return all.filter((other) => other !== item && other.seq < item.seq && other.state !== "waiting" && ids.has(other.clientId));
}

const RESULT_FIELDS = {
  recordEvent: "event{uuid occurredAt}",
  createBatch: "batch{id uuid code status}",
  savePlot: "plot{id uuid name areaM2}",
  splitBatch: "batches{id uuid code quantity}",
  mergeBatches: "batches{id uuid code quantity}",
  transformBatches: "batches{id uuid code quantity}",
  orderLabels: "labelSheet{uuid status}",
  correctEvent: "correction{uuid}",
  recallBatch: "batches{id status}",
  createOffer: "offer{id}",
  changeOrderStatus: "order{id status}",
  proposeArticle: "proposalId status",
  recordSoilSample: "soilSample{sampledOn}",
};

const outcomes = new Map(); // client UUID → the server's result, for the form that sent it

async function sendSome(batch) {
  const fields = [...new Set(batch.map((item) => RESULT_FIELDS[item.operation] || ""))].join(" ");
  const query = `mutation($ops:[SyncOperationInput!]!){sync(operations:$ops){errors{code message} results{index clientId operation errors{field code message} ${fields}}}}`;
  const data = await graphql(query, { ops: batch.map((item) => ({ [item.operation]: item.input })) });
  if (data.sync.errors.length) throw new Error(data.sync.errors[0].message);
  for (const result of data.sync.results) {
    const item = batch[result.index];
    if (result.errors.some((e) => e.code === "not_applied")) continue; // sent again next time
    if (result.errors.length) {
      await db.putQueued({ ...item, state: "refused", errors: result.errors });
    } else {
      await db.removeQueued(item.clientId);
      outcomes.set(item.clientId, result);
    }
  }
}

// Held items whose blocker was fixed go back to waiting; waiting ones behind a refusal wait,
// and so do those refused only because what they name was refused in the same send.
async function updateHolds() {
  const all = await items();
  for (const item of all) {
    const blocked = blockers(item, all).length > 0;
    if ((item.state === "held" && !blocked) || (item.state !== "held" && blocked)) {
      Object.assign(item, { state: blocked ? "held" : "waiting", errors: [] });
      await db.putQueued(item);
    }
  }
  return all;
}

async function sendAll() {
  const tried = new Set();
  for (;;) {
    const ready = (await updateHolds()).filter((item) => item.state === "waiting" && !tried.has(item.clientId)).slice(0, BATCH);
    if (!ready.length) break;
    ready.forEach((item) => tried.add(item.clientId));
    await sendSome(ready);
  }
  await db.set("lastSync", new Date().toISOString());
}

export async function syncNow() {
  if (!navigator.onLine) return;
  while (running) await running.catch(() => null);
  running = sendAll()
    .catch((error) => {
      if (error instanceof SignedOut) changes.dispatchEvent(new Event("signedout"));
      else if (!(error instanceof Offline)) console.warn("sync", error);
    })
    .finally(() => {
      running = null;
      notify();
    });
  return running;
}

// A write from a form: queued, then sent at once when there is a network. Answers
// "done" (with the server's result), "refused" (the form shows the reasons; nothing is
// left in the queue) or "queued" (kept for later).
export async function submit(operation, input, summary) {
  const item = await enqueue(operation, input, summary);
  await syncNow();
  const after = (await db.queued()).find((i) => i.clientId === item.clientId);
  if (!after) {
    const result = outcomes.get(item.clientId);
    outcomes.delete(item.clientId);
    return { state: "done", result, clientId: item.clientId };
  }
  if (after.state === "refused" && navigator.onLine) {
    await db.removeQueued(item.clientId);
    notify();
    return { state: "refused", errors: after.errors };
  }
  return { state: "queued", clientId: item.clientId };
}

// What a form says once its write is done, or kept for later.
export function told(outcome, doneMessage) {
  return outcome.state === "done" ? doneMessage : gettext("Saved on this phone; it will be sent when there is a network.");
}

export async function resend(item, input) {
  await db.putQueued({ ...item, input: { ...input, clientId: item.clientId }, state: "waiting", errors: [] });
  notify();
  return syncNow();
}

export async function discard(item) {
  // Whatever depends on a discarded item could never apply: it goes with it.
  const all = await items();
  const doomed = [item, ...all.filter((other) => blockers(other, all).some((b) => b.clientId === item.clientId))];
  for (const one of doomed) await db.removeQueued(one.clientId);
  notify();
  return doomed.length;
}

export function startSyncing() {
  addEventListener("online", () => syncNow());
  addEventListener("offline", notify);
  setInterval(() => syncNow(), 60_000);
  return syncNow();
}
