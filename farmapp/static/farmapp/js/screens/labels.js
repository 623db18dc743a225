// A lot's QR labels: order a sheet (layout, count), watch it being made, open or share
// the PDF once it is ready. Sheets are made by the server's workers, not on the phone.
import * as api from "app/api";
import { formatDateTime, gettext, interpolate } from "app/i18n";
import * as queue from "app/queue";
import { button, empty, field, flash, form, h, input, screen, select, showErrors } from "app/ui";

const SHEETS = `query($id:ID!){node(id:$id){...on BatchNode{id code product{name}
  labelSheets{uuid layoutName labelCount status createdAt downloadUrl}}} labelLayouts{layout name perPage}}`;
const POLL_MS = 3000;

function statusText(sheet) {
  if (sheet.status === "READY") return gettext("ready");
  if (sheet.status === "FAILED") return gettext("could not be made: order it again");
  return gettext("being made…");
}

async function share(url, title) {
  if (navigator.share) {
    try {
      await navigator.share({ title, url });
      return;
    } catch {
      // The farmer closed the share sheet: nothing to do.
      return;
    }
  }
  await navigator.clipboard?.writeText(url);
  flash(gettext("Link copied: it works for an hour."));
}

function sheetCard(sheet, lot) {
  const title = interpolate(gettext("Labels of lot %(code)s"), { code: lot.code });
  return h("li", {},
    h("strong", {}, interpolate(gettext("%(count)s labels"), { count: sheet.labelCount })), ` · ${sheet.layoutName}`,
    h("div", { class: "muted" }, `${formatDateTime(sheet.createdAt)} · `, h("span", { class: `sheet-${sheet.status.toLowerCase()}` }, statusText(sheet))),
    sheet.downloadUrl ? h("div", { class: "row" },
      h("a", { class: "button act", href: sheet.downloadUrl, target: "_blank", rel: "noopener" }, gettext("Open the PDF")),
      button(gettext("Share"), { class: "quiet", onclick: () => share(sheet.downloadUrl, title) })) : null);
}

export async function labelsScreen(id) {
  const { data, fresh } = await api.cached(`labels:${id}`, SHEETS, { id });
  const lot = data.node;
  const layout = select(data.labelLayouts.map((choice) => [choice.layout, choice.name]));
  layout.value = "A4_3X8";
  const count = input({ type: "number", inputmode: "numeric", min: 1, value: 24 });
  const orderForm = form(
    async (element) => {
      const payload = { batchId: lot.id, layout: layout.value, count: Number(count.value) };
      const outcome = await queue.submit("orderLabels", payload, interpolate(gettext("%(count)s labels for %(code)s"), { count: count.value, code: lot.code }));
      if (outcome.state === "refused") return showErrors(element, outcome.errors);
      await labelsScreen(id);
      flash(queue.told(outcome, gettext("Ordered: the sheet is being made.")));
    },
    field(gettext("Sticker sheet"), "layout", layout),
    field(gettext("How many labels"), "count", count),
    button(gettext("Order labels"), { type: "submit" })
  );
  screen(interpolate(gettext("Labels of lot %(code)s"), { code: lot.code }),
    h("p", { class: "muted" }, lot.product.name),
    orderForm,
    h("h2", {}, gettext("Sheets")),
    lot.labelSheets.length ? h("ul", { class: "cards sheets" }, lot.labelSheets.map((sheet) => sheetCard(sheet, lot))) : empty(gettext("No labels ordered yet.")));
  // Watch a sheet being made while this screen stays open.
  if (fresh && lot.labelSheets.some((sheet) => sheet.status === "PENDING")) {
    const shown = location.hash;
    setTimeout(() => location.hash === shown && labelsScreen(id), POLL_MS);
  }
}
