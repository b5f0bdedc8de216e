"""The object store down under a running API (S3 through tests/faults.py's proxy):
completing a photo is a coded 503 to retry, never "Unexpected error", and works once
the store is back, with nothing lost."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.permissions import Role
from tests.account_requests.rows import make_request, request_gid
from tests.clients.live import DocketServe
from tests.conftest import S3_BUCKET, MotoServer, Server
from tests.factories import make_account, staff
from tests.faults import FaultyProxy
from tests.photos.images import image_bytes
from tests.photos.operations import COMPLETE_UPLOAD, CREATE_UPLOAD, post_file
from tests.ports import free_port

pytestmark = pytest.mark.services_only


@pytest.fixture
async def store_proxy(moto_s3: MotoServer | None) -> AsyncIterator[FaultyProxy]:
    assert moto_s3 is not None
    async with FaultyProxy.in_front_of(moto_s3.url, 80) as proxy:
        yield proxy


@pytest.fixture
async def api(
    server: Server, store_proxy: FaultyProxy, tmp_path: Path
) -> AsyncIterator[DocketServe]:
    serve = DocketServe(
        tmp_path,
        free_port(),
        database_url=server.settings.database_url,
        broker_url=server.settings.broker_url,
        spa_ports=(free_port(), free_port()),
    )
    serve.env |= {
        "SECRET_KEY": server.settings.secret(),
        "STORAGE_URL": f"s3://{S3_BUCKET}",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{store_proxy.port}",
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
    }
    await serve.start()
    yield serve
    await serve.stop()


async def _call(api: DocketServe, token: str, query: str, variables: dict[str, Any]) -> Any:
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as http:
        return await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )


async def test_completing_a_photo_while_the_store_is_down_is_a_coded_503(
    api: DocketServe, store_proxy: FaultyProxy
) -> None:
    # given an upload whose bytes reached the store
    dispatcher = await staff(Role.DISPATCHER)
    request = await make_request(await make_account())
    data = image_bytes()
    created = await _call(
        api,
        dispatcher.token,
        CREATE_UPLOAD,
        {
            "input": {
                "accountRequestId": request_gid(request),
                "filename": "leak.jpg",
                "contentType": "image/jpeg",
                "byteSize": len(data),
                "displayInPortal": False,
            }
        },
    )
    upload = created.json()["data"]["createPhotoUpload"]
    assert (await post_file(upload["uploadTarget"], data)).status_code in (200, 201, 204)
    complete = {"input": {"photoId": upload["photo"]["id"]}}

    # when the store goes away and the client completes the upload
    await store_proxy.down()
    refused = await _call(api, dispatcher.token, COMPLETE_UPLOAD, complete)

    # then it is told to retry (it was "Unexpected error"), and nothing was lost
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"] == "5"
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    await store_proxy.restore()
    done = await _call(api, dispatcher.token, COMPLETE_UPLOAD, complete)
    assert done.json()["data"]["completePhotoUpload"]["photo"]["status"] == "READY", done.text


async def test_readyz_names_the_store_while_it_is_down(
    api: DocketServe, store_proxy: FaultyProxy
) -> None:
    # when the object store goes away
    await store_proxy.down()
    async with httpx.AsyncClient(base_url=api.url, timeout=30) as http:
        ready = await http.get("/readyz")
    # then the API stays in service (only photos need the store) and says what is missing
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["storage"].startswith("unavailable")
