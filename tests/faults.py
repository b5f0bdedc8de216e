"""A TCP proxy in front of a real server (Redis, PostgreSQL, SMTP) that a test can
take down or hang, so faults are the real thing on the wire: refused connections,
connections that accept and never answer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit


class FaultyProxy:
    """Forwards 127.0.0.1:<port> to `target` until told otherwise.

    - `down()`: nothing listens any more and open connections are cut (a crash);
    - `hang()`: connections stay open and new ones are accepted, but no byte moves
      either way (a stopped process, a network partition);
    - `restore()`: forwards again (bytes held during a hang then flow);
    - `mute()`: the client's bytes still reach the server, the server's are held on
      their way back (an answer lost in the network once the proxy goes `down()`).

    `sent` keeps every byte the clients sent, to see what they tried.
    """

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.sent = bytearray()
        self._server: asyncio.Server | None = None
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._answering = asyncio.Event()
        self._answering.set()
        self._writers: set[asyncio.StreamWriter] = set()

    @classmethod
    @contextlib.asynccontextmanager
    async def in_front_of(cls, url: str, default_port: int) -> AsyncIterator[FaultyProxy]:
        """A running proxy to the server at `url` (its port, else `default_port`), taken
        down when the block ends."""
        target = urlsplit(url)
        proxy = cls(target.hostname or "127.0.0.1", target.port or default_port)
        await proxy.start()
        try:
            yield proxy
        finally:
            await proxy.stop()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        await self.down()

    async def down(self) -> None:
        self._flowing.set()
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def hang(self) -> None:
        self._flowing.clear()

    def mute(self) -> None:
        self._answering.clear()

    async def restore(self) -> None:
        self._flowing.set()
        self._answering.set()
        if self._server is None:
            await self.start()

    async def _serve(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        try:
            upstream_reader, upstream = await asyncio.open_connection(*self.target)
        except OSError:
            client.transport.abort()
            return
        self._writers |= {client, upstream}
        await asyncio.gather(
            self._pipe(client_reader, upstream, record=True),
            self._pipe(upstream_reader, client, record=False),
            return_exceptions=True,
        )
        for writer in (client, upstream):
            self._writers.discard(writer)
            writer.transport.abort()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, record: bool
    ) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                if record:
                    self.sent += data
                await self._flowing.wait()
                if not record:
                    await self._answering.wait()
                if writer.transport.is_closing():
                    return
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
