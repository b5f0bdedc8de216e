"""What the database and the SMTP sink hold after a fault: the ground truth a tester
with read access checks the API's answers against.

Every query opens its own short connection (bounded by a timeout), so an audit
works across a PostgreSQL restart without a pool to heal.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg

from chaos.sink import deliveries_by_id


def pk(global_id: str) -> int:
    """The row key inside a global ID ("Type:key", base64)."""
    padded = global_id + "=" * (-len(global_id) % 4)
    return int(base64.urlsafe_b64decode(padded).decode().rsplit(":", 1)[1])


def forged(type_name: str, key: int) -> str:
    """The global ID a row of `type_name` with key `key` would have."""
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


class Audit:
    def __init__(self, database_url: str, mail_file: Path) -> None:
        self.dsn = database_url
        self.mail_file = mail_file

    async def rows(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(self.dsn, timeout=10)
        try:
            return list(await asyncio.wait_for(connection.fetch(sql, *args), 30))
        finally:
            await connection.close(timeout=5)

    async def value(self, sql: str, *args: Any) -> Any:
        found = await self.rows(sql, *args)
        return found[0][0] if found else None

    # --- service requests and jobs -----------------------------------------------------

    async def decisions(self, request_ids: list[int]) -> dict[int, tuple[str, int]]:
        """Per service request: (status, number of jobs)."""
        found = await self.rows(
            "SELECT r.id, r.status, count(j.id) FROM service_requests r"
            " LEFT JOIN jobs j ON j.service_request_id = r.id"
            " WHERE r.id = ANY($1::int[]) GROUP BY r.id, r.status",
            request_ids,
        )
        return {row[0]: (row[1], row[2]) for row in found}

    async def half_written(self) -> dict[str, int]:
        """Rows that break "a decision is one transaction", over the whole database."""
        approved_without = await self.value(
            "SELECT count(*) FROM service_requests r WHERE r.status = 'APPROVED'"
            " AND (SELECT count(*) FROM jobs j WHERE j.service_request_id = r.id) <> 1"
        )
        orphan_jobs = await self.value(
            "SELECT count(*) FROM jobs j JOIN service_requests r ON r.id = j.service_request_id"
            " WHERE r.status <> 'APPROVED'"
        )
        decided_without_mail = await self.value(
            "SELECT count(*) FROM service_requests r WHERE r.status <> 'PENDING'"
            " AND r.contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outbox_emails o"
            " WHERE o.subject LIKE 'Your service request #' || r.id || ' %')"
        )
        return {
            "approved without exactly one job": int(approved_without or 0),
            "jobs of requests not approved": int(orphan_jobs or 0),
            "decisions without their mail": int(decided_without_mail or 0),
        }

    # --- the outbox and the sink -------------------------------------------------------

    async def outbox(self, where: str, *args: Any) -> list[asyncpg.Record]:
        """Outbox rows (id, message_id, status, subject, to_address) matching `where`."""
        return await self.rows(
            "SELECT id, message_id, status, subject, to_address, attempts FROM outbox_emails"
            f" WHERE {where} ORDER BY id",
            *args,
        )

    async def request_mail(self, request_id: int) -> list[asyncpg.Record]:
        return await self.outbox("subject LIKE $1", f"Your service request #{request_id} %")

    async def undelivered(self) -> int:
        return int(await self.value("SELECT count(*) FROM outbox_emails WHERE status <> 'SENT'"))

    async def wait_delivered(self, seconds: float) -> float | None:
        """Seconds until the whole outbox is SENT (None when `seconds` ran out)."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            try:
                if await self.undelivered() == 0:
                    return time.monotonic() - started
            except (OSError, asyncpg.PostgresError, TimeoutError):
                pass
            await asyncio.sleep(0.25)
        return None

    def delivered(self) -> Counter[str]:
        """Deliveries the sink acknowledged, per Message-ID."""
        return deliveries_by_id(self.mail_file)

    async def mail_check(self, rows: list[asyncpg.Record]) -> dict[str, int]:
        """For outbox `rows`: how many the sink got once, never, or more than once."""
        seen = self.delivered()
        counts = [seen.get(str(row["message_id"]), 0) for row in rows]
        return {
            "queued": len(rows),
            "delivered once": sum(1 for c in counts if c == 1),
            "missing": sum(1 for c in counts if c == 0),
            "duplicated": sum(1 for c in counts if c > 1),
            "failed rows": sum(1 for row in rows if row["status"] == "FAILED"),
        }
