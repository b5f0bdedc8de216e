"""Real clients against a live `docket serve`: what they need, and the server.

A test names what it needs from the machine with `@pytest.mark.clients_need("node",
"chromium")`. When one is missing:
- with DOCKET_REQUIRE_CLIENTS=1 (CI) the test runs and fails, saying what is missing;
- otherwise the tests that need it are deselected at collection, and one line says
  which and why (nothing is skipped: they are simply not part of this run).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.clients import tools
from tests.clients.live import DocketServe, Seed, seed
from tests.conftest import Server

MARK = "clients_need"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARK}(*names): needs these from the machine: node (Node.js and npm), chromium",
    )


def _needs(item: pytest.Item) -> set[str]:
    return {name for marker in item.iter_markers(MARK) for name in marker.args}


def _missing(names: set[str]) -> dict[str, str]:
    checks = {"node": tools.node_need, "chromium": tools.chromium_need}
    found = {name: checks[name]() for name in sorted(names)}
    return {name: need.missing for name, need in found.items() if need.missing}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    needs = {item: _needs(item) for item in items if _needs(item)}
    if not needs or tools.clients_required():
        return  # required: the `client_machine` fixture fails each test that lacks one
    missing = _missing(set().union(*needs.values()))
    if not missing:
        return
    left_out = [item for item, names in needs.items() if names & missing.keys()]
    items[:] = [item for item in items if item not in left_out]
    config.hook.pytest_deselected(items=left_out)
    reasons = "; ".join(f"{name}: {why}" for name, why in missing.items())
    line = (
        f"client tests not run ({len(left_out)} deselected): {reasons}. "
        f"Set {tools.REQUIRED_ENV}=1 to make this a failure."
    )
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
    else:
        print(line)


@pytest.fixture(scope="session")
def node_packages() -> None:
    """This folder's npm packages, installed once with `npm ci` (kept afterwards)."""
    tools.ensure_node_modules()


@pytest.fixture(autouse=True)
def client_machine(request: pytest.FixtureRequest) -> None:
    """Fail, saying why, a test whose tools are missing (only reached when required);
    install the npm packages for those that use Node."""
    names = _needs(request.node)
    missing = _missing(names)
    if missing:
        reasons = "; ".join(f"{name}: {why}" for name, why in missing.items())
        pytest.fail(f"{tools.REQUIRED_ENV}=1 and this test cannot run: {reasons}", pytrace=False)
    if "node" in names:
        request.getfixturevalue("node_packages")


@pytest.fixture(scope="module")
async def docket_serve(
    server: Server, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DocketServe]:
    """A `docket serve` process for this module, with an SPA origin in CORS_ORIGINS.

    It depends on `server` so that, on the services run, the shared database has
    been reset and migrated before this process opens it.
    """
    services = not server.settings.uses_sqlite
    live = DocketServe(
        tmp_path_factory.mktemp("docket-serve"),
        tools.free_port(),
        database_url=server.settings.database_url if services else None,
        broker_url=server.settings.broker_url if services else None,
        spa_ports=(tools.free_port(), tools.free_port()),
    )
    await live.start()
    try:
        yield live
    finally:
        await live.stop()


@pytest.fixture
async def seeded(docket_serve: DocketServe) -> Seed:
    return await seed(docket_serve)


@pytest.fixture
def client_input(docket_serve: DocketServe, seeded: Seed, backends: str) -> dict[str, Any]:
    """What every Node script reads: where the server is, who signs in, the seeded rows."""
    allowed, other = docket_serve.spa_ports
    return {
        "url": docket_serve.url,
        "wsUrl": docket_serve.ws_url,
        "chromium": str(tools.CHROMIUM),
        "artifacts": str(tools.ARTIFACTS / backends),
        "allowedPort": allowed,
        "otherPort": other,
        "seed": seeded.as_input(),
    }
