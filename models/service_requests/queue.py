"""The reviewers' queue: how many requests wait, and the live feed told of each change."""

from __future__ import annotations

from models.events import publish_after_commit

QUEUE_CHANNEL = "service-requests:queue"


def queue_changed() -> None:
    """Tell the reviewers' live queue to refresh (after commit)."""
    publish_after_commit(QUEUE_CHANNEL, type="queue")
