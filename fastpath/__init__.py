"""The fast execution engine: answers GraphQL queries exactly as standard execution
does, without its per-field cost. Its contract is README.md beside this file.

The app calls `accelerate` once, on the schema it built; domain types declare what
the engine may answer in bulk with `related` and `batched`, mark permissions decided
by the viewer alone as `ViewerPermission`, and page lists with `page_reads`.
Nothing here imports the domain: what the engine needs from it is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from fastpath.answers import CHECKING, STATS, same_answer
from fastpath.arguments import ViewerPermission
from fastpath.counts import SumOf
from fastpath.declare import (
    Batched,
    Derived,
    Listed,
    LoadedBy,
    Written,
    batched,
    derived,
    load_related,
    related,
)
from fastpath.direct import DirectQueries, Policy
from fastpath.executor import ProjectingExecutor
from fastpath.inputs import plan_input_objects
from fastpath.json_lane import answer_page, json_page
from fastpath.json_nodes import NodeSource, answer_nodes, wants_nodes
from fastpath.json_roots import ANSWERED, answer_rows
from fastpath.narrow import GLOBAL_ID
from fastpath.objects import Made, made_of, maker
from fastpath.pages import connection_reads, narrow_page
from fastpath.query_sql import query_order
from fastpath.rules import check_rules
from fastpath.versions import fast_paths_verified

__all__ = [
    "ANSWERED",
    "CHECKING",
    "STATS",
    "Batched",
    "Derived",
    "Engine",
    "Listed",
    "LoadedBy",
    "Made",
    "NodeSource",
    "Policy",
    "SumOf",
    "ViewerPermission",
    "Written",
    "accelerate",
    "answer_nodes",
    "answer_page",
    "answer_rows",
    "batched",
    "connection_reads",
    "derived",
    "json_page",
    "load_related",
    "made_of",
    "maker",
    "narrow_page",
    "query_order",
    "related",
    "same_answer",
    "wants_nodes",
]


@dataclass(frozen=True)
class Engine:
    """What `accelerate` installed: the executor (None: standard execution) and the
    direct lane the HTTP view sends queries through (None: off)."""

    executor: type[ProjectingExecutor] | None
    direct: DirectQueries | None


def accelerate(
    schema: Any,
    *,
    policy: Policy,
    global_id: Callable[[str, Any], str],
    compiled: bool = True,
    direct: bool = True,
    check: bool = False,
    max_tokens: int,
    pure_scalars: Collection[str] = (),
    replayable: Collection[str] = (),
) -> Engine:
    """Install the engine on a built Strawberry schema (once, at start-up).

    - `compiled`: complete the objects of queries from compiled plans;
    - `direct`: run a document seen before straight on graphql-core;
    - `check` (EXECUTION_CHECK): also answer every query the standard way, and fail
      on any difference (the test suite runs so);
    - `policy`: what the direct lane must ask the app (see `Policy`);
    - `global_id`: how the domain encodes global IDs (read in `from_row` code);
    - `pure_scalars`: the custom scalars whose `parse_value` depends on its input
      alone, has no effect and makes an immutable value: variables of them may be
      coerced once per document and raw values (`fastpath.prepared`);
    - `replayable`: root fields of Query whose resolvers build their lists from their
      arguments, the viewer and the domain's clock alone (nothing of the request, no
      state the process keeps): a query of one of them answered by one JSON-lane
      statement may be answered again by that statement alone (`fastpath.replay`).

    Types and fields that break the engine's rules stop start-up here, naming
    them (`rules.check_rules`). On a graphql-core or Strawberry the engine was not
    verified with, it turns itself off with one warning (`versions`).
    """
    check_rules(schema)
    plan_input_objects(schema)
    if not fast_paths_verified():
        compiled = direct = False
    GLOBAL_ID.encode = global_id
    executor = (
        type(
            "CheckedExecutor",
            (ProjectingExecutor,),
            {"check": check, "pure_scalars": frozenset(pure_scalars)},
        )
        if compiled
        else None
    )
    if executor is not None:
        schema.execution_context_class = executor
    lane = (
        DirectQueries(schema, policy, max_tokens=max_tokens, check=check, replayable=replayable)
        if direct
        else None
    )
    return Engine(executor, lane)
