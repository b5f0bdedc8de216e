"""The engine's rules are checked when a schema is built, naming what breaks them.

Each test builds a small schema that breaks one rule and shows that `check_rules` (which
`fastpath.accelerate`, and so `schema.build_schema`, calls first) refuses it by type and
field, and that the same schema written by the rule passes.
"""

from collections.abc import Sequence
from typing import Any, Protocol

import pytest
import strawberry

from api.settings import load_settings
from fastpath.arguments import ViewerPermission
from fastpath.declare import batched, related
from fastpath.rules import RuleBroken, check_rules
from schema import build_schema


@strawberry.type
class Owner:
    name: str

    @classmethod
    def from_row(cls, row: Any) -> "Owner":
        return cls(name=row.name)


@strawberry.type
class Plain:
    name: str


class Named(Protocol):
    name: str


async def lengths(info: Any, things: Sequence[Named]) -> list[int]:
    return [len(thing.name) for thing in things]


async def unannotated(info: Any, things) -> list[int]:  # type: ignore[no-untyped-def]
    return [0 for _ in things]


class Colour(Protocol):
    colour: str


async def colours(info: Any, things: Sequence[Colour]) -> list[str]:
    return [thing.colour for thing in things]


class SignedIn(ViewerPermission):
    message = "Sign in."

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return info.context is not None


class OwnRowsOnly(ViewerPermission):
    message = "Not yours."

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return bool(source.owner_id == info.context)


def _nothing() -> None:
    raise NotImplementedError


def _schema(thing_type: type) -> strawberry.Schema:
    @strawberry.type
    class Query:
        thing: Any = strawberry.field(resolver=_nothing, graphql_type=thing_type)

    return strawberry.Schema(query=Query)


def test_the_app_schema_keeps_every_rule() -> None:
    check_rules(build_schema(load_settings()))


def test_a_related_field_needs_its_key_on_the_type() -> None:
    # given a related field whose key the type does not have
    @strawberry.type
    class Thing:
        owner_key: strawberry.Private[int]
        owner: Owner | None = related("owner_id", "owners_by_id")

    # when / then the build names the field and the key
    with pytest.raises(RuleBroken, match=r"Thing\.owner: related to `owner_id`"):
        check_rules(_schema(Thing))


def test_a_related_fields_type_needs_from_row() -> None:
    # given a related field whose type cannot be made from a row
    @strawberry.type
    class Thing:
        owner_id: strawberry.Private[int]
        owner: Plain | None = related("owner_id", "owners_by_id")

    # when / then
    with pytest.raises(RuleBroken, match=r"Thing\.owner: .*`from_row`"):
        check_rules(_schema(Thing))


def test_a_related_field_declared_by_the_rule_passes() -> None:
    @strawberry.type
    class Thing:
        owner_id: strawberry.Private[int]
        owner: Owner | None = related("owner_id", "owners_by_id")

    check_rules(_schema(Thing))


def test_a_batched_field_must_declare_what_it_reads() -> None:
    # given a batch function whose sources are not annotated with a Protocol
    @strawberry.type
    class Thing:
        name: str
        size: int = batched(unannotated)

    # when / then
    with pytest.raises(RuleBroken, match=r"Thing\.size: .*Sequence\[<Protocol>\]"):
        check_rules(_schema(Thing))


def test_a_batched_field_reads_only_what_its_type_has() -> None:
    # given a batch function reading an attribute the type does not have
    @strawberry.type
    class Thing:
        name: str
        colour_name: str = batched(colours)

    # when / then
    with pytest.raises(RuleBroken, match=r"Thing\.colour_name: its batch reads \['colour'\]"):
        check_rules(_schema(Thing))


def test_a_batched_field_declared_by_the_rule_passes() -> None:
    @strawberry.type
    class Thing:
        name: str
        size: int = batched(lengths)

    check_rules(_schema(Thing))


def test_a_viewer_permission_may_not_read_the_object() -> None:
    # given a ViewerPermission that looks at the object it guards
    @strawberry.type
    class Thing:
        name: str = strawberry.field(permission_classes=[OwnRowsOnly])

    # when / then
    with pytest.raises(RuleBroken, match=r"Thing\.name: OwnRowsOnly .* reads `source`"):
        check_rules(_schema(Thing))


def test_a_viewer_permission_deciding_by_the_viewer_passes() -> None:
    @strawberry.type
    class Thing:
        name: str = strawberry.field(permission_classes=[SignedIn])

    check_rules(_schema(Thing))
