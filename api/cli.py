"""The `docket` command: serve, migrate, create-admin, seed-demo, worker, purge-uploads,
export-schema, check."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from api.settings import Settings, load_settings_or_exit

if TYPE_CHECKING:
    from api.storage import Storage


def _run(coroutine: Awaitable[int]) -> int:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.logs import UVICORN_LOG_CONFIG

    uvicorn.run(
        "api.app:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=None if args.reload else args.workers,
        reload=args.reload,
        log_config=UVICORN_LOG_CONFIG,
        # Access lines are INFO: below that level uvicorn would still build each one.
        access_log=logging.getLevelName(settings.log_level) <= logging.INFO,
        # X-Forwarded-For names the client only behind the proxies an operator lists;
        # with none listed, uvicorn's proxy middleware would change nothing and only
        # add a layer every request passes through.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or "",
        ws="websockets-sansio",
        ws_per_message_deflate=settings.ws_compression,
        # A graphql-transport-ws message is one operation: no larger than a request
        # body (uvicorn's default, 16 MB, let twenty sockets that never sign in hold
        # 500 MB before connection_init).
        ws_max_size=settings.max_body_bytes,
    )
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from api.db import describe, migrate

    _run(_wrap(migrate(settings.database_url)))
    print(f"migrations applied to {describe(settings.database_url)}")
    return 0


async def _wrap(coroutine: Awaitable[None]) -> int:
    await coroutine
    return 0


async def _with_database(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    from api.db import close_database, open_database

    await open_database(settings.database_url)
    try:
        return await work()
    finally:
        await close_database()


def cmd_create_admin(args: argparse.Namespace, settings: Settings) -> int:
    from models.admin import create_admin

    async def work() -> int:
        outcome = await create_admin(email=args.email, password=args.password, name=args.name)
        print(outcome.message, file=sys.stdout if outcome.ok else sys.stderr)
        return 0 if outcome.ok else 1

    return _run(_with_database(settings, work))


def cmd_seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from models.demo import seed_demo

    async def work() -> int:
        for line in await seed_demo():
            print(line)
        return 0

    return _run(_with_database(settings, work))


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Deliver the mail outbox and webhooks, and purge stale uploads, until stopped
    (SIGINT/SIGTERM); any number may run at once."""
    import signal

    from api.housekeeping import purge_forever
    from api.logs import configure_logging
    from api.mailer import MailWorker
    from api.webhooks import WebhookWorker

    configure_logging(settings.log_level)

    async def work() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with _open_storage(settings) as storage:
            await asyncio.gather(
                MailWorker(settings).run_forever(stop),
                WebhookWorker(settings).run_forever(stop),
                purge_forever(settings, storage, stop),
            )
        return 0

    return _run(_with_database(settings, work))


@contextlib.asynccontextmanager
async def _open_storage(settings: Settings) -> AsyncIterator[Storage]:
    from api.storage import create_storage

    storage = create_storage(settings)
    await storage.start()
    try:
        yield storage
    finally:
        await storage.stop()


def cmd_purge_uploads(args: argparse.Namespace, settings: Settings) -> int:
    """Remove photo uploads begun more than a day ago and never completed."""
    from api.housekeeping import purge_uploads

    async def work() -> int:
        async with _open_storage(settings) as storage:
            purged = await purge_uploads(storage)
        print(f"purged {purged} upload(s) never completed")
        return 0

    return _run(_with_database(settings, work))


def cmd_export_schema(args: argparse.Namespace, settings: Settings) -> int:
    from schema import export_sdl

    Path(args.output).write_text(export_sdl())
    print(f"wrote {args.output}")
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from api.checks import run_checks

    results = _run_checks(run_checks(settings))
    for name, ok, detail in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name:<9} {detail}")
    return 0 if all(ok for _, ok, _ in results) else 1


def _run_checks(coroutine: Awaitable[list[tuple[str, bool, str]]]) -> list[tuple[str, bool, str]]:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docket", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--reload", action="store_true", help="restart on code changes (dev)")
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser("migrate", help="apply the committed migrations")
    migrate.set_defaults(func=cmd_migrate)

    admin = commands.add_parser("create-admin", help="create the first admin user")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", required=True)
    admin.add_argument("--name", required=True)
    admin.set_defaults(func=cmd_create_admin)

    seed = commands.add_parser("seed-demo", help="fill an empty database with a demo company")
    seed.set_defaults(func=cmd_seed_demo)

    worker = commands.add_parser(
        "worker", help="deliver the mail outbox and purge stale uploads (scale-out)"
    )
    worker.set_defaults(func=cmd_worker)

    purge = commands.add_parser(
        "purge-uploads", help="remove photo uploads never completed within a day"
    )
    purge.set_defaults(func=cmd_purge_uploads)

    export = commands.add_parser("export-schema", help="write the GraphQL SDL")
    export.add_argument("--output", default="schema.graphql")
    export.set_defaults(func=cmd_export_schema)

    check = commands.add_parser("check", help="connect to every configured backend")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings_or_exit()
    code: int = args.func(args, settings)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
