// Soil tests: a laboratory's results for one of my plots, and the advice read from them
// (the server's, from the same rules as the admin's).
import { formatDate, formatNumber, gettext, parseNumber } from "app/i18n";
import { plotsData } from "app/screens/plots";
import { button, empty, field, form, h, input, screen, select, sendAndGo, showErrors } from "app/ui";

const MEASURES = () => [
  ["ph", gettext("pH (KCl)")],
  ["organicMatter", gettext("Organic matter (%)")],
  ["nitrogen", gettext("Total nitrogen N (%)")],
  ["phosphorus", gettext("Available P₂O₅ (mg/100 g)")],
  ["potassium", gettext("Available K₂O (mg/100 g)")],
  ["salinity", gettext("Salinity EC (dS/m)")],
];

function sampleCard(sample) {
  return h("li", {}, h("strong", {}, `${formatDate(sample.sampledOn)} · ${sample.laboratory}`),
    h("div", { class: "muted" }, MEASURES().filter(([key]) => sample[key] !== null).map(([key, name]) => `${name}: ${formatNumber(sample[key])}`).join(" · ")),
    sample.advice.length ? h("ul", {}, sample.advice.map((line) => h("li", {}, line))) : null);
}

export async function soilScreen() {
  const plots = (await plotsData()).myPlots;
  screen(gettext("Soil tests"),
    h("p", {}, h("a", { href: "#/soil/new", class: "button act" }, gettext("Record a soil test"))),
    plots.map((plot) => [h("h2", {}, plot.name), plot.soilSamples.length ? h("ul", { class: "cards" }, plot.soilSamples.map(sampleCard)) : empty(gettext("No soil test yet."))]));
}

export async function newSoilScreen() {
  const plots = (await plotsData()).myPlots;
  const plot = select(plots.map((p) => [p.id, p.name]));
  const day = input({ type: "date", value: new Date().toLocaleDateString("sv"), required: true });
  const laboratory = input({ type: "text", maxlength: 200, required: true });
  const boxes = MEASURES().map(([key, name]) => [key, field(name, key, input({ type: "text", inputmode: "decimal" }))]);
  const soilForm = form(
    async (element) => {
      const payload = { plotId: plot.value, sampledOn: day.value, laboratory: laboratory.value };
      for (const [key, box] of boxes) {
        const text = box.querySelector("input").value;
        if (!text) continue;
        payload[key] = parseNumber(text);
        if (payload[key] === null) return showErrors(element, [{ field: key, message: gettext("Write a number such as 5,6.") }]);
      }
      await sendAndGo(element, "recordSoilSample", payload, { summary: laboratory.value, done: gettext("Soil test recorded."), next: "#/soil" });
    },
    field(gettext("Plot"), "plotId", plot),
    field(gettext("Day the sample was taken"), "sampledOn", day),
    field(gettext("Laboratory"), "laboratory", laboratory),
    boxes.map(([, box]) => box),
    button(gettext("Record"), { type: "submit" }));
  screen(gettext("Record a soil test"), plots.length ? soilForm : empty(gettext("Draw a plot first.")));
}
