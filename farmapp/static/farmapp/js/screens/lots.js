// Lots: mine by status; start one; a lot's journey with its holds and the earliest safe
// harvest; split it. Lots made offline show from the queue until the server has them.
import * as api from "app/api";
import { formatDateTime, formatNumber, gettext, interpolate, isoWithOffset, parseNumber } from "app/i18n";
import * as queue from "app/queue";
import { plotsData } from "app/screens/plots";
import { STATUS_NAMES, stepName } from "app/steps";
import { button, confirmStep, empty, field, form, h, input, screen, select, sendAndGo, showErrors } from "app/ui";

const LOT_FIELDS = "id uuid code status unit quantity remainingQuantity harvestDate onHold earliestSafeHarvest product{id name}";
const LIST = `query($producer:ID){myBatches(producer:$producer,first:100){edges{node{${LOT_FIELDS}}}}}`;
const ONE = `query($id:ID!){node(id:$id){...on BatchNode{${LOT_FIELDS} recallReason scanPageUrl nextSteps
  holds{reason explanation placedAt releasedAt}
  events{uuid sequence businessStep occurredAt quantity notes corrects{uuid} inputs{name dose doseUnit preHarvestIntervalDays} photos{url thumbnailUrl}}}}}`;

export async function lotsData() {
  const producer = await api.currentProducer();
  return (await api.cached(`lots:${producer?.producer.id}`, LIST, { producer: producer?.producer.id })).data;
}

const amount = (value, unit) => `${formatNumber(value, 3)} ${unit.toLowerCase()}`;

function lotCard(lot) {
  return h("li", { class: lot.onHold ? "held" : "" },
    h("a", { href: `#/lot/${lot.id}` }, h("strong", {}, lot.product.name), ` · ${lot.code}`),
    h("div", { class: "muted" }, STATUS_NAMES()[lot.status] || lot.status,
      lot.status !== "GROWING" ? ` · ${amount(lot.remainingQuantity, lot.unit)}` : "",
      lot.onHold ? h("span", { class: "pill warn" }, gettext("on hold")) : null));
}

export async function lotsScreen() {
  const data = await lotsData();
  const lots = data.myBatches.edges.map((edge) => edge.node);
  const pending = (await queue.items()).filter((item) => item.operation === "createBatch");
  const groups = Object.entries(STATUS_NAMES()).map(([status, name]) => {
    const mine = lots.filter((lot) => lot.status === status);
    return mine.length ? [h("h2", {}, `${name} (${mine.length})`), h("ul", { class: "cards" }, mine.map(lotCard))] : [];
  });
  screen(
    gettext("Lots"),
    h("p", {}, h("a", { href: "#/lots/new", class: "button act" }, gettext("Start a lot"))),
    pending.length ? [h("h2", {}, gettext("Waiting to be sent")), h("ul", { class: "cards" }, pending.map((item) =>
      h("li", { class: "pending" }, h("a", { href: `#/lot/${item.clientId}` }, item.summary))))] : null,
    lots.length || pending.length ? groups : empty(gettext("No lots yet."))
  );
}

export async function newLotScreen() {
  const producer = await api.currentProducer();
  const plots = await plotsData();
  const product = select([["", gettext("— choose —")], ...plots.crops.map((c) => [c.id, c.name])], { required: true });
  const plotBoxes = plots.myPlots.map((plot) => h("label", { class: "check" }, h("input", { type: "checkbox", value: plot.id }), ` ${plot.name}`));
  const lotForm = form(
    async (element) => {
      const chosen = plotBoxes.map((label) => label.firstChild).filter((box) => box.checked).map((box) => box.value);
      const payload = { producerId: producer.producer.id, productId: product.value, plotIds: chosen };
      const name = product.selectedOptions[0]?.textContent || "";
      const next = (outcome) => `#/lot/${outcome.result?.batch?.id || outcome.clientId}`;
      await sendAndGo(element, "createBatch", payload, { summary: name, done: gettext("Lot started."), next });
    },
    field(gettext("Crop"), "productId", product),
    h("fieldset", { class: "field", "data-field": "plotIds" }, h("legend", {}, gettext("Plots it grows on")), plotBoxes.length ? plotBoxes : empty(gettext("Draw a plot first.")), h("span", { class: "error", role: "alert" })),
    button(gettext("Start the lot"), { type: "submit" })
  );
  screen(gettext("Start a lot"), lotForm);
}

function queuedLot(item, events) {
  screen(item.summary,
    h("p", { class: "notice" }, gettext("This lot waits to be sent. You can already record its steps.")),
    h("p", {}, h("a", { class: "button act", href: `#/lot/${item.clientId}/event` }, gettext("Record a step"))),
    eventList(events));
}

function eventList(events, lotId) {
  if (!events.length) return empty(gettext("No steps recorded yet."));
  return h("ol", { class: "timeline" }, events.map((event) => h("li", { class: event.pending ? "pending" : event.corrected ? "struck" : "" },
    h("strong", {}, stepName(event.businessStep)), " · ", formatDateTime(event.occurredAt),
    event.quantity ? ` · ${formatNumber(event.quantity, 3)}` : "",
    event.pending ? h("span", { class: "pill" }, gettext("waiting to be sent")) : null,
    event.corrected ? h("span", { class: "pill warn" }, gettext("corrected")) : null,
    (event.inputs || []).map((use) => h("div", { class: "muted" }, `${use.name} ${use.dose ? formatNumber(use.dose) : ""} ${use.doseUnit || ""}`)),
    event.notes ? h("div", { class: "muted" }, event.notes) : null,
    lotId && event.uuid && !event.corrected && event.businessStep !== "CORRECTING" ? h("a", { href: `#/lot/${lotId}/correct/${event.uuid}`, class: "small" }, gettext("Correct this entry")) : null,
    (event.photos || []).map((photo) => h("img", { src: photo.thumbnailUrl || photo.url, alt: gettext("Photo of this step"), loading: "lazy", width: 96, height: 96 })))));
}

function queuedEvents(all, lotIds) {
  return all.filter((item) => item.operation === "recordEvent" && lotIds.includes(item.input.batchId)).map((item) => ({
    businessStep: item.input.step, occurredAt: item.input.occurredAt, quantity: item.input.quantity, notes: item.input.notes, pending: true,
  }));
}

function holds(lot) {
  const open = lot.holds.filter((hold) => !hold.releasedAt);
  return open.map((hold) => h("p", { class: "alert", role: "alert" }, h("strong", {}, gettext("On hold: ")), hold.explanation));
}

// A lot's full copy, or offline what the list kept of it (no journey yet).
export function lotData(id) {
  return api.cachedNode(`lot:${id}`, ONE, id, async () => {
    const listed = (await lotsData()).myBatches.edges.map((edge) => edge.node).find((lot) => lot.id === id || lot.uuid === id);
    return listed && { ...listed, events: [], holds: [], recallReason: "", scanPageUrl: "", nextSteps: ["event"] };
  });
}

// The lot's tools, as the server says it may still be used (nextSteps).
function tools(lot) {
  const may = new Set(lot.nextSteps);
  const link = (step, path, label, kind = "quiet") => may.has(step) ? h("a", { class: `button ${kind}`, href: `#/lot/${lot.id}/${path}` }, label) : null;
  return h("div", { class: "row" },
    link("event", "event", gettext("Record a step"), "act"),
    link("split", "split", gettext("Split")),
    link("labels", "labels", gettext("Labels")),
    link("merge", "merge", gettext("Merge")),
    link("transform", "transform", gettext("Make into another product")),
    link("recall", "recall", gettext("Recall"), "danger"));
}

export async function lotScreen(id) {
  const all = await queue.items();
  const waiting = all.find((item) => item.clientId === id && item.operation === "createBatch");
  if (waiting) return queuedLot(waiting, queuedEvents(all, [id]));
  const lot = await lotData(id);
  if (!lot) return screen(gettext("Lot not found"), empty(gettext("This lot is not yours or no longer exists.")));
  const corrected = new Set(lot.events.filter((e) => e.corrects).map((e) => e.corrects.uuid));
  const events = [...lot.events.map((e) => ({ ...e, corrected: corrected.has(e.uuid) })), ...queuedEvents(all, [lot.id, lot.uuid])];
  screen(
    `${lot.product.name} · ${lot.code}`,
    h("p", { class: "muted" }, STATUS_NAMES()[lot.status], lot.status !== "GROWING" ? ` · ${interpolate(gettext("%(left)s left of %(total)s"), { left: amount(lot.remainingQuantity, lot.unit), total: amount(lot.quantity, lot.unit) })}` : ""),
    lot.recallReason ? h("p", { class: "alert" }, lot.recallReason) : null,
    holds(lot),
    lot.earliestSafeHarvest ? h("p", { class: "notice" }, interpolate(gettext("Waiting period: harvest from %(date)s."), { date: formatDateTime(lot.earliestSafeHarvest) })) : null,
    tools(lot),
    h("h2", {}, gettext("Journey")),
    eventList(events, lot.id),
    lot.scanPageUrl ? h("p", {}, h("a", { class: "button quiet", href: lot.scanPageUrl, target: "_blank", rel: "noopener" }, gettext("Open the consumer's page"))) : null
  );
}

export async function splitScreen(id) {
  const lot = await lotData(id);
  const parts = h("div", {});
  const addPart = () => parts.append(field(interpolate(gettext("New lot (%(unit)s)"), { unit: lot.unit.toLowerCase() }), "quantities", input({ type: "text", inputmode: "decimal", placeholder: "30" })));
  addPart();
  addPart(); // a split makes at least two lots
  const splitForm = form(
    async (element) => {
      const quantities = [...parts.querySelectorAll("input")].map((box) => parseNumber(box.value));
      if (quantities.some((q) => q === null)) return showErrors(element, [{ field: "quantities", message: gettext("Write a quantity such as 30 or 12,5.") }]);
      const total = quantities.reduce((sum, q) => sum + Number(q), 0);
      const question = interpolate(gettext("Split %(total)s off lot %(code)s?"), { total: amount(total, lot.unit), code: lot.code });
      if (!(await confirmStep(question, gettext("Split")))) return;
      const payload = { batchId: lot.id, quantities, occurredAt: isoWithOffset(new Date()) };
      const summary = interpolate(gettext("Split of %(code)s"), { code: lot.code });
      await sendAndGo(element, "splitBatch", payload, { summary, done: gettext("Lot split."), next: `#/lot/${lot.id}` });
    },
    h("p", {}, interpolate(gettext("%(left)s left in this lot."), { left: amount(lot.remainingQuantity, lot.unit) })),
    parts,
    button(gettext("Add another part"), { class: "quiet", onclick: addPart }),
    button(gettext("Split the lot"), { type: "submit" })
  );
  screen(interpolate(gettext("Split lot %(code)s"), { code: lot.code }), splitForm);
}
