// Today: the weather's advice for the communes of my plots, this month's work for my
// crops, orders waiting for me and what waits to be sent.
import * as api from "app/api";
import { formatDate, gettext, interpolate, ngettext } from "app/i18n";
import * as queue from "app/queue";
import { empty, h, screen } from "app/ui";

const QUERY = `query($producer:ID){
  weather(producerId:$producer){communeName plots days{day summary advisories{code severity message}}}
  thisMonth{slug title summary}
  myOrders(role:SELLER,status:PLACED,first:20){edges{node{id code placedAt total buyer{name}}}}
}`;

function advisories(weather) {
  const lines = weather.flatMap((commune) => commune.days.flatMap((day) =>
    day.advisories.map((advice) => h("li", { class: `advice ${advice.severity}` },
      h("strong", {}, `${formatDate(day.day)} · ${commune.communeName}: `), advice.message))));
  return lines.length ? h("ul", { class: "cards" }, lines) : empty(gettext("No weather warnings for your plots in the coming days."));
}

function orders(connection) {
  const waiting = connection?.edges || [];
  if (!waiting.length) return empty(gettext("No orders are waiting for you."));
  return h("ul", { class: "cards" }, waiting.map(({ node }) =>
    h("li", {}, h("a", { href: `#/sell/order/${node.id}` }, `${node.code} · ${node.buyer.name}`), h("span", { class: "muted" }, ` ${formatDate(node.placedAt)}`))));
}

function articles(list) {
  if (!list.length) return empty(gettext("No advice for your crops this month."));
  return h("ul", { class: "cards" }, list.slice(0, 6).map((article) =>
    h("li", {}, h("strong", {}, article.title), h("p", { class: "muted" }, article.summary))));
}

export async function todayScreen() {
  const producer = await api.currentProducer();
  const waiting = (await queue.items()).length;
  const { data, fresh, at } = await api.cached(`today:${producer?.producer.id}`, QUERY, { producer: producer?.producer.id });
  screen(
    gettext("Today"),
    producer ? h("p", { class: "muted" }, producer.producer.name) : null,
    fresh ? null : h("p", { class: "notice" }, interpolate(gettext("Offline: shown as of %(time)s."), { time: formatDate(at) })),
    waiting ? h("p", {}, h("a", { href: "#/sync", class: "pill" }, interpolate(ngettext("%(count)s item waits to be sent", "%(count)s items wait to be sent", waiting), { count: waiting }))) : null,
    h("h2", {}, gettext("Weather")),
    advisories(data.weather),
    h("h2", {}, gettext("Orders waiting for you")),
    orders(data.myOrders),
    h("h2", {}, gettext("This month for your crops")),
    articles(data.thisMonth)
  );
}
