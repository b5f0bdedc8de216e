"""Servers the suite runs against: the API under uvicorn, moto's S3, the object store's contents."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from api.app import build_app
from api.settings import Settings
from tests.ports import free_port

S3_BUCKET = "docket-test-photos"


class MotoServer:
    """moto's S3 in server mode, in its own process: aioboto3 speaks real HTTP to it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/moto-api/", timeout=1).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "moto did not start"
            time.sleep(0.1)

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


class Server:
    """A Docket API served by uvicorn in this event loop, on a free local port."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        config = uvicorn.Config(
            build_app(settings, configure_logs=False),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            ws="websockets-sansio",
        )
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task


class StoredObjects:
    """What the object store holds right now, whichever backend the run uses."""

    def __init__(self, settings: Settings, moto: MotoServer | None) -> None:
        self.settings = settings
        self.moto = moto

    def keys(self) -> set[str]:
        if self.moto is not None:
            listing = self.moto.client().list_objects_v2(Bucket=S3_BUCKET)
            return {item["Key"] for item in listing.get("Contents", [])}
        root = Path(self.settings.storage_url.removeprefix("file://"))
        if not root.exists():
            return set()
        return {
            str(path.relative_to(root))
            for path in root.rglob("*")
            if path.is_file() and not path.name.startswith(".")
        }

    def __contains__(self, key: str) -> bool:
        return key in self.keys()

    def read(self, key: str) -> bytes:
        if self.moto is not None:
            body: bytes = self.moto.client().get_object(Bucket=S3_BUCKET, Key=key)["Body"].read()
            return body
        return (Path(self.settings.storage_url.removeprefix("file://")) / key).read_bytes()

    def clear(self) -> None:
        if self.moto is not None:
            client = self.moto.client()
            for key in self.keys():
                client.delete_object(Bucket=S3_BUCKET, Key=key)
            return
        root = Path(self.settings.storage_url.removeprefix("file://"))
        for path in root.rglob("*") if root.exists() else []:
            if path.is_file():
                path.unlink()
