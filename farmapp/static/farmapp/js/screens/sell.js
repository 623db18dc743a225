// Selling: orders waiting for me (confirm, or reject with a reason), orders on their way
// (ready, shipped), what I offer, my ratings; putting a lot on sale. The server decides
// which step comes next (nextStatuses) and keeps the stock right.
import * as api from "app/api";
import { formatDate, formatDateTime, formatNumber, gettext, interpolate, parseNumber } from "app/i18n";
import * as queue from "app/queue";
import { lotsData } from "app/screens/lots";
import { button, confirmStep, empty, field, flash, form, h, input, screen, select, sendAndGo, showErrors } from "app/ui";

const ORDER_FIELDS = `id code status placedAt total fulfilment deliveryAddress note nextStatuses stars reviewText
  buyer{name contactPhone} lines{product{name} quantity unit unitPrice amount} history{toStatus at by reason}`;
const SELLING = `{myOrders(role:SELLER,first:50){edges{node{${ORDER_FIELDS}}}}
  myOffers(first:30){edges{node{id status quantityAvailable pricePerUnit unit availableTo product{name} sellerRating sellerReviews}}}}`;

const money = (amount) => `${formatNumber(amount, 0)} ₫`;
const OPEN = ["PLACED", "CONFIRMED", "READY", "SHIPPED"];

export function orderStatusName(status) {
  return {
    PLACED: gettext("Waiting for you to confirm"), CONFIRMED: gettext("Confirmed"), READY: gettext("Ready for pickup"),
    SHIPPED: gettext("Shipped"), DELIVERED: gettext("Delivered"), COMPLETED: gettext("Completed"),
    REJECTED: gettext("Rejected"), CANCELLED: gettext("Cancelled"),
  }[status] || status;
}

// Verbs on the buttons; the steps that end an order ask first and need a reason.
const STEPS = () => ({
  CONFIRMED: { verb: gettext("Confirm the order") },
  READY: { verb: gettext("Mark as ready for pickup") },
  SHIPPED: { verb: gettext("Mark as shipped") },
  DELIVERED: { verb: gettext("Mark as delivered") },
  REJECTED: { verb: gettext("Reject"), ending: true, question: gettext("Reject this order? The buyer is told your reason.") },
  CANCELLED: { verb: gettext("Cancel the order"), ending: true, question: gettext("Cancel this order? The buyer is told your reason.") },
});

async function sellingData() {
  const producer = await api.currentProducer();
  return (await api.cached(`selling:${producer?.producer.id}`, SELLING)).data;
}

function orderCard(order) {
  return h("li", {}, h("a", { href: `#/sell/order/${order.id}` }, h("strong", {}, order.code), ` · ${order.buyer.name}`),
    h("div", { class: "muted" }, `${orderStatusName(order.status)} · ${money(order.total)} · ${formatDate(order.placedAt)}`));
}

function ratings(orders) {
  const rated = orders.filter((order) => order.stars);
  if (!rated.length) return empty(gettext("No ratings yet."));
  const average = rated.reduce((sum, order) => sum + order.stars, 0) / rated.length;
  return [h("p", {}, interpolate(gettext("%(stars)s★ on average from %(count)s ratings"), { stars: formatNumber(average, 1), count: rated.length })),
    h("ul", { class: "cards" }, rated.slice(0, 5).map((order) => h("li", {}, `${"★".repeat(order.stars)} · ${order.buyer.name}`, order.reviewText ? h("p", { class: "muted" }, order.reviewText) : null)))];
}

export async function sellScreen() {
  const data = await sellingData();
  const orders = data.myOrders.edges.map((edge) => edge.node);
  const offers = data.myOffers.edges.map((edge) => edge.node);
  const waiting = orders.filter((order) => order.status === "PLACED");
  const moving = orders.filter((order) => OPEN.includes(order.status) && order.status !== "PLACED");
  screen(gettext("Sell"),
    h("p", {}, h("a", { href: "#/sell/new", class: "button act" }, gettext("Put a lot on sale"))),
    h("h2", {}, gettext("Orders waiting for you")),
    waiting.length ? h("ul", { class: "cards" }, waiting.map(orderCard)) : empty(gettext("No orders are waiting for you.")),
    h("h2", {}, gettext("Orders on their way")),
    moving.length ? h("ul", { class: "cards" }, moving.map(orderCard)) : empty(gettext("None.")),
    h("h2", {}, gettext("On sale")),
    offers.length ? h("ul", { class: "cards" }, offers.map((offer) => h("li", {}, h("strong", {}, offer.product.name),
      h("div", { class: "muted" }, `${formatNumber(offer.quantityAvailable, 3)} ${offer.unit.toLowerCase()} · ${money(offer.pricePerUnit)}/${offer.unit.toLowerCase()} · ${interpolate(gettext("until %(date)s"), { date: formatDate(offer.availableTo) })}`)))) : empty(gettext("Nothing on sale.")),
    h("h2", {}, gettext("My ratings")),
    ratings(orders));
}

function stepButton(order, status) {
  const step = STEPS()[status];
  if (!step) return null;
  return button(step.verb, { class: step.ending ? "danger" : "act", onclick: async (event) => {
    const orderForm = event.target.closest("form");
    const reason = orderForm.querySelector("textarea").value.trim();
    if (step.ending && !reason) return showErrors(orderForm, [{ field: "reason", message: gettext("Write the reason the buyer will read.") }]);
    if (step.ending && !(await confirmStep(step.question, step.verb))) return;
    const outcome = await queue.submit("changeOrderStatus", { orderId: order.id, status, reason }, `${order.code}: ${step.verb}`);
    if (outcome.state === "refused") return showErrors(orderForm, outcome.errors);
    await orderScreen(order.id);
    flash(queue.told(outcome, interpolate(gettext("Order %(code)s: %(status)s."), { code: order.code, status: orderStatusName(status) })));
  } });
}

export async function orderScreen(id) {
  const query = `query($id:ID!){node(id:$id){...on OrderNode{${ORDER_FIELDS}}}}`;
  const fresh = await api.cachedNode(`order:${id}`, query, id, async () => (await sellingData()).myOrders.edges.map((edge) => edge.node).find((o) => o.id === id));
  if (!fresh) return screen(gettext("Order not found"), empty(gettext("This order is not yours or no longer exists.")));
  const ending = fresh.nextStatuses.some((status) => STEPS()[status]?.ending);
  const actions = form(() => null,
    ending ? field(gettext("Reason (needed to reject or cancel)"), "reason", h("textarea", { rows: 2, maxlength: 500 })) : h("textarea", { hidden: true }),
    h("div", { class: "row" }, fresh.nextStatuses.map((status) => stepButton(fresh, status))),
    h("button", { type: "submit", hidden: true }));
  screen(interpolate(gettext("Order %(code)s"), { code: fresh.code }),
    h("p", {}, h("strong", {}, orderStatusName(fresh.status))),
    h("p", {}, fresh.buyer.name, " · ", h("a", { href: `tel:${fresh.buyer.contactPhone}` }, fresh.buyer.contactPhone)),
    h("p", { class: "muted" }, fresh.fulfilment === "DELIVERY" ? interpolate(gettext("Deliver to %(address)s"), { address: fresh.deliveryAddress }) : gettext("The buyer picks it up")),
    fresh.note ? h("p", { class: "muted" }, fresh.note) : null,
    h("ul", { class: "cards" }, fresh.lines.map((line) => h("li", {}, h("strong", {}, line.product.name),
      ` · ${formatNumber(line.quantity, 3)} ${line.unit.toLowerCase()} × ${money(line.unitPrice)} = ${money(line.amount)}`))),
    h("p", {}, h("strong", {}, interpolate(gettext("Total: %(total)s"), { total: money(fresh.total) }))),
    fresh.nextStatuses.length ? actions : null,
    h("h2", {}, gettext("History")),
    h("ol", { class: "timeline" }, fresh.history.map((change) => h("li", {}, h("strong", {}, orderStatusName(change.toStatus)), ` · ${formatDateTime(change.at)} · ${change.by}`, change.reason ? h("div", { class: "muted" }, change.reason) : null))));
}

export async function newOfferScreen() {
  const producer = await api.currentProducer();
  const lots = (await lotsData()).myBatches.edges.map((edge) => edge.node).filter((lot) => lot.status === "ACTIVE" && !lot.onHold);
  const lot = select([["", gettext("— choose —")], ...lots.map((l) => [l.id, `${l.product.name} · ${l.code} · ${formatNumber(l.remainingQuantity, 3)} ${l.unit.toLowerCase()}`])]);
  const quantity = input({ type: "text", inputmode: "decimal" });
  const price = input({ type: "text", inputmode: "numeric", placeholder: "25.000" });
  const days = input({ type: "number", inputmode: "numeric", min: 1, max: 60, value: 7 });
  const radius = input({ type: "number", inputmode: "numeric", min: 0, max: 200, value: 10 });
  const confirmPrice = h("label", { class: "check", hidden: true }, h("input", { type: "checkbox" }), ` ${gettext("Yes, this price is right")}`);
  const offerForm = form(
    async (element) => {
      const chosen = lots.find((l) => l.id === lot.value);
      const today = new Date();
      const until = new Date(today.getTime() + Number(days.value) * 86400000);
      const payload = {
        producerId: producer.producer.id, productId: chosen?.product.id || "", pricePerUnit: Number(parseNumber(price.value) ?? NaN),
        availableFrom: today.toLocaleDateString("sv"), availableTo: until.toLocaleDateString("sv"), deliveryRadiusKm: Number(radius.value),
        lots: chosen ? [{ batchId: chosen.id, quantity: parseNumber(quantity.value) ?? "" }] : [], priceConfirmed: confirmPrice.firstChild.checked,
      };
      if (!chosen) return showErrors(element, [{ field: "lots", message: gettext("Choose the lot to sell from.") }]);
      if (!Number.isInteger(payload.pricePerUnit)) return showErrors(element, [{ field: "pricePerUnit", message: gettext("Write the price in đồng, such as 25.000.") }]);
      const outcome = await sendAndGo(element, "createOffer", payload, { summary: chosen.product.name, done: gettext("On sale."), next: "#/sell" });
      if (outcome.state === "refused") confirmPrice.hidden = !outcome.errors.some((e) => e.code === "unusual_price");
    },
    field(gettext("Lot"), "lots", lot),
    field(gettext("Quantity to sell"), "quantity", quantity),
    field(gettext("Price per unit (đồng)"), "pricePerUnit", price),
    confirmPrice,
    field(gettext("On sale for how many days"), "availableTo", days),
    field(gettext("Delivery within (km; 0 for pickup only)"), "deliveryRadiusKm", radius),
    button(gettext("Put on sale"), { type: "submit" })
  );
  screen(gettext("Put a lot on sale"), lots.length ? offerForm : empty(gettext("No lot in stock to sell.")));
}
