// The steps a farmer records, in their words, and what each one asks for. The server
// decides what is allowed (order, quantities, waiting periods); this only lays out forms.
import { gettext } from "app/i18n";

export function stepName(step) {
  const names = {
    PLANTING: gettext("Planting"), SEEDING: gettext("Sowing"), FERTILIZING: gettext("Fertilizing"),
    SPRAYING: gettext("Spraying"), IRRIGATING: gettext("Irrigating"), HARVESTING: gettext("Harvesting"),
    PACKING: gettext("Packing"), INSPECTING: gettext("Inspecting"), STORING: gettext("Storing"),
    SHIPPING: gettext("Shipping"), RECEIVING: gettext("Receiving"), SELLING: gettext("Selling"),
    DESTROYING: gettext("Destroying"), SAMPLING: gettext("Testing a sample"), RETURNED: gettext("Returned"),
    REPACKAGING: gettext("Repacking"), PROCESSING: gettext("Processing"), RECALLING: gettext("Recall"),
    HOLDING: gettext("Put on hold"), RELEASING: gettext("Released"), RECALL_WITHDRAWN: gettext("Recall withdrawn"),
    CORRECTING: gettext("Correction"),
  };
  return names[step] || step;
}

// The steps offered in the field, with the inputs each form shows.
export const FIELD_STEPS = [
  ["SPRAYING", { inputs: "pesticide" }],
  ["FERTILIZING", { inputs: "fertilizer" }],
  ["IRRIGATING", {}],
  ["HARVESTING", { quantity: true }],
  ["PACKING", { quantity: true }],
  ["INSPECTING", { check: true }],
  ["STORING", {}],
  ["PLANTING", {}],
  ["DESTROYING", { quantity: true }],
];

export const STATUS_NAMES = () => ({
  GROWING: gettext("Growing"),
  ACTIVE: gettext("In stock"),
  DEPLETED: gettext("Used up"),
  RECALLED: gettext("Recalled"),
});
