"""`fastpath.objects`: objects made without `__init__`; lists that say who made them."""

from __future__ import annotations

import dataclasses

import pytest
import strawberry

from fastpath.objects import Made, made_of, maker


@strawberry.type(description="A test type.")
class Card:
    title: str = strawberry.field(description="Its title.")
    count: int = strawberry.field(description="How many.")
    secret: strawberry.Private[str]


def test_made_objects_equal_those_init_makes() -> None:
    make = maker(Card)
    made = make(count=3, title="A", secret="s")
    assert type(made) is Card
    assert vars(made) == vars(Card(title="A", count=3, secret="s"))


def test_a_field_left_out_or_a_post_init_is_refused() -> None:
    with pytest.raises(TypeError):
        maker(Card)(title="A", count=3)  # `secret` left out

    @dataclasses.dataclass
    class Checked:
        value: int

        def __post_init__(self) -> None:
            assert self.value >= 0

    with pytest.raises(TypeError):
        maker(Checked)


def test_a_made_list_names_the_class_that_made_its_items() -> None:
    # given a class with a classmethod that makes its instances, and a plain function
    @dataclasses.dataclass
    class Thing:
        name: str

        @classmethod
        def from_name(cls, name: str) -> Thing:
            return cls(name)

    def loose(name: str) -> Thing:
        return Thing(name)

    # then the classmethod's class made its items; a function names none
    assert made_of(Thing.from_name) is Thing and made_of(loose) is None
    made = Made([Thing.from_name("a")], Thing)
    assert made == [Thing("a")] and made.of is Thing
