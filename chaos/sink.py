"""The SMTP sink: aiosmtpd in a process of its own, so killing it is a real crash.

`python -m chaos.sink --port P --out FILE` accepts every message and appends one
JSON line per delivery (Message-ID, recipients, subject) to FILE, flushed and
synced before it answers 250: a message the sink acknowledged is on disk, so a
kill -9 loses nothing the worker was told was delivered. The suite reads FILE
(`delivered`) to count deliveries per Message-ID.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
from collections import Counter
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, out: Path) -> None:
        self.out = out.open("a", encoding="utf-8")

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        line = {
            "message_id": str(message["Message-ID"] or ""),
            "to": list(envelope.rcpt_tos),
            "subject": str(message["Subject"] or ""),
        }
        self.out.write(json.dumps(line) + "\n")
        self.out.flush()
        os.fsync(self.out.fileno())
        return "250 OK: queued"


def delivered(path: Path) -> list[dict[str, Any]]:
    """Every delivery the sink acknowledged, in order (a torn last line is skipped)."""
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            found.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return found


def deliveries_by_id(path: Path) -> Counter[str]:
    return Counter(entry["message_id"] for entry in delivered(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    controller = Controller(Recorder(args.out), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"sink listening on 127.0.0.1:{args.port}", flush=True)
    stop = asyncio.Event()

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()

    try:
        asyncio.run(serve())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
