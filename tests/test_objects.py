"""`schema.objects.maker`: the instance `__init__` makes, without calling it."""

from __future__ import annotations

import dataclasses

import pytest
import strawberry

from schema.objects import maker


@strawberry.type(description="A test type.")
class Card:
    title: str = strawberry.field(description="Its title.")
    count: int = strawberry.field(description="How many.")
    secret: strawberry.Private[str]


def test_made_objects_equal_those_init_makes() -> None:
    make = maker(Card, ("count", "title", "secret"))
    made = make(3, "A", "s")
    assert type(made) is Card
    assert vars(made) == vars(Card(title="A", count=3, secret="s"))


def test_a_field_left_out_or_a_post_init_is_refused() -> None:
    with pytest.raises(TypeError):
        maker(Card, ("title", "count"))

    @dataclasses.dataclass
    class Checked:
        value: int

        def __post_init__(self) -> None:
            assert self.value >= 0

    with pytest.raises(TypeError):
        maker(Checked, ("value",))
