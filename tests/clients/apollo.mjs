// Apollo Client 3 and graphql-ws against a live `docket serve`, as an SPA uses them:
// sign in, a query written with named fragments (InMemoryCache adds __typename to
// every selection), a list paged with fetchMore, a GET query behind the CSRF
// guard, a mutation answering a userError, and notificationAdded over
// GraphQLWsLink receiving an event that a mutation from another client causes.
// Input (CLIENT_INPUT): {url, wsUrl, seed: Seed.as_input()}; exit 1 on any mismatch.

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client/core/index.js";
import { loadDevMessages, loadErrorMessages } from "@apollo/client/dev/index.js";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions/index.js";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

import { check, equal, input, run, step, within } from "./lib/common.mjs";

loadDevMessages(); // Apollo's warnings in words, not as links to its site
loadErrorMessages();

const { url, wsUrl, seed } = input();
const PAGE = 2;

const LOGIN = gql`
  mutation Login($email: String!, $password: String!) {
    login(input: { email: $email, password: $password }) {
      token
      userErrors { ...Problem }
    }
  }
  fragment Problem on UserError { code field message }
`;

const REQUESTS = gql`
  query RequestsPage($filter: AccountRequestFilter, $first: Int!, $after: String) {
    me { ...Viewer }
    accountRequests(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { ...Paging }
      nodes { ...RequestCard }
    }
  }
  fragment Viewer on User { id name roles }
  fragment Paging on PageInfo { hasNextPage endCursor }
  fragment RequestCard on AccountRequest {
    id number status note
    account { ...AccountLabel }
    assignee { ...Person }
  }
  fragment AccountLabel on Account { id name }
  fragment Person on User { id name }
`;

const ACCOUNT = gql`
  query AccountByGet($id: ID!) {
    node(id: $id) { ... on Account { ...AccountLabel } }
  }
  fragment AccountLabel on Account { id name }
`;

const CREATE_ACCOUNT = gql`
  mutation CreateAccount($input: CreateAccountInput!) {
    createAccount(input: $input) {
      account { id name }
      userErrors { ...Problem }
    }
  }
  fragment Problem on UserError { code field message }
`;

const ASSIGN = gql`
  mutation AssignRequest($id: ID!, $assigneeId: ID) {
    updateAccountRequest(input: { id: $id, assigneeId: $assigneeId }) {
      accountRequest { id assignee { id name } }
      userErrors { ...Problem }
    }
  }
  fragment Problem on UserError { code field message }
`;

const NOTIFICATIONS = gql`
  subscription Inbox {
    notificationAdded { ...NotificationCard }
  }
  fragment NotificationCard on Notification {
    id kind title cursor
    subject { ... on AccountRequest { id number assignee { id name } } }
  }
`;

/** Apollo's headers for a CSRF-safe client: Docket accepts GET queries carrying them. */
const apolloHeaders = new ApolloLink((operation, forward) => {
  operation.setContext(({ headers = {} }) => ({
    headers: {
      ...headers,
      "apollo-require-preflight": "true",
      "x-apollo-operation-name": operation.operationName ?? "",
    },
  }));
  return forward(operation);
});

function cache() {
  return new InMemoryCache({
    possibleTypes: { Me: ["User", "PortalContact"] },
    typePolicies: {
      Query: {
        fields: {
          accountRequests: {
            keyArgs: ["filter"],
            merge(existing, incoming, { args }) {
              if (!existing || !args?.after) return incoming;
              return { ...incoming, nodes: [...existing.nodes, ...incoming.nodes] };
            },
          },
        },
      },
    },
  });
}

function httpClient(token, { get = false } = {}) {
  const http = new HttpLink({
    uri: `${url}/graphql`,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    useGETForQueries: get,
  });
  return new ApolloClient({ link: ApolloLink.from([apolloHeaders, http]), cache: cache() });
}

async function signIn(who) {
  const { data } = await httpClient(null).mutate({
    mutation: LOGIN,
    variables: { email: who.email, password: who.password },
  });
  equal(data.login.userErrors, [], `login of ${who.email}: userErrors`);
  check(typeof data.login.token === "string" && data.login.token, `login of ${who.email}: no token`);
  return data.login.token;
}

async function pagedList(client) {
  const variables = { filter: { accountIds: [seed.accountId] }, first: PAGE };
  // A list component's query: watched, then grown with fetchMore.
  const watched = client.watchQuery({ query: REQUESTS, variables });
  let component;
  const first = await within(10_000, "RequestsPage", new Promise((resolve, reject) => {
    component = watched.subscribe({ next: (result) => result.loading || resolve(result), error: reject });
  }));
  check(!first.errors, `RequestsPage: errors ${JSON.stringify(first.errors)}`);
  equal(first.data.me.__typename, "User", "me.__typename (added by InMemoryCache)");
  equal(first.data.me.name, seed.dispatcher.name, "me.name");
  equal(first.data.accountRequests.totalCount, seed.requestIds.length, "totalCount");
  let page = first.data.accountRequests;
  let fetches = 1;
  while (page.pageInfo.hasNextPage) {
    check(fetches < 10, "fetchMore never reached the last page");
    const more = await watched.fetchMore({ variables: { after: page.pageInfo.endCursor } });
    check(!more.errors, `fetchMore: errors ${JSON.stringify(more.errors)}`);
    equal(more.data.accountRequests.pageInfo.__typename, "PageInfo", "pageInfo.__typename");
    fetches += 1;
    page = more.data.accountRequests;
  }
  // What the component renders after fetchMore: the cache's merged list.
  const merged = watched.getCurrentResult().data.accountRequests.nodes;
  equal(fetches, Math.ceil(seed.requestIds.length / PAGE), "pages fetched");
  const numbers = merged.map((node) => node.number);
  equal([...numbers].sort((a, b) => a - b), [...seed.requestNumbers].sort((a, b) => a - b),
    "request numbers over all pages");
  equal(new Set(merged.map((node) => node.id)).size, merged.length, "no request twice");
  for (const node of merged) {
    equal(node.__typename, "AccountRequest", "node.__typename");
    equal(node.account, { __typename: "Account", id: seed.accountId, name: seed.accountName },
      `account of request #${node.number}`);
    equal(node.assignee, null, `assignee of request #${node.number} before assignment`);
  }
  component.unsubscribe();
  step(`listed ${merged.length} requests in ${fetches} pages of ${PAGE} (fetchMore)`);
}

async function getQuery(token) {
  const { data, errors } = await httpClient(token, { get: true }).query({
    query: ACCOUNT,
    variables: { id: seed.accountId },
  });
  check(!errors, `AccountByGet: errors ${JSON.stringify(errors)}`);
  equal(data.node, { __typename: "Account", id: seed.accountId, name: seed.accountName },
    "account fetched by GET");
  step("GET query with apollo-require-preflight answered");
}

async function userError(client) {
  const { data } = await client.mutate({
    mutation: CREATE_ACCOUNT,
    variables: { input: { name: seed.accountName } },
  });
  equal(data.createAccount.account, null, "createAccount with a taken name: account");
  equal(
    data.createAccount.userErrors.map(({ code, field }) => ({ code, field })),
    [{ code: "DUPLICATE", field: ["input", "name"] }],
    "createAccount with a taken name: userErrors",
  );
  equal(data.createAccount.userErrors[0].__typename, "UserError", "userErrors[0].__typename");
  step(`mutation answered userError ${data.createAccount.userErrors[0].code}`);
}

async function subscription(dispatcherClient, technicianToken) {
  let connected;
  const socketReady = new Promise((resolve) => (connected = resolve));
  const socket = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${technicianToken}` },
    retryAttempts: 0,
    on: { connected: () => connected() },
  });
  const technician = new ApolloClient({ link: new GraphQLWsLink(socket), cache: cache() });
  const events = [];
  let arrived;
  const firstEvent = new Promise((resolve, reject) => {
    arrived = { resolve, reject };
  });
  const subscription = technician.subscribe({ query: NOTIFICATIONS }).subscribe({
    next: (result) => {
      events.push(result);
      arrived.resolve(result);
    },
    error: (error) => arrived.reject(error),
  });
  try {
    await within(10_000, "connection_ack for the technician's socket", socketReady);
    // The server has the subscribe message once the socket is acknowledged and
    // the message sent; give its resolver a moment to register with the broker.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const requestId = seed.requestIds[0];
    const { data } = await dispatcherClient.mutate({
      mutation: ASSIGN,
      variables: { id: requestId, assigneeId: seed.technician.id },
    });
    equal(data.updateAccountRequest.userErrors, [], "assignment userErrors");
    equal(data.updateAccountRequest.accountRequest.assignee.id, seed.technician.id, "assignee");
    step("dispatcher assigned a request to the technician (over HTTP)");
    const result = await within(10_000, "notificationAdded after the assignment", firstEvent);
    check(!result.errors, `notificationAdded: errors ${JSON.stringify(result.errors)}`);
    const event = result.data.notificationAdded;
    equal(event.__typename, "Notification", "event __typename");
    equal(event.kind, "ACCOUNT_REQUEST_ASSIGNED", "event kind");
    equal(event.subject, {
      __typename: "AccountRequest",
      id: requestId,
      number: seed.requestNumbers[0],
      assignee: { __typename: "User", id: seed.technician.id, name: seed.technician.name },
    }, "event subject");
    step(`technician received ${event.kind}: ${event.title}`);
  } finally {
    subscription.unsubscribe();
    await socket.dispose();
  }
  equal(events.length, 1, "events received");
}

run("apollo", async () => {
  const dispatcherToken = await signIn(seed.dispatcher);
  const technicianToken = await signIn(seed.technician);
  step("signed in a dispatcher and a technician (login mutation)");
  const dispatcher = httpClient(dispatcherToken);
  await pagedList(dispatcher);
  await getQuery(dispatcherToken);
  await userError(dispatcher);
  await subscription(dispatcher, technicianToken);
});
