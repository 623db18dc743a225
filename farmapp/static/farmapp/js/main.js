// The app's start: language, service worker, sign-in gate, tabs, status line, router.
import * as api from "app/api";
import * as db from "app/db";
import { gettext, interpolate, ngettext, savedLanguage, useLanguage, formatDateTime } from "app/i18n";
import * as queue from "app/queue";
import { h } from "app/ui";
import { signInScreen } from "app/screens/sign-in";
import { todayScreen } from "app/screens/today";
import { plotsData, plotsScreen, newPlotScreen } from "app/screens/plots";
import { lotsData, lotsScreen, lotScreen, newLotScreen, splitScreen } from "app/screens/lots";
import { eventScreen, inputsCatalogue } from "app/screens/event";
import { articleScreen, knowledgeBundle, knowledgeScreen, proposeScreen } from "app/screens/knowledge";
import { labelsScreen } from "app/screens/labels";
import { correctScreen, mergeScreen, recallScreen, transformScreen } from "app/screens/lot-actions";
import { newOfferScreen, orderScreen, sellScreen } from "app/screens/sell";
import { newSoilScreen, soilScreen } from "app/screens/soil";
import { syncScreen } from "app/screens/sync";
import { moreScreen } from "app/screens/more";

const ROUTES = [
  [/^#\/today$/, todayScreen],
  [/^#\/plots$/, plotsScreen],
  [/^#\/plots\/new$/, newPlotScreen],
  [/^#\/lots$/, lotsScreen],
  [/^#\/lots\/new$/, newLotScreen],
  [/^#\/lot\/([^/]+)$/, lotScreen],
  [/^#\/lot\/([^/]+)\/event(?:\?\w+)?$/, eventScreen],
  [/^#\/lot\/([^/]+)\/split$/, splitScreen],
  [/^#\/lot\/([^/]+)\/labels$/, labelsScreen],
  [/^#\/lot\/([^/]+)\/correct\/([^/]+)$/, correctScreen],
  [/^#\/lot\/([^/]+)\/recall$/, recallScreen],
  [/^#\/lot\/([^/]+)\/merge$/, mergeScreen],
  [/^#\/lot\/([^/]+)\/transform$/, transformScreen],
  [/^#\/sell$/, sellScreen],
  [/^#\/sell\/new$/, newOfferScreen],
  [/^#\/sell\/order\/([^/]+)$/, orderScreen],
  [/^#\/sync$/, syncScreen],
  [/^#\/knowledge$/, knowledgeScreen],
  [/^#\/knowledge\/a\/([^/]+)$/, articleScreen],
  [/^#\/knowledge\/propose$/, proposeScreen],
  [/^#\/soil$/, soilScreen],
  [/^#\/soil\/new$/, newSoilScreen],
  [/^#\/more$/, moreScreen],
];

function tabs() {
  const items = [
    ["#/today", gettext("Today"), "☀"],
    ["#/plots", gettext("Plots"), "▦"],
    ["#/lots", gettext("Lots"), "▤"],
    ["#/sell", gettext("Sell"), "₫"],
    ["#/more", gettext("More"), "☰"],
  ];
  const nav = document.getElementById("tabs");
  nav.setAttribute("aria-label", gettext("Screens"));
  nav.replaceChildren(...items.map(([href, label, icon]) => h("a", { href }, h("span", { "aria-hidden": "true" }, icon), label)));
  nav.hidden = false;
}

function markTab() {
  const section = location.hash.split("/")[1];
  for (const link of document.querySelectorAll("#tabs a")) {
    const current = link.getAttribute("href").split("/")[1] === (section === "lot" ? "lots" : section);
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

export async function showStatus() {
  const all = await queue.items();
  const refused = all.filter((item) => item.state !== "waiting").length;
  const last = await db.get("lastSync");
  const parts = [navigator.onLine ? gettext("Online") : gettext("Offline")];
  parts.push(interpolate(ngettext("%(count)s item waiting", "%(count)s items waiting", all.length), { count: all.length }));
  if (refused) parts.push(interpolate(ngettext("%(count)s needs you", "%(count)s need you", refused), { count: refused }));
  parts.push(last ? interpolate(gettext("last sync %(time)s"), { time: formatDateTime(last) }) : gettext("never synced"));
  const bar = document.getElementById("status");
  bar.className = `status ${navigator.onLine ? "online" : "offline"}${refused ? " attention" : ""}`;
  bar.replaceChildren(h("a", { href: "#/sync" }, parts.join(" · ")));
}

// Screens are shown one after another, so a slow screen never paints over a later one.
let routing = Promise.resolve();

function route() {
  routing = routing.then(showRoute, showRoute);
  return routing;
}

async function showRoute() {
  if (!(await api.session())) {
    document.getElementById("tabs").hidden = true;
    return signInScreen(start);
  }
  if (!location.hash || location.hash === "#/") location.hash = "#/today";
  markTab();
  for (const [pattern, show] of ROUTES) {
    const match = location.hash.match(pattern);
    if (match) {
      try {
        return await show(...match.slice(1).map(decodeURIComponent));
      } catch (error) {
        return failed(error);
      }
    }
  }
  location.hash = "#/today";
}

function failed(error) {
  if (error instanceof api.SignedOut) return api.forgetTokens().then(route);
  const message = error instanceof api.Offline
    ? gettext("No network, and this screen was never opened with one. Open it once online.")
    : error.message || gettext("Something went wrong.");
  document.getElementById("screen").replaceChildren(h("p", { class: "alert", role: "alert" }, message));
}

// What the forms need offline is fetched while there is a network, not only when opened.
function prefetch() {
  if (navigator.onLine) return Promise.allSettled([plotsData(), lotsData(), inputsCatalogue(), knowledgeBundle()]);
}

async function start() {
  tabs();
  await route();
  await queue.startSyncing();
  await prefetch();
}

async function boot() {
  await useLanguage(savedLanguage());
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(document.body.dataset.sw, { scope: document.body.dataset.scope }).catch(() => null);
  }
  queue.changes.addEventListener("change", showStatus);
  queue.changes.addEventListener("signedout", () => api.forgetTokens().then(route));
  addEventListener("online", showStatus);
  addEventListener("offline", showStatus);
  addEventListener("hashchange", route);
  await showStatus();
  if (await api.session()) await start();
  else await route();
}

boot();
