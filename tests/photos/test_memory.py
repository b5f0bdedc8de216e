"""Verifying a photo costs the API process no memory it keeps.

A 225 KB PNG of 8,900 x 8,900 pixels decodes to ~750 MB. Decoded in the API
process, two at once took it up by gigabytes, and most of that stayed: the
allocator keeps freed pages. Decoding happens in a process of its own.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

from models import images
from models.permissions import Role
from tests.account_requests.rows import make_request
from tests.client import GraphQLClient
from tests.conftest import StoredObjects
from tests.factories import make_account, staff
from tests.photos.operations import add_photo, complete, create_upload, post_file

SIDE = 8_900


def _resident_bytes() -> int:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _huge_png() -> bytes:
    """Made in a child process, so making it leaves nothing in this one."""
    script = (
        "import io, sys; from PIL import Image; out = io.BytesIO(); "
        f"Image.new('RGB', ({SIDE}, {SIDE}), (200, 30, 30)).save(out, 'PNG'); "
        "sys.stdout.buffer.write(out.getvalue())"
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, check=True).stdout


async def test_verifying_huge_images_leaves_the_api_process_as_it_was(
    gql: GraphQLClient, stored_objects: StoredObjects
) -> None:
    # given two uploads of a small file that decodes to ~240 MB of pixels each
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    data = _huge_png()
    assert len(data) < 2_000_000
    photo_ids = []
    for _ in range(2):
        created = await create_upload(
            gql, dispatcher, request, data, content_type="image/png", filename="wall.png"
        )
        assert created["userErrors"] == [], created["userErrors"]
        sent = await post_file(created["uploadTarget"], data, "wall.png", "image/png")
        assert sent.status_code in (200, 201, 204), sent.text
        photo_ids.append(created["photo"]["id"])
    before = _resident_bytes()

    # when both are completed at once
    done = await asyncio.gather(*(complete(gql, dispatcher, pid) for pid in photo_ids))

    # then both are verified, and the API process holds no decoded image
    assert [payload["photo"]["status"] for payload in done] == ["READY", "READY"]
    assert [payload["photo"]["width"] for payload in done] == [SIDE, SIDE]
    grown = _resident_bytes() - before
    assert grown < 150 * 1024 * 1024, f"the API process grew by {grown // 2**20} MB"


async def test_an_image_process_that_died_gets_a_fresh_one(
    gql: GraphQLClient, stored_objects: StoredObjects, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an image process that ended without an answer (killed, or the Python 3.11
    # race between a child's exit after its one task and the next submission)
    broken = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    child_pid = await asyncio.get_running_loop().run_in_executor(broken, os.getpid)
    os.kill(child_pid, signal.SIGKILL)
    for _ in range(200):
        if getattr(broken, "_broken", False):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the killed child did not break its pool")
    monkeypatch.setattr(images, "_pool", broken)
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    # when a photo is completed
    photo = await add_photo(gql, dispatcher, request)
    # then it is verified on a fresh process, not refused as "could not be processed"
    assert photo["status"] == "READY"
    assert images._pool is not broken
