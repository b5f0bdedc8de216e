// A browser SPA on another origin calling Docket as Apollo Client does (JSON POST
// with authorization, apollo-require-preflight and x-apollo-operation-name, so
// the browser sends a CORS preflight first): it works from the origin listed in
// CORS_ORIGINS and the browser refuses it from any other. Its subscription socket
// (graphql-transport-ws) is accepted from that origin and refused from others.
// Input (CLIENT_INPUT): {url, chromium, allowedPort, otherPort, seed}.

import { createServer } from "node:http";

import { check, equal, input, run, signIn, step } from "./lib/common.mjs";
import { launch } from "./lib/browser.mjs";

const { url, chromium, allowedPort, otherPort, seed } = input();

/** A blank page on 127.0.0.1:`port`: the SPA's origin. */
async function spaOrigin(port) {
  const server = createServer((request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end("<!doctype html><title>SPA</title><p>SPA</p>");
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return server;
}

/** What the SPA's code does, run in the page (its origin is the page's). */
async function callFromPage(page, token, method) {
  return page.evaluate(async ({ api, token, method }) => {
    const query = "query Me { me { ... on User { name } } }";
    const headers = {
      authorization: `Bearer ${token}`,
      "apollo-require-preflight": "true",
      "x-apollo-operation-name": "Me",
    };
    const target = method === "GET" ? `${api}?query=${encodeURIComponent(query)}` : api;
    const init = method === "GET"
      ? { method, headers }
      : { method, headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify({ query, operationName: "Me" }) };
    try {
      const response = await fetch(target, init);
      return { status: response.status, body: await response.json() };
    } catch (error) {
      return { failed: `${error.name}: ${error.message}` };
    }
  }, { api: `${url}/graphql`, token, method });
}

/** Open a graphql-transport-ws socket from the page; what its first answer was. */
async function socketFromPage(page, token) {
  return page.evaluate(({ ws, token }) => new Promise((resolve) => {
    const socket = new WebSocket(ws, "graphql-transport-ws");
    const timer = setTimeout(() => resolve("no answer within 5 s"), 5000);
    const done = (outcome) => {
      clearTimeout(timer);
      socket.close();
      resolve(outcome);
    };
    socket.onopen = () => socket.send(JSON.stringify({
      type: "connection_init", payload: { authorization: `Bearer ${token}` },
    }));
    socket.onmessage = (event) => done(JSON.parse(event.data).type);
    socket.onclose = (event) => done(`closed ${event.code}`);
  }), { ws: url.replace(/^http/, "ws") + "/graphql", token });
}

run("cors", async () => {
  const token = await signIn(url, seed.dispatcher);
  const servers = [await spaOrigin(allowedPort), await spaOrigin(otherPort)];
  const browser = await launch(chromium);
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    const blocked = [];
    page.on("console", (message) => {
      if (/blocked by CORS policy/.test(message.text())) blocked.push(message.text());
    });

    await page.goto(`http://127.0.0.1:${allowedPort}/`);
    for (const method of ["POST", "GET"]) {
      const answer = await callFromPage(page, token, method);
      equal(answer, { status: 200, body: { data: { me: { name: seed.dispatcher.name } } } },
        `${method} from the allowed origin http://127.0.0.1:${allowedPort}`);
    }
    equal(blocked, [], "CORS errors on the allowed origin");
    step(`the allowed origin's POST and GET (after their preflights) answered`);
    equal(await socketFromPage(page, token), "connection_ack", "socket from the allowed origin");
    step("the allowed origin's subscription socket was acknowledged");

    await page.goto(`http://127.0.0.1:${otherPort}/`);
    const refused = await callFromPage(page, token, "POST");
    check(refused.failed?.startsWith("TypeError"),
      `a POST from http://127.0.0.1:${otherPort} was not refused: ${JSON.stringify(refused)}`);
    check(blocked.some((text) => text.includes(`http://127.0.0.1:${otherPort}`)),
      `the browser did not report the refusal as CORS: ${JSON.stringify(blocked)}`);
    step("the browser refused the same call from an origin not configured");
    equal(await socketFromPage(page, token), "closed 1006", "socket from another origin");
    step("the server refused the socket handshake from that origin");
  } finally {
    await browser.close();
    for (const server of servers) server.close();
  }
});
