"""A real HTTP receiver for webhook tests: a server on a free local port, in its own
thread, that records every request and answers as the test tells it (200, 500, a
redirect, slowly), and can be stopped and started again on the same port."""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.ports import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes


class _Server(ThreadingHTTPServer):
    # A sender posts a batch at once: the default backlog (5) resets some of them.
    request_queue_size = 128


class Receiver:
    """One address (127.0.0.1:port); `status`, `location` and `delay` shape the answer."""

    def __init__(self, port: int | None = None, tls: tuple[Path, Path] | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        # With (certificate, key): HTTPS, recording the name each client asked for (SNI).
        self.tls = tls
        self.server_names: list[str | None] = []
        self.status = 200
        self.location: str | None = None
        self.delay = 0.0
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def start(self) -> None:
        assert self._server is None, "already running"
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                with receiver._lock:
                    receiver._received.append(Received(self.path, headers, body))
                if receiver.delay:
                    time.sleep(receiver.delay)
                answer = b"receiver says no" if receiver.status >= 400 else b"ok"
                # The sender may have given up (a timeout test): nobody is left to answer.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(302 if receiver.location else receiver.status)
                    if receiver.location:
                        self.send_header("Location", receiver.location)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = _Server(("127.0.0.1", self.port), Handler)
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            context.sni_callback = self._note_server_name
            server.socket = context.wrap_socket(server.socket, server_side=True)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="webhook-receiver")
        self._thread.start()

    def _note_server_name(self, _socket: Any, name: str | None, _context: Any) -> None:
        with self._lock:
            self.server_names.append(name)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
