"""GraphQL objects made in bulk without their dataclass `__init__`, and lists that say
which class made their objects.

A Strawberry type's `__init__` takes keyword arguments and runs per object; for
objects made fifty at a time from values already checked (a review queue's job
drafts), `maker` writes a function that sets the instance's attributes as one
dict display, as `models.rows.build_model` and the narrow reads do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any


def maker(cls: type, attributes: Sequence[str]) -> Callable[..., Any]:
    """`make(*values) -> cls` with `attributes` set in order: the same instance as
    `cls(**dict(zip(attributes, values)))`, so every field `__init__` sets must be
    among them and `cls` may have no `__post_init__`."""
    fields = {field.name for field in dataclasses.fields(cls) if field.init}
    if set(attributes) != fields or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} is not made from exactly {sorted(attributes)}")
    parameters = [f"a{position}" for position in range(len(attributes))]
    items = ", ".join(
        f"{name!r}: {parameter}" for name, parameter in zip(attributes, parameters, strict=True)
    )
    source = (
        f"def make({', '.join(parameters)}):\n"
        "    instance = new(cls)\n"
        f"    setattr_(instance, '__dict__', {{{items}}})\n"
        "    return instance\n"
    )
    names: dict[str, Any] = {"new": object.__new__, "cls": cls, "setattr_": object.__setattr__}
    exec(compile(source, f"<make {cls.__name__}>", "exec"), names)
    make: Callable[..., Any] = names["make"]
    return make


class Made(list[Any]):
    """A list of objects that `of` made itself (its constructor, its `from_row`, or a
    narrow read's filler): each is an instance of exactly `of`, never cast to another
    type, so a compiled projection need not ask Strawberry's type check of each."""

    def __init__(self, items: Sequence[Any], of: type) -> None:
        super().__init__(items)
        self.of = of


def made_of(convert: Callable[..., Any]) -> type | None:
    """The class whose own classmethod `convert` is (`Type.from_row`), if it is one."""
    owner = getattr(convert, "__self__", None)
    return owner if isinstance(owner, type) else None
