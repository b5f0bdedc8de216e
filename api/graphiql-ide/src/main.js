// The GraphiQL page Docket serves at GET /graphql: everything the page runs is in
// this bundle, served by Docket itself with integrity hashes, so the page needs no
// CDN and no inline script (its Content-Security-Policy allows only 'self').

import "graphiql/style.css";
import "@graphiql/plugin-explorer/style.css";
import "./page.css";

import { explorerPlugin } from "@graphiql/plugin-explorer";
import { GraphiQL } from "graphiql";
import { createElement, useState } from "react";
import { createRoot } from "react-dom/client";

import { docketFetcher, endpoints } from "./fetcher.js";
import { redactOperation, redactVariables } from "./secrets.js";
import { forgetStoredSecrets, secretlessStorage } from "./storage.js";

const WELCOME = `# Docket's GraphiQL
#
# Sign in first:
#
#   mutation {
#     login(input: {email: "you@example.com", password: "..."}) {
#       token
#       userErrors { code field message }
#     }
#   }
#
# then put the token in the Headers pane below:
#
#   {"Authorization": "Bearer <token>"}
#
# Queries and mutations send those headers; subscriptions sign in with the same
# token. Headers stay in this tab only: the browser's storage never gets them, and
# passwords typed in operations or variables are replaced there.
#
# Run: Ctrl-Enter.  Complete: Ctrl-Space.  Docs: the book icon on the left.

query Me {
  me {
    ... on User { name roles }
    ... on PortalContact { name }
  }
}
`;

/** The query and variables of a shared link (?q=...&variables=...), never headers
 * (the URL is kept in the browser's history: passwords are replaced there too). */
function sharedParameters(location) {
  const search = new URLSearchParams(location.search);
  return { query: search.get("q") ?? undefined, variables: search.get("variables") ?? undefined };
}

function shareInURL(changes) {
  const url = new URL(window.location.href);
  for (const [name, value] of Object.entries(changes)) {
    if (value) url.searchParams.set(name, value);
    else url.searchParams.delete(name);
  }
  window.history.replaceState(null, "", url.href);
}

const storage = secretlessStorage();
forgetStoredSecrets(storage);
const fetcher = docketFetcher(endpoints(window.location));
const explorer = explorerPlugin();
const shared = sharedParameters(window.location);

function DocketGraphiQL() {
  const [initial] = useState(shared);
  return createElement(GraphiQL, {
    fetcher,
    storage,
    plugins: [explorer],
    defaultQuery: WELCOME,
    query: initial.query,
    variables: initial.variables,
    onEditQuery: (query) => shareInURL({ q: redactOperation(query) }),
    onEditVariables: (variables) => shareInURL({ variables: redactVariables(variables) }),
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    showPersistHeadersSettings: false,
    defaultEditorToolsVisibility: "headers",
    inputValueDeprecation: true,
  });
}

createRoot(document.getElementById("graphiql")).render(createElement(DocketGraphiQL));
