// Passwords typed into operations (login(input: {password: "..."})) or variables
// are replaced before anything is kept outside the editors: in the browser's
// storage and in the page's URL (which the browser's history keeps).

const SECRET_ARGUMENT = /(\b\w*password\w*\s*:\s*)("""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*")/gi;
const SECRET_NAME = /password/i;
export const NOT_STORED = "(not stored)";

/** `text` (a GraphQL document) with password string literals replaced. */
export function redactOperation(text) {
  return typeof text === "string" ? text.replace(SECRET_ARGUMENT, `$1"${NOT_STORED}"`) : text;
}

/** `text` (the variables JSON) with password values replaced. */
export function redactVariables(text) {
  if (typeof text !== "string" || !SECRET_NAME.test(text)) return text;
  try {
    const redact = (name, value) =>
      SECRET_NAME.test(name) && typeof value === "string" ? NOT_STORED : value;
    return JSON.stringify(JSON.parse(text), redact, 2);
  } catch {
    return text; // not JSON (being typed): the variables editor's text as it is
  }
}
