// The app's only door to the server: POST /graphql with the farmer's bearer token,
// refreshed before it lapses; uploads follow the GraphQL multipart request spec.
import * as db from "app/db";
import { currentLanguage, gettext } from "app/i18n";

export class Offline extends Error {}
export class SignedOut extends Error {}
export class Refused extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join(" "));
    this.errors = errors;
  }
}

const endpoint = () => document.body.dataset.graphql;
const TIMEOUT_MS = 30_000;
let refreshing = null;

export async function session() {
  return (await db.get("session")) || null;
}

function withFiles(query, variables) {
  // Blobs anywhere in the variables travel as multipart parts.
  const files = [];
  const walk = (value, path) => {
    if (value instanceof Blob) {
      files.push([path, value]);
      return null;
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, `${path}.${i}`));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, `${path}.${k}`)]));
    }
    return value;
  };
  const plain = walk(variables, "variables");
  if (!files.length) return { body: JSON.stringify({ query, variables: plain }), json: true, bytes: 0 };
  const form = new FormData();
  form.append("operations", JSON.stringify({ query, variables: plain }));
  form.append("map", JSON.stringify(Object.fromEntries(files.map(([path], i) => [String(i), [path]]))));
  files.forEach(([, blob], i) => form.append(String(i), blob, blob.name || `photo-${i}.jpg`));
  return { body: form, json: false, bytes: files.reduce((sum, [, blob]) => sum + blob.size, 0) };
}

async function post(query, variables, token) {
  const { body, json, bytes } = withFiles(query, variables);
  const headers = { "Accept-Language": currentLanguage() };
  if (json) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    // A request that hangs is given up (photos get time to travel over 3G); what it
    // carried stays queued and is sent again.
    const signal = AbortSignal.timeout(TIMEOUT_MS + (bytes / 1e6) * 20_000);
    response = await fetch(endpoint(), { method: "POST", body, headers, credentials: "omit", signal });
  } catch {
    throw new Offline(gettext("No network: saved on this phone."));
  }
  if (response.status >= 500 || response.status === 0) throw new Offline(gettext("The server did not answer. Try again soon."));
  const payload = await response.json();
  const first = payload.errors?.[0];
  if (first?.extensions?.code === "sign_in_required" || response.status === 401) throw new SignedOut(first?.message || "");
  if (first) throw new Refused(payload.errors.map((e) => ({ field: e.extensions?.field, code: e.extensions?.code, message: e.message })));
  return payload.data;
}

const REFRESH = `mutation($t:String!){refreshTokens(input:{refreshToken:$t}){tokens{accessToken refreshToken accessExpiresAt refreshExpiresAt} errors{code message}}}`;

async function freshToken() {
  const current = await session();
  if (!current) return null;
  const lapses = Date.parse(current.tokens.accessExpiresAt) - Date.now();
  if (lapses > 60_000) return current.tokens.accessToken;
  refreshing ??= (async () => {
    const data = await post(REFRESH, { t: current.tokens.refreshToken });
    const outcome = data.refreshTokens;
    if (outcome.errors.length) throw new SignedOut(outcome.errors[0].message);
    await db.set("session", { ...current, tokens: outcome.tokens });
    return outcome.tokens.accessToken;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export async function graphql(query, variables = {}) {
  if (!navigator.onLine) throw new Offline(gettext("No network: saved on this phone."));
  return post(query, variables, await freshToken());
}

export async function signIn(phone, password) {
  const data = await post(
    `mutation($i:SignInInput!){signIn(input:$i){user{phone fullName preferredLanguage} tokens{accessToken refreshToken accessExpiresAt refreshExpiresAt} errors{field code message}}}`,
    { i: { phone, password, device: navigator.userAgent.slice(0, 100) } }
  );
  const outcome = data.signIn;
  if (outcome.errors.length) throw new Refused(outcome.errors);
  // The queue of a lapsed session is kept for the same farmer, never handed to another.
  if ((await db.get("owner")) !== outcome.user.phone) await db.wipe();
  await db.set("owner", outcome.user.phone);
  await db.set("session", { user: outcome.user, tokens: outcome.tokens });
  return outcome.user;
}

// The tokens lapsed: ask for the password again, keeping what waits to be sent.
export async function forgetTokens() {
  await db.remove("session");
}

export async function signOut() {
  try {
    await graphql("mutation{signOut{ok}}");
  } catch {
    // Offline or already signed out: the phone's copy is wiped all the same.
  }
  await db.wipe();
}

// A screen's data: fresh from the server when online (and kept), else the copy kept last time.
export async function cached(key, query, variables = {}) {
  try {
    const data = await graphql(query, variables);
    await db.set(`cache:${key}`, { data, at: new Date().toISOString() });
    return { data, fresh: true };
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
    const kept = await db.get(`cache:${key}`);
    if (!kept) throw error;
    return { data: kept.data, fresh: false, at: kept.at };
  }
}

// Whom the farmer acts for: a cooperative manager switches between producers.
export async function producers() {
  const kept = await session();
  return kept?.producers || [];
}

export async function currentProducer() {
  const kept = await session();
  const all = kept?.producers || [];
  return all.find((p) => p.producer.id === kept.producerId) || all[0] || null;
}

export async function refreshProducers() {
  const data = await graphql(`{myProducers{role producer{id uuid name kind} through{name}}}`);
  const kept = await session();
  await db.set("session", { ...kept, producers: data.myProducers });
}

export async function chooseProducer(producerId) {
  await db.set("session", { ...(await session()), producerId });
}

// One object's full copy; offline and never opened, what a list kept of it (`fromList`).
export async function cachedNode(key, query, id, fromList) {
  try {
    return (await cached(key, query, { id })).data.node;
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
    const listed = await fromList();
    if (!listed) throw error;
    return listed;
  }
}
