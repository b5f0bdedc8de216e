"""The outbox delivery worker: claims due rows and sends them with aiosmtplib.

Runs inside `docket serve` (embedded) or as `docket worker` processes. Temporary
failures (refused connection, timeouts, 4xx) are retried with exponential
backoff; permanent ones (5xx) fail the row at once with the server's answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from api import outages
from api.settings import Settings
from models import outbox
from models.clock import now

log = logging.getLogger("docket.mailer")


class SmtpTarget:
    """Where and how to connect, from SMTP_URL (smtp:// with STARTTLS option, or smtps://)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        options = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
        self.implicit_tls = parts.scheme == "smtps"
        self.hostname = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        # STARTTLS when the server offers it, unless ?starttls=false; ?starttls=true demands it.
        choice = options.get("starttls", "")
        self.start_tls: bool | None = {"true": True, "false": False}.get(choice)
        self.validate_certs = options.get("verify", "true") != "false"

    def client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            use_tls=self.implicit_tls,
            start_tls=None if self.implicit_tls else self.start_tls,
            username=self.username,
            password=self.password,
            validate_certs=self.validate_certs,
            timeout=20,
        )


def build_message(email: outbox.OutboxEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Date"] = formatdate(usegmt=True)
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    return message


def is_permanent(error: Exception) -> bool:
    """5xx answers will not change by retrying; everything else might."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        # Raised when every recipient was refused; it carries their answers, not a code.
        return bool(error.recipients) and all(map(is_permanent, error.recipients))
    code = getattr(error, "code", None)
    return isinstance(code, int) and 500 <= code < 600


class MailWorker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.target = SmtpTarget(settings.smtp_url) if settings.smtp_url else None

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Send every row due now once; returns how many rows were handled.

        Once `stop` is set no further batch is claimed, so a shutdown waits for the
        batch in hand instead of cutting it off and leaving its rows leased.
        """
        if self.target is None:
            return 0
        # Only rows due when the pass began: a row that fails now waits for its
        # backoff, so one pass never spends a row's attempts in a tight loop.
        started = now()
        handled = 0
        while not (stop is not None and stop.is_set()) and (
            rows := await outbox.claim_batch(due_by=started)
        ):
            await self._send_batch(rows)
            handled += len(rows)
        return handled

    async def _send_batch(self, rows: list[outbox.OutboxEmail]) -> None:
        assert self.target is not None
        client = self.target.client()
        try:
            await client.connect()
        except Exception as error:  # the server is down: every row waits and retries
            for row in rows:
                await self._retry(row, error)
            return
        try:
            for position, row in enumerate(rows):
                # A slow server must not let the lease of rows still waiting run out
                # (another worker would send them too): renew it before each send.
                await outbox.renew_lease([r.id for r in rows[position:]])
                await self._send(client, row)
        finally:
            with contextlib.suppress(Exception):
                await client.quit()

    async def _send(self, client: aiosmtplib.SMTP, row: outbox.OutboxEmail) -> None:
        try:
            message = build_message(row, self.settings.smtp_from)
        except ValueError as error:  # a header no retry can make valid
            log.error("mail %s to %s cannot be built: %s", row.id, row.to_address, error)
            await outbox.mark_permanent_failure(row, _describe(error))
            return
        try:
            await client.send_message(message)
        except Exception as error:
            if is_permanent(error):
                log.error("mail %s to %s refused: %s", row.id, row.to_address, error)
                await outbox.mark_permanent_failure(row, _describe(error))
            else:
                await self._retry(row, error)
            return
        await outbox.mark_sent(row)
        log.info("mail %s sent to %s", row.id, row.to_address, extra={"message_id": row.message_id})

    async def _retry(self, row: outbox.OutboxEmail, error: Exception) -> None:
        log.warning("mail %s to %s delayed: %s", row.id, row.to_address, _describe(error))
        await outbox.mark_temporary_failure(
            row, _describe(error), self.settings.mail_retry_base_seconds
        )

    async def run_forever(self, stop: asyncio.Event) -> None:
        if self.target is None:
            log.warning("SMTP_URL is not set: mail stays in the outbox (nothing is dropped)")
            return
        while not stop.is_set():
            try:
                await self.run_once(stop)
            except Exception as error:
                if outages.is_outage(error):  # one line per outage, not one per pass
                    outages.report(error)
                else:
                    log.exception("mail worker pass failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.mail_poll_seconds)


def _describe(error: Exception) -> str:
    """The error as an admin reads it in the outbox: the server's own answer where there is one."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        answers = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in error.recipients)
        return f"{type(error).__name__}: {answers}"[:2000]
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{type(error).__name__}: {error.code} {error.message}"[:2000]
    return f"{type(error).__name__}: {error}"[:2000]
