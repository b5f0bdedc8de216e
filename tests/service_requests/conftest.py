"""Fixtures the service request tests share: `world`, the people and jobs of the job tests."""

from __future__ import annotations

import pytest

from tests.client import GraphQLClient
from tests.service_requests.people import World


@pytest.fixture
async def world(gql: GraphQLClient) -> World:
    return await World(gql).setup()
