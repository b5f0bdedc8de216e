"""The answers of a level of compiled objects, built by code generated per object plan.

Completing fifty objects field by field meant, per field, a list of the sources'
attributes, a loop coercing them, and a loop writing them into fifty dicts: a
measured third of a list's completion. `assembler` writes one function per plan
instead that walks the sources once, reads each plain leaf attribute, coerces it
on the spot (strings and booleans as they are, enums by one dict look-up, times
by `isoformat`), and makes each object's answer as one dict display, taking the
other fields' values, completed beforehand, from their lists.

Whatever is not the common case of a value (a null, another type, an error) goes
through that leaf's `slow` function, which completes it as `_complete_leaves`
does; any exception while assembling becomes `fail()` (the caller's fallback).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastpath.narrow import column_read

Assemble = Callable[..., list[dict[str, Any]]]


@dataclass(frozen=True)
class Slot:
    """One field of the object's answer, in answer order.

    A `typename` is a constant; an `attribute` is a leaf read from the source (its
    common values: of type `same` as they are, enum members by `names`, datetimes
    by `isoformat` when `coerce` is that; anything else by `slow`); any other slot
    takes its values, completed, from the next list handed to the assembler.

    With a `column`, the source is a database record and the leaf is read as a
    narrow read fills its object's attribute (`fastpath.narrow`): `record[column]`,
    then `convert` (a UTC time first taken as it is, where `utc_time`), then the
    global ID of `id_of`.
    """

    name: str
    typename: str | None = None
    attribute: str | None = None
    same: type | None = None
    names: dict[Any, str] | None = None
    enum: type | None = None
    coerce: Callable[[Any], Any] | None = None
    slow: Callable[[Any], Any] | None = None
    column: str | None = None
    convert: Callable[[Any], Any] | None = None
    utc_time: bool = False
    id_of: str | None = None


def assembler(slots: Sequence[Slot], fail: Callable[[], Exception]) -> Assemble:
    """`assemble(sources, *completed) -> answers`, generated for these slots."""
    names: dict[str, Any] = {
        "fail": fail,
        "datetime_": datetime,
    }
    completed = [f"v{position}" for position, slot in enumerate(slots) if _takes_values(slot)]
    lines = []
    items = []
    for position, slot in enumerate(slots):
        key = repr(slot.name)
        if slot.typename is not None:
            items.append(f"{key}: {slot.typename!r}")
        elif slot.attribute is None:
            items.append(f"{key}: v{position}")
        else:
            lines.extend(_leaf(position, slot, names))
            items.append(f"{key}: a{position}")
    lists = ", ".join(f"{name}_" for name in completed)
    loop = f"for s, {', '.join(completed)} in zip(sources, {lists}, strict=True):"
    if not completed:
        loop = "for s in sources:"
    parameters = "".join(f", {name}_" for name in completed)
    source = "\n".join(
        [
            f"def assemble(sources{parameters}):",
            "    out = []",
            "    append = out.append",
            "    try:",
            f"        {loop}",
            *(f"            {line}" for line in lines),
            f"            append({{{', '.join(items)}}})",
            "    except Exception:",
            "        raise fail() from None",
            "    return out",
        ]
    )
    exec(compile(source, "<assemble>", "exec"), names)
    assemble: Assemble = names["assemble"]
    return assemble


def _takes_values(slot: Slot) -> bool:
    return slot.typename is None and slot.attribute is None


def _leaf(position: int, slot: Slot, names: dict[str, Any]) -> list[str]:
    """Lines reading and coercing one leaf attribute into `a<position>`."""
    value = f"a{position}"
    names[f"slow{position}"] = slot.slow
    read = f"{value} = s.{slot.attribute}"
    if slot.column is not None:
        expression = column_read(
            "s", slot.column, slot.convert, slot.utc_time, slot.id_of, names, position
        )
        read = f"{value} = {expression}"
    if slot.same is not None:
        names[f"same{position}"] = slot.same
        return [
            read,
            f"if {value}.__class__ is not same{position}: {value} = slow{position}({value})",
        ]
    if slot.names is not None and slot.enum is not None:
        names[f"names{position}"] = slot.names
        names[f"enum{position}"] = slot.enum
        return [
            read,
            f"{value} = names{position}[{value}] if {value}.__class__ is enum{position}"
            f" else slow{position}({value})",
        ]
    if slot.coerce is datetime.isoformat:
        return [
            read,
            f"{value} = {value}.isoformat() if {value}.__class__ is datetime_"
            f" else slow{position}({value})",
        ]
    return [read, f"{value} = slow{position}({value})"]
