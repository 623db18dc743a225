// Record a step in a few taps: pick the step, then only what it needs (the input and its
// dose for a spraying, the quantity for a harvest), a photo from the camera, the time
// (now, from the phone). The server decides whether it is allowed; a refusal shows beside
// the field, and a late spraying is recorded with the lot put on hold.
import * as api from "app/api";
import { formatDateTime, gettext, interpolate, isoWithOffset, localInputValue, parseNumber } from "app/i18n";
import { lotData } from "app/screens/lots";
import { FIELD_STEPS, stepName } from "app/steps";
import { button, field, form, h, input, screen, select, sendAndGo, showErrors } from "app/ui";

const CATALOGUE = `{agriculturalInputs{id name kind activeIngredient preHarvestIntervalDays}}`;
const LARGEST_SIDE = 1600;

export async function inputsCatalogue() {
  return (await api.cached("catalogue", CATALOGUE)).data.agriculturalInputs;
}

// Photos are shrunk on the phone: a 12-megapixel shot becomes a few hundred kilobytes.
export async function shrink(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, LARGEST_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.8));
  return new File([blob], "photo.jpg", { type: "image/jpeg" });
}

function stepPicker(lotId) {
  return h("div", { class: "steps" }, FIELD_STEPS.map(([step]) =>
    h("a", { class: "button quiet big", href: `#/lot/${lotId}/event?${step}` }, stepName(step))));
}

function inputFields(kind, catalogue) {
  const choices = catalogue.filter((item) => item.kind === kind.toUpperCase());
  const product = select([["", gettext("— choose —")], ...choices.map((item) => [item.id, item.activeIngredient ? `${item.name} (${item.activeIngredient})` : item.name])]);
  const dose = input({ type: "text", inputmode: "decimal" });
  const unit = select([["ml/bình", "ml/bình"], ["g/bình", "g/bình"], ["l/ha", "l/ha"], ["kg/ha", "kg/ha"], ["kg/sào", "kg/sào"]]);
  const read = () => (product.value ? [{ agriculturalInputId: product.value, dose: parseNumber(dose.value), doseUnit: unit.value }] : []);
  return { read, dose, fields: [field(kind === "pesticide" ? gettext("Pesticide") : gettext("Fertilizer"), "inputs", product), field(gettext("Dose"), "dose", dose), field(gettext("Unit of the dose"), "doseUnit", unit)] };
}

export async function eventScreen(lotId) {
  const [, step] = location.hash.split("?");
  const title = step ? stepName(step) : gettext("Record a step");
  if (!step) return screen(title, stepPicker(lotId));
  const needs = Object.fromEntries(FIELD_STEPS)[step] || {};
  const catalogue = needs.inputs ? await inputsCatalogue() : [];
  const when = input({ type: "datetime-local", value: localInputValue(new Date()), required: true });
  const quantity = input({ type: "text", inputmode: "decimal" });
  const photo = input({ type: "file", accept: "image/*", capture: "environment" });
  const notes = h("textarea", { rows: 2, maxlength: 2000 });
  const conformant = select([["true", gettext("Passed")], ["false", gettext("Did not pass")]]);
  const uses = needs.inputs ? inputFields(needs.inputs, catalogue) : null;

  const eventForm = form(
    async (element) => {
      const payload = { batchId: lotId, step, occurredAt: isoWithOffset(new Date(when.value)), notes: notes.value };
      if (needs.quantity) {
        payload.quantity = parseNumber(quantity.value);
        if (payload.quantity === null) return showErrors(element, [{ field: "quantity", message: gettext("Write a quantity such as 30 or 12,5.") }]);
      }
      if (uses) {
        payload.inputs = uses.read();
        if (payload.inputs.length && payload.inputs[0].dose === null && uses.dose.value) return showErrors(element, [{ field: "dose", message: gettext("Write a dose such as 20 or 2,5.") }]);
      }
      if (needs.check) payload.check = { conformant: conformant.value === "true" };
      if (photo.files[0]) payload.photos = [await shrink(photo.files[0])];
      const summary = interpolate(gettext("%(step)s, %(time)s"), { step: stepName(step), time: when.value.replace("T", " ") });
      await sendAndGo(element, "recordEvent", payload, { summary, done: gettext("Step recorded."), next: `#/lot/${lotId}` });
    },
    uses ? uses.fields : null,
    needs.quantity ? field(gettext("Quantity"), "quantity", quantity) : null,
    needs.check ? field(gettext("Result"), "check", conformant) : null,
    field(gettext("When"), "occurredAt", when),
    field(gettext("Photo"), "photos", photo, gettext("Taken with the camera; made smaller before sending.")),
    field(gettext("Notes (only you and inspectors see them)"), "notes", notes),
    button(gettext("Record"), { type: "submit" })
  );
  screen(title, await safeHarvestNotice(lotId, step), eventForm);
}

// Before a harvest, the waiting period the server computed for this lot's plots.
async function safeHarvestNotice(lotId, step) {
  if (step !== "HARVESTING") return null;
  const lot = await lotData(lotId).catch(() => null);
  if (!lot?.earliestSafeHarvest) return null;
  const when = formatDateTime(lot.earliestSafeHarvest);
  return h("p", { class: "notice" }, interpolate(gettext("Waiting period: harvest from %(date)s."), { date: when }));
}
