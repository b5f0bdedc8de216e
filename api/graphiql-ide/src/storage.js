// GraphiQL's storage, kept in localStorage but without secrets.
//
// The Headers pane is where an admin pastes a bearer token, and the documented
// way to get one is a `login` mutation typed in the editor. GraphiQL keeps its
// state (tabs, history, editors) in localStorage, where any script of the origin
// and anyone at the browser can read it for weeks. So this storage:
// - never writes a key about headers, and strips `headers` from the documents
//   that nest them (tabs, history, favourites), whatever GraphiQL's settings say;
// - replaces password string literals in stored operations (login(input:
//   {password: "..."})) and password values in stored variables.

import { redactOperation, redactVariables } from "./secrets.js";

const PREFIX = "graphiql:";
// The JSON documents in which GraphiQL nests operations, variables and headers.
const DOCUMENTS = new Set(["tabState", "tabs", "queries", "favorites"]);

function isAboutHeaders(key) {
  return /headers/i.test(key);
}

function withoutSecrets(key, value) {
  if (!key.startsWith(PREFIX)) return value;
  const name = key.slice(PREFIX.length);
  if (name === "query") return redactOperation(value);
  if (name === "variables") return redactVariables(value);
  if (!DOCUMENTS.has(name)) return value;
  try {
    return JSON.stringify(JSON.parse(value), (field, content) => {
      if (field === "headers") return null;
      if (field === "query") return redactOperation(content);
      if (field === "variables") return redactVariables(content);
      return content;
    });
  } catch {
    return value; // not JSON: nothing of ours to strip
  }
}

function backend() {
  try {
    const probe = `${PREFIX}probe`;
    window.localStorage.setItem(probe, "1");
    window.localStorage.removeItem(probe);
    return window.localStorage;
  } catch {
    return null; // storage disabled: GraphiQL still works, it only forgets
  }
}

/** A Storage (the interface of GraphiQL's `storage` prop) that keeps no secrets. */
export function secretlessStorage() {
  const store = backend();
  const memory = new Map();
  const storage = {
    getItem(key) {
      if (isAboutHeaders(key)) return null;
      return store ? store.getItem(key) : (memory.get(key) ?? null);
    },
    setItem(key, value) {
      if (isAboutHeaders(key)) {
        storage.removeItem(key);
        return;
      }
      const kept = withoutSecrets(key, String(value));
      if (store) store.setItem(key, kept);
      else memory.set(key, kept);
    },
    removeItem(key) {
      if (store) store.removeItem(key);
      else memory.delete(key);
    },
    clear() {
      if (store) store.clear();
      else memory.clear();
    },
    get length() {
      return store ? store.length : memory.size;
    },
  };
  return storage;
}

/** Rewrite what an earlier page (Strawberry's persisted headers) left in storage. */
export function forgetStoredSecrets(storage) {
  const store = backend();
  if (!store) return;
  const keys = [];
  for (let index = 0; index < store.length; index += 1) keys.push(store.key(index));
  for (const key of keys) {
    if (!key || !key.startsWith(PREFIX)) continue;
    if (isAboutHeaders(key)) store.removeItem(key);
    else {
      const value = store.getItem(key);
      if (value !== null) storage.setItem(key, value);
    }
  }
}
