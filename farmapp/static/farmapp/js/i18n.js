// The app's words in the farmer's language (Vietnamese unless they chose English), from
// Django's catalogue of this app's strings.
let catalog = {};
let language = "vi";
const LANGUAGES = ["vi", "en"];

export function currentLanguage() {
  return language;
}

export async function useLanguage(code) {
  language = LANGUAGES.includes(code) ? code : "vi";
  localStorage.setItem("language", language);
  document.documentElement.lang = language;
  try {
    const url = document.body.dataset.catalog.replace("xx", language);
    catalog = (await (await fetch(url)).json()).catalog;
  } catch {
    catalog = {}; // not cached yet and offline: the English words of the code
  }
}

export function savedLanguage() {
  return localStorage.getItem("language") || "vi";
}

export function gettext(msgid) {
  const found = catalog[msgid];
  return typeof found === "string" ? found : msgid;
}

export function ngettext(singular, plural, count) {
  const found = catalog[singular];
  const index = language === "en" ? Number(count !== 1) : 0;
  if (Array.isArray(found)) return found[Math.min(index, found.length - 1)];
  return count === 1 ? singular : plural;
}

export function interpolate(format, values) {
  return format.replace(/%\((\w+)\)s/g, (_match, key) => String(values[key] ?? ""));
}

const locale = () => (language === "vi" ? "vi-VN" : "en-GB");

export function formatNumber(value, digits = 2) {
  if (value === null || value === undefined || value === "") return "";
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(Number(value));
}

export function formatDate(value) {
  if (!value) return "";
  const date = typeof value === "string" && value.length === 10 ? new Date(value + "T00:00") : new Date(value);
  return new Intl.DateTimeFormat(locale(), { day: "numeric", month: language === "vi" ? "2-digit" : "short", year: "numeric" }).format(date);
}

export function formatDateTime(value) {
  if (!value) return "";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "short", timeStyle: "short" }).format(new Date(value));
}

// Numbers typed the Vietnamese way, as the server reads them: "12.000" is twelve thousand,
// "2,5" two and a half. Returns a plain decimal string, or null when it cannot be read.
export function parseNumber(text) {
  const cleaned = String(text).trim().replace(/\s/g, "");
  if (!cleaned) return null;
  if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(cleaned)) return cleaned.replace(/\./g, "").replace(",", ".");
  if (/^\d+(,\d+)?$/.test(cleaned)) return cleaned.replace(",", ".");
  return null;
}

// A moment with the phone's own UTC offset ("2026-12-07T08:30:00+07:00"): the record keeps
// the local time it happened at.
export function isoWithOffset(date) {
  const pad = (n) => String(Math.abs(n)).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offset * 60000).toISOString().slice(0, 19);
  return `${local}${offset >= 0 ? "+" : "-"}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

// The value of a datetime-local input for a moment, and back.
export function localInputValue(date) {
  return isoWithOffset(date).slice(0, 16);
}
