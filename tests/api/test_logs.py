"""LOG_LEVEL governs every logger, uvicorn's access log included."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import orjson
import pytest

from api.logs import configure_logging
from models.permissions import Role
from tests.factories import staff

ACCESS = "uvicorn.access"


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = [(name, logging.getLogger(name).level) for name in ("", "uvicorn", ACCESS)]
    handlers = root.handlers[:]
    yield
    root.handlers[:] = handlers
    for name, level in saved:
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("restored_logging")
def test_log_level_applies_to_the_access_log(capsys: pytest.CaptureFixture[str]) -> None:
    # given uvicorn's access logger at INFO, as uvicorn's log config leaves it
    logging.getLogger(ACCESS).setLevel(logging.INFO)
    # when the process logs at WARNING and a request is logged
    configure_logging("WARNING")
    logging.getLogger(ACCESS).info("GET /graphql 200")
    logging.getLogger(ACCESS).warning("slow request")
    # then only the warning is written, as JSON
    lines = [orjson.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [(ACCESS, "slow request")]
    # and at INFO the access line is written again
    configure_logging("INFO")
    logging.getLogger(ACCESS).info("GET /graphql 200")
    assert orjson.loads(capsys.readouterr().err)["message"] == "GET /graphql 200"


async def test_refusals_are_not_errors_in_the_log(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    # given a technician
    technician = await staff(Role.TECHNICIAN)
    headers = {"authorization": f"Bearer {technician.token}"}
    # when clients send what is refused: an invalid document, a forbidden field, a
    # value of the wrong type, a syntax error, no sign-in
    with caplog.at_level(logging.DEBUG):
        await http.post("/graphql", json={"query": "{ nope }"}, headers=headers)
        await http.post(
            "/graphql", json={"query": "{ serviceRequestQueue { pendingCount } }"}, headers=headers
        )
        await http.post(
            "/graphql",
            json={
                "query": "query($n: Int) { accounts(first: $n) { totalCount } }",
                "variables": {"n": "x"},
            },
            headers=headers,
        )
        await http.post("/graphql", json={"query": "{"})
        await http.post("/graphql", json={"query": "{ me { __typename } }"})
    # then nothing is logged at WARNING or above: an operator need not look
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert loud == [], [r.getMessage() for r in loud]
    assert any(r.getMessage().startswith("refused:") for r in caplog.records)
