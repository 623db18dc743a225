// Small DOM helpers shared by the screens: elements, forms whose fields show the server's
// refusals beside them, confirmations, and the line that says what happened.
import { StorageFull } from "app/db";
import { gettext } from "app/i18n";
import * as queue from "app/queue";

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "class") element.className = value;
    else element.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

let nextFlash = null;

export function screen(title, ...children) {
  const main = document.getElementById("screen");
  main.replaceChildren(h("div", {}, h("h1", {}, title), ...children));
  if (nextFlash) main.prepend(nextFlash);
  nextFlash = null;
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  return main;
}

let fieldCount = 0;

// A labelled input; `name` is the API's input field, so a refusal naming it lands here.
export function field(label, name, control, help) {
  const id = `f${++fieldCount}`;
  control.id = id;
  control.name = name;
  const helpText = help ? h("span", { class: "help", id: `${id}-help` }, help) : null;
  if (helpText) control.setAttribute("aria-describedby", `${id}-help`);
  return h("div", { class: "field", "data-field": name }, h("label", { for: id }, label), control, helpText, h("span", { class: "error", id: `${id}-error`, role: "alert" }));
}

export function input(attributes = {}) {
  return h("input", attributes);
}

export function select(options, attributes = {}) {
  return h("select", attributes, options.map(([value, label]) => h("option", { value }, label)));
}

export function clearErrors(form) {
  form.querySelectorAll(".error").forEach((e) => (e.textContent = ""));
  form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
}

// The server's reasons: each beside its field (by the API's field name), the rest on top.
export function showErrors(form, errors) {
  clearErrors(form);
  const general = form.querySelector(".form-error");
  const unplaced = [];
  for (const error of errors) {
    const name = (error.field || "").split(".")[0];
    const place = name && form.querySelector(`[data-field="${CSS.escape(name)}"] .error`);
    if (place) {
      place.textContent = error.message;
      place.parentElement.querySelector("input,select,textarea")?.setAttribute("aria-invalid", "true");
    } else unplaced.push(error.message);
  }
  general.textContent = unplaced.join(" ");
  (form.querySelector("[aria-invalid]") || general).focus?.();
}

export function form(onSubmit, ...children) {
  const element = h("form", { novalidate: true }, h("p", { class: "form-error", role: "alert", tabindex: "-1" }), ...children);
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = element.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await onSubmit(element);
    } catch (error) {
      const message = error instanceof StorageFull
        ? gettext("This phone's storage is full: nothing was saved. Send what waits, or free some space, then try again.")
        : error.message || gettext("Something went wrong.");
      showErrors(element, [{ message }]);
    } finally {
      button.disabled = false;
    }
  });
  return element;
}

export function button(label, attributes = {}) {
  return h("button", { type: "button", class: "act", ...attributes }, label);
}

export function confirmStep(question, verb) {
  // The phone's own dialog would say "127.0.0.1 says…"; ours names the step's verb.
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "confirm", "aria-label": question },
      h("p", {}, question),
      h("div", { class: "row" },
        button(gettext("Go back"), { class: "quiet", onclick: () => close(false) }),
        button(verb, { class: "danger", onclick: () => close(true) })));
    const close = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    dialog.addEventListener("cancel", () => close(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

const flashLine = (message, kind) => h("p", { class: `flash ${kind}`, role: "status" }, message);

// A line saying what just happened, on this screen…
export function flash(message, kind = "ok") {
  document.getElementById("screen").prepend(flashLine(message, kind));
}

// …or on the screen a form moves on to (call it before changing the address).
export function flashNext(message, kind = "ok") {
  nextFlash = flashLine(message, kind);
}

export function empty(message) {
  return h("p", { class: "empty" }, message);
}

// A form's write through the queue. Refused: the reasons go beside the fields. Otherwise
// the app moves on to `next` (an address, or one made from the server's answer), whose
// screen says the write was done or kept for later. Returns the queue's outcome.
export async function sendAndGo(element, operation, payload, { summary, done, next }) {
  const outcome = await queue.submit(operation, payload, summary);
  if (outcome.state === "refused") {
    showErrors(element, outcome.errors);
    return outcome;
  }
  flashNext(queue.told(outcome, done));
  location.hash = typeof next === "function" ? next(outcome) : next;
  return outcome;
}
