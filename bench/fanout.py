"""The fan-out scenario: many WebSocket subscribers of the review queue, one change.

Two `docket serve` processes share Redis; subscribers of
`serviceRequestQueueChanged` are spread over both. Each round a reviewer
declines one pending service request; the runner times the arrival of the
message at every subscriber from the mutation's response, and reads the CPU
the API processes spent per delivered message. The floor (`bench/floor_ws.py`,
also two processes on Redis) pushes the same message to the same number of
sockets with no GraphQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from redis import Redis
from websockets.asyncio.client import ClientConnection, connect

from bench.common import ADMIN_TOKEN, SECRET_KEY

SUBSCRIPTION = "subscription { serviceRequestQueueChanged { pendingCount } }"
DECLINE = (
    'mutation($id: ID!) { declineServiceRequest(input: {id: $id, reason: "Bench round"}) '
    "{ userErrors { code } } }"
)
BROKER_URL = "redis://127.0.0.1:6379/9"
WAIT_SECONDS = 60
WARM_UP_EVENTS = 10


@dataclass
class Delivery:
    """One event: when each subscriber got it, and the servers' CPU it cost."""

    latencies_ms: list[float]
    cpu_seconds: float

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]

    @property
    def last(self) -> float:
        return max(self.latencies_ms)


@dataclass
class Side:
    rounds: list[Delivery] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(r, attribute) for r in self.rounds)

    def cpu_per_delivery_us(self, subscribers: int) -> float:
        return statistics.median(r.cpu_seconds for r in self.rounds) / subscribers * 1e6


@dataclass
class FanoutResult:
    subscribers: int
    api: Side
    floor: Side
    redis_patterns_per_process: float
    peak_rss_mb: list[float]


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of all threads of `pids`, in nanoseconds' resolution (schedstat):
    /proc/<pid>/stat counts 10 ms ticks, as coarse as a whole event."""
    total = 0
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError):
                total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


class Subscribers:
    """N sockets, each subscribed once; `arrivals` collects when the next message came."""

    def __init__(self) -> None:
        self.sockets: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.arrivals: list[float] = []
        self.expected = 0
        self.all_in = asyncio.Event()
        self.failures: list[str] = []
        self.seen: set[int] = set()  # sockets that got at least one message
        self.all_seen = asyncio.Event()

    async def open(self, urls: list[str], count: int) -> None:
        async def one(url: str) -> ClientConnection:
            socket = await connect(url, subprotocols=["graphql-transport-ws"], max_queue=64)  # type: ignore[list-item]
            init = {
                "type": "connection_init",
                "payload": {"authorization": f"Bearer {ADMIN_TOKEN}"},
            }
            await socket.send(orjson.dumps(init).decode())
            ack = orjson.loads(await socket.recv())
            assert ack["type"] == "connection_ack", ack
            query = {"id": "q", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}
            await socket.send(orjson.dumps(query).decode())
            return socket

        batch = 100  # connect in waves: a thundering herd measures accept(), not fan-out
        for start in range(0, count, batch):
            self.sockets += await asyncio.gather(
                *(one(urls[n % len(urls)]) for n in range(start, min(count, start + batch)))
            )
        self.readers = [
            asyncio.create_task(self._read(n, socket)) for n, socket in enumerate(self.sockets)
        ]

    async def _read(self, index: int, socket: ClientConnection) -> None:
        try:
            async for raw in socket:
                message = orjson.loads(raw)
                if message.get("type") != "next":
                    self.failures.append(f"unexpected message {message}")
                    return
                self.arrivals.append(time.perf_counter())
                self.seen.add(index)
                if len(self.seen) == len(self.sockets):
                    self.all_seen.set()
                if len(self.arrivals) >= self.expected:
                    self.all_in.set()
            self.failures.append(f"closed by the server: {socket.close_code} {socket.close_reason}")
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.failures.append(f"{type(error).__name__}: {error}")

    def expect(self) -> None:
        self.arrivals = []
        self.expected = len(self.sockets)
        self.all_in = asyncio.Event()

    async def wait(self) -> None:
        try:
            await asyncio.wait_for(self.all_in.wait(), WAIT_SECONDS)
        except TimeoutError:
            reasons = sorted(set(self.failures))[:5]
            raise SystemExit(
                f"only {len(self.arrivals)} of {self.expected} subscribers got the message; "
                f"{len(self.failures)} sockets failed: {reasons}"
            ) from None

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(s.close() for s in self.sockets), return_exceptions=True)


def _post(url: str, body: bytes, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return orjson.loads(response.read())


async def _pending_ids(database_url: str, count: int) -> list[str]:
    from schema.relay.ids import encode_id

    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT id FROM service_requests WHERE status = 'PENDING' ORDER BY id DESC LIMIT $1",
            count,
        )
    finally:
        await conn.close()
    return [encode_id("ServiceRequest", row["id"]) for row in rows]


async def _warm_up(subscribers: Subscribers, trigger: Any) -> int:
    """Events until every socket got one: graphql-transport-ws does not acknowledge a
    subscribe, so this is how the runner knows all subscriptions are registered.
    Returns how many events it took."""
    for event in range(WARM_UP_EVENTS):
        await asyncio.to_thread(trigger, event)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(subscribers.all_seen.wait(), 2)
            return event + 1
    missing = len(subscribers.sockets) - len(subscribers.seen)
    reasons = sorted(set(subscribers.failures))[:5]
    raise SystemExit(f"{missing} subscribers never got a message; failures: {reasons}")


async def _rounds(
    subscribers: Subscribers,
    trigger: Any,
    pids: list[int],
    rounds: int,
) -> Side:
    side = Side()
    used = await _warm_up(subscribers, trigger)
    for n in range(used, used + rounds):
        await asyncio.sleep(0.5)
        subscribers.expect()
        before = cpu_seconds(pids)
        answered = await asyncio.to_thread(trigger, n)
        await subscribers.wait()
        await asyncio.sleep(0.2)  # let the servers finish what they send after the last frame
        spent = cpu_seconds(pids) - before
        side.rounds.append(
            Delivery([max(0.0, (t - answered) * 1000) for t in subscribers.arrivals], spent)
        )
    return side


@dataclass(frozen=True)
class Processes:
    """The process helpers of bench.processes, handed over by the runner (bench.run)."""

    start: Any
    stop: Any
    wait_ready: Any
    free_port: Any
    peak_rss_mb: Any

    @contextlib.contextmanager
    def pair(
        self, command: Any, env: dict[str, str], ready_path: str, logs: Path
    ) -> Iterator[tuple[list[int], list[Any]]]:
        """Two servers on free ports, ready; stopped on the way out."""
        ports = [self.free_port(), self.free_port()]
        processes = [self.start(command(port), env, logs / f"{port}.log") for port in ports]
        try:
            for port, process in zip(ports, processes, strict=True):
                url = f"http://127.0.0.1:{port}{ready_path}"
                self.wait_ready(url, process, logs / f"{port}.log")
            yield ports, processes
        finally:
            for process in processes:
                self.stop(process)


def run(database_url: str, subscribers: int, rounds: int, tools: Processes) -> FanoutResult:
    """Both sides, one after the other, on fresh processes."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, subscribers * 2 + 256)), hard))
    logs = Path(tempfile.mkdtemp(prefix="docket-fanout-"))
    docket = str(Path(sys.executable).parent / "docket")
    env = {
        "SECRET_KEY": SECRET_KEY,
        "LOG_LEVEL": "WARNING",
        "QUERY_BUDGETS": "false",
        "DATABASE_URL": database_url,
        "BROKER_URL": BROKER_URL,
        "MAIL_WORKER": "false",
        "WEBHOOK_WORKER": "false",
        "DOCKET_ENV": "production",
        "MAX_SUBSCRIPTIONS_PER_SOCKET": "5",
    }
    with tools.pair(lambda port: [docket, "serve", "--port", str(port)], env, "/readyz", logs) as (
        ports,
        api,
    ):
        pending = asyncio.run(_pending_ids(database_url, rounds + WARM_UP_EVENTS))
        if len(pending) < rounds + WARM_UP_EVENTS:
            raise SystemExit("not enough pending service requests left: re-seed the bench database")

        def decline(n: int) -> float:
            answer = _post(
                f"http://127.0.0.1:{ports[0]}/graphql",
                orjson.dumps({"query": DECLINE, "variables": {"id": pending[n]}}),
                ADMIN_TOKEN,
            )
            assert answer["data"]["declineServiceRequest"]["userErrors"] == [], answer
            return time.perf_counter()

        api_side, patterns = asyncio.run(_measure(ports, api, decline, subscribers, rounds))
        rss = [tools.peak_rss_mb(process.pid) or 0.0 for process in api]

    # The same WebSocket stack as `docket serve`: websockets' sans-I/O protocol,
    # no permessage-deflate (WS_COMPRESSION's default).
    floor_command = [
        *(sys.executable, "-m", "uvicorn", "--factory", "bench.floor_ws:create_app"),
        *("--ws", "websockets-sansio", "--ws-per-message-deflate", "false"),
    ]
    with tools.pair(
        lambda port: [
            *floor_command,
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        {"BROKER_URL": BROKER_URL},
        "/",
        logs,
    ) as (floor_ports, floors):

        def push(n: int) -> float:
            _post(f"http://127.0.0.1:{floor_ports[0]}/trigger", str(n).encode())
            return time.perf_counter()

        floor_side, _ = asyncio.run(_measure(floor_ports, floors, push, subscribers, rounds))
    return FanoutResult(subscribers, api_side, floor_side, patterns, rss)


async def _measure(
    ports: list[int], processes: list[Any], trigger: Any, count: int, rounds: int
) -> tuple[Side, float]:
    subscribers = Subscribers()
    pids = [process.pid for process in processes]
    try:
        await subscribers.open([f"ws://127.0.0.1:{port}/graphql" for port in ports], count)
        side = await _rounds(subscribers, trigger, pids, rounds)
        redis = Redis.from_url(BROKER_URL)
        try:
            # Pattern subscriptions held by all clients (NUMPAT counts unique patterns).
            held = sum(int(client.get("psub", 0)) for client in redis.client_list())
            patterns = held / len(pids)
        finally:
            redis.close()
        return side, patterns
    finally:
        await subscribers.close()


def report(result: FanoutResult) -> list[str]:
    api, floor, n = result.api, result.floor, result.subscribers
    api_cpu, floor_cpu = api.cpu_per_delivery_us(n), floor.cpu_per_delivery_us(n)
    return [
        "| Side | subscribers | p50 | p95 | last | CPU per delivery |",
        "|---|---:|---:|---:|---:|---:|",
        f"| API (2 processes, Redis) | {n:,} | {api.median('p50'):.1f} ms "
        f"| {api.median('p95'):.1f} ms | {api.median('last'):.1f} ms | {api_cpu:,.0f} us |",
        f"| floor (2 processes, Redis) | {n:,} | {floor.median('p50'):.1f} ms "
        f"| {floor.median('p95'):.1f} ms | {floor.median('last'):.1f} ms | {floor_cpu:,.0f} us |",
        "",
        f"- fan-out: CPU per delivery <= 3x floor: {_mark(api_cpu <= 3 * floor_cpu)} "
        f"({api_cpu / floor_cpu:.1f}x)",
        f"- fan-out: p95 from mutation to subscriber < 100 ms: "
        f"{_mark(api.median('p95') < 100)} ({api.median('p95'):.1f} ms)",
        f"- fan-out: one Redis subscription per process: "
        f"{_mark(result.redis_patterns_per_process <= 1)} "
        f"({result.redis_patterns_per_process:g} pattern subscriptions per process)",
        "- fan-out: peak RSS of the API processes: "
        + ", ".join(f"{mb:.0f} MB" for mb in result.peak_rss_mb),
    ]


def _mark(ok: bool) -> str:
    return "met" if ok else "NOT met"
