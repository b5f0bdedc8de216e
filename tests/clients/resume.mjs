// graphql-ws (the client, not Apollo) resuming a subscription after its socket dropped
// (docs/api.md, "Subscriptions that resume"), as a phone app does:
// - a technician follows notificationAdded and receives one assignment live, reading
//   the event's cursor from `extensions.cursor` of the `next` payload (graphql-ws hands
//   the whole ExecutionResult, extensions included, to `sink.next`);
// - the socket goes away; a dispatcher assigns three more requests (over HTTP);
// - a new socket subscribes with `after: <last cursor>`: the three missed arrive, in
//   the order they were made, each once, then a live one, then nothing more.
// Input (CLIENT_INPUT): {url, wsUrl, seed: Seed.as_input()}; exit 1 on any mismatch.

import { createClient } from "graphql-ws";
import WebSocket from "ws";

import { ASSIGN, Mismatch, check, equal, graphql, input, run, signIn, step, within } from "./lib/common.mjs";

const { url, wsUrl, seed } = input();
const MISSED = 3; // requests 1..3 are assigned while away; 0 before, 4 after
const QUIET_MS = 750; // how long "nothing more" is watched for

const INBOX = `
  subscription Inbox($after: String) {
    notificationAdded(after: $after) {
      kind
      subject { ... on AccountRequest { id number } }
    }
  }
`;

/** A sink for `client.subscribe` that keeps every result, and waits for the n-th. */
class Feed {
  constructor(name) {
    this.name = name;
    this.results = [];
    this.ended = null; // why the subscription ended, if it did
    this.wakers = [];
  }

  next = (result) => {
    this.results.push(result);
    this.wake();
  };

  error = (error) => {
    this.ended = `error ${error instanceof Error ? error.message : JSON.stringify(error)}`;
    this.wake();
  };

  complete = () => {
    this.ended = "complete";
    this.wake();
  };

  wake() {
    const wakers = this.wakers;
    this.wakers = [];
    for (const waker of wakers) waker();
  }

  /** The first `count` results, or a Mismatch after `ms` or when the subscription ends. */
  async first(count, ms) {
    const what = `${this.name}: ${count} events`;
    const enough = new Promise((resolve, reject) => {
      const test = () => {
        if (this.results.length >= count) resolve(this.results.slice(0, count));
        else if (this.ended) reject(new Mismatch(`${what}: ended (${this.ended}) after ${this.results.length}`));
        else this.wakers.push(test);
      };
      test();
    });
    return within(ms, `${what} (${this.results.length} arrived)`, enough);
  }

  /** That no more than `count` results arrive within `ms`. */
  async nothingBeyond(count, ms) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    check(!this.ended, `${this.name}: ended (${this.ended})`);
    equal(this.results.length, count, `${this.name}: events after ${ms} ms of quiet`);
  }
}

/** A graphql-ws client for the technician, and a promise of its connection_ack. */
function connect(token) {
  let acknowledged;
  const connected = new Promise((resolve) => (acknowledged = resolve));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    on: { connected: () => acknowledged() },
  });
  return { client, connected };
}

/** Each result's event: its request's number and its cursor, checked to be an
 * assignment without errors that carries a cursor. */
function events(results, what) {
  return results.map((result, n) => {
    check(!result.errors, `${what} #${n}: errors ${JSON.stringify(result.errors)}`);
    const event = result.data?.notificationAdded;
    equal(event?.kind, "ACCOUNT_REQUEST_ASSIGNED", `${what} #${n}: kind`);
    const cursor = result.extensions?.cursor;
    check(typeof cursor === "string" && cursor.length > 0,
      `${what} #${n}: no extensions.cursor in ${JSON.stringify(result)}`);
    return { id: event.subject.id, number: event.subject.number, cursor };
  });
}

run("resume", async () => {
  const technician = await signIn(url, seed.technician);
  const dispatcher = await signIn(url, seed.dispatcher);
  const assign = async (n) => {
    const variables = { id: seed.requestIds[n], assigneeId: seed.technician.id };
    const data = await graphql(url, ASSIGN, variables, dispatcher);
    equal(data.updateAccountRequest.userErrors, [], `assignment of request ${n}: userErrors`);
  };
  const numbers = (from, to) => seed.requestNumbers.slice(from, to);

  // Online: one event, live.
  const before = connect(technician);
  const live = new Feed("before the drop");
  before.client.subscribe({ query: INBOX, variables: {} }, live);
  let last;
  try {
    await within(10_000, "connection_ack of the first socket", before.connected);
    // No message tells a client that its subscription is registered with the broker:
    // give the server a moment (this first event has no cursor to resume from).
    await new Promise((resolve) => setTimeout(resolve, 500));
    await assign(0);
    const [event] = events(await live.first(1, 10_000), "before the drop");
    equal(event.number, seed.requestNumbers[0], "the live event's request");
    last = event.cursor;
  } finally {
    await before.client.dispose();
  }
  equal(live.results.length, 1, "events before the drop");
  step(`received request #${seed.requestNumbers[0]} live, cursor ${last}; socket closed`);

  // Away: three more assignments.
  for (let n = 1; n <= MISSED; n += 1) await assign(n);
  step(`while away, requests #${numbers(1, 1 + MISSED).join(", #")} were assigned`);

  // Back: the missed ones from the cursor, then live again.
  const after = connect(technician);
  const resumed = new Feed("after the drop");
  after.client.subscribe({ query: INBOX, variables: { after: last } }, resumed);
  try {
    await within(10_000, "connection_ack of the second socket", after.connected);
    const replayed = events(await resumed.first(MISSED, 10_000), "replayed");
    equal(replayed.map((event) => event.number), numbers(1, 1 + MISSED), "replayed requests, in order");
    await resumed.nothingBeyond(MISSED, QUIET_MS);
    step(`resumed with after: ${MISSED} missed events replayed in order, each once`);
    await assign(1 + MISSED);
    const all = events(await resumed.first(MISSED + 1, 10_000), "after the drop");
    equal(all.at(-1).number, seed.requestNumbers[1 + MISSED], "the live event's request");
    await resumed.nothingBeyond(MISSED + 1, QUIET_MS);
    const cursors = [last, ...all.map((event) => event.cursor)];
    equal(new Set(cursors).size, cursors.length, `cursors all different: ${cursors}`);
    step(`then a live event, and nothing more (request #${all.at(-1).number})`);
  } finally {
    await after.client.dispose();
  }
});
