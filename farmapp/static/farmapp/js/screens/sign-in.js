// Sign in with the phone number and password; the farmer's language follows their account.
import * as api from "app/api";
import { gettext, useLanguage } from "app/i18n";
import { button, field, form, h, input, screen, showErrors } from "app/ui";

export function signInScreen(onSignedIn) {
  const phone = input({ type: "tel", autocomplete: "username", inputmode: "tel", required: true });
  const password = input({ type: "password", autocomplete: "current-password", required: true });
  const signIn = form(
    async (element) => {
      try {
        const user = await api.signIn(phone.value, password.value);
        await useLanguage(user.preferredLanguage);
        await api.refreshProducers();
        await onSignedIn();
      } catch (error) {
        const errors = error.errors || [{ message: error.message }];
        showErrors(element, errors);
      }
    },
    field(gettext("Phone number"), "phone", phone),
    field(gettext("Password"), "password", password),
    button(gettext("Sign in"), { type: "submit" })
  );
  screen(gettext("Sign in"), h("p", { class: "lead" }, gettext("Record your plots, lots and sales, with or without a network.")), signIn, languageSwitch(() => signInScreen(onSignedIn)));
}

export function languageSwitch(after) {
  const choices = [["vi", "Tiếng Việt"], ["en", "English"]];
  return h("p", { class: "languages" }, choices.map(([code, name]) =>
    button(name, { class: "quiet", lang: code, "aria-pressed": String(document.documentElement.lang === code), onclick: async () => {
      await useLanguage(code);
      after();
    } })));
}
