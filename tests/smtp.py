"""A real SMTP server for the mail tests: aiosmtpd in its own thread, on a free local port."""

from __future__ import annotations

import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from api.mailer import MailWorker
from api.settings import Settings
from tests.ports import free_port

# Short enough to wait out in a test.
RETRY_BASE_SECONDS = 0.05


class RecordingHandler:
    """Accepts (or refuses, when told to) and keeps every message it accepted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.envelopes: list[Envelope] = []
        # An SMTP answer such as "550 5.1.1 no such user" refuses RCPT or DATA:
        # for every recipient, or only for the addresses in `refused`.
        self.rcpt_answer: str | None = None
        self.data_answer: str | None = None
        self.refused: dict[str, str] = {}

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        answer = self.refused.get(address, self.rcpt_answer)
        if answer is not None:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_answer is not None:
            return self.data_answer
        with self._lock:
            self.envelopes.append(envelope)
        return "250 OK: queued"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            envelopes = list(self.envelopes)
        return [_parse(envelope) for envelope in envelopes]


def _parse(envelope: Envelope) -> EmailMessage:
    content = envelope.content
    assert isinstance(content, bytes)
    message: Any = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


class SmtpServer:
    """One address (127.0.0.1:port) whose server can be stopped and started again."""

    def __init__(self, handler: RecordingHandler | None = None, port: int | None = None) -> None:
        self.handler = handler or RecordingHandler()
        self.port = port or free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        assert self._controller is None, "already running"
        controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.messages]


def worker_settings(settings: Settings, smtp_url: str) -> Settings:
    """The test settings with a mail worker that sends to `smtp_url` and retries soon."""
    return settings.model_copy(
        update={"smtp_url": smtp_url, "mail_retry_base_seconds": RETRY_BASE_SECONDS}
    )


def mail_worker(settings: Settings, smtp: SmtpServer) -> MailWorker:
    """A mail worker of the test settings that delivers to `smtp` and retries soon."""
    return MailWorker(worker_settings(settings, smtp.url))
