// Knowledge: the articles for my crops, kept on the phone (the offline bundle, brought up
// to date whenever there is a network), searched without caring for accents; a field tip
// or a question for the extension staff (queued offline); how my proposals were reviewed.
import * as api from "app/api";
import * as db from "app/db";
import { currentLanguage, formatDate, gettext } from "app/i18n";
import * as queue from "app/queue";
import { plotsData } from "app/screens/plots";
import { button, empty, field, form, h, input, screen, select, sendAndGo } from "app/ui";

const BUNDLE = `query($crops:[ID!]!,$language:String,$since:DateTime){knowledgeBundle(cropIds:$crops,language:$language,updatedSince:$since){
  serverTime removed articles{uuid title summary bodyHtml category updatedAt crops{name}}}}`;
const PROPOSALS = `{myProposals{uuid kind title createdAt status reviewedAt reason answer articleSlug}}`;

// The bundle kept on the phone, refreshed with only what changed since last time.
export async function knowledgeBundle() {
  const key = `knowledge:${currentLanguage()}`;
  const kept = (await db.get(key)) || { articles: {}, serverTime: null };
  if (!navigator.onLine) return kept;
  try {
    const crops = [...new Set((await plotsData()).myPlots.map((plot) => plot.crop?.id).filter(Boolean))];
    const data = await api.graphql(BUNDLE, { crops, language: currentLanguage(), since: kept.serverTime });
    const bundle = data.knowledgeBundle;
    bundle.articles.forEach((article) => (kept.articles[article.uuid] = article));
    bundle.removed.forEach((uuid) => delete kept.articles[uuid]);
    kept.serverTime = bundle.serverTime;
    await db.set(key, kept);
  } catch (error) {
    if (!(error instanceof api.Offline)) throw error;
  }
  return kept;
}

const plain = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();

function statusLine(proposal) {
  const names = { PENDING: gettext("waiting for review"), ACCEPTED: gettext("accepted"), REJECTED: gettext("not accepted"), ANSWERED: gettext("answered") };
  return `${names[proposal.status] || proposal.status} · ${formatDate(proposal.createdAt)}`;
}

function proposalCard(proposal) {
  return h("li", {}, h("strong", {}, proposal.title), h("div", { class: "muted" }, statusLine(proposal)),
    proposal.answer ? h("p", {}, proposal.answer) : null,
    proposal.reason ? h("p", { class: "muted" }, proposal.reason) : null);
}

export async function knowledgeScreen() {
  const bundle = await knowledgeBundle();
  const articles = Object.values(bundle.articles).sort((a, b) => a.title.localeCompare(b.title, "vi"));
  const proposals = await api.cached("proposals", PROPOSALS).then((r) => r.data.myProposals).catch(() => []);
  const pending = (await queue.items()).filter((item) => item.operation === "proposeArticle");
  const list = h("ul", { class: "cards" });
  const search = input({ type: "search", placeholder: gettext("e.g. sau cuon la") });
  // Each article's text without accents, made once, not at every key pressed.
  const texts = new Map(articles.map((a) => [a, plain(`${a.title} ${a.summary} ${a.bodyHtml}`)]));
  const show = () => {
    const words = plain(search.value).split(/\s+/).filter(Boolean);
    const found = articles.filter((a) => words.every((w) => texts.get(a).includes(w)));
    list.replaceChildren(...(found.length ? found.map((a) => h("li", {}, h("a", { href: `#/knowledge/a/${a.uuid}` }, a.title), h("p", { class: "muted" }, a.summary))) : [h("li", { class: "empty" }, gettext("No article found."))]));
  };
  search.addEventListener("input", show);
  show();
  screen(gettext("Knowledge"),
    field(gettext("Search the articles for your crops"), "search", search),
    list,
    h("p", {}, h("a", { href: "#/knowledge/propose", class: "button act" }, gettext("Send a tip or ask a question"))),
    h("h2", {}, gettext("My tips and questions")),
    pending.map((item) => h("p", { class: "pill" }, `${item.input.title}: ${gettext("waiting to be sent")}`)),
    proposals.length ? h("ul", { class: "cards" }, proposals.map(proposalCard)) : empty(gettext("You have not sent any yet.")));
}

export async function articleScreen(uuid) {
  const article = (await knowledgeBundle()).articles[uuid];
  if (!article) return screen(gettext("Article not found"), empty(gettext("Open the knowledge screen once with a network.")));
  const body = h("div", { class: "article" });
  body.innerHTML = article.bodyHtml; // rendered and cleaned by the server, no script can run
  screen(article.title, h("p", { class: "muted" }, article.summary), body,
    h("p", { class: "muted" }, `${gettext("Updated")} ${formatDate(article.updatedAt)}`));
}

export function proposeScreen() {
  const kind = select([["TIP", gettext("A field tip")], ["QUESTION", gettext("A question")]]);
  const category = select([["PESTS", gettext("Pests and diseases")], ["CULTIVATION", gettext("Growing")], ["FERTILIZER", gettext("Fertilizer")], ["IRRIGATION", gettext("Watering")], ["HARVEST", gettext("Harvest")], ["STANDARDS", gettext("Standards (VietGAP…)")], ["MARKET", gettext("Market")]]);
  const title = input({ type: "text", maxlength: 200, required: true });
  const body = h("textarea", { rows: 6, maxlength: 20000, required: true });
  const proposeForm = form(
    async (element) => {
      const payload = { kind: kind.value, category: category.value, title: title.value, body: body.value };
      await sendAndGo(element, "proposeArticle", payload, { summary: title.value, done: gettext("Sent: the extension staff will read it."), next: "#/knowledge" });
    },
    field(gettext("What is it"), "kind", kind),
    field(gettext("About"), "category", category),
    field(gettext("Title"), "title", title),
    field(gettext("Your tip or question"), "body", body),
    button(gettext("Send"), { type: "submit" }));
  screen(gettext("Send a tip or ask a question"), proposeForm);
}
