// What every client script shares: its input, checks that stop the run with a
// clear message, bounded waits, and the exit code the pytest wrapper reads.

import { isDeepStrictEqual } from "node:util";

/** The JSON the wrapper passes in CLIENT_INPUT (see tests/clients/tools.py). */
export function input() {
  const raw = process.env.CLIENT_INPUT;
  if (!raw) throw new Error("CLIENT_INPUT is not set: run this script through pytest");
  return JSON.parse(raw);
}

export class Mismatch extends Error {}

export function check(condition, message) {
  if (!condition) throw new Mismatch(message);
}

export function equal(actual, expected, what) {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Mismatch(
      `${what}:\n  expected ${JSON.stringify(expected)}\n  got      ${JSON.stringify(actual)}`,
    );
  }
}

export function step(message) {
  console.log(`- ${message}`);
}

/** `promise`, or a Mismatch naming `what` once `ms` have passed. */
export async function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Mismatch(`${what}: nothing within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Run `main`; exit 0 when it resolves, 1 with "FAIL: ..." on any error. */
export function run(name, main) {
  main().then(
    () => {
      console.log(`${name}: ok`);
      process.exit(0);
    },
    (error) => {
      const kind = error instanceof Mismatch ? "" : `${error?.name ?? "Error"}: `;
      console.error(`FAIL (${name}): ${kind}${error?.message ?? error}`);
      if (!(error instanceof Mismatch) && error?.stack) console.error(error.stack);
      process.exit(1);
    },
  );
}

/** POST a GraphQL operation with Node's fetch (a plain client, not Apollo). */
export async function graphql(url, query, variables = {}, token = undefined) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  check(!body.errors, `${query.trim().split("\n")[0]}: errors ${JSON.stringify(body.errors)}`);
  return body.data;
}

export const LOGIN = `
  mutation Login($email: String!, $password: String!) {
    login(input: {email: $email, password: $password}) { token userErrors { code message } }
  }
`;

export const ASSIGN = `
  mutation Assign($id: ID!, $assigneeId: ID) {
    updateAccountRequest(input: {id: $id, assigneeId: $assigneeId}) {
      accountRequest { id assignee { id } }
      userErrors { code field message }
    }
  }
`;

/** A bearer token for `who` ({email, password}), through plain fetch. */
export async function signIn(url, who) {
  const data = await graphql(url, LOGIN, { email: who.email, password: who.password });
  equal(data.login.userErrors, [], `login of ${who.email}`);
  return data.login.token;
}
