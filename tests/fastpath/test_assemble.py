"""`schema.assemble.assembler`: generated code building a level's answers, in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from typing import Any

import pytest

from fastpath.assemble import Slot, assembler
from models.ids import global_id


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Source:
    name: Any
    colour: Any
    at: Any


class Refused(Exception):
    pass


def _slow(value: Any) -> Any:
    """What the plan's slow path does: nulls stay null, anything odd is refused."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    raise Refused


SLOTS = [
    Slot("__typename", typename="Thing"),
    Slot("name", attribute="name", same=str, slow=_slow),
    Slot("nested"),
    Slot("colour", attribute="colour", names={Colour.RED: "RED"}, enum=Colour, slow=_slow),
    Slot("at", attribute="at", coerce=datetime.isoformat, slow=_slow),
    Slot("more"),
]
WHEN = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def test_answers_hold_every_field_in_order_with_leaves_coerced() -> None:
    # given two sources and the completed values of the two other fields
    assemble = assembler(SLOTS, Refused)
    sources = [Source("a", Colour.RED, WHEN), Source(7, None, None)]
    # when they are assembled
    answers = assemble(sources, [{"n": 1}, None], [[1], []])
    # then each answer has every field, in the plan's order, each value in place
    assert answers == [
        {
            "__typename": "Thing",
            "name": "a",
            "nested": {"n": 1},
            "colour": "RED",
            "at": WHEN.isoformat(),
            "more": [1],
        },
        {
            "__typename": "Thing",
            "name": "7",
            "nested": None,
            "colour": None,
            "at": None,
            "more": [],
        },
    ]
    assert [list(answer) for answer in answers] == [[slot.name for slot in SLOTS]] * 2


def test_a_datetime_of_another_offset_keeps_it() -> None:
    # isoformat of the value itself: its own offset, as Strawberry's DateTime writes it
    assemble = assembler(
        [Slot("at", attribute="at", coerce=datetime.isoformat, slow=_slow)], Refused
    )
    local = WHEN.astimezone(timezone(timedelta(hours=2)))
    assert assemble([Source(None, None, local)]) == [{"at": "2026-12-05T11:30:00+02:00"}]


def test_an_unknown_member_or_a_refused_value_fails_the_whole_level() -> None:
    assemble = assembler(SLOTS, Refused)
    # a member without a name, and a value the slow path refuses
    for source in (Source("a", Colour.BLUE, WHEN), Source(["x"], Colour.RED, WHEN)):
        with pytest.raises(Refused):
            assemble([source], [None], [None])


def test_lists_of_other_lengths_fail() -> None:
    assemble = assembler(SLOTS, Refused)
    with pytest.raises(Refused):
        assemble([Source("a", Colour.RED, WHEN)], [None, None], [None])


def test_a_level_of_constants_only() -> None:
    assemble = assembler([Slot("__typename", typename="Query")], Refused)
    assert assemble([object(), object()]) == [{"__typename": "Query"}] * 2


def test_leaves_read_from_records_as_a_narrow_read_fills_them() -> None:
    # given slots reading a record's columns: a global ID, a converted value, a time
    zone = timezone(timedelta(hours=2))
    slots = [
        Slot("id", attribute="id", same=str, slow=_slow, column="pk", id_of="Thing"),
        Slot("name", attribute="name", same=str, slow=_slow, column="title", convert=str.upper),
        Slot(
            "at",
            attribute="at",
            coerce=datetime.isoformat,
            slow=_slow,
            column="stamp",
            convert=lambda value: value.astimezone(zone),
            utc_time=True,
        ),
    ]
    assemble = assembler(slots, Refused)
    local = WHEN.astimezone(timezone(timedelta(hours=-5)))
    # when records are assembled
    records = [{"pk": 7, "title": "a", "stamp": WHEN}, {"pk": 8, "title": "b", "stamp": local}]
    answers = assemble(records)
    # then a UTC time is taken as it is, any other converted, and IDs are global IDs
    assert answers == [
        {"id": global_id("Thing", 7), "name": "A", "at": WHEN.isoformat()},
        {"id": global_id("Thing", 8), "name": "B", "at": local.astimezone(zone).isoformat()},
    ]
