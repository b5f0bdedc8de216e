"""The fuzzer's bounded run, part of `make test` (README.md here tells the long one).

A fixed set of requests (Hypothesis, derandomized) against a seeded company,
round-robin over the eight viewers. Every failing request is collected before
the test fails, so one run lists every distinct failure, not only the first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import Server
from tests.fuzz.documents import Generator, sample
from tests.fuzz.lanes import Failure, Lanes, standard_client, summary
from tests.fuzz.seed import ROLES, Company, seed
from tests.fuzz.values import IdPool

QUERIES = 240  # 30 a viewer; about a fifth of them invalid
MUTATIONS = 64  # 8 a viewer


@dataclass
class Fuzzing:
    company: Company
    generator: Generator
    lanes: Lanes


@pytest.fixture
async def fuzzing(server: Server) -> AsyncIterator[Fuzzing]:
    """The seeded company, its request generator, and both apps (fast: `server`)."""
    async with (
        standard_client(server.settings, server.url) as standard,
        httpx.AsyncClient(base_url=server.url, timeout=60) as fast,
    ):
        company = await seed(standard)
        generator = Generator(IdPool(company.all_ids(), company.cursors))
        lanes = Lanes(fast, standard)
        with lanes.log:
            yield Fuzzing(company, generator, lanes)


async def test_the_seed_holds_every_kind_of_object(fuzzing: Fuzzing) -> None:
    """The ID pool names objects of every type the fuzzer means to reach."""
    expected = {
        "Account",
        "AccountRequest",
        "AccountRequestEvent",
        "AccountRequestType",
        "Appointment",
        "Contact",
        "CreditAccountRequest",
        "CreditMemo",
        "Invoice",
        "Job",
        "Notification",
        "Photo",
        "ServiceRecord",
        "ServiceRequest",
        "Site",
        "Task",
        "Team",
        "User",
    }
    assert expected <= set(fuzzing.company.ids), sorted(expected - set(fuzzing.company.ids))
    assert set(fuzzing.company.tokens) == set(ROLES)


async def test_queries_answer_alike_on_the_fast_and_the_standard_lanes(
    fuzzing: Fuzzing,
) -> None:
    cases = sample(fuzzing.generator.queries(), QUERIES)
    failures: list[Failure] = []
    for index, case in enumerate(cases):
        role = ROLES[index % len(ROLES)]
        failures += await fuzzing.lanes.check_query(case, role, fuzzing.company.tokens[role])
    assert not failures, summary(failures)


async def test_mutations_never_crash_and_code_every_error(fuzzing: Fuzzing) -> None:
    cases = sample(fuzzing.generator.mutations(), MUTATIONS)
    failures: list[Failure] = []
    for index, case in enumerate(cases):
        role = ROLES[index % len(ROLES)]
        failure = await fuzzing.lanes.check_mutation(case, role, fuzzing.company.tokens[role])
        if failure is not None:
            failures.append(failure)
    assert not failures, summary(failures)
