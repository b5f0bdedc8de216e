// Docket's GraphiQL page in headless Chromium, used as an admin uses it: the page
// loads from Docket alone under its CSP, the documentation explorer shows
// AccountRequest, a sign-in run in the page gives a token that goes into the
// Headers pane, a query with it answers, a subscription signs in with it and
// shows an event, and the token is in no storage afterwards. Screenshots go to
// `artifacts`. Input (CLIENT_INPUT): {url, chromium, artifacts, accountRequestFields, seed}.

import { ASSIGN, check, equal, graphql, input, run, signIn, step, within } from "./lib/common.mjs";
import { launch, recordViolations, screenshots, violations, watch } from "./lib/browser.mjs";

const { url, chromium, artifacts, accountRequestFields, seed } = input();
const origin = new URL(url).origin;

const QUERY = "section.graphiql-query-editor .CodeMirror";
const TOOL = "section.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror";
const RESULT = "section.result-window .CodeMirror";
const EXECUTE = "button.graphiql-execute-button"; // "Execute query", or "Stop" while running

const LOGIN = (who) => `mutation SignIn {
  login(input: {email: ${JSON.stringify(who.email)}, password: ${JSON.stringify(who.password)}}) {
    token
    userErrors { code message }
  }
}`;
const MINE = `query Mine {
  me { ... on User { name roles } }
  accountRequests(filter: {accountIds: [${JSON.stringify(seed.accountId)}]}, first: 20) {
    totalCount
    nodes { number }
  }
}`;
const INBOX = `subscription Inbox {
  notificationAdded { kind subject { ... on AccountRequest { number } } }
}`;

async function setEditor(page, selector, text) {
  await page.locator(selector).first().waitFor();
  await page.evaluate(([where, value]) => {
    document.querySelector(where).CodeMirror.setValue(value);
  }, [selector, text]);
}

async function editorText(page, selector) {
  return page.evaluate((where) => document.querySelector(where)?.CodeMirror?.getValue() ?? "", selector);
}

/** Put `text` in the query editor, and wait until GraphiQL has read it: the tab
 * takes the operation's name (run before that, the previous name would be sent). */
async function setQuery(page, text) {
  const name = /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(text)[1];
  await setEditor(page, QUERY, text);
  await page.locator(".graphiql-tab-active .graphiql-tab-button", { hasText: name }).waitFor();
}

/** The result pane's JSON once `ready(json)` holds (GraphiQL shows each new answer). */
async function result(page, what, ready) {
  const deadline = Date.now() + 15_000;
  let last = "";
  while (Date.now() < deadline) {
    last = await editorText(page, RESULT);
    try {
      const json = JSON.parse(last);
      if (ready(json)) return json;
    } catch {
      // not (yet) JSON: GraphiQL is still writing the answer
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`${what}: the result pane shows ${JSON.stringify(last.slice(0, 600))}`);
}

async function openTool(page, name) {
  await page.getByRole("button", { name, exact: true }).click();
}

async function docs(page, shot) {
  await page.click('button[aria-label="Show Documentation Explorer"]');
  const search = page.locator('input[data-cy="doc-explorer-input"]');
  await search.fill("AccountRequest");
  await page.getByRole("option", { name: "AccountRequest", exact: true }).first().click();
  const title = page.locator(".graphiql-doc-explorer-title");
  await title.filter({ hasText: /^AccountRequest$/ }).waitFor({ timeout: 10_000 });
  const fields = await page.locator(".graphiql-doc-explorer-field-name").allInnerTexts();
  equal([...fields].sort(), [...accountRequestFields].sort(), "AccountRequest fields in the docs");
  const about = await page.locator(".graphiql-doc-explorer-content").innerText();
  check(about.includes("A piece of work raised by or for a customer account."),
    "the docs do not show AccountRequest's description");
  await shot("02-docs-AccountRequest.png");
  step(`documentation explorer lists AccountRequest and its ${fields.length} fields`);
  await page.click('button[aria-label="Hide Documentation Explorer"]');
}

async function signInHere(page, who) {
  await setQuery(page, LOGIN(who));
  await page.click(EXECUTE);
  const answer = await result(page, "login in GraphiQL", (json) => json.data?.login);
  equal(answer.data.login.userErrors, [], "login userErrors");
  await keepsNoSecret(page, [who.password, answer.data.login.token], "after the login");
  step(`signed in as ${who.email} by running login in GraphiQL`);
  return answer.data.login.token;
}

async function queryWithToken(page, token, shot) {
  await openTool(page, "Headers");
  await setEditor(page, TOOL, JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2));
  await setQuery(page, MINE);
  await page.click(EXECUTE);
  const answer = await result(page, "Mine", (json) => "data" in json || "errors" in json);
  check(!answer.errors, `Mine answered errors: ${JSON.stringify(answer.errors)}`);
  equal(answer.data.me, { name: seed.technician.name, roles: ["TECHNICIAN"] }, "me");
  equal(answer.data.accountRequests.totalCount, seed.requestNumbers.length, "totalCount");
  equal(answer.data.accountRequests.nodes.map((n) => n.number).sort((a, b) => a - b),
    [...seed.requestNumbers].sort((a, b) => a - b), "request numbers");
  await shot("03-query-with-token.png");
  step("a query with the token in the Headers pane answered as that user");
}

async function subscription(page, token, frames, shot) {
  await setQuery(page, INBOX);
  await page.click(EXECUTE);
  await within(10_000, "the subscribe frame", (async () => {
    while (!frames.some((frame) => frame.type === "subscribe")) await page.waitForTimeout(50);
  })());
  const init = frames.find((frame) => frame.type === "connection_init");
  equal(init?.payload, { authorization: `Bearer ${token}` }, "connection_init payload");
  // The server registers the subscription as it handles the frame: a moment for it.
  await page.waitForTimeout(500);
  const dispatcher = await signIn(url, seed.dispatcher);
  const assigned = await graphql(url, ASSIGN,
    { id: seed.requestIds[0], assigneeId: seed.technician.id }, dispatcher);
  equal(assigned.updateAccountRequest.userErrors, [], "assignment userErrors");
  step("the dispatcher assigned a request to the signed-in technician (another client)");
  const event = await result(page, "Inbox", (json) => json.data?.notificationAdded);
  equal(event.data.notificationAdded,
    { kind: "ACCOUNT_REQUEST_ASSIGNED", subject: { number: seed.requestNumbers[0] } }, "event");
  await shot("04-subscription-event.png");
  step("the subscription, signed in with the Headers pane's token, showed the event");
  await page.click(EXECUTE); // stop it
}

/** Fails when the browser keeps any of `secrets`: in localStorage, sessionStorage
 * (or a key about headers there), or in the page's URL (kept by the history). */
async function keepsNoSecret(page, secrets, when) {
  const stored = await page.evaluate(() =>
    [localStorage, sessionStorage].flatMap((store) =>
      Object.keys(store).map((key) => [key, store.getItem(key)])));
  const leaks = stored.filter(([key, value]) =>
    /headers/i.test(key) || secrets.some((secret) => value.includes(secret)));
  equal(leaks, [], `storage entries holding a token, a password or headers ${when}`);
  const address = decodeURIComponent(page.url());
  check(!secrets.some((secret) => address.includes(secret)), `a secret in the URL ${when}: ${address}`);
}

async function tokenForgotten(page, token, shot) {
  const secrets = [token, seed.technician.password, "Bearer"];
  await keepsNoSecret(page, secrets, "after the session");
  // What the page before this one (Strawberry's, persisting headers) left behind.
  await page.evaluate(() => {
    localStorage.setItem("graphiql:headers", '{"Authorization": "Bearer stale"}');
    localStorage.setItem("graphiql:tabState", JSON.stringify({
      activeTabIndex: 0,
      tabs: [{ id: "t", title: "Old", query: "{ __typename }", variables: null,
        headers: '{"Authorization": "Bearer stale"}', operationName: null, response: null }],
    }));
  });
  await page.reload();
  await page.locator(QUERY).waitFor();
  await openTool(page, "Headers");
  const headers = await editorText(page, TOOL);
  check(!headers.includes(token) && !headers.includes("stale"),
    `the Headers pane came back with a token: ${headers}`);
  await keepsNoSecret(page, secrets, "after a reload");
  await shot("05-after-reload.png");
  step("no token or password in storage or URL; headers an older page stored are gone");
}

run("graphiql", async () => {
  const browser = await launch(chromium);
  try {
    await recordViolations(browser.context);
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    const seen = watch(page, [origin]);
    const frames = [];
    page.on("websocket", (socket) => {
      socket.on("framesent", ({ payload }) => frames.push(JSON.parse(payload)));
    });
    const shot = screenshots(page, artifacts);

    const response = await page.goto(`${url}/graphql`);
    equal(response.status(), 200, "GET /graphql status");
    check(/script-src 'self'/.test(response.headers()["content-security-policy"] ?? ""),
      "the page has no Content-Security-Policy with script-src 'self'");
    await page.locator(QUERY).waitFor({ timeout: 15_000 });
    await page.locator('button[aria-label="Show Documentation Explorer"]').waitFor();
    await shot("01-loaded.png");
    step("GraphiQL rendered");

    await docs(page, shot);
    const token = await signInHere(page, seed.technician);
    await queryWithToken(page, token, shot);
    await subscription(page, token, frames, shot);
    await tokenForgotten(page, token, shot);

    equal(seen.foreign, [], "requests to other origins");
    equal([...seen.csp, ...(await violations(page))], [], "CSP violations");
    equal(seen.errors, [], "console errors and uncaught exceptions");
    step("no CSP violation, no console error, no request off the origin");
  } finally {
    await browser.close();
  }
});
