"""Outbox mail written straight through the models, and reading it back, for mail tests."""

from __future__ import annotations

import asyncio

from tortoise.transactions import in_transaction

from models import outbox
from models.clock import now

REFUSAL = "550 5.1.1 no such user"
"""A permanent SMTP refusal the test server answers with."""


async def queue_mail(count: int, to: str = "someone@example.com") -> list[outbox.OutboxEmail]:
    """Queue `count` account-assigned mails to `to` in one transaction."""
    async with in_transaction():
        return [
            await outbox.queue_email(
                to=to,
                template="account_assigned",
                context={
                    "name": f"Person {n}",
                    "account_name": f"Account {n}",
                    "account_number": f"A-{n:03d}",
                    "assigned_by": "Ada Admin",
                    "new_manager": "no one",
                },
            )
            for n in range(count)
        ]


async def outbox_rows() -> list[outbox.OutboxEmail]:
    """Every outbox row, oldest first."""
    return await outbox.OutboxEmail.all().order_by("id")


async def wait_out_backoff(rows: list[outbox.OutboxEmail]) -> None:
    """Sleep until the latest of these rows may be attempted again."""
    latest = max(row.next_attempt_at for row in rows)
    await asyncio.sleep(max((latest - now()).total_seconds(), 0) + 0.02)
