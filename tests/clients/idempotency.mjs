// Apollo Client 3 retrying a mutation with an idempotency key (docs/idempotency.md), as
// an SPA on a bad network does: a link puts the key of the mutation call (its
// `context.idempotencyKey`) in the `Idempotency-Key` header and reads
// `Idempotent-Replayed` from the response HttpLink leaves in the context.
// - createAccountRequest sent twice under one key: the same answer, byte for byte,
//   the second marked replayed, one request made (counted by a query);
// - the same key with other variables: HTTP 422, IDEMPOTENCY_KEY_REUSED, nothing made;
// - a new key (a new action of the user): a second request.
// Input (CLIENT_INPUT): {url, seed: Seed.as_input()}; exit 1 on any mismatch.

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client/core/index.js";
import { loadDevMessages, loadErrorMessages } from "@apollo/client/dev/index.js";
import { randomUUID } from "node:crypto";

import { check, equal, input, run, signIn, step } from "./lib/common.mjs";

loadDevMessages();
loadErrorMessages();

const { url, seed } = input();

const CREATE_REQUEST = gql`
  mutation CreateRequest($input: CreateAccountRequestInput!) {
    createAccountRequest(input: $input) {
      accountRequest { id number status note account { id name } }
      userErrors { code field message }
    }
  }
`;

const COUNT = gql`
  query RequestCount($filter: AccountRequestFilter) {
    accountRequests(filter: $filter) { totalCount }
  }
`;

/** Node's fetch, noting for each response the Idempotency-Key header its request
 * carried and the answer's text, so that two answers compare byte for byte (HttpLink
 * reads the body itself; a clone leaves it that). */
const wire = new WeakMap();
async function recordingFetch(uri, options) {
  const response = await fetch(uri, options);
  const sentKey = options.headers?.["idempotency-key"] ?? null;
  wire.set(response, { sentKey, body: await response.clone().text() });
  return response;
}

/** What went over the wire for each keyed mutation, in the order sent. */
const exchanges = [];

/** The key of the mutation call (its context) in the header; the response's replay
 * mark, status and body recorded once the answer is back. */
const idempotencyLink = new ApolloLink((operation, forward) => {
  const { idempotencyKey } = operation.getContext();
  if (!idempotencyKey) return forward(operation);
  operation.setContext(({ headers = {} }) => ({
    headers: { ...headers, "idempotency-key": idempotencyKey },
  }));
  return forward(operation).map((result) => {
    const { response } = operation.getContext();
    exchanges.push({
      ...wire.get(response),
      status: response.status,
      replayed: response.headers.get("idempotent-replayed") === "true",
    });
    return result;
  });
});

function client(token) {
  const http = new HttpLink({
    uri: `${url}/graphql`,
    headers: { authorization: `Bearer ${token}` },
    fetch: recordingFetch,
  });
  return new ApolloClient({
    link: ApolloLink.from([idempotencyLink, http]),
    cache: new InMemoryCache(),
  });
}

async function requestCount(apollo) {
  const { data } = await apollo.query({
    query: COUNT,
    variables: { filter: { accountIds: [seed.accountId] } },
    fetchPolicy: "network-only",
  });
  return data.accountRequests.totalCount;
}

function create(apollo, note, idempotencyKey) {
  return apollo.mutate({
    mutation: CREATE_REQUEST,
    variables: { input: { accountId: seed.accountId, typeId: seed.typeId, note } },
    context: { idempotencyKey },
  });
}

run("idempotency", async () => {
  const apollo = client(await signIn(url, seed.dispatcher));
  const before = await requestCount(apollo);
  equal(before, seed.requestIds.length, "requests of the account before");

  // The user taps "Create" once; the app sends it, then sends it again (the first
  // answer was lost to it), with the key it made when the user acted.
  const key = randomUUID();
  const note = `Gate will not close ${key}`;
  const first = await create(apollo, note, key);
  const retry = await create(apollo, note, key);
  check(!first.errors && !retry.errors, `errors: ${JSON.stringify([first.errors, retry.errors])}`);
  const made = first.data.createAccountRequest;
  equal(made.userErrors, [], "first send: userErrors");
  equal(made.accountRequest.note, note, "first send: the request's note");
  equal(made.accountRequest.account.id, seed.accountId, "first send: the request's account");
  equal(retry.data, first.data, "the retry's answer (as Apollo returns it)");
  equal(exchanges.length, 2, "keyed exchanges recorded by the link");
  const [sent, resent] = exchanges;
  equal([sent.sentKey, resent.sentKey], [key, key], "Idempotency-Key headers sent");
  equal([sent.status, resent.status], [200, 200], "HTTP statuses");
  equal([sent.replayed, resent.replayed], [false, true], "Idempotent-Replayed (first, retry)");
  check(typeof sent.body === "string" && sent.body.length > 0, "first answer's body not kept");
  equal(resent.body, sent.body, "the retry's body, byte for byte");
  equal(await requestCount(apollo), before + 1, "requests of the account after the retry");
  step(`createAccountRequest sent twice under one key: one request #${made.accountRequest.number}, ` +
    "the retry replayed (Idempotent-Replayed: true) with the same bytes");

  // The same key with other variables is another request: refused, nothing made.
  let refusal;
  try {
    await create(apollo, `${note} (edited)`, key);
  } catch (error) {
    refusal = error;
  }
  check(refusal, "the same key with other variables was not refused");
  const { networkError } = refusal;
  check(networkError, `refusal without a networkError: ${refusal}`);
  equal(networkError.statusCode, 422, "HTTP status of the reused key");
  equal(networkError.result?.data ?? null, null, "data of the reused key's answer");
  equal(networkError.result?.errors?.map((error) => error.extensions?.code),
    ["IDEMPOTENCY_KEY_REUSED"], "error codes of the reused key's answer");
  equal(exchanges.length, 2, "keyed exchanges recorded (a refusal is not a result)");
  equal(await requestCount(apollo), before + 1, "requests of the account after the refusal");
  step("the same key with other variables refused: HTTP 422 IDEMPOTENCY_KEY_REUSED, nothing made");

  // A new action gets a new key, and makes a new request.
  const again = await create(apollo, note, randomUUID());
  equal(again.data.createAccountRequest.userErrors, [], "new key: userErrors");
  check(again.data.createAccountRequest.accountRequest.id !== made.accountRequest.id,
    "a new key answered the first request");
  equal(exchanges[2].replayed, false, "new key: Idempotent-Replayed");
  equal(await requestCount(apollo), before + 2, "requests of the account after a new key");
  step("a new key made a second request");
});
