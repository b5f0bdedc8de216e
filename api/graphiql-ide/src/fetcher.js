// How GraphiQL talks to Docket: queries and mutations as JSON POSTs, subscriptions
// over graphql-transport-ws signed in with the Headers pane's token.
//
// GraphiQL hands every operation the headers of its Headers pane. Over HTTP they
// go out as they are. A socket carries no headers: Docket reads the token from
// the `connection_init` payload ({"authorization": "Bearer ..."}), so the pane's
// Authorization header becomes that payload, and a changed token opens a new socket.

import { createClient } from "graphql-ws";
import { getOperationAST, parse } from "graphql";

/** The endpoint this page was served from (`/graphql` behind any path prefix). */
export function endpoints(location) {
  const http = new URL(location.href);
  http.search = "";
  http.hash = "";
  const ws = new URL(http.href);
  ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";
  return { http: http.href, ws: ws.href };
}

function operationKind(params, documentAST) {
  try {
    const document = documentAST ?? parse(params.query);
    return getOperationAST(document, params.operationName || undefined)?.operation;
  } catch {
    return undefined; // let the server explain what is wrong with the document
  }
}

/** The pane's Authorization value, whatever its capitalisation. */
export function authorization(headers) {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === "authorization" && typeof value === "string") return value;
  }
  return undefined;
}

async function post(url, params, headers) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "omit",
    headers: { accept: "application/json", "content-type": "application/json", ...headers },
    body: JSON.stringify({
      query: params.query,
      variables: params.variables ?? null,
      operationName: params.operationName ?? null,
    }),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
  }
}

/** A GraphiQL fetcher for the Docket API at `urls` (see `endpoints`). */
export function docketFetcher(urls) {
  let socket = null; // { token, client }: one socket, for the pane's current token

  function clientFor(token) {
    if (socket && socket.token === token) return socket.client;
    socket?.client.dispose();
    const client = createClient({
      url: urls.ws,
      connectionParams: token ? { authorization: token } : {},
      retryAttempts: 0,
    });
    socket = { token, client };
    return client;
  }

  return (params, options) => {
    const headers = options?.headers ?? {};
    if (operationKind(params, options?.documentAST) !== "subscription") {
      return post(urls.http, params, headers);
    }
    const client = clientFor(authorization(headers));
    const payload = {
      query: params.query,
      variables: params.variables ?? undefined,
      operationName: params.operationName ?? undefined,
    };
    // An observable: GraphiQL's stop button unsubscribes, which sends `complete`.
    return {
      subscribe(observer) {
        const sink = typeof observer === "function" ? { next: observer } : observer;
        const dispose = client.subscribe(payload, {
          next: (value) => sink.next?.(value),
          error: (error) => sink.error?.(socketError(error)),
          complete: () => sink.complete?.(),
        });
        return { unsubscribe: dispose };
      },
    };
  };
}

/** What a failed socket tells the person (a CloseEvent has no message of its own). */
function socketError(error) {
  if (error instanceof Error || Array.isArray(error)) return error;
  if (error && typeof error.code === "number") {
    const reason = error.reason ? `: ${error.reason}` : "";
    return new Error(`The socket closed (${error.code}${reason}). Is the token in Headers valid?`);
  }
  return new Error(String(error));
}
