// What else a farmer does with a lot: correct a wrong entry (a correction with a reason,
// never a silent edit), recall it, merge it with lots of the same crop, or turn it into
// another product. Each goes through the queue; the server keeps quantities and rules.
import * as api from "app/api";
import { formatDateTime, formatNumber, gettext, interpolate, isoWithOffset, localInputValue, parseNumber } from "app/i18n";
import { lotData, lotsData } from "app/screens/lots";
import { plotsData } from "app/screens/plots";
import { stepName } from "app/steps";
import { button, confirmStep, empty, field, form, h, input, screen, select, sendAndGo, showErrors } from "app/ui";

const amount = (value, unit) => `${formatNumber(value, 3)} ${unit.toLowerCase()}`;

function send(element, operation, payload, summary, done, lotId) {
  return sendAndGo(element, operation, payload, { summary, done, next: `#/lot/${lotId}` });
}

export async function correctScreen(lotId, eventUuid) {
  const lot = await lotData(lotId);
  const event = lot.events.find((e) => e.uuid === eventUuid);
  if (!event) return screen(gettext("Step not found"), empty(gettext("Open the lot once with a network.")));
  const reason = h("textarea", { rows: 2, maxlength: 500, required: true });
  const didNotHappen = h("input", { type: "checkbox" });
  const when = input({ type: "datetime-local", value: localInputValue(new Date(event.occurredAt)) });
  const quantity = input({ type: "text", inputmode: "decimal", value: event.quantity ? formatNumber(event.quantity, 3) : "" });
  const correctForm = form(
    async (element) => {
      const payload = { eventId: event.uuid, reason: reason.value };
      if (!didNotHappen.checked) {
        payload.replacement = { occurredAt: isoWithOffset(new Date(when.value)) };
        if (event.quantity) payload.replacement.quantity = parseNumber(quantity.value);
      }
      const question = gettext("Record this correction? The wrong entry stays in the record, marked wrong, with your reason.");
      if (!(await confirmStep(question, gettext("Correct")))) return;
      await send(element, "correctEvent", payload, interpolate(gettext("Correction of %(step)s"), { step: stepName(event.businessStep) }), gettext("Correction recorded."), lotId);
    },
    h("p", {}, interpolate(gettext("%(step)s recorded for %(time)s."), { step: stepName(event.businessStep), time: formatDateTime(event.occurredAt) })),
    field(gettext("What was wrong"), "reason", reason),
    h("label", { class: "check" }, didNotHappen, ` ${gettext("It did not happen at all")}`),
    field(gettext("When it really happened"), "occurredAt", when),
    event.quantity ? field(gettext("The right quantity"), "quantity", quantity) : null,
    button(gettext("Record the correction"), { type: "submit" }));
  screen(gettext("Correct a wrong entry"), correctForm);
}

export async function recallScreen(lotId) {
  const lot = await lotData(lotId);
  const reason = h("textarea", { rows: 3, maxlength: 2000, required: true });
  const recallForm = form(
    async (element) => {
      const question = interpolate(gettext("Recall lot %(code)s and every lot made from it? Everyone who holds it is told at once."), { code: lot.code });
      if (!(await confirmStep(question, gettext("Recall")))) return;
      await send(element, "recallBatch", { batchId: lot.id, reason: reason.value }, interpolate(gettext("Recall of %(code)s"), { code: lot.code }), gettext("Lot recalled."), lotId);
    },
    field(gettext("Why (consumers read this on the scan page)"), "reason", reason),
    button(gettext("Recall the lot"), { type: "submit", class: "danger" }));
  screen(interpolate(gettext("Recall lot %(code)s"), { code: lot.code }), recallForm);
}

function partPicker(lots, chosen) {
  return lots.map((other) => {
    const box = input({ type: "text", inputmode: "decimal", placeholder: "0", "aria-label": `${other.code} (${other.unit.toLowerCase()})` });
    chosen.push([other, box]);
    return h("div", { class: "field" }, h("span", {}, `${other.code} · ${interpolate(gettext("%(left)s left"), { left: amount(other.remainingQuantity, other.unit) })}`), box);
  });
}

function readParts(element, chosen) {
  const parts = [];
  for (const [lot, box] of chosen) {
    if (!box.value) continue;
    const quantity = parseNumber(box.value);
    if (quantity === null) return showErrors(element, [{ field: "parts", message: gettext("Write a quantity such as 30 or 12,5.") }]) && null;
    parts.push({ batchId: lot.id, quantity });
  }
  return parts;
}

export async function mergeScreen(lotId) {
  const lot = await lotData(lotId);
  const producer = await api.currentProducer();
  const same = (await lotsData()).myBatches.edges.map((e) => e.node).filter((other) => other.status === "ACTIVE" && other.product.id === lot.product.id);
  const chosen = [];
  const mergeForm = form(
    async (element) => {
      const parts = readParts(element, chosen);
      if (!parts) return;
      const payload = { producerId: producer.producer.id, parts, occurredAt: isoWithOffset(new Date()) };
      await send(element, "mergeBatches", payload, interpolate(gettext("Merge into %(crop)s"), { crop: lot.product.name }), gettext("Lots merged into a new lot."), lotId);
    },
    h("p", {}, gettext("How much of each lot goes into the new one:")),
    h("div", { "data-field": "parts" }, partPicker(same, chosen), h("span", { class: "error", role: "alert" })),
    button(gettext("Merge into a new lot"), { type: "submit" }));
  screen(interpolate(gettext("Merge lots of %(crop)s"), { crop: lot.product.name }), same.length > 1 ? mergeForm : empty(gettext("There is no other lot of this crop in stock.")));
}

export async function transformScreen(lotId) {
  const lot = await lotData(lotId);
  const crops = (await plotsData()).crops;
  const product = select([["", gettext("— choose —")], ...crops.filter((c) => c.id !== lot.product.id).map((c) => [c.id, c.name])]);
  const used = input({ type: "text", inputmode: "decimal" });
  const made = input({ type: "text", inputmode: "decimal" });
  const transformForm = form(
    async (element) => {
      const payload = { parts: [{ batchId: lot.id, quantity: parseNumber(used.value) }], productId: product.value, quantity: parseNumber(made.value), occurredAt: isoWithOffset(new Date()) };
      await send(element, "transformBatches", payload, interpolate(gettext("%(from)s made into another product"), { from: lot.product.name }), gettext("New lot made."), lotId);
    },
    field(interpolate(gettext("Quantity of this lot used (%(unit)s)"), { unit: lot.unit.toLowerCase() }), "parts", used),
    field(gettext("Made into"), "productId", product),
    field(gettext("Quantity made"), "quantity", made),
    button(gettext("Record the transformation"), { type: "submit" }));
  screen(interpolate(gettext("Make %(crop)s into another product"), { crop: lot.product.name }), transformForm);
}
