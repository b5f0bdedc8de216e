"""Uploads never completed are removed after a day: `docket purge-uploads` and the worker.

Both run as an operator runs them (subprocesses) against the suite's own
database and object store; `docket check` reports the store too.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

from models.clock import now
from models.permissions import Role
from models.photos import Photo, PhotoStatus
from schema.relay.ids import decode_id
from tests.account_requests.rows import make_request
from tests.client import GraphQLClient
from tests.conftest import Server, StoredObjects
from tests.factories import make_account, staff
from tests.photos.images import image_bytes
from tests.photos.operations import add_photo, create_upload, post_file

DOCKET = str(Path(sys.executable).with_name("docket"))


def _environment(server: Server, var_dir: Path) -> dict[str, str]:
    settings = server.settings
    env = os.environ | {
        "DATABASE_URL": settings.database_url,
        "BROKER_URL": settings.broker_url,
        "STORAGE_URL": settings.storage_url,
        "SECRET_KEY": settings.secret(),
        "VAR_DIR": str(var_dir),
        "SMTP_URL": "",
        "PURGE_INTERVAL_SECONDS": "0.2",
    }
    if settings.s3_endpoint_url:
        env |= {
            "S3_ENDPOINT_URL": settings.s3_endpoint_url,
            "S3_ACCESS_KEY_ID": settings.s3_access_key_id or "",
            "S3_SECRET_ACCESS_KEY": "testing",
        }
    return env


async def _docket(server: Server, tmp_path: Path, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        DOCKET,
        *args,
        cwd=tmp_path,
        env=_environment(server, tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def _stale_and_fresh(gql: GraphQLClient) -> tuple[int, int, str]:
    """A pending upload begun 25 hours ago (bytes sent), a fresh one, and a READY photo."""
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    data = image_bytes()
    stale = await create_upload(gql, dispatcher, request, data)
    sent = await post_file(stale["uploadTarget"], data)
    assert sent.status_code in (200, 201, 204)
    fresh = await create_upload(gql, dispatcher, request, data)
    ready = await add_photo(gql, dispatcher, request, data)
    _, stale_id = decode_id(stale["photo"]["id"])
    _, fresh_id = decode_id(fresh["photo"]["id"])
    await Photo.filter(id=stale_id).update(created_at=now() - timedelta(hours=25))
    return stale_id, fresh_id, ready["id"]


async def test_purge_uploads_removes_only_uploads_older_than_a_day(
    gql: GraphQLClient, server: Server, stored_objects: StoredObjects, tmp_path: Path
) -> None:
    # given a stale upload, a fresh one and a READY photo
    stale_id, fresh_id, ready_id = await _stale_and_fresh(gql)
    stale_key = (await Photo.get(id=stale_id)).key
    assert stale_key in stored_objects

    # when the operator purges
    code, out = await _docket(server, tmp_path, "purge-uploads")

    # then only the stale upload is gone, row and bytes
    assert code == 0, out
    assert "purged 1 upload(s)" in out
    assert not await Photo.filter(id=stale_id).exists()
    assert stale_key not in stored_objects
    assert await Photo.filter(id=fresh_id, status=PhotoStatus.PENDING).exists()
    _, ready_key = decode_id(ready_id)
    ready = await Photo.get(id=ready_key)
    assert {ready.key, f"{ready.key}.thumb.jpg"} <= stored_objects.keys()

    # and a second run finds nothing more
    code, out = await _docket(server, tmp_path, "purge-uploads")
    assert code == 0 and "purged 0 upload(s)" in out


async def test_the_worker_purges_stale_uploads_on_its_own(
    gql: GraphQLClient, server: Server, stored_objects: StoredObjects, tmp_path: Path
) -> None:
    # given a stale upload
    stale_id, fresh_id, _ = await _stale_and_fresh(gql)
    # when `docket worker` runs for a moment
    process = await asyncio.create_subprocess_exec(
        DOCKET,
        "worker",
        cwd=tmp_path,
        env=_environment(server, tmp_path),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            if not await Photo.filter(id=stale_id).exists():
                break
            await asyncio.sleep(0.05)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=20)
    # then the stale upload is gone and the fresh one stays
    assert not await Photo.filter(id=stale_id).exists()
    assert await Photo.filter(id=fresh_id).exists()


async def test_docket_check_reports_the_object_store(server: Server, tmp_path: Path) -> None:
    code, out = await _docket(server, tmp_path, "check")
    storage_line = next(line for line in out.splitlines() if "storage" in line)
    assert code == 0, out
    assert storage_line.startswith("ok")
    scheme = "s3://" if server.settings.storage_url.startswith("s3://") else "file://"
    assert scheme in storage_line


async def test_docket_check_fails_on_a_missing_bucket_or_folder(
    server: Server, tmp_path: Path
) -> None:
    env = _environment(server, tmp_path)
    if server.settings.storage_url.startswith("s3://"):
        env["STORAGE_URL"] = "s3://no-such-bucket-here"
    else:
        blocker = tmp_path / "a-file"
        blocker.write_text("not a folder")
        env["STORAGE_URL"] = f"file://{blocker}/uploads"
    process = await asyncio.create_subprocess_exec(
        DOCKET, "check", cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    storage_line = next(line for line in out.decode().splitlines() if "storage" in line)
    assert process.returncode == 1
    assert storage_line.startswith("FAIL")
