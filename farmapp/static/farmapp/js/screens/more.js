// More: whom I act for, language, sign out, and clearing this phone's copy of the data.
import * as api from "app/api";
import * as db from "app/db";
import { gettext, interpolate, ngettext } from "app/i18n";
import * as queue from "app/queue";
import { languageSwitch } from "app/screens/sign-in";
import { button, confirmStep, h, screen } from "app/ui";

function roleName({ role, through }) {
  if (through) return interpolate(gettext("through %(cooperative)s"), { cooperative: through.name });
  return { owner: gettext("owner"), manager: gettext("manager"), member: gettext("member") }[role] || role;
}

function producerChoice(producers, current) {
  if (producers.length < 2) return null;
  return [h("h2", {}, gettext("Acting for")), h("ul", { class: "cards" }, producers.map((choice) =>
    h("li", {}, button(`${choice.producer.name} (${roleName(choice)})`, {
      class: choice.producer.id === current?.producer.id ? "act" : "quiet",
      "aria-pressed": String(choice.producer.id === current?.producer.id),
      onclick: async () => {
        await api.chooseProducer(choice.producer.id);
        location.hash = "#/today";
      },
    }))))];
}

async function leave(question, verb, work) {
  const waiting = (await queue.items()).length;
  const warning = waiting ? " " + interpolate(ngettext("%(count)s item has not been sent and will be lost.", "%(count)s items have not been sent and will be lost.", waiting), { count: waiting }) : "";
  if (!(await confirmStep(question + warning, verb))) return;
  await work();
  location.hash = "";
  location.reload();
}

export async function moreScreen() {
  const session = await api.session();
  const producers = await api.producers();
  const estimate = await navigator.storage?.estimate?.().catch(() => null);
  const usage = estimate ? interpolate(gettext("This phone keeps %(used)s MB of the app's data."), { used: (estimate.usage / 1e6).toFixed(1) }) : null;
  screen(
    gettext("More"),
    h("p", {}, interpolate(gettext("Signed in as %(name)s."), { name: session.user.fullName || session.user.phone })),
    producerChoice(producers, await api.currentProducer()),
    h("ul", { class: "cards" }, [
      ["#/sync", gettext("Sync: what waits, what was refused")],
      ["#/knowledge", gettext("Knowledge: articles, tips and questions")],
      ["#/soil", gettext("Soil tests")],
    ].map(([href, label]) => h("li", {}, h("a", { href }, label)))),
    h("h2", {}, gettext("Language")),
    languageSwitch(() => location.reload()),
    h("h2", {}, gettext("This phone")),
    usage ? h("p", { class: "muted" }, usage) : null,
    h("div", { class: "row" },
      button(gettext("Sign out"), { class: "quiet", onclick: () => leave(gettext("Sign out? This phone's copy of your data is wiped."), gettext("Sign out"), api.signOut) }),
      button(gettext("Clear this phone's data"), { class: "danger", onclick: () => leave(gettext("Clear everything this app keeps on this phone?"), gettext("Clear"), async () => {
        await db.wipe();
      }) }))
  );
}
