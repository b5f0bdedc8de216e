"""In production (DOCKET_ENV=production) an endpoint must use https: a process started
with the CLI, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.demo import DEMO_PASSWORD
from tests.ports import free_port

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { token }
}
"""
CREATE = """
mutation Create($url: String!) {
  createWebhookEndpoint(input: {url: $url, eventTypes: [JOB_CREATED]}) {
    webhookEndpoint { url }
    userErrors { code field message }
  }
}
"""


def _docket(*args: str) -> list[str]:
    return [sys.executable, "-m", "api.cli", *args]


@pytest.fixture(scope="module")
def production_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("webhooks-production")
    port = free_port()
    env = {
        **os.environ,
        "DOCKET_ENV": "production",
        "DATABASE_URL": f"sqlite://{folder}/docket.sqlite3",
        "VAR_DIR": str(folder / "var"),
        "STORAGE_URL": f"file://{folder}/uploads",
        "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    for command in (("migrate",), ("seed-demo",)):
        subprocess.run(_docket(*command), env=env, cwd=folder, check=True, capture_output=True)
    process = subprocess.Popen(
        _docket("serve", "--port", str(port)),
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the production process did not start"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


async def _post(url: str, query: str, variables: dict[str, Any], token: str = "") -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_production_takes_only_https_endpoints(production_url: str) -> None:
    # given
    credentials = {"email": "admin@demo.docket", "password": DEMO_PASSWORD}
    token = (await _post(production_url, LOGIN, credentials))["login"]["token"]

    # when
    plain = await _post(production_url, CREATE, {"url": "http://127.0.0.1:9/hooks"}, token)
    secure = await _post(production_url, CREATE, {"url": "https://127.0.0.1:9/hooks"}, token)

    # then
    refused = plain["createWebhookEndpoint"]
    assert refused["webhookEndpoint"] is None
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("URL_NOT_ALLOWED", ["input", "url"])
    ]
    assert "https" in refused["userErrors"][0]["message"]
    assert secure["createWebhookEndpoint"] == {
        "webhookEndpoint": {"url": "https://127.0.0.1:9/hooks"},
        "userErrors": [],
    }
