// What waits to be sent and what the server refused. A refusal is never silent: the item,
// the server's reason, and the farmer's choice to fix and resend or to discard it.
import * as db from "app/db";
import { formatDateTime, gettext, interpolate, ngettext, parseNumber } from "app/i18n";
import * as queue from "app/queue";
import { button, confirmStep, empty, field, form, h, input, screen, showErrors } from "app/ui";

const OPERATION_NAMES = () => ({
  savePlot: gettext("New plot"), createBatch: gettext("New lot"), recordEvent: gettext("Step"),
  splitBatch: gettext("Split"), mergeBatches: gettext("Merge"), transformBatches: gettext("Transformation"),
  orderLabels: gettext("Labels"), recallBatch: gettext("Recall"), correctEvent: gettext("Correction"),
  recordSoilSample: gettext("Soil test"),
});

// The fields a refused item can be fixed in, by operation: a quantity, a name.
function fixFields(item) {
  const { input: data, operation } = item;
  if (operation === "splitBatch") {
    return data.quantities.map((q) => field(gettext("Quantity of the new lot"), "quantities", input({ type: "text", inputmode: "decimal", value: String(q).replace(".", ",") })));
  }
  if ("quantity" in data) return [field(gettext("Quantity"), "quantity", input({ type: "text", inputmode: "decimal", value: String(data.quantity ?? "").replace(".", ",") }))];
  if ("name" in data) return [field(gettext("Name"), "name", input({ type: "text", value: data.name }))];
  return [];
}

function fixedInput(item, element) {
  const boxes = [...element.querySelectorAll("input")];
  const data = { ...item.input };
  if (item.operation === "splitBatch") data.quantities = boxes.map((box) => parseNumber(box.value));
  else if ("quantity" in data) data.quantity = parseNumber(boxes[0].value);
  else if ("name" in data) data.name = boxes[0].value;
  return data;
}

function refusedCard(item, all) {
  const held = all.filter((other) => queue.blockers(other, all).some((b) => b.clientId === item.clientId));
  const fix = form(
    async () => {
      await queue.resend(item, fixedInput(item, fix));
      await syncScreen();
    },
    fixFields(item),
    h("div", { class: "row" },
      button(gettext("Send again"), { type: "submit" }),
      button(gettext("Discard"), { class: "danger", onclick: async () => {
        const question = held.length
          ? interpolate(ngettext("Discard this item and the %(count)s item that depends on it? Nothing of them will be saved.", "Discard this item and the %(count)s items that depend on it? Nothing of them will be saved.", held.length), { count: held.length })
          : gettext("Discard this item? It will not be saved.");
        if (await confirmStep(question, gettext("Discard"))) {
          await queue.discard(item);
          await syncScreen();
        }
      } }))
  );
  showErrors(fix, item.errors);
  return h("li", { class: "refused" },
    h("strong", {}, `${OPERATION_NAMES()[item.operation] || item.operation}: ${item.summary || ""}`),
    h("div", { class: "muted" }, interpolate(gettext("made %(time)s"), { time: formatDateTime(item.createdAt) })),
    h("p", { class: "alert" }, h("strong", {}, gettext("Refused: ")), item.errors.map((e) => e.message).join(" ")),
    held.length ? h("p", {}, interpolate(ngettext("%(count)s item waits for this one.", "%(count)s items wait for this one.", held.length), { count: held.length })) : null,
    fix);
}

function waitingCard(item) {
  const label = `${OPERATION_NAMES()[item.operation] || item.operation}: ${item.summary || ""}`;
  const note = item.state === "held" ? gettext("held: it depends on a refused item") : gettext("waiting");
  return h("li", {}, h("strong", {}, label), h("div", { class: "muted" }, `${formatDateTime(item.createdAt)} · ${note}`));
}

export async function syncScreen() {
  const all = await queue.items();
  const refused = all.filter((item) => item.state === "refused");
  const others = all.filter((item) => item.state !== "refused");
  const last = await db.get("lastSync");
  screen(
    gettext("Sync"),
    h("p", {}, navigator.onLine ? gettext("Online.") : gettext("Offline: what you record is kept on this phone."), " ",
      last ? interpolate(gettext("Last sync: %(time)s."), { time: formatDateTime(last) }) : gettext("Never synced yet.")),
    navigator.onLine ? button(gettext("Send now"), { onclick: async () => {
      await queue.syncNow();
      await syncScreen();
    } }) : null,
    refused.length ? [h("h2", {}, gettext("Refused by the server")), h("ul", { class: "cards" }, refused.map((item) => refusedCard(item, all)))] : null,
    h("h2", {}, gettext("Waiting to be sent")),
    others.length ? h("ul", { class: "cards" }, others.map(waitingCard)) : empty(gettext("Nothing waits: everything is on the server."))
  );
}
