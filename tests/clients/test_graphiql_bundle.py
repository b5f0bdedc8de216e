"""The GraphiQL assets Docket serves are what their pinned packages build: the
committed api/graphiql-ide/dist/ is rebuilt from package-lock.json and compared
byte for byte (`node build.mjs --check`)."""

from __future__ import annotations

import asyncio

import pytest

from tests.clients import tools

pytestmark = pytest.mark.clients_need("node")


async def test_the_committed_graphiql_assets_are_what_the_lock_file_builds() -> None:
    # given the build's packages, installed from its lock file
    await asyncio.to_thread(tools.ensure_node_modules, tools.GRAPHIQL_BUILD)
    # when the build runs again into a temporary folder
    process = await asyncio.create_subprocess_exec(
        "node",
        "build.mjs",
        "--check",
        cwd=tools.GRAPHIQL_BUILD,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output = (await asyncio.wait_for(process.communicate(), 300))[0].decode()
    # then it produced the committed files exactly
    assert process.returncode == 0, output
    assert "dist/ matches the build" in output
