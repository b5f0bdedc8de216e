"""The fast paths run only on the graphql-core and Strawberry they were verified with."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.app import build_app
from api.settings import Settings
from fastpath import STATS
from fastpath import versions as engine_versions
from models.permissions import Role
from tests.factories import staff


@pytest.fixture
def unverified(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Installed versions the fast paths were not verified with."""
    monkeypatch.setitem(engine_versions.VERIFIED, "graphql-core", frozenset({"3.9.0"}))
    engine_versions.fast_paths_verified.cache_clear()
    yield
    engine_versions.fast_paths_verified.cache_clear()


@pytest.mark.fast_paths
async def test_on_unverified_versions_standard_execution_answers(
    server: object, settings: Settings, unverified: None, caplog: pytest.LogCaptureFixture
) -> None:
    # given an API built with a graphql-core the fast paths were not verified with
    # (served in this process: the test server's database connection is shared)
    installed = engine_versions.installed("graphql-core")
    with caplog.at_level("WARNING", logger="docket.engine"):
        app = build_app(settings, configure_logs=False)
    admin = await staff(Role.ADMIN)
    before = STATS.compiled + STATS.fallbacks
    # when a client reads a list, twice (the direct lane would take the second)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://docket") as http:
        answers = [
            (
                await http.post(
                    "/graphql",
                    json={"query": "{ accounts(first: 5) { totalCount nodes { id } } }"},
                    headers={"authorization": f"Bearer {admin.token}"},
                )
            ).json()
            for _ in range(2)
        ]
    # then standard execution answered both, with no compiled plan run
    assert answers == [{"data": {"accounts": {"totalCount": 0, "nodes": []}}}] * 2
    assert STATS.compiled + STATS.fallbacks == before
    # and one warning line named the versions
    [warning] = [r for r in caplog.records if r.name == "docket.engine"]
    assert f"graphql-core {installed} not verified" in warning.getMessage()
    assert "3.9.0" in warning.getMessage()


def test_the_installed_versions_are_the_verified_ones() -> None:
    # The lock file pins what the fast paths were verified with.
    engine_versions.fast_paths_verified.cache_clear()
    assert engine_versions.fast_paths_verified()
