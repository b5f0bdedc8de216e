"""GraphQL objects made in bulk without their dataclass `__init__`, and lists that say
which class made their objects.

A Strawberry type's `__init__` takes keyword arguments and runs per object; for
objects made fifty at a time from values already checked (a review queue's job
drafts), `maker` writes a function that sets the instance's attributes as one
dict display, as `fastpath.rows.build_model` and the narrow reads do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any


def maker(cls: type) -> Callable[..., Any]:
    """`make(**values) -> cls` taking every field `__init__` takes, by name (so no
    caller can pass them in another order): the same instance as `cls(**values)`,
    made without `__init__`. `cls` may have no `__post_init__`."""
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__: make it with its __init__")
    attributes = [field.name for field in dataclasses.fields(cls) if field.init]
    items = ", ".join(f"{name!r}: {name}" for name in attributes)
    source = (
        f"def make(*, {', '.join(attributes)}):\n"
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
