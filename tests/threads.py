"""Threads a test session leaves running, found and described at its end."""

from __future__ import annotations

import sys
import threading
import time
import traceback


def await_leftover_threads() -> list[threading.Thread]:
    """Non-daemon threads still alive after up to 5 seconds of waiting for them to end."""
    deadline = time.monotonic() + 5
    while (leftover := leftover_threads()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return leftover


def described(thread: threading.Thread) -> str:
    """The thread's name and where it runs: its own outermost frame and its current one."""
    frame = sys._current_frames().get(thread.ident or 0)
    stack = [f for f in traceback.extract_stack(frame) if not f.filename.endswith("threading.py")]
    if not stack:
        return thread.name
    first, last = stack[0], stack[-1]
    return (
        f"{thread.name} (running {first.name} in {first.filename}:{first.lineno}, "
        f"now at {last.filename}:{last.lineno})"
    )


def leftover_threads() -> list[threading.Thread]:
    """Non-daemon threads other than the main one that are still alive."""
    return [
        thread
        for thread in threading.enumerate()
        if thread is not threading.main_thread() and not thread.daemon and thread.is_alive()
    ]
