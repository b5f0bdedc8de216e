"""`docket check`: connect to each configured backend and say how it went."""

from __future__ import annotations

import asyncio
from urllib.parse import unquote, urlsplit

from api.db import close_database, describe, open_database
from api.settings import Settings

Result = tuple[str, bool, str]


async def check_database(settings: Settings) -> Result:
    from tortoise import connections

    try:
        await open_database(settings.database_url)
        await connections.get("default").execute_query("SELECT 1")
        return ("database", True, describe(settings.database_url))
    except Exception as error:
        return ("database", False, f"{describe(settings.database_url)}: {error}")
    finally:
        await close_database()


async def check_broker(settings: Settings) -> Result:
    if settings.broker_url.startswith("memory://"):
        return ("broker", True, "memory:// (in-process, one API process)")
    from redis.asyncio import Redis

    client = Redis.from_url(settings.broker_url)
    try:
        await client.ping()
        return ("broker", True, describe(settings.broker_url))
    except Exception as error:
        return ("broker", False, f"{describe(settings.broker_url)}: {error}")
    finally:
        await client.aclose()


async def check_storage(settings: Settings) -> Result:
    url = urlsplit(settings.storage_url)
    if url.scheme == "file":
        from pathlib import Path

        folder = Path(url.netloc + url.path)

        def probe() -> None:
            folder.mkdir(parents=True, exist_ok=True)
            marker = folder / ".docket-check"
            marker.write_bytes(b"ok")
            marker.unlink()

        try:
            await asyncio.to_thread(probe)
            return ("storage", True, f"file://{folder}")
        except OSError as error:
            return ("storage", False, f"file://{folder}: {error}")
    from api.storage import S3Storage

    storage = S3Storage(settings)
    try:
        await storage.start()
        await storage.check()
        return ("storage", True, f"s3://{storage.bucket} (bucket reachable)")
    except Exception as error:
        return ("storage", False, f"s3://{url.netloc}: {error}")
    finally:
        await storage.stop()


async def check_smtp(settings: Settings) -> Result:
    if not settings.smtp_url:
        return ("smtp", True, "not set: mail stays in the outbox and is logged")
    import aiosmtplib

    url = urlsplit(settings.smtp_url)
    client = aiosmtplib.SMTP(
        hostname=url.hostname or "localhost",
        port=url.port or (465 if url.scheme == "smtps" else 25),
        use_tls=url.scheme == "smtps",
        timeout=5,
    )
    try:
        await client.connect()
        if url.username:
            await client.login(unquote(url.username), unquote(url.password or ""))
        await client.quit()
        return ("smtp", True, f"{url.scheme}://{url.hostname}:{url.port or ''}")
    except Exception as error:
        return ("smtp", False, f"{url.scheme}://{url.hostname}: {error}")


async def run_checks(settings: Settings) -> list[Result]:
    database = await check_database(settings)
    others = await asyncio.gather(
        check_broker(settings), check_storage(settings), check_smtp(settings)
    )
    return [database, *others]
