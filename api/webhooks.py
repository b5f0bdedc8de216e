"""The webhook sender: claims due deliveries, signs them and POSTs them to checked addresses.

Runs inside `docket serve` (embedded, WEBHOOK_WORKER) and in `docket worker`
processes. Every attempt resolves the endpoint's host, checks every address
(models.webhooks.addresses) and connects to a checked one, with the URL's host in
`Host` and in TLS (SNI and certificate check), so a name that changes its answer
between the check and the connection cannot steer the request elsewhere.
Redirects are never followed and proxies from the environment never used.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
import ssl
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import SplitResult

import httpx
from tortoise.transactions import in_transaction

from api import outages
from api.broker import publish
from api.settings import Settings
from models import live_log
from models.clock import now
from models.events import collect_events
from models.webhooks import addresses, deliveries, signing
from models.webhooks.tables import WebhookDelivery, WebhookEndpoint

log = logging.getLogger("docket.webhooks")

USER_AGENT = "Docket-Webhooks/1"
# Enough of a refusal's body to tell an admin what the receiver said.
ANSWER_SNIPPET = 200


def _target(parts: SplitResult, ip: addresses.IPAddress) -> str:
    host = f"[{ip}]" if isinstance(ip, ipaddress.IPv6Address) else str(ip)
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme}://{host}:{addresses.default_port(parts)}{path}{query}"


def _host_header(parts: SplitResult) -> str:
    hostname = parts.hostname or ""
    literal = addresses.ip_literal(hostname)
    if literal is not None:
        name = f"[{literal}]" if isinstance(literal, ipaddress.IPv6Address) else str(literal)
    else:
        name = hostname.encode("idna").decode()
    return f"{name}:{parts.port}" if parts.port else name


def signed_headers(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Docket-Webhook-Id": delivery.event_id,
        "Docket-Webhook-Event": delivery.event_type.wire_name,
        "Docket-Webhook-Timestamp": str(timestamp),
        "Docket-Webhook-Signature": signing.signature_header(endpoint, timestamp, delivery.body),
    }


async def attempt(
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    policy: addresses.AddressPolicy,
    seconds: float,
    ca_file: Path | None = None,
) -> deliveries.Outcome:
    """One POST of `delivery` to `endpoint`, and what came of it."""
    try:
        parts, found = await addresses.checked_addresses(endpoint.url, policy)
        host = _host_header(parts)
    except addresses.AddressRefused as refused:
        return deliveries.Outcome(error=f"Refused: {refused}", permanent=True)
    except addresses.ResolutionFailed as failed:
        return deliveries.Outcome(error=str(failed))
    except UnicodeError:
        return deliveries.Outcome(error="Refused: the host name is not valid.", permanent=True)
    headers = signed_headers(delivery, endpoint) | {"Host": host}
    named = addresses.ip_literal(parts.hostname or "") is None
    extensions: dict[str, str] = {}
    if named and parts.scheme == "https":  # TLS for the name, on the checked address
        extensions["sni_hostname"] = (parts.hostname or "").encode("idna").decode()
    error = "no address to connect to"
    for ip in found:
        started = time.monotonic()
        try:
            status, snippet = await asyncio.wait_for(
                _post(_target(parts, ip), delivery.body, headers, extensions, seconds, ca_file),
                seconds,
            )
        except (TimeoutError, httpx.TimeoutException):
            return deliveries.Outcome(error=f"Timed out after {seconds:g} s ({ip}).")
        except httpx.ConnectError as failed:
            error = f"ConnectError: {failed or 'connection failed'} ({ip})"
            continue  # nothing was sent: the next address of the name, if any
        except httpx.HTTPError as failed:  # sent, perhaps received: retried later, not here
            return deliveries.Outcome(error=f"{type(failed).__name__}: {failed} ({ip})")
        latency = round((time.monotonic() - started) * 1000)
        if 200 <= status < 300:
            return deliveries.Outcome(response_status=status, latency_ms=latency)
        said = f": {snippet}" if snippet else ""
        if 300 <= status < 400:
            said = " (redirects are not followed)"
        return deliveries.Outcome(
            error=f"HTTP {status}{said}", response_status=status, latency_ms=latency
        )
    return deliveries.Outcome(error=error)


@functools.cache
def _tls(ca_file: Path | None) -> ssl.SSLContext:
    """Certificates checked as httpx checks them (certifi), and those of WEBHOOK_CA_FILE;
    the context is made once."""
    context = httpx.create_ssl_context()
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    return context


async def _post(
    url: str,
    body: str,
    headers: dict[str, str],
    extensions: dict[str, str],
    seconds: float,
    ca_file: Path | None,
) -> tuple[int, str]:
    # A client per attempt, no keep-alive: a connection made for one host name (its
    # TLS checked for that name) is never reused for another name on the same address.
    async with (
        httpx.AsyncClient(
            timeout=seconds,
            verify=_tls(ca_file),
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        ) as client,
        client.stream(
            "POST", url, content=body.encode(), headers=headers, extensions=extensions
        ) as response,
    ):
        snippet = b""
        async for chunk in response.aiter_raw():
            snippet += chunk
            if len(snippet) >= ANSWER_SNIPPET:
                break
        text = snippet[:ANSWER_SNIPPET].decode("utf-8", "replace").strip()
        return response.status_code, " ".join(text.split())


class WebhookWorker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.policy = addresses.AddressPolicy.of(
            settings.webhook_allowed_networks, https_only=settings.is_production
        )
        self.retry = deliveries.RetryPolicy(
            base_seconds=settings.webhook_retry_base_seconds,
            max_attempts=settings.webhook_max_attempts,
            disable_after=settings.webhook_disable_after_failures,
        )

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Attempt every delivery due now once; returns how many were attempted."""
        started = now()  # a delivery that fails now waits for its backoff
        handled = 0
        while not (stop is not None and stop.is_set()) and (
            claimed := await deliveries.claim_batch(due_by=started)
        ):
            await asyncio.gather(*(self._deliver(d, e) for d, e in claimed))
            handled += len(claimed)
        return handled

    async def _deliver(self, delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> None:
        try:
            outcome = await attempt(
                delivery,
                endpoint,
                self.policy,
                self.settings.webhook_timeout_seconds,
                self.settings.webhook_ca_file,
            )
        except Exception as error:  # a bug must cost one attempt, not the worker
            log.exception("webhook delivery %s failed unexpectedly", delivery.id)
            outcome = deliveries.Outcome(error=f"{type(error).__name__}: {error}")
        if outcome.error is None:
            log.info("webhook %s delivered to %s", delivery.id, endpoint.url)
        else:
            log.warning("webhook %s to %s: %s", delivery.id, endpoint.url, outcome.error)
        # As a mutation's: the events (an admin's notice of a disabled endpoint) go to
        # the live event log in the same transaction, so a subscriber resumes to them.
        with collect_events() as events:
            async with in_transaction() as connection:
                await deliveries.settle(delivery, outcome, self.retry)
                events = await live_log.record(connection, events)
        await publish(events)

    async def purge(self) -> int:
        """Forget finished deliveries older than WEBHOOK_RETENTION_DAYS."""
        purged = await deliveries.purge_finished(
            timedelta(days=self.settings.webhook_retention_days)
        )
        if purged:
            log.info("purged %d finished webhook deliveries", purged)
        return purged

    async def run_forever(self, stop: asyncio.Event) -> None:
        purged_at = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - purged_at >= self.settings.purge_interval_seconds:
                    purged_at = time.monotonic()
                    await self.purge()
                await self.run_once(stop)
            except Exception as error:
                if outages.is_outage(error):
                    outages.report(error)
                else:
                    log.exception("webhook worker pass failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.webhook_poll_seconds)
